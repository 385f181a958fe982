import { SellbridgeError, type ErrorCode } from '../../../core/errors.ts';

/**
 * The typed error of the SP-API transport (STYLE.md §8.2). It carries the operation, HTTP status, Amazon's
 * error code and `x-amzn-RequestId` — never a response body, because bodies can hold buyer PII.
 */
export class HttpError extends SellbridgeError {
  readonly operation: string;
  /** 0 when no response arrived (timeout, network). */
  readonly status: number;
  readonly amazonCode: string | undefined;
  readonly requestId: string | undefined;

  constructor(
    code: ErrorCode,
    message: string,
    details: {
      operation: string;
      status: number;
      amazonCode?: string | undefined;
      requestId?: string | undefined;
      retryAfterMs?: number;
      cause?: unknown;
      field?: string;
    },
  ) {
    super(code, message, {
      context: {
        operation: details.operation,
        status: details.status,
        amazonCode: details.amazonCode ?? null,
        requestId: details.requestId ?? null,
        ...(details.field === undefined ? {} : { field: details.field }),
      },
      ...(details.retryAfterMs === undefined ? {} : { retryAfterMs: details.retryAfterMs }),
      ...(details.cause === undefined ? {} : { cause: details.cause }),
    });
    this.name = 'HttpError';
    this.operation = details.operation;
    this.status = details.status;
    this.amazonCode = details.amazonCode;
    this.requestId = details.requestId;
  }
}

export type FetchFn = (url: string, init: RequestInit) => Promise<Response>;

/** Fallback wait after a 429 when neither Retry-After nor a rate header says more. */
export const DEFAULT_THROTTLE_WAIT_MS = 1000;

/**
 * Maps a non-2xx response to the error kinds of STYLE.md §8.5: 429 -> throttled, 5xx -> transient,
 * 401/403 -> access denied, other 4xx -> rejected (validation). `amazonCode` is read from Amazon's
 * `{ errors: [{ code }] }` (or LWA's `{ error }`) and nothing else of the body is kept.
 */
export function errorFromResponse(
  operation: string,
  status: number,
  headers: Headers,
  body: unknown,
  options: { readonly rateLimit?: number | undefined } = {},
): HttpError {
  const requestId = headers.get('x-amzn-requestid') ?? headers.get('x-amzn-request-id') ?? undefined;
  const amazonCode = amazonErrorCode(body);
  const where = `${operation} answered ${status}${amazonCode ? ` ${amazonCode}` : ''}${requestId ? ` (request ${requestId})` : ''}`;
  if (status === 429) {
    return new HttpError('SB_AMZ_THROTTLED', `${where}: quota exceeded`, {
      operation,
      status,
      amazonCode,
      requestId,
      retryAfterMs: retryAfterMs(headers, options.rateLimit),
    });
  }
  if (status >= 500) {
    const retryAfter = headers.get('retry-after');
    return new HttpError('SB_AMZ_SERVER_ERROR', `${where}: Amazon-side error`, {
      operation,
      status,
      amazonCode,
      requestId,
      ...(retryAfter ? { retryAfterMs: retryAfterMs(headers, undefined) } : {}),
    });
  }
  if (status === 401 || status === 403) {
    return new HttpError('SB_AMZ_ACCESS_DENIED', `${where}: access denied`, {
      operation,
      status,
      amazonCode,
      requestId,
    });
  }
  return new HttpError('SB_AMZ_REQUEST_REJECTED', `${where}: request rejected`, {
    operation,
    status,
    amazonCode,
    requestId,
  });
}

export function amazonErrorCode(body: unknown): string | undefined {
  if (typeof body !== 'object' || body === null) return undefined;
  const errors = (body as { errors?: unknown }).errors;
  if (Array.isArray(errors) && errors.length > 0) {
    const code = (errors[0] as { code?: unknown }).code;
    if (typeof code === 'string') return code.slice(0, 100);
  }
  const lwa = (body as { error?: unknown }).error;
  return typeof lwa === 'string' ? lwa.slice(0, 100) : undefined;
}

/** Retry-After (seconds or HTTP date), else one token's time at the advertised rate, else a default. */
export function retryAfterMs(headers: Headers, rateLimit: number | undefined): number {
  const header = headers.get('retry-after');
  if (header) {
    const seconds = Number(header);
    if (Number.isFinite(seconds) && seconds >= 0) return Math.ceil(seconds * 1000);
    const date = Date.parse(header);
    if (Number.isFinite(date)) return Math.max(0, date - Date.now());
  }
  if (rateLimit && rateLimit > 0) return Math.ceil(1000 / rateLimit);
  return DEFAULT_THROTTLE_WAIT_MS;
}

/**
 * `fetch` with a timeout (AbortSignal), network failures and timeouts mapped to transient errors. The body is
 * read inside the same deadline, so a server that stalls mid-body also times out.
 */
export async function fetchWithDeadline(
  fetchFn: FetchFn,
  url: string,
  init: RequestInit,
  operation: string,
  timeoutMs: number,
): Promise<{ response: Response; bytes: Uint8Array }> {
  const timeout = AbortSignal.timeout(timeoutMs);
  const signal = init.signal ? AbortSignal.any([init.signal, timeout]) : timeout;
  try {
    const response = await fetchFn(url, { ...init, signal });
    const bytes = new Uint8Array(await response.arrayBuffer());
    return { response, bytes };
  } catch (err) {
    if (timeout.aborted) {
      throw new HttpError('SB_AMZ_TIMEOUT', `${operation} got no answer within ${timeoutMs} ms`, {
        operation,
        status: 0,
        cause: err,
      });
    }
    if (init.signal?.aborted) throw err;
    const reason = err instanceof Error ? ((err.cause as { code?: string } | undefined)?.code ?? err.name) : 'error';
    throw new HttpError('SB_AMZ_NETWORK', `${operation} failed to connect (${reason})`, {
      operation,
      status: 0,
      cause: err,
    });
  }
}

export function parseJson(bytes: Uint8Array): unknown {
  if (bytes.length === 0) return undefined;
  try {
    return JSON.parse(new TextDecoder().decode(bytes));
  } catch {
    return undefined;
  }
}
