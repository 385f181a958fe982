// One settlement: state, the Sage GL journals as posted (debits and credits per account, balanced to the cent)
// and the per-order sums Amazon paid, matched against the orders Sellbridge knows.
import { api } from '../api.js';
import { badge, empty, errorBox, h, int, table, timeEl, when } from '../dom.js';
import { STATE_MEANING, exactMoney, minorOf, settlementTone, sumMinor } from './settlements-money.js';

/** A journal's lines split into debit (positive) and credit (negative) columns, totals by BigInt arithmetic. */
export function journalTotals(lines) {
  let debit = 0n;
  let credit = 0n;
  let unreadable = 0;
  for (const l of lines) {
    const n = minorOf(l?.amount?.minor);
    if (n === null) unreadable++;
    else if (n > 0n) debit += n;
    else credit += -n;
  }
  return { debit, credit, unreadable, balanced: unreadable === 0 && debit === credit };
}

function journalPanel(j, index, title) {
  const cur = j.currency ?? j.lines?.[0]?.amount?.currency ?? '';
  const lines = Array.isArray(j.lines) ? j.lines : [];
  const t = journalTotals(lines);
  const cell = (label, content, cls) => h('td', { 'data-label': label, class: cls ?? null }, content);
  const rows = lines.map((l) => {
    const n = minorOf(l?.amount?.minor);
    return h(
      'tr',
      {},
      cell('GL account', h('code', {}, l.account ?? '')),
      cell('Comment', l.comment ?? ''),
      cell('Debit', n !== null && n > 0n ? exactMoney(n, cur) : null, 'num'),
      cell('Credit', n !== null && n < 0n ? exactMoney(-n, cur) : n === null ? 'unreadable amount' : null, 'num'),
    );
  });
  const diff = t.debit - t.credit;
  const verdict = t.balanced
    ? badge('balanced', 'ok')
    : badge(
        t.unreadable
          ? `${t.unreadable} unreadable amount(s)`
          : `out of balance by ${exactMoney(diff < 0n ? -diff : diff, cur)}`,
        'bad',
      );
  return h(
    'section',
    { class: 'panel journal', 'aria-labelledby': `h-journal-${index}` },
    h(
      'div',
      { class: 'panel-head' },
      h('h2', { id: `h-journal-${index}` }, title, ' ', h('code', {}, j.reference ?? '')),
      h('span', {}, verdict),
    ),
    h(
      'dl',
      { class: 'kv' },
      h('dt', {}, 'Sage batch'),
      h(
        'dd',
        {},
        j.batchNo !== undefined
          ? h(
              'span',
              {},
              h('strong', {}, String(j.batchNo)),
              j.batchKey !== undefined ? h('span', { class: 'muted small' }, ` (key ${j.batchKey})`) : null,
            )
          : h('span', { class: 'muted' }, 'not created yet'),
      ),
      h('dt', {}, 'Post date'),
      h('dd', {}, j.postDate ?? '—'),
      h('dt', {}, 'Currency'),
      h('dd', {}, cur || '—'),
      j.outcome
        ? [
            h('dt', {}, 'Outcome'),
            h(
              'dd',
              {},
              j.outcome === 'existing'
                ? 'the batch already existed in Sage (found by its reference, not posted twice)'
                : 'created in Sage',
            ),
          ]
        : null,
    ),
    lines.length
      ? h(
          'div',
          { class: 'table-wrap' },
          h(
            'table',
            { class: 'responsive journal-lines' },
            h(
              'thead',
              {},
              h(
                'tr',
                {},
                h('th', { scope: 'col' }, 'GL account'),
                h('th', { scope: 'col' }, 'Comment'),
                h('th', { scope: 'col', class: 'num' }, 'Debit'),
                h('th', { scope: 'col', class: 'num' }, 'Credit'),
              ),
            ),
            h('tbody', {}, rows),
            h(
              'tfoot',
              {},
              h(
                'tr',
                {},
                cell('', h('strong', {}, 'Total')),
                cell('', `${lines.length} lines`),
                cell('Debit', exactMoney(t.debit, cur), 'num total'),
                cell('Credit', exactMoney(t.credit, cur), 'num total'),
              ),
            ),
          ),
        )
      : empty('No lines', 'This journal has no lines.'),
  );
}

export async function render(root, ctx) {
  const id = ctx.args[0];
  const connectionId = ctx.params?.get('connectionId') ?? undefined;
  root.append(h('div', { class: 'crumbs' }, h('a', { href: '#/settlements' }, 'Settlements'), ' / ', id));
  let s;
  try {
    s = await api(`/settlements/${encodeURIComponent(id)}`, { query: { connectionId } });
  } catch (err) {
    if (!ctx.isCurrent()) return;
    root.append(
      h('h1', {}, `Settlement ${id}`),
      errorBox(
        err.status === 404
          ? new Error(
              `Sellbridge has no settlement ${id}${connectionId ? ` for connection ${connectionId}` : ''}. It may not be imported yet, or the link is wrong.`,
            )
          : new Error(`This settlement could not be loaded. ${err.message}`),
      ),
    );
    return;
  }
  if (!ctx.isCurrent()) return;
  const cur = s.currency ?? '';
  const journals = Array.isArray(s.journals) ? s.journals : [];
  const pending = Array.isArray(s.pendingJournals) ? s.pendingJournals : [];
  const orders = Array.isArray(s.orders) ? s.orders : [];

  root.append(
    h(
      'div',
      { class: 'page-head' },
      h(
        'h1',
        {},
        'Settlement ',
        h('code', {}, s.settlementId ?? id),
        badge(s.state ?? 'unknown', settlementTone(s.state)),
      ),
      h(
        'a',
        { href: `#/settlements/${encodeURIComponent(s.settlementId ?? id)}/three-way`, id: 'three-way-link' },
        'Three-way reconciliation',
      ),
    ),
    h(
      'section',
      { class: 'panel', 'aria-label': 'Summary' },
      h(
        'dl',
        { class: 'kv' },
        h('dt', {}, 'State'),
        h(
          'dd',
          {},
          `${s.state ?? 'unknown'}${STATE_MEANING[s.state] ? ' — ' + STATE_MEANING[s.state] : ''}${Number(s.revision) > 1 ? ` (revision ${s.revision})` : ''}`,
        ),
        h('dt', {}, 'Total deposit'),
        h('dd', { id: 'settlement-total' }, h('strong', {}, exactMoney(s.totalMinor, cur))),
        h('dt', {}, 'Period'),
        h('dd', {}, `${when(s.periodStart)} → ${when(s.periodEnd)}`),
        h('dt', {}, 'Deposit date'),
        h('dd', {}, when(s.depositDate)),
        h('dt', {}, 'Rows in the file'),
        h('dd', {}, int(s.rows)),
        h('dt', {}, 'Source'),
        h('dd', {}, h('code', {}, s.source ?? '—')),
        h('dt', {}, 'Connection'),
        h('dd', {}, s.connectionId ?? '—'),
        h('dt', {}, 'Last change'),
        h('dd', {}, timeEl(s.updatedAt)),
      ),
    ),
  );
  if (s.lastError) root.append(h('div', { class: 'error-box', role: 'alert' }, `Last error: ${s.lastError}`));

  if (journals.length)
    journals.forEach((j, i) => root.append(journalPanel(j, i, journals.length > 1 ? `Journal ${i + 1}` : 'Journal')));
  else
    root.append(
      h(
        'section',
        { class: 'panel' },
        h('h2', {}, 'Journal'),
        empty(
          'No journal posted yet',
          pending.length
            ? 'The journal below is waiting to be posted to Sage.'
            : 'The journal is posted to Sage when the settlement report has been read.',
        ),
      ),
    );
  pending.forEach((j, i) => root.append(journalPanel(j, journals.length + i, 'Waiting to be posted:')));

  // Reconciliation: what Amazon paid per order, as the settlement says, and whether the orders add up.
  const opanel = h(
    'section',
    { class: 'panel', id: 'settlement-orders', 'aria-labelledby': 'h-orders' },
    h('h2', { id: 'h-orders' }, 'Orders in this settlement'),
  );
  root.append(opanel);
  if (!orders.length) {
    opanel.append(
      empty(
        'No orders',
        'This settlement has no order rows (fees, reserves or transfers only), or the file had no order ids.',
      ),
    );
    return;
  }
  const byCur = new Map();
  for (const o of orders) byCur.set(o.currency ?? cur, [...(byCur.get(o.currency ?? cur) ?? []), o.amountMinor]);
  const sums = [...byCur.entries()].map(([c, v]) => [c, sumMinor(v).total]);
  const total = minorOf(s.totalMinor);
  const sameCur = sums.length === 1 && sums[0][0] === cur && total !== null;
  opanel.append(
    h(
      'p',
      { class: 'muted small' },
      'Net amount per order: every row of the file naming the order (principal, tax, shipping, its fees, refunds). ',
      'Open an order to see what Sellbridge did with it; ',
      h('code', {}, 'sellbridge settlements reconcile'),
      ' lists orders Sellbridge created that no settlement names yet.',
    ),
    h(
      'dl',
      { class: 'kv', id: 'settlement-reconciliation' },
      h('dt', {}, 'Orders'),
      h('dd', {}, int(orders.length)),
      h('dt', {}, 'Sum over orders'),
      h('dd', {}, sums.map(([c, t]) => exactMoney(t, c)).join(' + ')),
      sameCur
        ? [
            h('dt', {}, 'Rows not tied to an order'),
            h(
              'dd',
              {},
              exactMoney(total - sums[0][1], cur),
              h('span', { class: 'muted small' }, ' (account fees, reserves, transfers)'),
            ),
          ]
        : null,
      sameCur ? [h('dt', {}, 'Total deposit'), h('dd', {}, exactMoney(total, cur))] : null,
    ),
    table(
      [
        {
          label: 'Amazon order',
          cell: (o) =>
            h('a', { href: `#/orders/${encodeURIComponent(o.amazonOrderId)}` }, h('code', {}, o.amazonOrderId)),
        },
        { label: 'Amount', num: true, cell: (o) => exactMoney(o.amountMinor, o.currency ?? cur) },
        { label: 'Rows', num: true, cell: (o) => int(o.rows) },
        { label: 'Posted', cell: (o) => (o.postedAt ? timeEl(o.postedAt) : h('span', { class: 'muted' }, 'not yet')) },
      ],
      orders,
    ),
  );
}
