import { chmodSync, existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import WebSocket from 'ws';
import { z } from 'zod';
import { SellbridgeError } from '../../../core/errors.ts';
import type { Sage500Gateway } from '../../../core/ports/sage500-gateway.ts';
import type { Logger } from '../../../observability/logger.ts';
import {
  AGENT_PROTOCOL,
  CallFrame,
  CHANNEL_PATH,
  checkCall,
  ENROL_PATH,
  errorToWire,
  HEADER_PROTOCOL,
  HEADER_VERSION,
  type ResultFrame,
} from './protocol.ts';

/**
 * `sellbridge agent`: beside Sage 500 on the customer's network, dials OUT to the hub (no inbound port), and runs
 * the hub's Sage operations against the local gateway. It logs locally only; what goes to the hub is the answers
 * of the Sage operations the hub asked for (the same data the hub already has) and errors with ids.
 */
export interface AgentOptions {
  /** The hub's base URL (https://...; http:// only for a loopback host with `allowInsecureLocalhost`). */
  readonly hub: string;
  /** Single-use enrolment token; needed only while `credentialFile` does not exist yet. */
  readonly token?: string;
  /** Where the agent's own credential is kept (written 0600 on enrolment). */
  readonly credentialFile: string;
  readonly gateway: Sage500Gateway;
  readonly logger: Logger;
  readonly version: string;
  readonly allowInsecureLocalhost?: boolean;
  /** Reconnection backoff: first wait and cap (ms); doubled with jitter after each failed attempt. */
  readonly backoff?: { readonly minMs: number; readonly maxMs: number };
  /** How many recent answers are remembered by request id, so a resend after a lost answer is not run twice. */
  readonly rememberAnswers?: number;
  readonly signal?: AbortSignal;
}

export interface AgentState {
  readonly connected: boolean;
  readonly agentId: string | undefined;
  readonly executed: number;
  readonly deduplicated: number;
  readonly refused: number;
}

export interface RunningAgent {
  /** Resolves when the agent stops (signal), rejects with SB_AGENT_REFUSED when the hub refuses it for good. */
  readonly done: Promise<void>;
  state(): AgentState;
}

const StoredCredential = z.object({
  hub: z.string(),
  agentId: z.string(),
  connectionId: z.string(),
  credential: z.string(),
});
type StoredCredential = z.output<typeof StoredCredential>;

const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]', '::1']);

/** The hub URL checked: TLS unless the hub is on this machine and plain HTTP was asked for explicitly. */
export function checkHubUrl(hub: string, allowInsecureLocalhost = false): URL {
  let url: URL;
  try {
    url = new URL(hub);
  } catch {
    throw new SellbridgeError('SB_CFG_INVALID', `--hub ${hub} is not a URL (expected https://hub.example.com)`);
  }
  if (url.protocol === 'https:') return url;
  if (url.protocol === 'http:' && allowInsecureLocalhost && LOOPBACK.has(url.hostname)) return url;
  throw new SellbridgeError(
    'SB_CFG_INVALID',
    url.protocol === 'http:'
      ? `--hub ${url.origin}: the channel must be encrypted (https://); plain http is allowed only for a hub on this machine (localhost) with --insecure-localhost, for tests`
      : `--hub ${url.origin}: expected an https:// URL`,
  );
}

/** Enrols with `token` when no credential is stored yet; the credential file is written 0600. */
export async function loadOrEnrol(options: {
  hub: URL;
  token?: string | undefined;
  credentialFile: string;
  version: string;
  logger: Logger;
}): Promise<StoredCredential> {
  if (existsSync(options.credentialFile)) {
    const parsed = StoredCredential.safeParse(JSON.parse(readFileSync(options.credentialFile, 'utf8')));
    if (!parsed.success)
      throw new SellbridgeError('SB_CFG_INVALID', `${options.credentialFile} is not an agent credential file`);
    return parsed.data;
  }
  if (!options.token)
    throw new SellbridgeError(
      'SB_CFG_INVALID',
      `no agent credential at ${options.credentialFile}: enrol with --token <enrolment token> (\`sellbridge agents enrol\` on the hub)`,
    );
  const res = await fetch(new URL(ENROL_PATH, options.hub), {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ token: options.token, name: hostname(), version: options.version }),
    signal: AbortSignal.timeout(30_000),
  }).catch((err: unknown) => {
    throw new SellbridgeError(
      'SB_AGENT_OFFLINE',
      `cannot reach the hub at ${options.hub.origin} to enrol: ${err instanceof Error ? err.message : String(err)}`,
    );
  });
  const body = (await res.json().catch(() => ({}))) as {
    error?: string;
    agentId?: string;
    connectionId?: string;
    credential?: string;
  };
  if (!res.ok || !body.agentId || !body.credential || !body.connectionId)
    throw new SellbridgeError(
      'SB_AGENT_REFUSED',
      `the hub refused the enrolment: ${body.error ?? `HTTP ${res.status}`}`,
    );
  const stored: StoredCredential = {
    hub: options.hub.origin,
    agentId: body.agentId,
    connectionId: body.connectionId,
    credential: body.credential,
  };
  // Written beside, then renamed: a crash never leaves half a credential; 0600 before it holds the secret.
  const tmp = `${options.credentialFile}.tmp`;
  writeFileSync(tmp, '', { mode: 0o600 });
  chmodSync(tmp, 0o600);
  writeFileSync(tmp, `${JSON.stringify(stored, null, 2)}\n`, { mode: 0o600 });
  renameSync(tmp, options.credentialFile);
  options.logger.info(
    { agentId: stored.agentId, connectionId: stored.connectionId, file: options.credentialFile },
    `enrolled as agent ${stored.agentId} for connection ${stored.connectionId}`,
  );
  return stored;
}

/** Remembers the answer (or the running call) per request id, newest last, at most `size`. */
function answerMemory(size: number) {
  const answers = new Map<string, Promise<ResultFrame>>();
  return {
    get: (id: string) => answers.get(id),
    set(id: string, answer: Promise<ResultFrame>) {
      answers.set(id, answer);
      while (answers.size > size) answers.delete(answers.keys().next().value!);
    },
  };
}

export function startAgent(options: AgentOptions): RunningAgent {
  const { logger, gateway } = options;
  const hub = checkHubUrl(options.hub, options.allowInsecureLocalhost);
  const backoff = options.backoff ?? { minMs: 500, maxMs: 30_000 };
  const memory = answerMemory(options.rememberAnswers ?? 10_000);
  let connected = false;
  let agentId: string | undefined;
  let executed = 0;
  let deduplicated = 0;
  let refused = 0;

  const execute = async (frame: CallFrame): Promise<ResultFrame> => {
    const checked = checkCall(frame);
    if (!checked.ok) {
      refused++;
      logger.warn({ requestId: frame.id, op: frame.op.slice(0, 100), code: checked.error.code }, checked.error.message);
      return { t: 'result', id: frame.id, ok: false, error: errorToWire(checked.error) };
    }
    executed++;
    const started = performance.now();
    try {
      const fn = gateway[checked.op] as (...a: unknown[]) => Promise<unknown>;
      const value = await fn.apply(gateway, checked.args);
      logger.debug(
        { requestId: frame.id, op: checked.op, ms: Math.round(performance.now() - started) },
        'operation done',
      );
      return { t: 'result', id: frame.id, ok: true, value: value ?? null };
    } catch (err) {
      const wire = errorToWire(err);
      logger.info(
        { requestId: frame.id, op: checked.op, code: wire.code },
        `operation ${checked.op} failed: ${wire.code}`,
      );
      return { t: 'result', id: frame.id, ok: false, error: wire };
    }
  };

  const onFrame = (ws: WebSocket, raw: string) => {
    let json: unknown;
    try {
      json = JSON.parse(raw);
    } catch {
      logger.warn('ignored a frame that is not JSON');
      return;
    }
    if ((json as { t?: unknown } | null)?.t === 'welcome') {
      logger.info({ welcome: json }, 'hub accepted the agent');
      return;
    }
    const parsed = CallFrame.safeParse(json);
    if (!parsed.success) {
      logger.warn('ignored a frame that is not a call');
      return;
    }
    const frame = parsed.data;
    let answer = memory.get(frame.id);
    if (answer) {
      deduplicated++;
      logger.info(
        { requestId: frame.id, op: frame.op.slice(0, 100) },
        'resent request answered from memory, not run again',
      );
    } else {
      answer = execute(frame);
      memory.set(frame.id, answer);
    }
    // The answer goes to whichever channel is open when it is ready; a resend after a reconnect gets it again.
    void answer.then((result) => {
      if (ws.readyState === WebSocket.OPEN) ws.send(JSON.stringify(result));
    });
  };

  const connectOnce = (stored: StoredCredential): Promise<'closed' | { refused: string }> =>
    new Promise((resolve) => {
      const url = new URL(CHANNEL_PATH, hub);
      url.protocol = hub.protocol === 'https:' ? 'wss:' : 'ws:';
      const ws = new WebSocket(url, {
        headers: {
          authorization: `Bearer ${stored.credential}`,
          [HEADER_VERSION]: options.version,
          [HEADER_PROTOCOL]: String(AGENT_PROTOCOL),
        },
        handshakeTimeout: 15_000,
        maxPayload: 64 * 1024 * 1024,
      });
      let settled = false;
      const done = (r: 'closed' | { refused: string }) => {
        if (settled) return;
        settled = true;
        connected = false;
        options.signal?.removeEventListener('abort', onAbort);
        resolve(r);
      };
      const onAbort = () => ws.close(1001, 'agent stopping');
      options.signal?.addEventListener('abort', onAbort, { once: true });
      ws.on('unexpected-response', (_req, res) => {
        let body = '';
        res.on('data', (d: Buffer) => (body += d.toString()));
        res.on('end', () => {
          const message = (() => {
            try {
              return (JSON.parse(body) as { error?: string }).error ?? body;
            } catch {
              return body;
            }
          })();
          ws.terminate();
          // 401/403/426: the credential or the version will not work later either; anything else may pass.
          if ([401, 403, 426].includes(res.statusCode ?? 0)) done({ refused: `HTTP ${res.statusCode}: ${message}` });
          else {
            logger.warn({ status: res.statusCode }, `hub answered ${res.statusCode}: ${message.slice(0, 300)}`);
            done('closed');
          }
        });
      });
      ws.on('open', () => {
        connected = true;
        logger.info({ hub: hub.origin }, 'channel to the hub open');
      });
      ws.on('message', (data, isBinary) => {
        if (isBinary) return;
        onFrame(ws, data.toString());
      });
      ws.on('error', (err) => logger.warn({ err: err.message }, 'channel error'));
      ws.on('close', (code, reason) => {
        if (code === 4401 || code === 4403) done({ refused: reason.toString() || `closed with ${code}` });
        else done('closed');
      });
    });

  const done = (async () => {
    const stored = await loadOrEnrol({
      hub,
      token: options.token,
      credentialFile: options.credentialFile,
      version: options.version,
      logger,
    });
    agentId = stored.agentId;
    let wait = backoff.minMs;
    while (!options.signal?.aborted) {
      const opened = Date.now();
      const outcome = await connectOnce(stored);
      if (typeof outcome === 'object') {
        logger.error({ agentId }, `the hub refused this agent: ${outcome.refused}`);
        throw new SellbridgeError('SB_AGENT_REFUSED', `the hub refused this agent: ${outcome.refused}`);
      }
      if (options.signal?.aborted) break;
      // A channel that stayed up a while starts the backoff over; quick failures double it (with jitter).
      if (Date.now() - opened > 10_000) wait = backoff.minMs;
      const delay = Math.round(wait / 2 + Math.random() * (wait / 2));
      logger.info({ retryInMs: delay }, 'channel closed; reconnecting');
      await sleep(delay, options.signal);
      wait = Math.min(backoff.maxMs, wait * 2);
    }
  })();

  return {
    done,
    state: () => ({ connected, agentId, executed, deduplicated, refused }),
  };
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const t = setTimeout(resolve, ms);
    signal?.addEventListener(
      'abort',
      () => {
        clearTimeout(t);
        resolve();
      },
      { once: true },
    );
  });
}
