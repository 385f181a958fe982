/* global document */
// Small DOM helpers. Text always goes in as text nodes (never innerHTML), so data from the API cannot inject markup.

/**
 * h('a', { href: '#/x', class: 'btn', onclick: fn }, 'text', child) -> element. `null`/`false` children are
 * skipped; arrays are flattened. `style` takes an object (set through CSSOM, which the CSP allows).
 */
export function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  applyAttrs(el, attrs);
  append(el, children);
  return el;
}

const SVG_NS = 'http://www.w3.org/2000/svg';
export function s(tag, attrs, ...children) {
  const el = document.createElementNS(SVG_NS, tag);
  applyAttrs(el, attrs);
  append(el, children);
  return el;
}

function applyAttrs(el, attrs) {
  for (const [k, v] of Object.entries(attrs ?? {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith('on') && typeof v === 'function') el.addEventListener(k.slice(2), v);
    else if (k === 'style' && typeof v === 'object') Object.assign(el.style, v);
    else if (k === 'dataset') Object.assign(el.dataset, v);
    else if (v === true) el.setAttribute(k, '');
    else el.setAttribute(k, String(v));
  }
}

function append(el, children) {
  for (const c of children.flat(Infinity)) {
    if (c === null || c === undefined || c === false) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
}

const Node = globalThis.Node;

export function clear(el) {
  while (el.firstChild) el.firstChild.remove();
  return el;
}

/** "3 min ago", "in 2 h"; `undefined` reads "never". */
export function ago(iso, now = Date.now()) {
  if (!iso) return 'never';
  const t = Date.parse(iso);
  if (Number.isNaN(t)) return String(iso);
  const sec = Math.round((now - t) / 1000);
  const abs = Math.abs(sec);
  const unit =
    abs < 60
      ? [abs, 's']
      : abs < 3600
        ? [Math.round(abs / 60), 'min']
        : abs < 86400
          ? [Math.round(abs / 3600), 'h']
          : [Math.round(abs / 86400), 'd'];
  if (abs < 5) return 'just now';
  return sec >= 0 ? `${unit[0]} ${unit[1]} ago` : `in ${unit[0]} ${unit[1]}`;
}

export function when(iso) {
  if (!iso) return '—';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return String(iso);
  return d.toISOString().replace('T', ' ').slice(0, 19) + ' UTC';
}

/** `<time>` with the exact UTC time as its title and a relative text. */
export function timeEl(iso) {
  if (!iso) return h('span', { class: 'muted' }, '—');
  return h('time', { datetime: iso, title: when(iso) }, ago(iso));
}

export function ms(n) {
  if (n === null || n === undefined || Number.isNaN(Number(n))) return '—';
  const v = Number(n);
  if (v < 1000) return `${Math.round(v)} ms`;
  if (v < 120_000) return `${(v / 1000).toFixed(1)} s`;
  return `${(v / 60_000).toFixed(1)} min`;
}

export function int(n) {
  return Number(n ?? 0).toLocaleString('en-US');
}

/** Minor units and an ISO currency -> "1,234.56 USD". Integer arithmetic only. */
export function money(minor, currency = '') {
  if (minor === null || minor === undefined) return '—';
  const n = BigInt(Math.trunc(Number(minor)));
  const neg = n < 0n;
  const abs = neg ? -n : n;
  const units = (abs / 100n).toLocaleString('en-US');
  const cents = String(abs % 100n).padStart(2, '0');
  return `${neg ? '−' : ''}${units}.${cents}${currency ? ' ' + currency : ''}`;
}

export function badge(text, tone = '') {
  return h('span', { class: `badge${tone ? ' badge-' + tone : ''}` }, text);
}

/** Tone of a state word, for badges. */
export function tone(state) {
  const s = String(state ?? '').toLowerCase();
  if (
    [
      'ok',
      'closed',
      'completed',
      'confirmed',
      'created',
      'shipped',
      'replayed',
      'posted',
      'applied',
      'done',
      'ready',
      'balanced',
    ].includes(s)
  )
    return 'ok';
  if (['open', 'dead', 'failed', 'dead-lettered', 'needs-attention', 'error', 'rejected', 'unbalanced'].includes(s))
    return 'bad';
  if (
    [
      'half-open',
      'half_open',
      'pending',
      'running',
      'retry',
      'waiting-for-pending',
      'shipped-partially',
      'deferred',
      'received',
      'mapped',
      'reserved',
      'processing',
    ].includes(s)
  )
    return 'warn';
  return '';
}

export function empty(title, text, ...extra) {
  return h('div', { class: 'empty' }, h('strong', {}, title), text ? h('p', {}, text) : null, ...extra);
}

export function errorBox(err) {
  return h('div', { class: 'error-box', role: 'alert' }, err instanceof Error ? err.message : String(err));
}

/** A table; `cols` = [{ label, cell: (row) => node|string, num?: boolean }]. `onRow(row)` makes rows open. */
export function table(cols, rows, onRow) {
  return h(
    'div',
    { class: 'table-wrap' },
    h(
      'table',
      { class: 'responsive' },
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          cols.map((c) => h('th', { class: c.num ? 'num' : null, scope: 'col' }, c.label)),
        ),
      ),
      h(
        'tbody',
        {},
        rows.map((r) =>
          h(
            'tr',
            onRow
              ? {
                  class: 'clickable',
                  onclick: (e) => {
                    if (!e.target.closest('a,button,input,select')) onRow(r);
                  },
                }
              : {},
            cols.map((c) => h('td', { class: c.num ? 'num' : null, 'data-label': c.label }, c.cell(r))),
          ),
        ),
      ),
    ),
  );
}

export function field(label, input) {
  const id = input.id || `f-${Math.random().toString(36).slice(2, 9)}`;
  input.id = id;
  return h('div', { class: 'field' }, h('label', { for: id }, label), input);
}
