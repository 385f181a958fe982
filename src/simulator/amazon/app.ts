import Fastify, { type FastifyInstance } from 'fastify';
import { SimulatorState } from './state.ts';
import type { Exchange, SimulatorOptions } from './types.ts';
import { registerLwaRoutes } from './routes/lwa.ts';
import { registerConsentRoutes } from './routes/consent.ts';
import { registerOrderRoutes } from './routes/orders.ts';
import { registerNotificationRoutes } from './routes/notifications.ts';
import { registerSqsRoutes } from './routes/sqs.ts';
import { registerFeedRoutes } from './routes/feeds.ts';
import { registerListingRoutes } from './routes/listings.ts';
import { registerReportRoutes } from './routes/reports.ts';
import { registerMiscRoutes } from './routes/misc.ts';
import { registerDocumentRoutes } from './documents.ts';
import { sendErrors } from './http.ts';
import { SimHttpError } from './errors.ts';

declare module 'fastify' {
  interface FastifyContextConfig {
    operation?: string;
    kind?: Exchange['kind'];
  }
  interface FastifyRequest {
    simPayload?: unknown;
  }
}

function parseForm(text: string): Record<string, string> {
  return Object.fromEntries(new URLSearchParams(text));
}

function parsePayload(payload: unknown, contentType: string | undefined): unknown {
  if (typeof payload !== 'string')
    return payload === undefined || payload === null ? undefined : Buffer.isBuffer(payload) ? undefined : payload;
  if (payload === '') return undefined;
  if (contentType?.includes('json')) {
    try {
      return JSON.parse(payload);
    } catch {
      return payload;
    }
  }
  return payload;
}

/** Builds the simulator's Fastify app without listening (for `app.inject()` tests). */
export function buildSimulatorApp(
  options: SimulatorOptions = {},
  state = new SimulatorState(options),
): FastifyInstance {
  const app = Fastify({
    logger: false,
    forceCloseConnections: true,
    bodyLimit: 20 * 1024 * 1024,
    // Regional endpoints: Amazon has one host per region (sellingpartnerapi-na/-eu/-fe); the simulator, on one port,
    // serves each under a path prefix (`<url>/eu/orders/2026-01-01/orders`) and also honours such a Host header.
    // The prefix is taken off here, so every route and the recorded exchange see Amazon's own path.
    rewriteUrl: (req) => {
      const url = req.url ?? '/';
      const prefixed = /^\/(na|eu|fe)(?=\/|\?|$)/.exec(url);
      const host = /^(?:sandbox\.)?sellingpartnerapi-(na|eu|fe)\./.exec(String(req.headers.host ?? ''));
      const region = prefixed?.[1] ?? host?.[1];
      if (region) (req as { simRegion?: string }).simRegion = region;
      if (!prefixed) return url;
      const rest = url.slice(prefixed[0].length);
      return rest.startsWith('/') ? rest : `/${rest}`;
    },
  });
  app.decorate('sim', state);

  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_req, body, done) =>
    done(null, parseForm(body as string)),
  );
  app.addContentTypeParser('application/x-amz-json-1.0', { parseAs: 'string' }, (_req, body, done) => {
    try {
      done(null, JSON.parse(body as string));
    } catch (err) {
      done(err as Error, undefined);
    }
  });

  // The recorder: every exchange goes to onExchange (the conformance suite validates them all).
  if (options.onExchange) {
    const onExchange = options.onExchange;
    app.addHook('onSend', async (request, _reply, payload) => {
      request.simPayload = payload;
      return payload;
    });
    app.addHook('onResponse', async (request, reply) => {
      const config = request.routeOptions.config;
      const path = request.url.split('?')[0] ?? request.url;
      const headers = reply.getHeaders();
      onExchange({
        kind: config.operation ? 'sp-api' : (config.kind ?? 'unknown'),
        ...(config.operation ? { operation: config.operation } : {}),
        method: request.method,
        path,
        query: (request.query ?? {}) as Record<string, string | string[]>,
        requestHeaders: { ...request.headers },
        requestBody: Buffer.isBuffer(request.body) ? undefined : request.body,
        status: reply.statusCode,
        responseHeaders: headers,
        responseBody: parsePayload(request.simPayload, String(headers['content-type'] ?? '')),
      });
    });
  }

  app.setNotFoundHandler((request, reply) => {
    reply.header('x-amzn-RequestId', state.requestId());
    return sendErrors(
      reply,
      new SimHttpError(
        404,
        'NotFound',
        `The simulator has no resource ${request.method} ${request.url.split('?')[0]}.`,
      ),
    );
  });
  app.setErrorHandler((err: Error & { statusCode?: number }, _request, reply) => {
    const status = err.statusCode && err.statusCode >= 400 && err.statusCode < 500 ? err.statusCode : 500;
    return sendErrors(
      reply,
      new SimHttpError(status, status === 500 ? 'InternalFailure' : 'InvalidInput', err.message),
    );
  });

  registerLwaRoutes(app, state);
  registerConsentRoutes(app, state);
  registerOrderRoutes(app, state);
  registerNotificationRoutes(app, state);
  registerSqsRoutes(app, state);
  registerFeedRoutes(app, state, { gzipResults: () => state.gzipFeedResults });
  registerListingRoutes(app, state);
  registerReportRoutes(app, state);
  registerMiscRoutes(app, state, state.fbaStock);
  registerDocumentRoutes(app, state, state.documents);
  app.addHook('onClose', async () => state.close());
  return app;
}

declare module 'fastify' {
  interface FastifyInstance {
    sim: SimulatorState;
  }
}
