/* global URLSearchParams */
// Orders: search by Amazon order id / TranNo, filter by sync state, page with a cursor.
import { api, listOf } from '../api.js';
import { badge, clear, empty, errorBox, field, h, table, timeEl, tone } from '../dom.js';

const STATES = [
  'received',
  'waiting-for-pending',
  'mapped',
  'reserved',
  'created',
  'shipped-partially',
  'shipped',
  'confirmed',
  'cancelled',
  'skipped',
  'needs-attention',
  'dead-lettered',
];
const PAGE = 50;

export async function render(root, ctx) {
  const q = h('input', {
    type: 'search',
    name: 'q',
    id: 'orders-q',
    placeholder: 'Amazon order id or Sage TranNo',
    value: ctx.params.get('q') ?? '',
  });
  const state = h(
    'select',
    { name: 'state', id: 'orders-state' },
    h('option', { value: '' }, 'Any state'),
    STATES.map((s) => h('option', { value: s }, s)),
  );
  state.value = ctx.params.get('state') ?? '';
  const results = h('div', { id: 'orders-results' });
  const atRiskPanel = h('section', { class: 'panel', id: 'orders-at-risk', 'aria-labelledby': 'h-at-risk' });
  const more = h('div', { class: 'actions' });
  let cursor;
  let rows = [];

  const form = h(
    'form',
    {
      class: 'filters',
      role: 'search',
      onsubmit: (e) => {
        e.preventDefault();
        const p = new URLSearchParams();
        if (q.value.trim()) p.set('q', q.value.trim());
        if (state.value) p.set('state', state.value);
        ctx.navigate(`#/orders${p.toString() ? '?' + p : ''}`);
      },
    },
    field('Search', q),
    field('State', state),
    h('div', { class: 'field-btn' }, h('button', { class: 'btn btn-primary', type: 'submit' }, 'Search')),
  );

  root.append(
    h(
      'div',
      { class: 'page-head' },
      h(
        'div',
        {},
        h('h1', {}, 'Orders'),
        h('p', { class: 'muted' }, 'Every Amazon order Sellbridge has seen, with its Sage sales order.'),
      ),
    ),
    atRiskPanel,
    h('section', { class: 'panel' }, form, results, more),
  );
  void loadAtRisk();

  // Orders not shipped whose Amazon latest ship date is near or past (GET /orders/at-risk, orders.shipByWarningMs).
  async function loadAtRisk() {
    try {
      const data = await api('/orders/at-risk', { query: { limit: 20, connectionId: ctx.connection } });
      if (!ctx.isCurrent()) return;
      const list = listOf(data, 'orders').items;
      clear(atRiskPanel).append(
        h(
          'h2',
          { id: 'h-at-risk' },
          'At risk of shipping late ',
          badge(String(list.length), list.length ? 'warn' : 'ok'),
        ),
        list.length
          ? table(
              [
                {
                  label: 'Amazon order',
                  cell: (o) => h('a', { href: orderHref(o) }, h('code', {}, o.amazonOrderId)),
                },
                { label: 'Ship by', cell: (o) => timeEl(o.latestShipDate) },
                { label: '', cell: (o) => (o.late ? badge('late', 'bad') : badge('soon', 'warn')) },
                { label: 'State', cell: (o) => badge(o.state, tone(o.state)) },
                { label: 'Sage TranNo', cell: (o) => (o.tranNo ? h('code', {}, o.tranNo) : '') },
              ],
              list,
              (o) => ctx.navigate(orderHref(o)),
            )
          : h('p', { class: 'muted small' }, 'No order that is not shipped yet has its ship-by date near.'),
      );
    } catch (err) {
      if (ctx.isCurrent()) clear(atRiskPanel).append(errorBox(err));
    }
  }

  async function load(append) {
    if (!append) clear(results).append(h('p', { class: 'loading' }, 'Searching…'));
    try {
      const data = await api('/orders', {
        query: {
          q: q.value.trim(),
          state: state.value,
          connectionId: ctx.connection,
          limit: PAGE,
          cursor: append ? cursor : undefined,
        },
      });
      if (!ctx.isCurrent()) return;
      const list = listOf(data, 'orders');
      rows = append ? rows.concat(list.items) : list.items;
      cursor = list.nextCursor;
      clear(results).append(
        rows.length
          ? ordersTable(rows, ctx)
          : empty(
              'No orders found',
              q.value || state.value
                ? 'Nothing matches this search. Try part of the order id, or any state.'
                : 'Orders appear here as Amazon sends them.',
            ),
      );
      // (append(null) would show the word "null")
      clear(more).append(
        ...(cursor ? [h('button', { class: 'btn', type: 'button', onclick: () => void load(true) }, 'Load more')] : []),
      );
    } catch (err) {
      if (ctx.isCurrent()) clear(results).append(errorBox(err));
    }
  }
  await load(false);
}

function ordersTable(rows, ctx) {
  return table(
    [
      {
        label: 'Amazon order',
        cell: (o) => h('a', { href: orderHref(o) }, h('code', {}, o.amazonOrderId)),
      },
      { label: 'State', cell: (o) => badge(o.state, tone(o.state)) },
      { label: 'Sage TranNo', cell: (o) => (o.tranNo ? h('code', {}, o.tranNo) : h('span', { class: 'muted' }, '—')) },
      { label: 'Last error', cell: (o) => (o.lastError ? h('code', {}, o.lastError) : '') },
      { label: 'Updated', cell: (o) => timeEl(o.updatedAt) },
    ],
    rows,
    (o) => ctx.navigate(orderHref(o)),
  );
}

/** An order's page; an order of another connection than `default` names it (`connectionId`, not the picker's `connection`). */
function orderHref(o) {
  const id = `#/orders/${encodeURIComponent(o.amazonOrderId)}`;
  return o.connectionId && o.connectionId !== 'default'
    ? `${id}?connectionId=${encodeURIComponent(o.connectionId)}`
    : id;
}
