// One settlement: status and its journal (debits and credits per GL account, balanced to the cent).
import { api } from '../api.js';
import { badge, empty, errorBox, h, money, table, tone, when } from '../dom.js';

export async function render(root, ctx) {
  const id = ctx.args[0];
  root.append(h('div', { class: 'crumbs' }, h('a', { href: '#/settlements' }, 'Settlements'), ' / ', id));
  let data;
  try {
    data = await api(`/settlements/${encodeURIComponent(id)}`);
  } catch (err) {
    root.append(h('h1', {}, `Settlement ${id}`), errorBox(err));
    return;
  }
  const s = data.settlement ?? data;
  const journal = s.journal ?? data.journal ?? {};
  const lines = journal.lines ?? (Array.isArray(journal) ? journal : []);
  const cur = s.currency ?? journal.currency ?? '';
  const problems = s.problems ?? journal.problems ?? journal.unmapped ?? [];
  root.append(
    h('div', { class: 'page-head' }, h('h1', {}, 'Settlement ', h('code', {}, s.settlementId ?? id), badge(s.status ?? 'unknown', tone(s.status)))),
    h('section', { class: 'panel' }, h('dl', { class: 'kv' },
      h('dt', {}, 'Period'), h('dd', {}, `${when(s.startDate ?? s.periodStart)} → ${when(s.endDate ?? s.periodEnd)}`),
      h('dt', {}, 'Total'), h('dd', {}, money(s.totalMinor ?? s.total?.amountMinor, cur)),
      h('dt', {}, 'Sage batch'), h('dd', {}, s.batchNo ?? s.sageBatch ?? '—'),
      h('dt', {}, 'Posted'), h('dd', {}, when(s.postedAt)))),
    problems.length ? h('section', { class: 'panel' }, h('h2', {}, 'Needs a mapping'), h('ul', {}, problems.map((p) => h('li', {}, typeof p === 'string' ? p : p.message ?? p.category ?? JSON.stringify(p))))) : null,
    h('section', { class: 'panel', 'aria-labelledby': 'h-journal' }, h('h2', { id: 'h-journal' }, 'Journal'),
      lines.length ? table([
        { label: 'GL account', cell: (l) => h('code', {}, l.account ?? l.glAccount ?? '') },
        { label: 'Description', cell: (l) => l.description ?? l.memo ?? '' },
        { label: 'Debit', num: true, cell: (l) => (Number(l.debitMinor ?? 0) ? money(l.debitMinor, cur) : '') },
        { label: 'Credit', num: true, cell: (l) => (Number(l.creditMinor ?? 0) ? money(l.creditMinor, cur) : '') },
      ], lines) : empty('No journal yet', 'The journal is built when the settlement report has been read.')));
}
