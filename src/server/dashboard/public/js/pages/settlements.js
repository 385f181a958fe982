// Settlements: Amazon settlement reports with their Sage posting state, and the files refused as a whole.
import { api, notAvailable } from '../api.js';
import { badge, empty, errorBox, h, int, table, timeEl, when } from '../dom.js';
import { STATE_MEANING, exactMoney, settlementTone } from './settlements-money.js';

const day = (iso) => (iso ? String(iso).slice(0, 10) : '—');
export const settlementHref = (s) =>
  `#/settlements/${encodeURIComponent(s.settlementId)}${s.connectionId ? `?connectionId=${encodeURIComponent(s.connectionId)}` : ''}`;

/** A quarantined file's problems as "field: problem" lines; the message when there are none. */
export function diagnosis(q) {
  const issues = Array.isArray(q.issues) ? q.issues : [];
  if (issues.length === 0)
    return h('span', {}, typeof q.issues === 'string' && q.issues ? q.issues : (q.message ?? ''));
  // The message often repeats the issues; show it only when it says more than they do.
  const said = issues.map((i) => (i && typeof i === 'object' ? (i.problem ?? i.message ?? '') : String(i)));
  const extra = q.message && !said.every((t) => t && q.message.includes(t));
  return h(
    'div',
    {},
    extra ? h('p', { class: 'small diagnosis-message' }, q.message) : null,
    h(
      'ul',
      { class: 'issues' },
      issues.map((i) =>
        h(
          'li',
          {},
          i && typeof i === 'object'
            ? [i.field ? h('strong', {}, `${i.field}: `) : null, i.problem ?? i.message ?? JSON.stringify(i)]
            : String(i),
        ),
      ),
    ),
  );
}

export async function render(root, ctx) {
  root.append(
    h(
      'div',
      { class: 'page-head' },
      h(
        'div',
        {},
        h('h1', {}, 'Settlements'),
        h(
          'p',
          { class: 'muted' },
          'Amazon pays out per settlement period; each becomes one balanced Sage GL batch per currency, posted once.',
        ),
      ),
    ),
  );
  const panel = h('section', { class: 'panel', id: 'settlements', 'aria-labelledby': 'h-settlements' });
  const qpanel = h('section', { class: 'panel', id: 'quarantine', 'aria-labelledby': 'h-quarantine' });
  root.append(panel, qpanel);
  let data;
  try {
    data = await api('/settlements', { query: { connectionId: ctx.connection } });
  } catch (err) {
    if (!ctx.isCurrent()) return;
    panel.append(
      notAvailable(err) && err.status === 501
        ? empty(
            'Not available yet',
            'Settlement posting is not available in this version of Sellbridge.',
            h('p', { class: 'small' }, `The server said: ${err.message}`),
          )
        : errorBox(new Error(`Settlements could not be loaded. ${err.message}`)),
    );
    qpanel.remove();
    return;
  }
  if (!ctx.isCurrent()) return;
  const settlements = Array.isArray(data?.settlements) ? data.settlements : [];
  const quarantine = Array.isArray(data?.quarantine) ? data.quarantine : [];

  panel.append(h('h2', { id: 'h-settlements' }, 'Settlement reports'));
  panel.append(
    settlements.length
      ? table(
          [
            { label: 'Settlement', cell: (s) => h('a', { href: settlementHref(s) }, h('code', {}, s.settlementId)) },
            { label: 'Deposit', cell: (s) => day(s.depositDate) },
            { label: 'Period', cell: (s) => `${day(s.periodStart)} → ${day(s.periodEnd)}` },
            { label: 'Total', num: true, cell: (s) => exactMoney(s.totalMinor, s.currency) },
            { label: 'Rows', num: true, cell: (s) => int(s.rows) },
            { label: 'Sage batches', num: true, cell: (s) => int(s.journalCount) },
            {
              label: 'State',
              cell: (s) =>
                h(
                  'span',
                  {},
                  badge(s.state ?? 'unknown', settlementTone(s.state)),
                  Number(s.revision) > 1 ? h('span', { class: 'small muted' }, ` revision ${s.revision}`) : null,
                ),
            },
            {
              label: 'Last error',
              cell: (s) =>
                s.lastError ? h('span', { class: 'text-bad' }, s.lastError) : h('span', { class: 'muted' }, 'none'),
            },
          ],
          settlements,
          (s) => ctx.navigate(settlementHref(s)),
        )
      : empty(
          'No settlements yet',
          'Settlement reports appear here once Amazon publishes them and Sellbridge imports them (automatically, or with `sellbridge settlements import <file>`).',
        ),
  );
  if (settlements.length) {
    const states = [...new Set(settlements.map((s) => s.state).filter(Boolean))];
    panel.append(
      h(
        'p',
        { class: 'small muted' },
        states.map((st, i) => [
          i ? ' · ' : '',
          badge(st, settlementTone(st)),
          STATE_MEANING[st] ? ` ${STATE_MEANING[st]}` : '',
        ]),
      ),
    );
  }

  qpanel.append(
    h('h2', { id: 'h-quarantine' }, 'Quarantined files'),
    h(
      'p',
      { class: 'muted small' },
      'Files refused as a whole (malformed, unmapped categories, rows that do not add up): nothing of them was posted. Fix the cause and import the file again.',
    ),
  );
  qpanel.append(
    quarantine.length
      ? table(
          [
            { label: 'File', cell: (q) => h('code', {}, q.source ?? '—') },
            {
              label: 'Settlement',
              cell: (q) => (q.settlementId ? h('code', {}, q.settlementId) : h('span', { class: 'muted' }, 'unknown')),
            },
            { label: 'Code', cell: (q) => badge(q.code ?? 'unknown', 'bad') },
            { label: 'Diagnosis', cell: diagnosis },
            { label: 'Refused', cell: (q) => h('span', { title: when(q.createdAt) }, timeEl(q.createdAt)) },
          ],
          quarantine,
        )
      : empty('No quarantined files', 'Every settlement file read so far was accepted.'),
  );
}
