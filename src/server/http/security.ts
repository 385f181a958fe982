import type { FastifyInstance } from 'fastify';

export interface EdgeSecurity {
  /** Origins allowed to call the API from a browser; empty = CORS closed (no Access-Control-* headers at all). */
  readonly corsOrigins: readonly string[];
  /** TLS terminates in front of Sellbridge: send HSTS and mark the session cookie Secure. */
  readonly behindTls: boolean;
}

/**
 * The Content-Security-Policy of every response. The dashboard loads its scripts and styles from this origin
 * only (no inline scripts); inline style attributes are allowed for charts.
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "font-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

/** Security headers on every response, and CORS only for the configured origins. */
export function installSecurityHeaders(app: FastifyInstance, options: EdgeSecurity): void {
  app.addHook('onSend', async (req, reply, payload) => {
    // A route that set a stricter policy (the dashboard: no inline styles at all) keeps it.
    if (!reply.hasHeader('content-security-policy')) reply.header('content-security-policy', CONTENT_SECURITY_POLICY);
    reply.header('x-content-type-options', 'nosniff');
    reply.header('x-frame-options', 'DENY');
    reply.header('referrer-policy', 'no-referrer');
    reply.header('cross-origin-opener-policy', 'same-origin');
    reply.header('cross-origin-resource-policy', 'same-origin');
    reply.header('permissions-policy', 'camera=(), microphone=(), geolocation=()');
    if (req.url.startsWith('/api/')) reply.header('cache-control', 'no-store');
    if (options.behindTls) reply.header('strict-transport-security', 'max-age=31536000; includeSubDomains');
    const origin = req.headers.origin;
    if (origin && options.corsOrigins.includes(origin)) {
      reply.header('access-control-allow-origin', origin);
      reply.header('access-control-allow-credentials', 'true');
      reply.header('vary', 'Origin');
    }
    return payload;
  });
  if (options.corsOrigins.length > 0) {
    app.options('/api/*', async (req, reply) => {
      const origin = req.headers.origin;
      if (!origin || !options.corsOrigins.includes(origin))
        return reply.code(403).send({ error: 'origin not allowed' });
      return reply
        .code(204)
        .header('access-control-allow-methods', 'GET, POST, PUT, DELETE')
        .header('access-control-allow-headers', 'authorization, content-type')
        .header('access-control-max-age', '600')
        .send();
    });
  }
}

/** A fixed-window counter per client address (auth endpoints): enough to slow password guessing per process. */
export class WindowLimiter {
  readonly #hits = new Map<string, { start: number; count: number }>();
  readonly limit: number;
  readonly windowMs: number;
  constructor(limit: number, windowMs: number) {
    this.limit = limit;
    this.windowMs = windowMs;
  }
  /** Returns 0 when allowed, else the milliseconds until the window resets. */
  take(key: string, now = Date.now()): number {
    const w = this.#hits.get(key);
    if (!w || now - w.start >= this.windowMs) {
      if (this.#hits.size > 10_000) this.#hits.clear();
      this.#hits.set(key, { start: now, count: 1 });
      return 0;
    }
    w.count += 1;
    return w.count > this.limit ? this.windowMs - (now - w.start) : 0;
  }
}
