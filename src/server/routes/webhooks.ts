import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ResolvedConfig } from '../../config/schema.ts';
import { coerceError } from '../../core/errors.ts';
import {
  parseNotification,
  subjectKey,
  type ParsedNotification,
} from '../../connectors/amazon/notifications/notification-parser.ts';
import type { Inbox } from '../../runtime/inbox/inbox.ts';

/** Inbox source of notifications that arrive over HTTPS (an EventBridge API destination). */
export const WEBHOOK_SOURCE = 'amazon-eventbridge';

export interface WebhookDeps {
  /** The inbox that queues an ORDER_CHANGE's order.sync job with its row (`orderDispatchingInbox`). */
  readonly inbox: Inbox;
  readonly connectionId: string;
  readonly settings: ResolvedConfig['orders']['webhook'];
  /** Another connection's webhook deps (`POST /webhooks/amazon/:connectionId`, issue 21); undefined: no such connection. */
  readonly forConnection?: (connectionId: string) => Omit<WebhookDeps, 'forConnection'> | undefined;
}

/**
 * `POST /webhooks/amazon`: SP-API notifications as an EventBridge API destination delivers them (the EventBridge
 * event, or a bare notification document). Authenticated with its own credentials, not the admin API's: the
 * `x-api-key` header (API destination "API key" auth, header name x-api-key) or HTTP Basic. It answers 202 only
 * after the inbox row (and, for ORDER_CHANGE, the order.sync job) is committed, so EventBridge retries anything we
 * did not keep; a repeated delivery answers 200 with `duplicate: true` and queues nothing new.
 */
export function registerWebhookRoutes(app: FastifyInstance, deps: WebhookDeps): void {
  const check = credentialCheck(deps.settings);
  // `POST /webhooks/amazon/:connectionId` (issue 21): each connection's own credentials (orders.webhook of its entry).
  const checks = new Map<string, (req: FastifyRequest) => string | undefined>();
  const target = (req: FastifyRequest): Omit<WebhookDeps, 'forConnection'> | undefined => {
    const id = (req.params as { connectionId?: string } | undefined)?.connectionId;
    if (id === undefined || id === deps.connectionId) return deps;
    return deps.forConnection?.(id);
  };
  const checkFor = (req: FastifyRequest): string | undefined => {
    const t = target(req);
    if (!t) return check(req); // an unknown connection: only a caller with the default credentials learns it is unknown
    if (t === deps) return check(req);
    let c = checks.get(t.connectionId);
    if (!c) checks.set(t.connectionId, (c = credentialCheck(t.settings)));
    return c(req);
  };
  void app.register(async (scope) => {
    // The body is read as text and parsed after authentication (an unauthenticated caller learns nothing about
    // what we accept); EventBridge sends application/json, hand-made senders may send text. A body too deep to
    // handle is a 400 like any other malformed notification: a 5xx would make EventBridge redeliver it forever.
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser(
      '*',
      { parseAs: 'string', bodyLimit: deps.settings.bodyLimitBytes },
      (_req, body, done) => done(null, body),
    );
    // Credentials are checked in onRequest, before the body is read at all.
    scope.addHook('onRequest', async (req: FastifyRequest, reply: FastifyReply) => {
      const denied = checkFor(req);
      if (denied)
        return reply
          .code(401)
          .header('www-authenticate', 'Basic realm="sellbridge-webhooks"')
          .send({ error: denied, code: 'SB_AUTH_REQUIRED' });
    });
    const receive = async (req: FastifyRequest, reply: FastifyReply) => {
      const to = target(req);
      if (!to)
        return reply
          .code(404)
          .send({ error: 'no such connection', code: 'SB_CONNECTION_NOT_FOUND', field: 'connectionId' });
      let parsed: ParsedNotification;
      try {
        if (req.body === undefined || req.body === null || req.body === '') throw new Error('empty body');
        parsed = parseNotification(req.body as string | object);
      } catch (err) {
        const e = coerceError(err);
        const field = typeof e.context['field'] === 'string' ? e.context['field'] : 'body';
        return reply.code(400).send({
          error: `not an SP-API notification: ${e.message.slice(0, 500)}`,
          code: 'SB_AMZ_NOTIFICATION_INVALID',
          field,
        });
      }
      const outcome = await to.inbox.accept({
        source: WEBHOOK_SOURCE,
        dedupeKey: parsed.notificationId,
        kind: parsed.notificationType,
        subject: subjectKey(parsed.subject),
        payload: JSON.stringify(parsed.document),
        connectionId: to.connectionId,
      });
      return reply.code(outcome.duplicate ? 200 : 202).send({
        accepted: true,
        duplicate: outcome.duplicate,
        notificationId: parsed.notificationId,
        notificationType: parsed.notificationType,
        ...(outcome.id ? { inboxId: outcome.id } : {}),
      });
    };
    scope.post('/webhooks/amazon', { bodyLimit: deps.settings.bodyLimitBytes }, receive);
    scope.post('/webhooks/amazon/:connectionId', { bodyLimit: deps.settings.bodyLimitBytes }, receive);
  });
}

/** Returns a reason to refuse, or undefined when the request carries the configured API key or Basic credentials. */
function credentialCheck(settings: WebhookDeps['settings']): (req: FastifyRequest) => string | undefined {
  const basicConfigured = settings.basicUser !== undefined && settings.basicPassword !== undefined;
  if (!settings.apiKey && !basicConfigured) {
    return () =>
      'webhook is closed: set orders.webhook.apiKey (SELLBRIDGE_ORDERS_WEBHOOK_API_KEY) or orders.webhook.basicUser and basicPassword';
  }
  return (req) => {
    const key = req.headers['x-api-key'];
    if (settings.apiKey && typeof key === 'string' && sameSecret(key, settings.apiKey)) return undefined;
    const auth = req.headers.authorization ?? '';
    if (basicConfigured && /^basic /i.test(auth)) {
      const decoded = Buffer.from(auth.slice(6).trim(), 'base64').toString('utf8');
      const colon = decoded.indexOf(':');
      if (
        colon >= 0 &&
        sameSecret(decoded.slice(0, colon), settings.basicUser!) &&
        sameSecret(decoded.slice(colon + 1), settings.basicPassword!)
      )
        return undefined;
    }
    return 'missing or wrong webhook credentials (x-api-key header or HTTP Basic)';
  };
}

/** Constant-time comparison of two secrets of any length (compares their SHA-256 digests). */
function sameSecret(given: string, expected: string): boolean {
  const a = createHash('sha256').update(given).digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b);
}
