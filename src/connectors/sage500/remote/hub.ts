import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocket, WebSocketServer } from 'ws';
import { SellbridgeError } from '../../../core/errors.ts';
import type { Sage500Gateway } from '../../../core/ports/sage500-gateway.ts';
import type { Logger } from '../../../observability/logger.ts';
import type { Metrics } from '../../../observability/metrics.ts';
import type { AgentRegistry } from '../../../runtime/agents/registry.ts';
import {
  CHANNEL_PATH,
  compatibility,
  errorFromWire,
  HEADER_PROTOCOL,
  HEADER_VERSION,
  OPERATION_NAMES,
  ResultFrameSchema,
  type OperationName,
  type WelcomeFrame,
} from './protocol.ts';

/**
 * The hub side of hosted mode: a `Sage500Gateway` whose every call travels to the agent beside Sage over the
 * channel the agent opened (WebSocket upgrade of the hub's HTTPS server). Flows do not know the difference.
 *
 * Exactly-once across the channel: each call has an id. When the channel drops before the answer, the call stays
 * pending and is sent again, with the same id, to the agent when it is back (the agent answers a resend from what
 * it remembers instead of running it twice); after `requestTimeoutMs` without an answer it fails SB_AGENT_OFFLINE
 * (kind unavailable: the job waits without spending an attempt and runs the operation again later, which is safe
 * because every Sage write is idempotent by its TranNo or journal reference). A call made while no agent is
 * connected fails at once with SB_AGENT_OFFLINE, so the Sage circuit opens and orders wait.
 */
export interface AgentHubOptions {
  /** The connection this hub process serves: only agents enrolled for it are accepted. */
  readonly connectionId: string;
  readonly registry: AgentRegistry;
  readonly hubVersion: string;
  readonly logger: Logger;
  readonly metrics?: Metrics;
  /** How long a call waits for its answer, reconnections included (ms). */
  readonly requestTimeoutMs: number;
  /** Heartbeat: a ping every this many ms; no pong by the next one closes the channel. */
  readonly heartbeatMs: number;
  /** retryAfterMs of SB_AGENT_OFFLINE. */
  readonly offlineRetryMs: number;
}

export interface AgentHubStatus {
  readonly connectionId: string;
  readonly online: boolean;
  readonly agentId: string | undefined;
  readonly version: string | undefined;
  readonly latencyMs: number | undefined;
  readonly inFlight: number;
}

export interface AgentHub {
  readonly gateway: Sage500Gateway;
  /** For the HTTP server's `upgrade` event: takes the agent channel's path, refuses every other upgrade. */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void;
  status(): AgentHubStatus;
  close(): Promise<void>;
}

interface Session {
  readonly ws: WebSocket;
  readonly agentId: string;
  readonly version: string;
  alive: boolean;
  pingSentAt: number;
  latencyMs: number | undefined;
}

interface Pending {
  readonly id: string;
  readonly op: OperationName;
  readonly frame: string;
  readonly started: number;
  readonly resolve: (value: unknown) => void;
  readonly reject: (err: unknown) => void;
  readonly timer: NodeJS.Timeout;
}

export function createAgentHub(options: AgentHubOptions): AgentHub {
  const { logger, registry, metrics, connectionId } = options;
  const labels = { connection: connectionId };
  const wss = new WebSocketServer({ noServer: true, maxPayload: 64 * 1024 * 1024 });
  const pending = new Map<string, Pending>();
  let session: Session | undefined;
  let closed = false;

  const setInFlight = () => metrics?.agentInFlight.set(labels, pending.size);
  const record = (s: Session, online: boolean) =>
    registry
      .recordState(s.agentId, { online, version: s.version, latencyMs: s.latencyMs ?? null, inFlight: pending.size })
      .catch((err: unknown) =>
        logger.warn({ err: String(err), agentId: s.agentId }, 'could not record the agent state'),
      );

  const offline = (op: string, why: string) =>
    new SellbridgeError('SB_AGENT_OFFLINE', `Sage 500 ${op}: ${why}`, {
      retryAfterMs: options.offlineRetryMs,
      context: { connectionId, operation: op },
    });

  const settle = (id: string, outcome: 'ok' | 'error' | 'timeout', finish: (p: Pending) => void) => {
    const p = pending.get(id);
    if (!p) return; // a second answer to a resend: already settled
    pending.delete(id);
    clearTimeout(p.timer);
    setInFlight();
    metrics?.agentCalls.observe({ operation: p.op, outcome }, (performance.now() - p.started) / 1000);
    finish(p);
  };

  const call = (op: OperationName, args: readonly unknown[]): Promise<unknown> => {
    if (closed) return Promise.reject(offline(op, 'the hub is stopping'));
    const current = session;
    if (!current || current.ws.readyState !== WebSocket.OPEN) {
      metrics?.agentCalls.observe({ operation: op, outcome: 'offline' }, 0);
      return Promise.reject(offline(op, `the Sellbridge agent of connection ${connectionId} is not connected`));
    }
    // Trailing undefined arguments are left out (JSON would turn them into null).
    const sent = [...args];
    while (sent.length && sent[sent.length - 1] === undefined) sent.pop();
    const id = randomUUID();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () =>
          settle(id, 'timeout', (p) =>
            p.reject(offline(op, `no answer from the agent within ${options.requestTimeoutMs} ms (request ${id})`)),
          ),
        options.requestTimeoutMs,
      );
      timer.unref();
      const frame = JSON.stringify({ t: 'call', id, op, args: sent });
      pending.set(id, { id, op, frame, started: performance.now(), resolve, reject, timer });
      setInFlight();
      current.ws.send(frame);
    });
  };

  const onMessage = (raw: string) => {
    let parsed;
    try {
      parsed = ResultFrameSchema.safeParse(JSON.parse(raw));
    } catch {
      parsed = undefined;
    }
    if (!parsed?.success) {
      logger.warn({ connectionId }, 'ignored an agent frame that is not a result');
      return;
    }
    const r = parsed.data;
    if (r.ok) settle(r.id, 'ok', (p) => p.resolve(r.value === null ? undefined : r.value));
    else settle(r.id, 'error', (p) => p.reject(errorFromWire(r.error)));
  };

  const attach = (ws: WebSocket, agentId: string, version: string) => {
    const previous = session;
    const s: Session = { ws, agentId, version, alive: true, pingSentAt: 0, latencyMs: undefined };
    session = s;
    // One channel per connection: a newer one (the agent reconnected before the old socket timed out) wins.
    if (previous && previous.ws !== ws) previous.ws.close(4000, 'replaced by a newer channel');
    metrics?.agentOnline.set(labels, 1);
    metrics?.agentInfo.reset();
    metrics?.agentInfo.set({ ...labels, version }, 1);
    logger.info({ connectionId, agentId, version }, `agent ${agentId} (Sellbridge ${version}) connected`);
    const welcome: WelcomeFrame = { t: 'welcome', agentId, connectionId, hubVersion: options.hubVersion };
    ws.send(JSON.stringify(welcome));
    // Calls whose answers were lost with the old channel go again, same ids.
    for (const p of pending.values()) ws.send(p.frame);
    void record(s, true);
    ws.on('message', (data, isBinary) => {
      if (!isBinary) onMessage(data.toString());
    });
    ws.on('pong', () => {
      s.alive = true;
      s.latencyMs = performance.now() - s.pingSentAt;
      metrics?.agentLatency.set(labels, s.latencyMs / 1000);
    });
    ws.on('error', (err) => logger.warn({ connectionId, agentId, err: err.message }, 'agent channel error'));
    ws.on('close', (code) => {
      if (session !== s) return;
      session = undefined;
      metrics?.agentOnline.set(labels, 0);
      logger.warn(
        { connectionId, agentId, code, inFlight: pending.size },
        `agent ${agentId} disconnected (${code}); ${pending.size} operation(s) wait for it to come back`,
      );
      void record(s, false);
    });
  };

  const heartbeat = setInterval(() => {
    const s = session;
    if (!s) return;
    if (!s.alive) {
      logger.warn({ connectionId, agentId: s.agentId }, 'agent missed a heartbeat; closing its channel');
      s.ws.terminate();
      return;
    }
    s.alive = false;
    s.pingSentAt = performance.now();
    s.ws.ping();
    // A revocation made by any API process takes effect here, within one heartbeat.
    void registry.get(s.agentId).then(
      (agent) => {
        if (agent?.revokedAt && session === s) {
          logger.warn({ connectionId, agentId: s.agentId }, `agent ${s.agentId} was revoked; closing its channel`);
          s.ws.close(4401, `agent ${s.agentId} was revoked`);
        } else void record(s, true);
      },
      () => undefined,
    );
  }, options.heartbeatMs);
  heartbeat.unref();

  const refuse = (socket: Duplex, status: number, message: string) => {
    const body = JSON.stringify({ error: message, code: 'SB_AGENT_REFUSED' });
    const reason =
      {
        400: 'Bad Request',
        401: 'Unauthorized',
        403: 'Forbidden',
        404: 'Not Found',
        426: 'Upgrade Required',
        503: 'Service Unavailable',
      }[status] ?? 'Refused';
    socket.end(
      `HTTP/1.1 ${status} ${reason}\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`,
    );
  };

  const gateway = Object.fromEntries(
    OPERATION_NAMES.map((op) => [op, (...args: unknown[]) => call(op, args)]),
  ) as unknown as Omit<Sage500Gateway, 'close'>;

  return {
    gateway: {
      ...gateway,
      // Never throws (the port's contract): an offline agent is a reason, not an error.
      async health() {
        try {
          return (await call('health', [])) as { ok: boolean; detail: string };
        } catch (err) {
          return { ok: false, detail: err instanceof Error ? err.message : String(err) };
        }
      },
      // The agent owns its Sage connection; closing the hub's gateway leaves the channel to `close()`.
      close: async () => undefined,
    },

    handleUpgrade(req, socket, head) {
      const path = (req.url ?? '').split('?')[0];
      if (path !== CHANNEL_PATH) return refuse(socket, 404, `no upgrade at ${path}`);
      if (closed) return refuse(socket, 503, 'the hub is stopping');
      const compat = compatibility(headerOf(req, HEADER_PROTOCOL), headerOf(req, HEADER_VERSION), options.hubVersion);
      if (!compat.ok) {
        logger.warn({ connectionId, agentVersion: headerOf(req, HEADER_VERSION) }, compat.message);
        return refuse(socket, 426, compat.message);
      }
      const auth = /^Bearer (\S+)$/.exec(headerOf(req, 'authorization') ?? '');
      if (!auth) return refuse(socket, 401, 'missing agent credential (Authorization: Bearer <credential>)');
      void registry.authenticate(auth[1]!).then(
        (result) => {
          if (!result.ok) {
            logger.warn({ connectionId }, `agent refused: ${result.reason}`);
            return refuse(socket, 401, result.reason);
          }
          if (result.agent.connectionId !== connectionId) {
            const message = `agent ${result.agent.id} is enrolled for connection ${result.agent.connectionId}; this hub serves ${connectionId}`;
            logger.warn({ connectionId, agentId: result.agent.id }, `agent refused: ${message}`);
            return refuse(socket, 403, message);
          }
          wss.handleUpgrade(req, socket, head, (ws) =>
            attach(ws, result.agent.id, headerOf(req, HEADER_VERSION) ?? 'unknown'),
          );
        },
        (err: unknown) => {
          logger.error({ connectionId, err: String(err) }, 'agent authentication failed');
          refuse(socket, 503, 'the hub cannot check agent credentials right now');
        },
      );
    },

    status: () => ({
      connectionId,
      online: session !== undefined && session.ws.readyState === WebSocket.OPEN,
      agentId: session?.agentId,
      version: session?.version,
      latencyMs: session?.latencyMs,
      inFlight: pending.size,
    }),

    async close() {
      closed = true;
      clearInterval(heartbeat);
      for (const id of [...pending.keys()])
        settle(id, 'timeout', (p) => p.reject(offline(p.op, 'the hub is stopping')));
      const s = session;
      session = undefined;
      if (s) {
        s.ws.close(1001, 'hub stopping');
        await record(s, false);
      }
      metrics?.agentOnline.set(labels, 0);
      await new Promise<void>((resolve) => wss.close(() => resolve()));
    },
  };
}

function headerOf(req: IncomingMessage, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}
