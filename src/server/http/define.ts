import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { z } from 'zod';
import { roleAllows, type Principal, type Role } from '../../runtime/auth/roles.ts';
import { AUTH_REQUIRED, principalOf } from './auth.ts';

/** One documented endpoint: the OpenAPI document is built from these, so every route is in it by construction. */
export interface RouteSpec<Q extends z.ZodType, B extends z.ZodType, P extends z.ZodType> {
  readonly method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  readonly url: string;
  /** Least role allowed; 'public' needs no authentication (login). */
  readonly role: Role | 'public';
  readonly tag: string;
  readonly summary: string;
  readonly description?: string;
  readonly query?: Q;
  readonly body?: B;
  readonly params?: P;
  /** Response body (documentation only). */
  readonly response?: z.ZodType;
  /** Response media type (default application/json). */
  readonly produces?: string;
  /** Request media type (default application/json). */
  readonly consumes?: string;
  /** Extra statuses worth documenting beyond 200/400/401/403. */
  readonly statuses?: Readonly<Record<number, string>>;
}

export interface RouteContext<Q, B, P> {
  readonly req: FastifyRequest;
  readonly reply: FastifyReply;
  readonly query: Q;
  readonly body: B;
  readonly params: P;
  /** Undefined only on public routes. */
  readonly principal: Principal;
}

export type AnySpec = RouteSpec<z.ZodType, z.ZodType, z.ZodType>;

export interface ValidationIssue {
  readonly in: 'query' | 'body' | 'path';
  readonly field: string;
  readonly problem: string;
}

export function validationIssues(where: ValidationIssue['in'], error: z.ZodError): ValidationIssue[] {
  return error.issues.map((i) => ({
    in: where,
    field: i.path.length ? i.path.join('.') : '(root)',
    problem: i.message,
  }));
}

/** Registers routes and remembers their specs for the OpenAPI document. */
export class RouteRegistry {
  readonly specs: AnySpec[] = [];
  readonly app: FastifyInstance;
  constructor(app: FastifyInstance) {
    this.app = app;
  }

  add<Q extends z.ZodType = z.ZodUndefined, B extends z.ZodType = z.ZodUndefined, P extends z.ZodType = z.ZodUndefined>(
    spec: RouteSpec<Q, B, P>,
    handler: (ctx: RouteContext<z.output<Q>, z.output<B>, z.output<P>>) => Promise<unknown>,
  ): void {
    this.specs.push(spec as unknown as AnySpec);
    this.app.route({
      method: spec.method,
      url: spec.url,
      // Read by the onRequest authentication hook (http/auth.ts), which refuses before the body is parsed.
      config: { role: spec.role },
      handler: async (req, reply) => {
        const principal = principalOf(req);
        if (spec.role !== 'public') {
          if (!principal) {
            return reply.code(401).header('www-authenticate', 'Bearer').send({ error: AUTH_REQUIRED });
          }
          if (!roleAllows(principal.role, spec.role)) {
            return reply
              .code(403)
              .send({ error: `this needs the ${spec.role} role; ${principal.actor} has ${principal.role}` });
          }
        }
        const issues: ValidationIssue[] = [];
        const parse = <T extends z.ZodType>(
          where: ValidationIssue['in'],
          schema: T | undefined,
          value: unknown,
        ): unknown => {
          if (!schema) return undefined;
          const r = schema.safeParse(value ?? (where === 'body' ? undefined : {}));
          if (!r.success) {
            issues.push(...validationIssues(where, r.error));
            return undefined;
          }
          return r.data;
        };
        const params = parse('path', spec.params, req.params);
        const query = parse('query', spec.query, req.query);
        const body = parse('body', spec.body, req.body);
        if (issues.length) {
          return reply.code(400).send({
            error: `invalid request: ${issues
              .slice(0, 20)
              .map((i) => `${i.in} ${i.field}: ${i.problem}`)
              .join('; ')
              .slice(0, 2000)}`,
            code: 'SB_API_REQUEST_INVALID',
            issues: issues.slice(0, 50),
          });
        }
        const result = await handler({ req, reply, query, body, params, principal: principal! } as RouteContext<
          z.output<Q>,
          z.output<B>,
          z.output<P>
        >);
        if (reply.sent) return reply;
        return result;
      },
    });
  }
}
