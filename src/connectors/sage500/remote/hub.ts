import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocket, WebSocketServer } from 'ws';
import { SellbridgeError } from '../../../core/errors.ts';
import type { Sage500Gateway } from '../../../core/ports/sage500-gateway.ts';
import type { Logger } from '../../../observability/logger.ts';
import type { Metrics } from '../../../observability/metrics.ts';
import type { AgentRegistry, AgentView } from '../../../runtime/agents/registry.ts';
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
  /** The connection this hub serves (one hub per agent connection): only agents enrolled for it are accepted. */
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
  readonly connectionId: string;
  readonly gateway: Sage500Gateway;
  /**
   * For the HTTP server's `upgrade` event of a process with this one hub: checks the path, protocol and version,
   * authenticates the credential, then `accept`s. A process with several agent connections routes with
   * `createAgentUpgradeRouter` instead, which authenticates once and calls the enrolled connection's `accept`.
   */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void;
  /** Takes the channel of an agent already authenticated (`handleUpgrade`, the router); refuses another connection's. */
  accept(req: IncomingMessage, socket: Duplex, head: Buffer, agent: AgentView): void;
  status(): AgentHubStatus;
  /**
   * Stops the hub: pending calls fail SB_AGENT_OFFLINE and the agent's channel is closed, by default as a hub that
   * restarts (1001: the agent reconnects); `removed` closes it with 4403 (the agent stops: its connection is gone).
   */
  close(how?: { removed?: string }): Promise<void>;
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
  let infoVersion: string | undefined;

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
    // Only this connection's series: the other connections' agents keep theirs.
    if (infoVersion !== undefined) metrics?.agentInfo.remove({ ...labels, version: infoVersion });
    infoVersion = version;
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

  const accept: AgentHub['accept'] = (req, socket, head, agent) => {
    if (closed) return refuseUpgrade(socket, 503, 'the hub is stopping');
    if (agent.connectionId !== connectionId) {
      const message = `agent ${agent.id} is enrolled for connection ${agent.connectionId}; this hub serves ${connectionId}`;
      logger.warn({ connectionId, agentId: agent.id }, `agent refused: ${message}`);
      return refuseUpgrade(socket, 403, message);
    }
    wss.handleUpgrade(req, socket, head, (ws) => attach(ws, agent.id, headerOf(req, HEADER_VERSION) ?? 'unknown'));
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

    connectionId,

    handleUpgrade(req, socket, head) {
      const checked = checkAgentUpgrade(req, options.hubVersion);
      if (!checked.ok) {
        if (checked.status === 426)
          logger.warn({ connectionId, agentVersion: headerOf(req, HEADER_VERSION) }, checked.message);
        return refuseUpgrade(socket, checked.status, checked.message);
      }
      if (closed) return refuseUpgrade(socket, 503, 'the hub is stopping');
      void registry.authenticate(checked.credential).then(
        (result) => {
          if (!result.ok) {
            logger.warn({ connectionId }, `agent refused: ${result.reason}`);
            return refuseUpgrade(socket, 401, result.reason);
          }
          accept(req, socket, head, result.agent);
        },
        (err: unknown) => {
          logger.error({ connectionId, err: String(err) }, 'agent authentication failed');
          refuseUpgrade(socket, 503, 'the hub cannot check agent credentials right now');
        },
      );
    },

    accept,

    status: () => ({
      connectionId,
      online: session !== undefined && session.ws.readyState === WebSocket.OPEN,
      agentId: session?.agentId,
      version: session?.version,
      latencyMs: session?.latencyMs,
      inFlight: pending.size,
    }),

    async close(how = {}) {
      closed = true;
      clearInterval(heartbeat);
      for (const id of [...pending.keys()])
        settle(id, 'timeout', (p) => p.reject(offline(p.op, 'the hub is stopping')));
      const s = session;
      session = undefined;
      if (s) {
        if (how.removed !== undefined) s.ws.close(4403, how.removed.slice(0, 120));
        else s.ws.close(1001, 'hub stopping');
        await record(s, false);
      }
      metrics?.agentOnline.set(labels, 0);
      if (infoVersion !== undefined) metrics?.agentInfo.remove({ ...labels, version: infoVersion });
      await new Promise<void>((resolve) => wss.close(() => resolve()));
    },
  };
}

export interface AgentUpgradeRouterOptions {
  readonly registry: AgentRegistry;
  readonly hubVersion: string;
  readonly logger: Logger;
  /** The hub of an agent-mode connection this process serves, or undefined (not served here, not agent-mode). */
  readonly hubFor: (connectionId: string) => AgentHub | undefined | Promise<AgentHub | undefined>;
  /** The agent-mode connections this process serves, for the refusal's message. */
  readonly served: () => readonly string[];
  /** Why this process takes no agent channel at all right now (e.g. it runs no jobs), or undefined. */
  readonly unavailable?: () => string | undefined;
}

/**
 * The one `upgrade` handler of a process serving any number of agent connections: checks the path, protocol and
 * version, authenticates the credential once through the registry, and hands the socket to the hub of the agent's
 * enrolled connection. An agent whose connection is not an agent-mode connection of this process is refused (403);
 * the credential is never logged.
 */
export function createAgentUpgradeRouter(
  options: AgentUpgradeRouterOptions,
): (req: IncomingMessage, socket: Duplex, head: Buffer) => void {
  const { logger, registry } = options;
  return (req, socket, head) => {
    const checked = checkAgentUpgrade(req, options.hubVersion);
    if (!checked.ok) {
      if (checked.status === 426) logger.warn({ agentVersion: headerOf(req, HEADER_VERSION) }, checked.message);
      return refuseUpgrade(socket, checked.status, checked.message);
    }
    const unavailable = options.unavailable?.();
    if (unavailable) return refuseUpgrade(socket, 503, unavailable);
    void (async () => {
      const result = await registry.authenticate(checked.credential);
      if (!result.ok) {
        logger.warn(`agent refused: ${result.reason}`);
        return refuseUpgrade(socket, 401, result.reason);
      }
      const { agent } = result;
      const hub = await options.hubFor(agent.connectionId);
      if (!hub) {
        const served = options.served();
        const message = `agent ${agent.id} is enrolled for connection ${agent.connectionId}, which is not a hosted-mode (sage500.kind agent) connection of this hub; this hub serves ${served.length ? served.join(', ') : 'no agent connection'}`;
        logger.warn({ connectionId: agent.connectionId, agentId: agent.id }, `agent refused: ${message}`);
        return refuseUpgrade(socket, 403, message);
      }
      hub.accept(req, socket, head, agent);
    })().catch((err: unknown) => {
      logger.error({ err: String(err) }, 'agent authentication failed');
      refuseUpgrade(socket, 503, 'the hub cannot check agent credentials right now');
    });
  };
}

/**
 * What every agent upgrade must pass before its credential is even looked at: the channel's path, then the
 * protocol and version (an incompatible agent is told which version to install), then a bearer credential.
 */
export function checkAgentUpgrade(
  req: IncomingMessage,
  hubVersion: string,
): { ok: true; credential: string } | { ok: false; status: 404 | 426 | 401; message: string } {
  const path = (req.url ?? '').split('?')[0];
  if (path !== CHANNEL_PATH) return { ok: false, status: 404, message: `no upgrade at ${path}` };
  const compat = compatibility(headerOf(req, HEADER_PROTOCOL), headerOf(req, HEADER_VERSION), hubVersion);
  if (!compat.ok) return { ok: false, status: 426, message: compat.message };
  const auth = /^Bearer (\S+)$/.exec(headerOf(req, 'authorization') ?? '');
  if (!auth)
    return { ok: false, status: 401, message: 'missing agent credential (Authorization: Bearer <credential>)' };
  return { ok: true, credential: auth[1]! };
}

/** Answers an upgrade with an HTTP refusal (JSON body, code SB_AGENT_REFUSED) and ends the socket. */
export function refuseUpgrade(socket: Duplex, status: number, message: string): void {
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
}

function headerOf(req: IncomingMessage, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}
