/* global document, window */
// Overview: health of the store, Sage and Amazon and per connection, throughput and latency charts, backlog per
// queue, dead letters by code, rate-bucket levels and circuit states. Sage, Amazon, the connections, the latency and
// the circuits come from what the workers recorded in the store, so every process serving this page shows the same. Refreshes itself every 10 s (or `#/overview?refresh=<seconds>`, 2 to 300,
// e.g. for a wall display) while the tab is visible.
import { api } from '../api.js';
import { latencyChart, meter, throughputChart } from '../charts.js';
import { ago, badge, clear, empty, errorBox, h, int, ms, table, tone } from '../dom.js';

const DEFAULT_REFRESH_S = 10;
/** Latency samples survive navigation within the page session, so the chart has a history to draw. */
let latencyHistory = [];
/** The connection the history was sampled for: another connection starts a new history. */
let historyOf = null;
const bucketMax = new Map();
const DONE_STATES = new Set(['completed', 'dead', 'failed', 'cancelled']);

export async function render(root, ctx) {
  const asked = Number(ctx.params.get('refresh'));
  const REFRESH_MS =
    1000 * (Number.isFinite(asked) && asked > 0 ? Math.min(300, Math.max(2, asked)) : DEFAULT_REFRESH_S);
  let timer = null;
  let paused = false;
  let lastAt = null;
  const body = h('div', { id: 'overview-body' }, h('p', { class: 'loading' }, 'Loading the overview…'));
  const updated = h('span', { class: 'muted small', id: 'updated' });
  if (historyOf !== ctx.connection) {
    latencyHistory = [];
    historyOf = ctx.connection;
  }
  const toggle = h(
    'button',
    {
      class: 'btn',
      type: 'button',
      'aria-pressed': 'false',
      onclick: () => {
        paused = !paused;
        toggle.setAttribute('aria-pressed', String(paused));
        toggle.textContent = paused ? 'Resume auto-refresh' : 'Pause auto-refresh';
        if (!paused) void load();
      },
    },
    'Pause auto-refresh',
  );
  const refresh = h('button', { class: 'btn', type: 'button', onclick: () => void load() }, 'Refresh now');
  root.append(
    h(
      'div',
      { class: 'page-head' },
      h(
        'div',
        {},
        h('h1', {}, 'Overview'),
        h(
          'p',
          { class: 'muted small', id: 'overview-scope' },
          ctx.connection ? `Connection ${ctx.connection}` : 'All connections',
        ),
        updated,
      ),
      h('div', { class: 'actions' }, refresh, toggle),
    ),
    body,
  );

  async function load() {
    try {
      const data = await api('/overview', { query: { connectionId: ctx.connection } });
      if (!ctx.isCurrent()) return;
      lastAt = Date.now();
      const lat = data.latency ?? {};
      latencyHistory.push({
        at: new Date().toISOString(),
        p50: lat.orderToSageP50Ms ?? null,
        p99: lat.orderToSageP99Ms ?? null,
      });
      if (latencyHistory.length > 60) latencyHistory.shift();
      clear(body).append(view(data));
    } catch (err) {
      if (!ctx.isCurrent()) return;
      clear(body).append(errorBox(err));
    }
    tick();
  }
  function tick() {
    updated.textContent = lastAt
      ? `Updated ${ago(new Date(lastAt).toISOString())}${paused ? ' · auto-refresh paused' : ` · refreshes every ${REFRESH_MS / 1000} s`}`
      : '';
  }
  await load();
  timer = window.setInterval(() => {
    if (paused || document.hidden) return tick();
    if (lastAt && Date.now() - lastAt >= REFRESH_MS - 500) void load();
  }, 1000);
  return () => window.clearInterval(timer);
}

function view(d) {
  const health = d.health ?? {};
  const queues = groupQueues(d.queues ?? []);
  const dl = d.deadLetters ?? { total: 0, byCode: [] };
  const throughput = d.throughput ?? [];
  const lat = d.latency ?? {};
  const buckets = d.buckets ?? [];
  const circuits = d.circuits ?? [];
  const totals = throughput.reduce((a, p) => ({ c: a.c + Number(p.completed ?? 0), f: a.f + Number(p.failed ?? 0) }), {
    c: 0,
    f: 0,
  });

  return h(
    'div',
    {},
    h(
      'section',
      { class: 'grid grid-3', 'aria-label': 'Connections' },
      ['store', 'sage', 'amazon'].map((k) => healthCard(k, health[k])),
    ),
    connectionsPanel(d.connections ?? []),

    h(
      'div',
      { class: 'grid grid-2' },
      h(
        'section',
        { class: 'panel', 'aria-labelledby': 'h-throughput' },
        h(
          'div',
          { class: 'panel-head' },
          h('h2', { id: 'h-throughput' }, 'Throughput'),
          h(
            'span',
            { class: 'muted small' },
            `${int(totals.c)} completed · ${int(totals.f)} failed in ${throughput.length} min`,
          ),
        ),
        totals.c + totals.f > 0
          ? [
              throughputChart(throughput),
              h(
                'div',
                { class: 'legend' },
                h('span', {}, h('span', { class: 'swatch sw-ok' }), 'completed'),
                h('span', {}, h('span', { class: 'swatch sw-bad' }), 'failed'),
              ),
            ]
          : empty('No jobs finished in this period', 'Jobs completed or failed per minute appear here as work flows.'),
      ),
      h(
        'section',
        { class: 'panel', 'aria-labelledby': 'h-latency' },
        h(
          'div',
          { class: 'panel-head' },
          h('h2', { id: 'h-latency' }, 'Order to Sage latency'),
          h(
            'span',
            { class: 'muted small', id: 'latency-summary' },
            `p50 ${ms(lat.orderToSageP50Ms)} · p99 ${ms(lat.orderToSageP99Ms)} · ${int(lat.samples ?? 0)} ${Number(lat.samples) === 1 ? 'order' : 'orders'} measured (24 h)`,
          ),
        ),
        latencyHistory.some((p) => p.p50 !== null || p.p99 !== null)
          ? [
              latencyChart(latencyHistory),
              h(
                'div',
                { class: 'legend' },
                h('span', {}, h('span', { class: 'swatch sw-p50' }), 'median (p50)'),
                h('span', {}, h('span', { class: 'swatch sw-p99' }), '99th percentile'),
                h('span', {}, 'since this page opened'),
              ),
            ]
          : empty(
              'No orders measured yet',
              'The time from an Amazon order to its Sage sales order appears once orders flow.',
            ),
      ),
    ),

    h(
      'div',
      { class: 'grid grid-2' },
      h(
        'section',
        { class: 'panel', 'aria-labelledby': 'h-backlog' },
        h('h2', { id: 'h-backlog' }, 'Backlog per queue'),
        queues.length ? backlogTable(queues) : empty('No queues yet', 'Queues appear when the first job is enqueued.'),
      ),
      h(
        'section',
        { class: 'panel', 'aria-labelledby': 'h-dead' },
        h(
          'div',
          { class: 'panel-head' },
          h('h2', { id: 'h-dead' }, 'Dead letters'),
          h('a', { href: '#/dead-letters' }, 'Open the list'),
        ),
        h(
          'p',
          {},
          h('span', { class: 'stat', id: 'dead-total' }, int(dl.total)),
          ' ',
          h('span', { class: 'muted' }, dl.total === 1 ? 'record needs a person' : 'records need a person'),
        ),
        (dl.byCode ?? []).length
          ? table(
              [
                {
                  label: 'Code',
                  cell: (r) =>
                    h('a', { href: `#/dead-letters?code=${encodeURIComponent(r.code)}` }, h('code', {}, r.code)),
                },
                { label: 'Count', num: true, cell: (r) => int(r.count) },
              ],
              dl.byCode,
            )
          : empty('Nothing to fix', 'Records that could not be processed would be listed here with the reason.'),
      ),
    ),

    h(
      'div',
      { class: 'grid grid-2' },
      h(
        'section',
        { class: 'panel', 'aria-labelledby': 'h-buckets' },
        h('h2', { id: 'h-buckets' }, 'Amazon rate buckets'),
        buckets.length
          ? table(
              [
                { label: 'Operation', cell: (b) => h('code', {}, b.operation) },
                { label: 'Level', cell: (b) => bucketMeter(b) },
                { label: 'Tokens', num: true, cell: (b) => (Math.round(Number(b.tokens) * 10) / 10).toString() },
              ],
              buckets,
            )
          : empty('No buckets yet', 'Token levels per SP-API operation appear after the first call.'),
      ),
      h(
        'section',
        { class: 'panel', id: 'circuits', 'aria-labelledby': 'h-circuits' },
        h('h2', { id: 'h-circuits' }, 'Circuit breakers'),
        circuits.length
          ? table(
              [
                { label: 'Target', cell: (c) => c.target },
                { label: 'State', cell: (c) => badge(circuitWords(c.state), tone(c.state)) },
              ],
              circuits,
            )
          : empty('All circuits closed', 'A circuit opens when a service keeps failing, to stop hammering it.'),
      ),
    ),
  );
}

function healthCard(key, hc) {
  const names = { store: 'Store', sage: 'Sage 500', amazon: 'Amazon SP-API' };
  const known = hc && typeof hc.ok === 'boolean';
  const fresh = freshness(hc?.lastSyncAt);
  const state = !known ? 'unknown' : !hc.ok ? 'bad' : fresh === 'stale' ? 'warn' : 'ok';
  const words = { unknown: 'Unknown', bad: 'Down', warn: 'Stale', ok: 'Healthy' }[state];
  return h(
    'article',
    { class: 'panel health', 'data-health': key, 'aria-label': `${names[key]}: ${words}` },
    h('span', { class: `dot dot-${state}`, 'aria-hidden': 'true' }),
    h(
      'div',
      {},
      h('h2', {}, names[key], ' ', badge(words, state === 'unknown' ? '' : state)),
      hc?.detail
        ? h('p', { class: 'small' }, hc.detail)
        : known && hc.ok
          ? h('p', { class: 'small' }, key === 'store' ? 'Database reachable.' : 'Reachable.')
          : null,
      key !== 'store'
        ? h(
            'p',
            { class: 'muted small', 'data-last-call': hc?.lastCallAt ?? '' },
            hc?.lastCallAt
              ? `Last call answered ${ago(hc.lastCallAt)}`
              : hc?.lastSyncAt
                ? `Last sync ${ago(hc.lastSyncAt)}`
                : 'No call recorded yet',
          )
        : null,
    ),
  );
}

/** Each connection's health as the workers recorded it: token, Amazon, Sage, open orders, latest order. */
function connectionsPanel(rows) {
  if (!rows.length) return null;
  const cell = (hc) => {
    const state = !hc || typeof hc.ok !== 'boolean' ? 'unknown' : hc.ok ? 'ok' : 'bad';
    const words = { unknown: 'Unknown', bad: 'Down', ok: 'OK' }[state];
    return h(
      'span',
      { title: hc?.detail ?? '' },
      badge(words, state === 'unknown' ? '' : state),
      hc?.lastCallAt ? h('span', { class: 'muted small' }, ` ${ago(hc.lastCallAt)}`) : null,
    );
  };
  return h(
    'section',
    { class: 'panel', id: 'connections', 'aria-labelledby': 'h-connections' },
    h('h2', { id: 'h-connections' }, 'Connections'),
    table(
      [
        { label: 'Connection', cell: (c) => h('code', {}, c.connectionId) },
        { label: 'Amazon token', cell: (c) => cell(c.token) },
        { label: 'Amazon', cell: (c) => cell(c.amazon) },
        { label: 'Sage 500', cell: (c) => cell(c.sage) },
        { label: 'Backlog', num: true, cell: (c) => int(c.backlog) },
        { label: 'Needs a person', num: true, cell: (c) => int(c.needsAttention) },
        { label: 'Last order', cell: (c) => (c.lastOrderAt ? ago(c.lastOrderAt) : 'none yet') },
      ],
      rows,
    ),
  );
}

/** Fresh under 15 minutes, ageing under an hour, then stale. */
function freshness(iso) {
  if (!iso) return 'none';
  const age = Date.now() - Date.parse(iso);
  return age < 15 * 60_000 ? 'fresh' : age < 60 * 60_000 ? 'ageing' : 'stale';
}

function groupQueues(rows) {
  const by = new Map();
  for (const r of rows) {
    const q = by.get(r.queue) ?? { queue: r.queue, states: {}, backlog: 0 };
    q.states[r.state] = (q.states[r.state] ?? 0) + Number(r.count ?? 0);
    if (!DONE_STATES.has(r.state)) q.backlog += Number(r.count ?? 0);
    by.set(r.queue, q);
  }
  return [...by.values()].sort((a, b) => b.backlog - a.backlog || a.queue.localeCompare(b.queue));
}

function backlogTable(queues) {
  const max = Math.max(1, ...queues.map((q) => q.backlog));
  return table(
    [
      { label: 'Queue', cell: (q) => h('code', {}, q.queue) },
      { label: 'Waiting', num: true, cell: (q) => int(q.backlog) },
      { label: '', cell: (q) => meter(q.backlog / max, `${q.queue} backlog`) },
      { label: 'Running', num: true, cell: (q) => int(q.states.running ?? q.states.active ?? 0) },
      { label: 'Dead', num: true, cell: (q) => int(q.states.dead ?? q.states.failed ?? 0) },
      { label: 'Done', num: true, cell: (q) => int(q.states.completed ?? 0) },
    ],
    queues,
  );
}

function bucketMeter(b) {
  const cap = Number(b.capacity ?? b.burst ?? 0) || Math.max(bucketMax.get(b.operation) ?? 0, Number(b.tokens) || 0, 1);
  bucketMax.set(b.operation, cap);
  return meter(Number(b.tokens) / cap, `${b.operation} tokens`);
}

function circuitWords(state) {
  return (
    {
      closed: 'closed (working)',
      open: 'open (paused)',
      'half-open': 'half-open (testing)',
      half_open: 'half-open (testing)',
    }[state] ?? String(state)
  );
}
