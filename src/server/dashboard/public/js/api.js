/* global fetch, URLSearchParams */
// The admin API client: same-origin fetch with the session cookie; every failure becomes an Error in words.

export class ApiError extends Error {
  constructor(message, status, body) {
    super(message);
    this.status = status;
    this.body = body;
  }
}

let onUnauthorized = () => {};
export function setUnauthorizedHandler(fn) {
  onUnauthorized = fn;
}

const BASE = '/api/v1';

function words(status, body, method, path) {
  const said =
    body && typeof body === 'object'
      ? body.message || body.error
      : typeof body === 'string' && body.length < 300
        ? body
        : '';
  const issues =
    body && Array.isArray(body.issues)
      ? body.issues
          .map((i) => (i.field ? `${i.field}: ${i.problem ?? i.message ?? ''}` : (i.message ?? String(i))))
          .join('; ')
      : '';
  const detail = [said, issues].filter(Boolean).join(' — ');
  switch (status) {
    case 400:
      return `The server did not accept this: ${detail || 'the request was invalid.'}`;
    case 401:
      return detail && !/^unauthori[sz]ed$/i.test(detail)
        ? `Not signed in: ${detail}`
        : 'You are not signed in, or your session has ended. Please sign in.';
    case 403:
      return `Your role may not do this${detail ? ` (${detail})` : ''}.`;
    case 404:
      return detail || 'Not found: it may have been removed or the link is wrong.';
    case 409:
      return (
        detail ||
        'This was changed meanwhile (for example, already replayed or discarded). Reload to see its current state.'
      );
    case 429:
      return detail || 'Too many attempts. Wait a minute and try again.';
    case 501:
      return detail || 'Not available yet in this version of Sellbridge.';
    case 503:
      return `A service Sellbridge needs is unavailable${detail ? `: ${detail}` : '.'}`;
    default:
      if (status >= 500)
        return `The server failed to ${method === 'GET' ? 'load' : 'do'} this (${status}${detail && detail !== 'internal error' ? `: ${detail}` : ''}). Try again; if it keeps failing, check the server log.`;
      return detail || `Request to ${path} answered ${status}.`;
  }
}

export async function api(path, { method = 'GET', body, query, quiet401 = false } = {}) {
  let url = BASE + path;
  if (query) {
    const qs = new URLSearchParams();
    for (const [k, v] of Object.entries(query)) if (v !== undefined && v !== null && v !== '') qs.set(k, String(v));
    const q = qs.toString();
    if (q) url += '?' + q;
  }
  let res;
  try {
    res = await fetch(url, {
      method,
      credentials: 'same-origin',
      headers: { accept: 'application/json', ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
      body: body !== undefined ? JSON.stringify(body) : undefined,
    });
  } catch {
    throw new ApiError(
      'The Sellbridge server cannot be reached. Check that it is running and your network connection.',
      0,
      null,
    );
  }
  const text = await res.text();
  let data = null;
  if (text) {
    try {
      data = JSON.parse(text);
    } catch {
      data = text;
    }
  }
  if (!res.ok) {
    if (res.status === 401 && !quiet401) onUnauthorized();
    throw new ApiError(words(res.status, data, method, path), res.status, data);
  }
  return data;
}

/** Lists come back as an array or as { items | data | <name> : [...] , nextCursor }. */
export function listOf(data, ...names) {
  if (Array.isArray(data)) return { items: data, nextCursor: undefined };
  if (!data || typeof data !== 'object') return { items: [], nextCursor: undefined };
  for (const n of [...names, 'items', 'data', 'results'])
    if (Array.isArray(data[n])) return { items: data[n], nextCursor: data.nextCursor ?? data.cursor ?? undefined };
  return { items: [], nextCursor: data.nextCursor ?? undefined };
}

export const notAvailable = (err) => err instanceof ApiError && (err.status === 501 || err.status === 404);
