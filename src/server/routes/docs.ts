import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { AnySpec, RouteRegistry } from '../http/define.ts';

type JsonSchema = Record<string, unknown>;

function jsonSchema(schema: z.ZodType): JsonSchema {
  const s = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as JsonSchema;
  delete s['$schema'];
  return s;
}

const ErrorBody = {
  type: 'object',
  properties: {
    error: { type: 'string' },
    code: { type: 'string' },
    issues: { type: 'array', items: { type: 'object' } },
  },
  required: ['error'],
};

function parameters(spec: AnySpec): unknown[] {
  const out: unknown[] = [];
  const add = (where: 'query' | 'path', schema: z.ZodType | undefined) => {
    if (!schema) return;
    const js = jsonSchema(schema);
    const props = (js['properties'] ?? {}) as Record<string, JsonSchema>;
    const required = new Set((js['required'] as string[] | undefined) ?? []);
    for (const [name, p] of Object.entries(props)) {
      const { description, ...rest } = p;
      out.push({
        name,
        in: where,
        required: where === 'path' || (required.has(name) && !('default' in p)),
        schema: rest,
        ...(description ? { description } : {}),
      });
    }
  };
  add('path', spec.params);
  add('query', spec.query);
  return out;
}

/** The OpenAPI 3.1 document of every route registered through the RouteRegistry. */
export function openApiDocument(routes: RouteRegistry): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const spec of routes.specs) {
    const path = spec.url.replace(/:([A-Za-z]+)/g, '{$1}');
    const responses: Record<string, unknown> = {
      '200': {
        description: 'OK',
        content: { [spec.produces ?? 'application/json']: { schema: spec.response ? jsonSchema(spec.response) : {} } },
      },
      '400': {
        description: 'invalid request: every bad field is listed in issues',
        content: { 'application/json': { schema: ErrorBody } },
      },
    };
    if (spec.role !== 'public') {
      responses['401'] = {
        description: 'not signed in (no or wrong token / session)',
        content: { 'application/json': { schema: ErrorBody } },
      };
      responses['403'] = {
        description: `role below ${spec.role}`,
        content: { 'application/json': { schema: ErrorBody } },
      };
    }
    for (const [status, description] of Object.entries(spec.statuses ?? {})) {
      responses[status] =
        status === '201'
          ? { description, content: { 'application/json': { schema: spec.response ? jsonSchema(spec.response) : {} } } }
          : { description, content: { 'application/json': { schema: ErrorBody } } };
    }
    const op: Record<string, unknown> = {
      operationId: `${spec.method.toLowerCase()}${path.replace(/[^A-Za-z0-9]+(.)?/g, (_m, c: string | undefined) => (c ? c.toUpperCase() : ''))}`,
      tags: [spec.tag],
      summary: spec.summary,
      description: `${spec.description ? `${spec.description}\n\n` : ''}Least role: **${spec.role}**.`,
      parameters: parameters(spec),
      responses,
      ...(spec.role === 'public' ? { security: [] } : {}),
    };
    if (spec.body)
      op['requestBody'] = {
        required: true,
        content: { [spec.consumes ?? 'application/json']: { schema: jsonSchema(spec.body) } },
      };
    (paths[path] ??= {})[spec.method.toLowerCase()] = op;
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'Sellbridge admin API',
      version: '1',
      description:
        'Operate Sellbridge: orders, dead letters, mappings, connections, feeds, audit. Authenticate with `Authorization: Bearer <token>` ' +
        '(`sellbridge tokens create --role viewer|operator|admin`) or sign in (POST /api/v1/auth/login) for the session cookie. ' +
        'Roles: viewer reads; operator replays, discards and edits mappings; admin manages tokens, users and connections.',
    },
    servers: [{ url: '/' }],
    components: {
      securitySchemes: {
        bearer: { type: 'http', scheme: 'bearer', description: 'API token or server.adminToken' },
        session: { type: 'apiKey', in: 'cookie', name: 'sb_session', description: 'set by POST /api/v1/auth/login' },
      },
    },
    security: [{ bearer: [] }, { session: [] }],
    paths,
  };
}

const HTML = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Sellbridge admin API</title>
<style>body{font:15px/1.5 system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;color:#222}code{background:#f3f3f3;padding:0 .2em}
h2{margin-top:2rem;border-bottom:1px solid #ddd}.op{margin:.4rem 0}.m{display:inline-block;width:4.5rem;font-weight:600}.r{color:#666;font-size:.85em}</style></head>
<body><h1>Sellbridge admin API</h1>
<p>The OpenAPI 3.1 document: <a href="/docs/openapi.json"><code>/docs/openapi.json</code></a> (load it in any OpenAPI viewer or client generator).</p>
__BODY__
</body></html>`;

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

/** GET /docs (a plain HTML list, no scripts) and GET /docs/openapi.json; both open (the document holds no data). */
export function registerDocs(app: FastifyInstance, routes: RouteRegistry): void {
  let cached: Record<string, unknown> | undefined;
  const doc = () => (cached ??= openApiDocument(routes));
  app.get('/docs/openapi.json', async () => doc());
  app.get('/docs', async (_req, reply) => {
    const byTag = new Map<string, AnySpec[]>();
    for (const s of routes.specs) byTag.set(s.tag, [...(byTag.get(s.tag) ?? []), s]);
    const body = [...byTag]
      .map(
        ([tag, specs]) =>
          `<h2>${escapeHtml(tag)}</h2>` +
          specs
            .map(
              (s) =>
                `<div class="op"><span class="m">${s.method}</span><code>${escapeHtml(s.url)}</code> ${escapeHtml(s.summary)} <span class="r">(${s.role})</span></div>`,
            )
            .join(''),
      )
      .join('\n');
    return reply.type('text/html; charset=utf-8').send(HTML.replace('__BODY__', body));
  });
}
