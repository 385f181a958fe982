import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { OPERATIONS_BY_NAME, fastifyPath, type SimulatedOperation } from './operations.ts';
import {
  SimHttpError,
  internalFailure,
  invalidInput,
  quotaExceeded,
  serviceUnavailable,
  unauthorized,
} from './errors.ts';
import { regionOfMarketplace, type SimRegion } from './marketplaces.ts';
import type { AccessToken, SimulatorContext } from './types.ts';

/** What a route handler sees: the caller's token and seller, and helpers for the query string. */
export interface OperationContext {
  readonly op: SimulatedOperation;
  readonly token: AccessToken;
  /** Seller of a seller/RDT token; undefined for grantless calls. */
  readonly sellerId: string | undefined;
  readonly request: FastifyRequest;
}

export interface OperationResult {
  readonly status: number;
  readonly body?: unknown;
}

export type OperationHandler = (ctx: OperationContext) => OperationResult | Promise<OperationResult>;

/** Query parameters as Amazon sends arrays: comma-separated (Swagger `collectionFormat: csv`) or repeated. */
export function queryList(request: FastifyRequest, name: string): string[] | undefined {
  const raw = (request.query as Record<string, string | string[] | undefined>)[name];
  if (raw === undefined) return undefined;
  const values = (Array.isArray(raw) ? raw : [raw])
    .flatMap((v) => v.split(','))
    .map((v) => v.trim())
    .filter(Boolean);
  return values;
}

export function queryString(request: FastifyRequest, name: string): string | undefined {
  const raw = (request.query as Record<string, string | string[] | undefined>)[name];
  return Array.isArray(raw) ? raw[0] : raw;
}

export function sendErrors(reply: FastifyReply, error: SimHttpError): FastifyReply {
  return reply.code(error.status).header('content-type', 'application/json').send({ errors: error.errors });
}

function delay(ms: number, sim: SimulatorContext): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      sim.hung.delete(resolve);
      resolve();
    }, ms);
    timer.unref();
    sim.hung.add(() => {
      clearTimeout(timer);
      resolve();
    });
  });
}

/**
 * Applies a fault for this request, if one is due. Returns true when the reply was sent (or the request hangs
 * until the simulator closes, then gets a 503 that nobody reads).
 */
export async function applyFault(sim: SimulatorContext, operation: string, reply: FastifyReply): Promise<boolean> {
  const fault = sim.faults.next(operation);
  if (!fault) return false;
  sim.events.emit('fault', { operation, kind: fault.kind });
  switch (fault.kind) {
    case 'slow':
      await delay(fault.delayMs, sim);
      return false;
    case 'hang':
      await new Promise<void>((resolve) => sim.hung.add(resolve));
      sendErrors(reply, serviceUnavailable());
      return true;
    case 'throttle':
      sendErrors(reply, quotaExceeded());
      return true;
    case 'server-error':
      sendErrors(reply, internalFailure());
      return true;
    case 'unavailable':
      sendErrors(reply, serviceUnavailable());
      return true;
    case 'malformed':
      reply.code(200).header('content-type', 'application/json').send('{"payload": {"truncated": ');
      return true;
  }
}

/** Checks `x-amz-access-token` for the operation's token kind. */
export function authenticate(sim: SimulatorContext, op: SimulatedOperation, request: FastifyRequest): AccessToken {
  const header = request.headers['x-amz-access-token'];
  const value = Array.isArray(header) ? header[0] : header;
  if (!value) throw unauthorized(403, 'Access to requested resource is denied.');
  const token = sim.tokens.get(value);
  if (!token) throw unauthorized(403, 'Access to requested resource is denied.');
  if (token.expiresAtMs <= sim.now())
    throw unauthorized(sim.options.expiredTokenStatus ?? 401, 'The access token you provided has expired.');
  if (op.token === 'grantless' && token.kind !== 'grantless') {
    throw unauthorized(
      403,
      `${op.operationId} is a grantless operation: use an LWA token from the client_credentials grant.`,
    );
  }
  if (
    op.token === 'grantless' &&
    op.name.startsWith('notifications.') &&
    token.scope !== 'sellingpartnerapi::notifications'
  ) {
    throw unauthorized(403, 'The grantless token does not carry the scope sellingpartnerapi::notifications.');
  }
  if (op.token === 'seller' && token.kind === 'grantless')
    throw unauthorized(403, 'Access to requested resource is denied.');
  return token;
}

/**
 * The region of the endpoint a request came to: the path prefix (`/na`, `/eu`, `/fe`, the simulator's stand-ins
 * for the hosts) or a `sellingpartnerapi-<region>` Host header; undefined for the unprefixed paths, which answer
 * every region as before regions existed.
 */
export function regionOfRequest(request: FastifyRequest): SimRegion | undefined {
  return (request.raw as { simRegion?: SimRegion }).simRegion;
}

/**
 * At a regional endpoint: a seller's token is good only in the region the seller authorized (Amazon answers 403
 * there), and marketplaces of another region are refused.
 */
function checkRegion(sim: SimulatorContext, token: AccessToken, request: FastifyRequest): void {
  const region = regionOfRequest(request);
  if (!region) return;
  if (token.kind !== 'grantless') {
    const seller = sim.sellers.find((s) => s.sellerId === token.sellerId);
    if (seller && sim.regionOf(seller) !== region) throw unauthorized(403, 'Access to requested resource is denied.');
  }
  const outside = (queryList(request, 'marketplaceIds') ?? []).filter((id) => {
    const r = regionOfMarketplace(id);
    return r !== undefined && r !== region;
  });
  if (outside.length > 0)
    throw invalidInput(
      `Invalid marketplaceIds: ${outside.join(', ')} is not served by the ${region.toUpperCase()} endpoint.`,
    );
}

/** Registers one SP-API operation at its official path with auth, faults, usage plan and error shape. */
export function defineOperation(
  app: FastifyInstance,
  sim: SimulatorContext,
  name: string,
  handler: OperationHandler,
): void {
  const op = OPERATIONS_BY_NAME.get(name);
  if (!op) throw new Error(`unknown simulated operation ${name}`);
  app.route({
    method: op.method,
    url: fastifyPath(op.path),
    config: { operation: op.name },
    handler: async (request, reply) => {
      reply.header('x-amzn-RequestId', sim.requestId());
      if (await applyFault(sim, op.name, reply)) return reply;
      try {
        const token = authenticate(sim, op, request);
        checkRegion(sim, token, request);
        // Usage plans are per selling partner and application (sp-api-facts §6): two sellers never share a bucket,
        // nor two applications of one seller; grantless calls have the application's own.
        const principal =
          token.kind === 'grantless' ? `app:${token.clientId}` : `seller:${token.sellerId}:app:${token.clientId}`;
        const decision = sim.limiter.take(`${principal}:${op.name}`, sim.plan(op, token.sellerId));
        reply.header('x-amzn-RateLimit-Limit', String(Number(decision.effectiveRate.toPrecision(6))));
        if (!decision.allowed) throw quotaExceeded();
        const result = await handler({
          op,
          token,
          sellerId: token.kind === 'grantless' ? undefined : token.sellerId,
          request,
        });
        if (result.body === undefined) return reply.code(result.status).send();
        return reply.code(result.status).header('content-type', 'application/json').send(result.body);
      } catch (err) {
        if (err instanceof SimHttpError) return sendErrors(reply, err);
        throw err;
      }
    },
  });
}
