import { z } from 'zod';
import { configSchema } from './schema.ts';

/**
 * A flat view of the schema's leaves, derived from zod's JSON Schema export. The env mapper, the redactor,
 * `sellbridge init` and the docs generator all read this one list, so none of them can drift from the schema.
 */
export interface ConfigLeaf {
  /** e.g. ['jobs', 'leaseMs'] */
  readonly path: readonly string[];
  /** e.g. SELLBRIDGE_JOBS_LEASE_MS */
  readonly env: string;
  readonly type: 'string' | 'integer' | 'number' | 'boolean' | 'array' | 'object';
  readonly description: string;
  readonly default: unknown;
  readonly enum?: readonly unknown[];
  readonly secret: boolean;
  readonly optional: boolean;
}

export interface ConfigSection {
  readonly key: string;
  readonly description: string;
}

interface JsonSchemaNode {
  type?: string | string[];
  description?: string;
  default?: unknown;
  enum?: unknown[];
  secret?: boolean;
  properties?: Record<string, JsonSchemaNode>;
  required?: string[];
  anyOf?: JsonSchemaNode[];
  items?: JsonSchemaNode;
}

const jsonSchema = z.toJSONSchema(configSchema, { io: 'input', unrepresentable: 'any' }) as JsonSchemaNode;

export function envNameOf(path: readonly string[]): string {
  return ['SELLBRIDGE', ...path.map((p) => p.replace(/([a-z0-9])([A-Z])/g, '$1_$2'))].join('_').toUpperCase();
}

function leafType(node: JsonSchemaNode): ConfigLeaf['type'] {
  const t = Array.isArray(node.type) ? node.type.find((x) => x !== 'null') : node.type;
  if (t === 'integer' || t === 'number' || t === 'boolean' || t === 'array' || t === 'object') return t;
  if (node.anyOf) return leafType(node.anyOf.find((n) => n.type !== 'null') ?? {});
  return 'string';
}

function collect(node: JsonSchemaNode, path: string[], out: ConfigLeaf[]): void {
  for (const [key, child] of Object.entries(node.properties ?? {})) {
    const childPath = [...path, key];
    if (child.properties) {
      collect(child, childPath, out);
      continue;
    }
    out.push({
      path: childPath,
      env: envNameOf(childPath),
      type: leafType(child),
      description: child.description ?? '',
      default: child.default,
      ...(child.enum ? { enum: child.enum } : {}),
      secret: child.secret === true,
      optional: child.default === undefined,
    });
  }
}

const leaves: ConfigLeaf[] = [];
collect(jsonSchema, [], leaves);

export const CONFIG_LEAVES: readonly ConfigLeaf[] = Object.freeze(leaves);

export const CONFIG_SECTIONS: readonly ConfigSection[] = Object.freeze(
  Object.entries(jsonSchema.properties ?? {}).map(([key, node]) => ({ key, description: node.description ?? '' })),
);

export const SECRET_PATHS: readonly string[] = Object.freeze(
  CONFIG_LEAVES.filter((l) => l.secret).map((l) => l.path.join('.')),
);
