import { Readable } from 'node:stream';
import { createGunzip, gunzipSync } from 'node:zlib';
import { errorFromResponse, fetchWithDeadline, HttpError, parseJson, type FetchFn } from './http-error.ts';
import { SELLER_GRANT, type AccessTokenSource, type Grant } from './lwa-token.ts';

export { HttpError, type FetchFn } from './http-error.ts';

export type QueryValue = string | number | boolean | readonly string[] | undefined;

export interface SpApiRequest {
  /** `<api>.<operationId>`, e.g. `orders.getOrder`; names the rate bucket and every error. */
  readonly operation: string;
  readonly method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** Path with path parameters already encoded (use `encodePath`). */
  readonly path: string;
  /** Arrays are sent comma-separated (the models' `collectionFormat: csv`); undefined values are left out. */
  readonly query?: Readonly<Record<string, QueryValue>>;
  readonly body?: unknown;
  /** Default: the seller's token. Grantless operations name their scope. */
  readonly grant?: Grant;
  /** A Restricted Data Token used instead of the LWA token (no refresh on 401). */
  readonly restrictedDataToken?: string;
  /**
   * For the rate-limit layer: low-priority calls leave a reserve of the operation's bucket to high-priority
   * ones (orders and shipments before inventory and prices). Default: the operation's (usage-plans.ts).
   */
  readonly priority?: 'high' | 'low';
  readonly signal?: AbortSignal;
}

export interface SpApiResponse {
  readonly status: number;
  /** Parsed JSON, or undefined for an empty body (e.g. 204). */
  readonly body: unknown;
  readonly requestId: string | undefined;
  /** `x-amzn-RateLimit-Limit` when Amazon sent it (requests per second). */
  readonly rateLimit: number | undefined;
}

/** The one-function seam every SP-API call goes through; layers (rate limits, metrics) wrap it. */
export interface SpApiTransport {
  send(request: SpApiRequest): Promise<SpApiResponse>;
}

export interface HttpTransportOptions {
  /** e.g. `https://sellingpartnerapi-na.amazon.com`, or the simulator's URL. */
  readonly baseUrl: string;
  readonly tokens: AccessTokenSource;
  readonly fetch?: FetchFn;
  readonly timeoutMs?: number;
  readonly userAgent?: string;
}

export const DEFAULT_USER_AGENT = 'Sellbridge/0.1 (Language=TypeScript; Platform=Node.js)';

/**
 * The SP-API transport: LWA token in `x-amz-access-token`, JSON in and out, a deadline per request, and a
 * 401 (or 403) answered by refreshing the token exactly once. It never waits for rate limits (a layer does that).
 * @throws HttpError: SB_AMZ_THROTTLED (429, with retryAfterMs), SB_AMZ_SERVER_ERROR (5xx), SB_AMZ_TIMEOUT,
 *   SB_AMZ_NETWORK, SB_AMZ_ACCESS_DENIED (401 twice, 403), SB_AMZ_REQUEST_REJECTED (other 4xx); and what the
 *   token source throws (SB_AMZ_LWA_REJECTED, SB_AMZ_CREDENTIALS_MISSING).
 */
export function createHttpTransport(options: HttpTransportOptions): SpApiTransport {
  const fetchFn = options.fetch ?? globalThis.fetch;
  const timeoutMs = options.timeoutMs ?? 30_000;
  const baseUrl = options.baseUrl.replace(/\/+$/, '');

  async function attempt(request: SpApiRequest, token: string) {
    const url = `${baseUrl}${request.path}${queryString(request.query)}`;
    const headers: Record<string, string> = {
      'x-amz-access-token': token,
      'x-amz-date': amzDate(new Date()),
      accept: 'application/json',
      'user-agent': options.userAgent ?? DEFAULT_USER_AGENT,
    };
    let body: string | undefined;
    if (request.body !== undefined) {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(request.body);
    }
    return fetchWithDeadline(
      fetchFn,
      url,
      {
        method: request.method,
        headers,
        ...(body === undefined ? {} : { body }),
        ...(request.signal ? { signal: request.signal } : {}),
      },
      request.operation,
      timeoutMs,
    );
  }

  return {
    async send(request) {
      const grant = request.grant ?? SELLER_GRANT;
      let token = request.restrictedDataToken ?? (await options.tokens.getToken(grant));
      let { response, bytes } = await attempt(request, token);
      if ((response.status === 401 || response.status === 403) && request.restrictedDataToken === undefined) {
        // An access token can be revoked or expire early: refresh once, then give up (STYLE.md §8.2). Amazon
        // answers an expired token with 403 Unauthorized as often as 401, so both get the one refresh; a 403
        // for a missing role costs one extra token request and then surfaces as SB_AMZ_ACCESS_DENIED.
        token = await options.tokens.getToken(grant, { forceRefresh: true });
        ({ response, bytes } = await attempt(request, token));
      }
      const body = parseJson(bytes);
      const rateLimit = parseRateLimit(response.headers.get('x-amzn-ratelimit-limit'));
      if (!response.ok)
        throw errorFromResponse(request.operation, response.status, response.headers, body, { rateLimit });
      return {
        status: response.status,
        body,
        requestId: response.headers.get('x-amzn-requestid') ?? undefined,
        rateLimit,
      };
    },
  };
}

export function parseRateLimit(header: string | null): number | undefined {
  if (!header) return undefined;
  const rate = Number(header.split(',')[0]);
  return Number.isFinite(rate) && rate > 0 ? rate : undefined;
}

export function queryString(query: SpApiRequest['query']): string {
  if (!query) return '';
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(query)) {
    if (value === undefined) continue;
    if (Array.isArray(value)) {
      if (value.length > 0) params.set(name, value.join(','));
    } else {
      params.set(name, String(value));
    }
  }
  const text = params.toString();
  return text ? `?${text}` : '';
}

/** Encodes path segments: `encodePath\`/orders/v0/orders/${id}\`` keeps slashes of the template only. */
export function encodePath(strings: TemplateStringsArray, ...values: readonly string[]): string {
  return strings.reduce((acc, s, i) => acc + s + (i < values.length ? encodeURIComponent(values[i]!) : ''), '');
}

function amzDate(d: Date): string {
  return d
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}/, '');
}

export interface DownloadOptions {
  readonly operation: string;
  readonly fetch?: FetchFn;
  readonly timeoutMs?: number;
  /** Amazon's `compressionAlgorithm`; GZIP is gunzipped unless the bytes are not gzip after all. */
  readonly compressionAlgorithm?: string | undefined;
}

/**
 * Downloads a feed or report document from its presigned URL (no SP-API headers). A document flagged GZIP
 * whose bytes do not start with the gzip magic number is returned as is: some URLs serve it already
 * decompressed (Content-Encoding), and some documents are flagged wrongly.
 */
export async function downloadDocument(url: string, options: DownloadOptions): Promise<Buffer> {
  const { response, bytes } = await fetchWithDeadline(
    options.fetch ?? globalThis.fetch,
    url,
    { method: 'GET' },
    options.operation,
    options.timeoutMs ?? 60_000,
  );
  if (!response.ok) throw errorFromResponse(options.operation, response.status, response.headers, undefined);
  const buffer = Buffer.from(bytes);
  if (options.compressionAlgorithm === 'GZIP' && isGzip(buffer)) {
    try {
      return gunzipSync(buffer);
    } catch (err) {
      throw new HttpError(
        'SB_AMZ_RESPONSE_INVALID',
        `${options.operation}: document flagged GZIP could not be decompressed`,
        {
          operation: options.operation,
          status: response.status,
          cause: err,
        },
      );
    }
  }
  return buffer;
}

/**
 * A document as a byte stream, never whole in memory (settlement reports run to hundreds of megabytes): gunzipped
 * on the fly when flagged GZIP and the bytes are gzip. `timeoutMs` bounds the wait for the response and every
 * pause between two chunks, not the whole transfer, so a large document on a slow line is not cut off while it
 * moves. Errors: as downloadDocument; a stall is SB_AMZ_TIMEOUT, corrupt gzip SB_AMZ_RESPONSE_INVALID, both
 * raised by the stream.
 */
export async function streamDocument(url: string, options: DownloadOptions): Promise<Readable> {
  const operation = options.operation;
  const timeoutMs = options.timeoutMs ?? 60_000;
  const controller = new AbortController();
  let stalled = false;
  let timer: NodeJS.Timeout | undefined;
  const arm = () => {
    clearTimeout(timer);
    timer = setTimeout(() => {
      stalled = true;
      controller.abort();
    }, timeoutMs);
  };
  const timeoutError = (cause?: unknown) =>
    new HttpError('SB_AMZ_TIMEOUT', `${operation} got no data within ${timeoutMs} ms`, { operation, status: 0, cause });
  arm();
  let response: Response;
  try {
    response = await (options.fetch ?? globalThis.fetch)(url, { method: 'GET', signal: controller.signal });
  } catch (err) {
    clearTimeout(timer);
    if (stalled) throw timeoutError(err);
    const reason = err instanceof Error ? ((err.cause as { code?: string } | undefined)?.code ?? err.name) : 'error';
    throw new HttpError('SB_AMZ_NETWORK', `${operation} failed to connect (${reason})`, {
      operation,
      status: 0,
      cause: err,
    });
  }
  if (!response.ok || !response.body) {
    clearTimeout(timer);
    await response.body?.cancel().catch(() => undefined);
    if (!response.ok) throw errorFromResponse(operation, response.status, response.headers, undefined);
    return Readable.from([]);
  }
  const body = response.body;
  async function* chunks(): AsyncGenerator<Buffer> {
    try {
      for await (const chunk of body) {
        arm();
        yield Buffer.from(chunk as Uint8Array);
      }
    } catch (err) {
      throw stalled ? timeoutError(err) : err;
    } finally {
      clearTimeout(timer);
    }
  }
  if (options.compressionAlgorithm !== 'GZIP') return Readable.from(chunks(), { objectMode: false });
  return Readable.from(gunzipIfGzip(chunks(), operation, response.status), { objectMode: false });
}

/** Passes the bytes through gunzip when they start as gzip (a document flagged GZIP may not be compressed). */
async function* gunzipIfGzip(
  source: AsyncGenerator<Buffer>,
  operation: string,
  status: number,
): AsyncGenerator<Buffer> {
  let head = Buffer.alloc(0);
  let next = await source.next();
  while (!next.done && head.length + next.value.length < 2) {
    head = Buffer.concat([head, next.value]);
    next = await source.next();
  }
  const first = next.done ? head : Buffer.concat([head, next.value]);
  async function* rest(): AsyncGenerator<Buffer> {
    if (first.length) yield first;
    if (!next.done) yield* source;
  }
  if (!isGzip(first)) return yield* rest();
  const gunzip = Readable.from(rest(), { objectMode: false }).pipe(createGunzip());
  try {
    for await (const chunk of gunzip) yield chunk as Buffer;
  } catch (err) {
    if (err instanceof HttpError) throw err;
    throw new HttpError('SB_AMZ_RESPONSE_INVALID', `${operation}: document flagged GZIP could not be decompressed`, {
      operation,
      status,
      cause: err,
    });
  }
}

export function isGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}

/** Uploads feed bytes to the presigned URL from createFeedDocument, with the declared content type. */
export async function uploadDocument(
  url: string,
  content: string | Uint8Array,
  options: { readonly contentType: string; readonly fetch?: FetchFn; readonly timeoutMs?: number },
): Promise<void> {
  const operation = 'feeds.uploadFeedDocument';
  const body = typeof content === 'string' ? content : Buffer.from(content);
  const { response } = await fetchWithDeadline(
    options.fetch ?? globalThis.fetch,
    url,
    { method: 'PUT', headers: { 'content-type': options.contentType }, body },
    operation,
    options.timeoutMs ?? 60_000,
  );
  if (!response.ok) throw errorFromResponse(operation, response.status, response.headers, undefined);
}
