import { Ajv2019, type ErrorObject, type ValidateFunction } from 'ajv/dist/2019.js';
import type { ListingAttributes } from '../../core/model/listing.ts';

/**
 * Checks listing attributes against a product type's JSON Schema (Product Type Definitions API 2020-09-01) before
 * they are sent. Amazon's schemas are JSON Schema 2019-09 with Amazon's own vocabulary (meta-schema v1, referenced
 * by a name that does not resolve): the standard keywords are validated by Ajv; of Amazon's, the byte lengths
 * (`minUtf8ByteLength`, `maxUtf8ByteLength`) are validated and the annotations (`editable`, `hidden`, `enumNames`,
 * `selectors`, `maxUniqueItems`, `replaced_by`) are accepted without effect. Only the attributes sent are checked
 * (a partial update): the schema's `required` list at the top is left out, the nested ones apply.
 */
export type AttributeChecker = (attributes: ListingAttributes) => readonly AttributeProblem[];

export interface AttributeProblem {
  /** The top-level attribute, e.g. `brand`. */
  readonly attribute: string;
  readonly problem: string;
}

const ANNOTATIONS = ['editable', 'hidden', 'enumNames', 'selectors', 'maxUniqueItems', 'replaced_by'];

export function compileProductTypeSchema(schema: Record<string, unknown>): AttributeChecker {
  const ajv = new Ajv2019({ strict: false, allErrors: true, validateSchema: false });
  for (const keyword of ANNOTATIONS) ajv.addKeyword({ keyword });
  const utf8 = (compare: (bytes: number, limit: number) => boolean) => (limit: number, data: unknown) =>
    typeof data !== 'string' || compare(Buffer.byteLength(data, 'utf8'), limit);
  ajv.addKeyword({
    keyword: 'maxUtf8ByteLength',
    type: 'string',
    schemaType: 'number',
    validate: utf8((b, l) => b <= l),
    error: { message: (cxt) => `must be at most ${String(cxt.schemaValue)} bytes (UTF-8)` },
  });
  ajv.addKeyword({
    keyword: 'minUtf8ByteLength',
    type: 'string',
    schemaType: 'number',
    validate: utf8((b, l) => b >= l),
    error: { message: (cxt) => `must be at least ${String(cxt.schemaValue)} bytes (UTF-8)` },
  });
  const { $schema: _meta, required: _required, ...rest } = schema;
  const validate: ValidateFunction = ajv.compile(rest);
  const known = new Set(Object.keys((schema['properties'] as Record<string, unknown> | undefined) ?? {}));
  return (attributes) => {
    const problems: AttributeProblem[] = [];
    for (const name of Object.keys(attributes))
      if (!known.has(name)) problems.push({ attribute: name, problem: 'not an attribute of this product type' });
    if (!validate(attributes)) for (const e of validate.errors ?? []) problems.push(problemOf(e));
    return problems;
  };
}

function problemOf(e: ErrorObject): AttributeProblem {
  const [attribute = '(root)', ...path] = e.instancePath.split('/').slice(1);
  const where = path.length ? ` at ${path.join('/')}` : '';
  const allowed =
    e.keyword === 'enum' ? `: ${((e.params as { allowedValues?: unknown[] }).allowedValues ?? []).join(', ')}` : '';
  return { attribute, problem: `${e.message ?? e.keyword}${allowed}${where}` };
}
