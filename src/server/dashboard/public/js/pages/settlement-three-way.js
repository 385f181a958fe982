/* global document, Blob */
// Three-way reconciliation of one settlement: per order what Amazon charged, what Sage invoiced, what Amazon paid, and
// per settlement the deposit; each difference with its likely cause. Amounts are exact (integer minor units); the
// CSV export is the server's (exact decimals), downloaded as it is.
import { api } from '../api.js';
import { badge, empty, errorBox, h, int, table } from '../dom.js';
import { exactMoney } from './settlements-money.js';

const TONE = {
  fee: '',
  'withheld tax': '',
  promotion: '',
  refund: 'warn',
  reimbursement: 'warn',
  rounding: 'warn',
  'order missing in Sage': 'bad',
  'invoice missing': 'bad',
  unexplained: 'bad',
};

function causes(list, cur) {
  return list.map((d) =>
    h(
      'div',
      {},
      badge(d.cause, TONE[d.cause] ?? ''),
      ' ',
      exactMoney(d.minor, cur),
      ' ',
      h('span', { class: 'muted small' }, d.between),
    ),
  );
}

export async function render(root, ctx) {
  const id = ctx.args[0];
  const connectionId = ctx.params?.get('connectionId') ?? undefined;
  root.append(
    h(
      'div',
      { class: 'crumbs' },
      h('a', { href: '#/settlements' }, 'Settlements'),
      ' / ',
      h('a', { href: `#/settlements/${encodeURIComponent(id)}` }, id),
      ' / three-way',
    ),
  );
  let r;
  try {
    r = await api(`/settlements/${encodeURIComponent(id)}/three-way`, { query: { connectionId } });
  } catch (err) {
    if (!ctx.isCurrent()) return;
    root.append(
      h('h1', {}, `Three-way reconciliation ${id}`),
      errorBox(
        err.status === 404
          ? new Error(`Sellbridge has no settlement ${id}.`)
          : err.status === 501
            ? new Error('This server has no Sage connection to reconcile against.')
            : new Error(`The reconciliation could not be loaded. ${err.message}`),
      ),
    );
    return;
  }
  if (!ctx.isCurrent()) return;
  const cur = r.currency ?? '';
  const orders = Array.isArray(r.orders) ? r.orders : [];
  const download = h('button', { type: 'button', id: 'three-way-csv' }, 'Export CSV');
  download.addEventListener('click', () => {
    const url = URL.createObjectURL(new Blob([r.csv ?? ''], { type: 'text/csv' }));
    const a = h('a', { href: url, download: `settlement-${id}-three-way.csv` });
    document.body.append(a);
    a.click();
    a.remove();
    URL.revokeObjectURL(url);
  });
  root.append(
    h('div', { class: 'page-head' }, h('h1', {}, 'Three-way reconciliation ', h('code', {}, id)), download),
    h(
      'section',
      { class: 'panel', 'aria-label': 'Summary' },
      h(
        'dl',
        { class: 'kv', id: 'three-way-summary' },
        h('dt', {}, 'Amazon charged'),
        h('dd', {}, exactMoney(r.charged, cur)),
        h('dt', {}, 'Sage orders'),
        h('dd', {}, exactMoney(r.invoiced, cur)),
        h('dt', {}, 'Amazon paid for orders'),
        h('dd', {}, exactMoney(r.paidForOrders, cur)),
        h('dt', {}, 'Rows not tied to an order'),
        h('dd', {}, exactMoney(r.accountLevel, cur)),
        h('dt', {}, 'Deposit'),
        h('dd', {}, exactMoney(r.deposit, cur)),
        h('dt', {}, 'Unreconciled'),
        h('dd', { id: 'three-way-unreconciled' }, h('strong', {}, exactMoney(r.unreconciled, cur))),
        h('dt', {}, 'Settlement differences'),
        h('dd', {}, r.differences?.length ? causes(r.differences, cur) : 'none'),
      ),
    ),
  );
  const panel = h(
    'section',
    { class: 'panel', 'aria-labelledby': 'h-tw-orders' },
    h('h2', { id: 'h-tw-orders' }, `Orders (${int(orders.length)})`),
  );
  root.append(panel);
  if (!orders.length) {
    panel.append(empty('No orders', 'This settlement has no order rows.'));
    return;
  }
  panel.append(
    h(
      'p',
      { class: 'muted small' },
      "Sage's side is what Sage invoiced for the order under invoiced-orders (its invoices; none is 'invoice missing'), else the sales order's total. Fees, withheld tax and promotions are how Amazon pays; the other causes need a look.",
    ),
    table(
      [
        {
          label: 'Amazon order',
          cell: (o) =>
            h('a', { href: `#/orders/${encodeURIComponent(o.amazonOrderId)}` }, h('code', {}, o.amazonOrderId)),
        },
        { label: 'Sage TranNo', cell: (o) => o.tranNo ?? h('span', { class: 'muted' }, 'none') },
        { label: 'Charged', num: true, cell: (o) => exactMoney(o.charged, cur) },
        { label: 'Sage', num: true, cell: (o) => (o.invoiced === undefined ? '—' : exactMoney(o.invoiced, cur)) },
        { label: 'Paid', num: true, cell: (o) => exactMoney(o.paid, cur) },
        { label: 'Differences', cell: (o) => causes(o.differences ?? [], cur) },
      ],
      orders,
    ),
  );
}
