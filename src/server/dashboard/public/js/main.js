/* global document, window, URLSearchParams */
// Shell: sign-in gate, hash router, navigation state, toasts. Pages live in ./pages/*.js and export
// `render(main, ctx)` returning an optional cleanup function (timers).
import { api, setUnauthorizedHandler } from './api.js';
import { clear, errorBox, h } from './dom.js';

const main = document.getElementById('main');
const topbar = document.getElementById('topbar');
const who = document.getElementById('who');
const noticeEl = document.getElementById('notice');
const picker = document.getElementById('connection-picker');

const ROUTES = [
  { re: /^\/overview$/, page: 'overview', module: './pages/overview.js' },
  { re: /^\/orders$/, page: 'orders', module: './pages/orders.js' },
  { re: /^\/orders\/(.+)$/, page: 'orders', module: './pages/order.js' },
  { re: /^\/dead-letters$/, page: 'dead-letters', module: './pages/dead-letters.js' },
  { re: /^\/dead-letters\/(.+)$/, page: 'dead-letters', module: './pages/dead-letter.js' },
  { re: /^\/mappings$/, page: 'mappings', module: './pages/mappings.js' },
  { re: /^\/connections\/([^/]+)\/mappings$/, page: 'mappings', module: './pages/connection-mappings.js' },
  { re: /^\/settlements$/, page: 'settlements', module: './pages/settlements.js' },
  { re: /^\/settlements\/(.+)\/three-way$/, page: 'settlements', module: './pages/settlement-three-way.js' },
  { re: /^\/settlements\/(.+)$/, page: 'settlements', module: './pages/settlement.js' },
  { re: /^\/inventory$/, page: 'inventory', module: './pages/inventory.js' },
  { re: /^\/inventory\/listing-problems$/, page: 'inventory', module: './pages/listing-problems.js' },
  { re: /^\/health$/, page: 'health', module: './pages/doctor.js' },
  { re: /^\/agents$/, page: 'agents', module: './pages/agents.js' },
  { re: /^\/connections$/, page: 'connections', module: './pages/connections.js' },
];

let user = null;
/** What the signed-in role may do (GET /me `can`); unknown means: show the action and let the API decide. */
let can = {};
let cleanup = null;
let renderSeq = 0;
/**
 * The connection every page is filtered by (issue 21), '' for all connections. Kept in the hash as
 * `?connection=<id>`: a hash without it (a nav link, a page's own link) keeps the current one, so it survives page
 * switches; the picker in the header changes it.
 */
let connection = '';

/** Shows a short message at the bottom right; errors stay longer. */
export function notify(message, kind = 'ok') {
  const t = h('div', { class: `toast${kind === 'bad' ? ' bad' : ''}` }, message);
  noticeEl.append(t);
  window.setTimeout(() => t.remove(), kind === 'bad' ? 9000 : 4500);
}

export function navigate(hash) {
  if (window.location.hash === hash) void route();
  else window.location.hash = hash;
}

function currentPath() {
  const raw = window.location.hash.replace(/^#/, '');
  const [path, qs] = raw.split('?');
  return { path: path || '/overview', params: new URLSearchParams(qs ?? '') };
}

/** `#<path>?<params>` with the connection set (or removed for all connections). */
function hashWith(path, params, id) {
  const p = new URLSearchParams(params);
  if (id) p.set('connection', id);
  else p.delete('connection');
  const qs = p.toString();
  return `#${path}${qs ? '?' + qs : ''}`;
}

/** Reads the connection from the hash, or puts the current one back into a hash that lacks it. */
function syncConnection(path, params) {
  if (params.has('connection')) connection = params.get('connection').trim();
  else if (connection) {
    params.set('connection', connection);
    window.history.replaceState(null, '', hashWith(path, params, connection));
  }
  showConnection();
}

/** The picker shows the current connection (added as an option when the list does not have it); nav links carry it. */
function showConnection() {
  if (connection && ![...picker.options].some((o) => o.value === connection))
    picker.append(h('option', { value: connection }, connection));
  picker.value = connection;
  for (const a of document.querySelectorAll('#nav a, .brand')) {
    const base = a.getAttribute('href').split('?')[0];
    a.setAttribute('href', hashWith(base.replace(/^#/, ''), '', connection));
  }
}

/** Fills the picker from GET /connections (a viewer may read it); the current choice stays. */
async function loadConnections() {
  try {
    const data = await api('/connections', { quiet401: true });
    const ids = (data?.connections ?? []).map((c) => c.id).filter(Boolean);
    clear(picker).append(
      h('option', { value: '' }, 'All connections'),
      ...ids.map((id) => h('option', { value: id }, id)),
    );
  } catch {
    /* the picker keeps "All connections" and any connection the address names */
  }
  showConnection();
}

picker.addEventListener('change', () => {
  connection = picker.value;
  const { path, params } = currentPath();
  // A cursor or a detail page belongs to the list it came from: go back to the list of the same kind.
  params.delete('cursor');
  const list = path.match(/^\/(orders|dead-letters|settlements)\/.+/) ? `/${path.split('/')[1]}` : path;
  navigate(hashWith(list, params, connection));
});

async function route(focusMain = false) {
  const seq = ++renderSeq;
  if (cleanup) {
    try {
      cleanup();
    } catch {
      /* a page's cleanup must not block navigation */
    }
    cleanup = null;
  }
  if (!user) {
    topbar.hidden = true;
    const { render } = await import('./pages/signin.js');
    if (seq !== renderSeq) return;
    clear(main);
    render(main, { onSignedIn });
    return;
  }
  topbar.hidden = false;
  const { path, params } = currentPath();
  syncConnection(path, params);
  // Connections are added and removed there: the picker lists them afresh.
  if (path === '/connections') void loadConnections();
  const match = ROUTES.map((r) => ({ r, m: r.re.exec(path) })).find((x) => x.m);
  for (const a of document.querySelectorAll('#nav a')) {
    if (match && a.dataset.route === match.r.page) a.setAttribute('aria-current', 'page');
    else a.removeAttribute('aria-current');
  }
  if (!match) {
    clear(main).append(
      h(
        'div',
        { class: 'panel' },
        h('h1', {}, 'Page not found'),
        h('p', {}, 'There is no page at this address. ', h('a', { href: '#/overview' }, 'Go to the overview'), '.'),
      ),
    );
    return;
  }
  clear(main).append(h('p', { class: 'loading' }, 'Loading…'));
  try {
    const mod = await import(match.r.module);
    if (seq !== renderSeq) return;
    const page = h('div', { class: 'page', 'data-page': match.r.page });
    clear(main).append(page);
    const ctx = {
      user,
      can,
      params,
      connection,
      args: match.m.slice(1).map(decodeURIComponent),
      notify,
      navigate,
      isCurrent: () => seq === renderSeq,
    };
    cleanup = (await mod.render(page, ctx)) ?? null;
    document.title = `${page.querySelector('h1')?.textContent ?? 'Dashboard'} · Sellbridge`;
    // After a navigation, keyboard and screen-reader users start at the new page, not on the old link.
    if (focusMain) main.focus({ preventScroll: true });
  } catch (err) {
    if (seq !== renderSeq) return;
    clear(main).append(errorBox(err));
  }
}

async function onSignedIn(u) {
  user = u;
  can = {};
  try {
    can = (await api('/me', { quiet401: true }))?.can ?? {};
  } catch {
    /* actions stay visible; the API still refuses what the role may not do */
  }
  who.textContent = `${u.name} · ${u.role}`;
  void loadConnections();
  if (!window.location.hash || window.location.hash === '#/signin') window.location.hash = '#/overview';
  else void route();
  main.focus();
}

setUnauthorizedHandler(() => {
  if (!user) return;
  user = null;
  notify('Your session has ended. Please sign in again.', 'bad');
  void route();
});

document.getElementById('signout').addEventListener('click', async () => {
  try {
    await api('/auth/logout', { method: 'POST', body: {}, quiet401: true });
  } catch {
    /* signed out either way */
  }
  user = null;
  who.textContent = '';
  notify('Signed out.');
  void route();
});

window.addEventListener('hashchange', () => void route(true));

async function start() {
  try {
    const me = await api('/me', { quiet401: true });
    user = me?.user ?? me;
    can = me?.can ?? {};
    who.textContent = `${user.name} · ${user.role}`;
    void loadConnections();
  } catch (err) {
    user = null;
    if (err.status !== 401) notify(err.message, 'bad');
  }
  await route();
}

void start();
