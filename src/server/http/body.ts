import type { FastifyInstance } from 'fastify';
import { SellbridgeError } from '../../core/errors.ts';
import { jsonDepthExceeded, MAX_JSON_DEPTH } from '../../core/json-depth.ts';

/**
 * The JSON body parser of the admin API: Fastify's own (with prototype-poisoning checks), after a depth check so
 * a 10,000-deep body is a 400 `SB_API_BODY_INVALID` instead of a stack overflow and a 500 further on.
 */
export function installJsonBodyParser(app: FastifyInstance): void {
  const parseJson = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (req, body, done) => {
    const text = body as string;
    const at = jsonDepthExceeded(text);
    if (at >= 0)
      return done(
        new SellbridgeError(
          'SB_API_BODY_INVALID',
          `body: JSON nested deeper than ${MAX_JSON_DEPTH} levels (at character ${at})`,
          { context: { field: 'body' } },
        ),
        undefined,
      );
    return parseJson(req, text, done);
  });
}

/** Code of a 4xx/5xx answer that does not carry one, by status (every refusal has an SB_ code). */
export function defaultErrorCode(status: number): string | undefined {
  if (status === 400 || status === 413 || status === 415)
    return status === 400 ? 'SB_API_REQUEST_INVALID' : 'SB_API_BODY_INVALID';
  if (status === 401) return 'SB_AUTH_REQUIRED';
  if (status === 403) return 'SB_AUTH_FORBIDDEN';
  if (status === 404) return 'SB_API_NOT_FOUND';
  if (status === 429) return 'SB_AUTH_THROTTLED';
  if (status >= 400 && status < 500) return 'SB_API_REFUSED';
  return undefined;
}

/** Adds `code` to JSON error answers that have none (route-specific answers keep their own code). */
export function installErrorCodes(app: FastifyInstance): void {
  app.addHook('onSend', async (_req, reply, payload) => {
    if (reply.statusCode < 400 || typeof payload !== 'string' || payload.length > 65_536 || !payload.startsWith('{'))
      return payload;
    const code = defaultErrorCode(reply.statusCode);
    if (!code) return payload;
    try {
      const body = JSON.parse(payload) as Record<string, unknown>;
      if (typeof body !== 'object' || body === null || body['code'] !== undefined || body['error'] === undefined)
        return payload;
      return JSON.stringify({ ...body, code });
    } catch {
      return payload;
    }
  });
}
