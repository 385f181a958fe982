// Settlements: Amazon settlement reports, their Sage journal and posting status.
import { api, listOf, notAvailable } from '../api.js';
import { badge, empty, errorBox, h, money, table, tone, when } from '../dom.js';

export async function render(root, ctx) {
  root.append(h('div', { class: 'page-head' }, h('div', {}, h('h1', {}, 'Settlements'), h('p', { class: 'muted' }, 'Amazon pays out per settlement period; each becomes a balanced Sage journal.'))));
  const panel = h('section', { class: 'panel', id: 'settlements' });
  root.append(panel);
  try {
    const { items } = listOf(await api('/settlements'), 'settlements');
    if (!ctx.isCurrent()) return;
    panel.append(items.length ? table([
      { label: 'Settlement', cell: (s) => h('a', { href: `#/settlements/${encodeURIComponent(s.id ?? s.settlementId)}` }, h('code', {}, s.settlementId ?? s.id)) },
      { label: 'Period', cell: (s) => `${when(s.startDate ?? s.periodStart).slice(0, 10)} → ${when(s.endDate ?? s.periodEnd).slice(0, 10)}` },
      { label: 'Total', num: true, cell: (s) => money(s.totalMinor ?? s.total?.amountMinor, s.currency ?? s.total?.currency) },
      { label: 'Status', cell: (s) => badge(s.status ?? 'unknown', tone(s.status)) },
    ], items, (s) => ctx.navigate(`#/settlements/${encodeURIComponent(s.id ?? s.settlementId)}`))
      : empty('No settlements yet', 'Settlement reports appear here once Amazon publishes them and Sellbridge reads them.'));
  } catch (err) {
    panel.append(notAvailable(err) ? empty('Not available yet', 'Settlement posting is not available in this version of Sellbridge. Reports will be listed here with their journal and status once it is.', h('p', { class: 'small' }, `The server said: ${err.message}`)) : errorBox(err));
  }
}
