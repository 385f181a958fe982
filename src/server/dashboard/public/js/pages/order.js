// One order: its lifecycle (where it is on the usual path, or off it), Sage link, history and dead letters.
import { api } from '../api.js';
import { badge, empty, errorBox, h, table, timeEl, tone, when } from '../dom.js';

const PATH = ['received', 'mapped', 'reserved', 'created', 'shipped', 'confirmed'];
const OFF_PATH = { 'waiting-for-pending': 'received', 'shipped-partially': 'created' };
const DESCRIPTIONS = {
  received: 'Queued to be read from Amazon.',
  'waiting-for-pending': 'Amazon has not priced the order yet (Pending); it is read again on its next change.',
  mapped: 'The Sage draft was built: every SKU, address field and amount mapped.',
  reserved: 'A Sage TranNo is reserved; creation may run (and re-run) safely.',
  created: 'The Sage sales order exists.',
  'shipped-partially': 'Sage shipped part of the order; packages are confirmed to Amazon one by one.',
  shipped: 'Sage shipped everything; confirmations to Amazon are under way.',
  confirmed: 'Every package is confirmed to Amazon: done.',
  cancelled: 'Cancelled at Amazon; the Sage order was cancelled too.',
  skipped: 'Nothing to create by policy.',
  'needs-attention': 'A person must look at this order (see the last error).',
  'dead-lettered': 'The order could not be processed; its dead letter says why and how to fix it.',
};

/** States that change without a person: the page reloads itself while the order is in one. */
const MOVING = new Set([
  'received',
  'waiting-for-pending',
  'mapped',
  'reserved',
  'dead-lettered',
  'shipped-partially',
  'shipped',
]);
const REFRESH_MS = 3000;

export async function render(root, ctx) {
  const id = ctx.args[0];
  const body = h('div', {});
  root.append(h('div', { class: 'crumbs' }, h('a', { href: '#/orders' }, 'Orders'), ' / ', id), body);
  let timer = null;
  async function load() {
    timer = null;
    let data;
    try {
      data = await api(`/orders/${encodeURIComponent(id)}`, {
        query: { connectionId: ctx.params.get('connectionId') || ctx.connection },
      });
    } catch (err) {
      if (ctx.isCurrent()) body.replaceChildren(h('h1', {}, `Order ${id}`), errorBox(err));
      return;
    }
    if (!ctx.isCurrent()) return;
    const o = data.order ?? data;
    body.replaceChildren(view(o, data, id));
    if (MOVING.has(o.state)) timer = globalThis.setTimeout(load, REFRESH_MS);
  }
  await load();
  return () => {
    if (timer) globalThis.clearTimeout(timer);
  };
}

function view(o, data, id) {
  const history = Array.isArray(o.audit) ? o.audit : Array.isArray(o.history) ? o.history : [];
  const next = o.lifecycle?.next ?? [];
  const confirmations = o.confirmations ?? [];
  const deadLetters = o.deadLetters ?? data.deadLetters ?? [];
  const lines = o.lines ?? o.sage?.lines ?? data.lines ?? [];
  return h(
    'div',
    {},
    h(
      'div',
      { class: 'page-head' },
      h(
        'div',
        {},
        h(
          'h1',
          {},
          'Order ',
          h('code', {}, o.amazonOrderId ?? id),
          h('span', { id: 'order-state' }, badge(o.state, tone(o.state))),
        ),
        h('p', { class: 'muted' }, MOVING.has(o.state) ? 'This page updates itself while the order moves.' : ''),
      ),
    ),
    h(
      'div',
      { class: 'grid grid-2' },
      h(
        'section',
        { class: 'panel', 'aria-labelledby': 'h-sage' },
        h('h2', { id: 'h-sage' }, 'Sage 500'),
        h(
          'dl',
          { class: 'kv' },
          h('dt', {}, 'TranNo'),
          h(
            'dd',
            { id: 'order-tranno' },
            o.tranNo ? h('code', {}, o.tranNo) : h('span', { class: 'muted' }, 'not reserved yet'),
          ),
          h('dt', {}, 'Sales order key'),
          h('dd', {}, o.salesOrderKey ?? '—'),
          h('dt', {}, 'Connection'),
          h('dd', {}, o.connectionId ?? '—'),
          h('dt', {}, 'Marketplace'),
          h('dd', {}, o.marketplaceId ?? '—'),
          h('dt', {}, 'Last error'),
          h('dd', {}, o.lastError ? h('code', {}, o.lastError) : '—'),
          h('dt', {}, 'First seen'),
          h('dd', {}, when(o.createdAt)),
          h('dt', {}, 'Updated'),
          h('dd', {}, when(o.updatedAt)),
        ),
      ),
      h(
        'section',
        { class: 'panel', 'aria-labelledby': 'h-life' },
        h('h2', { id: 'h-life' }, 'Lifecycle'),
        stepper(o.state),
        h('p', { class: 'small' }, o.stateDescription ?? o.lifecycle?.description ?? DESCRIPTIONS[o.state] ?? ''),
        next.length
          ? h('p', { class: 'muted small' }, 'Can move on to: ', next.join(', '), '.')
          : h('p', { class: 'muted small' }, 'Final state: nothing moves it automatically.'),
      ),
    ),
    o.fitted
      ? h(
          'section',
          { class: 'panel', 'aria-labelledby': 'h-fit', id: 'order-fitted' },
          h('h2', { id: 'h-fit' }, 'Ship-to fitted to Sage ', badge('fitted', 'warn')),
          h(
            'p',
            { class: 'small' },
            "The Amazon address did not fit Sage's columns as it was; Sellbridge changed it as listed. ",
            o.fitted.originalKept
              ? 'The Amazon original is kept sealed with the buyer data of this order.'
              : 'The Amazon original was not kept (no PII key is configured); Seller Central has it.',
          ),
          table(
            [
              { label: 'Field', cell: (c) => h('code', {}, c.field) },
              { label: 'Change', cell: (c) => c.kind },
              { label: 'Detail', cell: (c) => c.detail },
            ],
            o.fitted.changes,
          ),
        )
      : null,
    o.shipBy
      ? h(
          'section',
          { class: 'panel', 'aria-labelledby': 'h-ship-by', id: 'order-ship-by' },
          h(
            'h2',
            { id: 'h-ship-by' },
            'Ship by ',
            o.shipBy.late ? badge('late', 'bad') : o.shipBy.atRisk ? badge('at risk', 'warn') : null,
          ),
          h(
            'p',
            { class: 'small' },
            "Amazon's latest ship date: ",
            timeEl(o.shipBy.latestShipDate),
            '. It is the promise date of the Sage lines.',
          ),
        )
      : null,
    o.changes
      ? h(
          'section',
          { class: 'panel', 'aria-labelledby': 'h-changes', id: 'order-changes' },
          h(
            'h2',
            { id: 'h-changes' },
            'Changed at Amazon after import ',
            o.changes.differences.length ? badge('difference', 'warn') : null,
          ),
          o.changes.applied.length
            ? table(
                [
                  { label: 'Applied to Sage', cell: (a) => a.kind },
                  { label: 'Sage line', cell: (a) => (a.lineNo !== undefined ? String(a.lineNo) : '') },
                  {
                    label: 'Amazon item',
                    cell: (a) => (a.amazonOrderItemId ? h('code', {}, a.amazonOrderItemId) : ''),
                  },
                  { label: 'When', cell: (a) => timeEl(a.at) },
                ],
                o.changes.applied,
              )
            : null,
          o.changes.differences.length
            ? h(
                'div',
                {},
                h(
                  'p',
                  { class: 'small' },
                  'Not changed in Sage; a person decides (change the Sage order by hand if it matters):',
                ),
                table(
                  [
                    { label: 'Field', cell: (d) => h('code', {}, d.field) },
                    { label: 'Difference', cell: (d) => d.problem },
                  ],
                  o.changes.differences,
                ),
              )
            : null,
        )
      : null,
    confirmations.length
      ? h(
          'section',
          { class: 'panel', 'aria-labelledby': 'h-conf' },
          h('h2', { id: 'h-conf' }, 'Shipment confirmations to Amazon'),
          table(
            [
              { label: 'Shipment', cell: (c) => h('code', {}, c.shipmentKey) },
              { label: 'Package', cell: (c) => h('code', {}, c.packageNo) },
              { label: 'State', cell: (c) => badge(c.state, tone(c.state)) },
              { label: 'Attempts', num: true, cell: (c) => String(c.sendAttempts ?? '') },
              { label: 'Updated', cell: (c) => timeEl(c.updatedAt) },
            ],
            confirmations,
          ),
        )
      : null,
    history.length
      ? h(
          'section',
          { class: 'panel', 'aria-labelledby': 'h-hist' },
          h('h2', { id: 'h-hist' }, 'What people did'),
          table(
            [
              { label: 'When', cell: (e) => timeEl(e.at ?? e.createdAt) },
              { label: 'Who', cell: (e) => e.actor ?? '' },
              { label: 'Action', cell: (e) => h('code', {}, e.action ?? e.state ?? '') },
              { label: 'Target', cell: (e) => e.target ?? '' },
            ],
            history,
          ),
        )
      : null,
    lines.length
      ? h(
          'section',
          { class: 'panel', 'aria-labelledby': 'h-lines' },
          h('h2', { id: 'h-lines' }, 'Lines'),
          table(
            [
              { label: 'SKU', cell: (l) => h('code', {}, l.sellerSku ?? l.sku ?? '') },
              { label: 'Sage item', cell: (l) => h('code', {}, l.itemId ?? '') },
              { label: 'Qty', num: true, cell: (l) => String(l.quantity ?? '') },
            ],
            lines,
          ),
        )
      : null,
    deadLetters.length
      ? h(
          'section',
          { class: 'panel', 'aria-labelledby': 'h-odl' },
          h('h2', { id: 'h-odl' }, 'Dead letters of this order'),
          table(
            [
              {
                label: 'Code',
                cell: (d) =>
                  h(
                    'a',
                    { href: `#/dead-letters/${encodeURIComponent(d.id)}` },
                    h('code', {}, d.code ?? d.error?.code),
                  ),
              },
              { label: 'Status', cell: (d) => badge(d.status, tone(d.status)) },
              { label: 'Failed', cell: (d) => timeEl(d.lastFailedAt) },
            ],
            deadLetters,
          ),
        )
      : null,
    !lines.length && !deadLetters.length && o.state === 'dead-lettered'
      ? h(
          'section',
          { class: 'panel' },
          empty(
            'This order is in the dead-letter queue',
            'Open the dead letters to see why and fix it.',
            h('a', { class: 'btn', href: '#/dead-letters' }, 'Dead letters'),
          ),
        )
      : null,
  );
}

function stepper(state) {
  const onPath = PATH.includes(state) ? state : OFF_PATH[state];
  const at = onPath ? PATH.indexOf(onPath) : -1;
  const items = PATH.map((s, i) =>
    h(
      'li',
      { class: i < at ? 'done' : i === at ? 'current' : '', 'aria-current': i === at ? 'step' : null },
      s === onPath && s !== state ? `${s} → ${state}` : s,
    ),
  );
  if (at < 0) items.push(h('li', { class: 'off', 'aria-current': 'step' }, state));
  return h('ol', { class: 'steps', 'aria-label': 'Usual path of an order' }, items);
}
