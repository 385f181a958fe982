// Listing problems per SKU: what Amazon's LISTINGS_ITEM_STATUS_CHANGE / LISTINGS_ITEM_ISSUES_CHANGE notifications said
// (not buyable, issue severities, enforcement actions such as a suppression) with the causes Sellbridge read back
// from the listing (issue code, message, the attributes concerned). From GET /inventory/listing-problems.
import { api, notAvailable } from '../api.js';
import { badge, empty, errorBox, h, table, timeEl } from '../dom.js';

const ENFORCEMENT_WORDS = {
  LISTING_SUPPRESSED: 'suppressed',
  SEARCH_SUPPRESSED: 'hidden from search',
  ATTRIBUTE_SUPPRESSED: 'attribute suppressed',
  CATALOG_ITEM_REMOVED: 'catalog item removed',
};
/** Amazon's issue codes and categories for a missing attribute are many; the message and attribute tell. */
const MISSING = /missing|required but not supplied|not supplied/i;

/** The problem in words, worst first: each a [text, tone] pair. */
export function problemBadges(p) {
  const out = [];
  for (const e of p.enforcementActions ?? [])
    out.push([ENFORCEMENT_WORDS[e] ?? e.toLowerCase().replace(/_/g, ' '), 'bad']);
  if (Array.isArray(p.statuses) && !p.statuses.includes('BUYABLE'))
    out.push([p.statuses.includes('DELETED') ? 'deleted' : 'not buyable', 'bad']);
  const issues = p.issues ?? [];
  if (issues.some((i) => MISSING.test(`${i.code} ${i.message}`))) out.push(['missing attributes', 'warn']);
  const severities = new Set([...(p.severities ?? []), ...issues.map((i) => i.severity)]);
  if (severities.has('ERROR') && out.length === 0) out.push(['error', 'bad']);
  if (severities.has('WARNING')) out.push(['warning', 'warn']);
  if (out.length === 0) out.push(['no problem', 'ok']);
  return out;
}

/** One cause: severity, code, message, the attributes named and what Amazon did about it. */
function cause(i) {
  return h(
    'li',
    { class: 'cause' },
    badge(i.severity ?? 'issue', i.severity === 'ERROR' ? 'bad' : i.severity === 'WARNING' ? 'warn' : ''),
    ' ',
    h('code', {}, i.code),
    ' ',
    i.message,
    i.attributeNames?.length
      ? h('span', { class: 'muted small' }, ` — attributes: ${i.attributeNames.join(', ')}`)
      : null,
    i.enforcements?.length
      ? h('span', { class: 'muted small' }, ` — ${i.enforcements.map((e) => ENFORCEMENT_WORDS[e] ?? e).join(', ')}`)
      : null,
  );
}

function causes(p) {
  if (p.issues === undefined)
    return h('span', { class: 'muted small' }, 'not read yet (Sellbridge reads the listing after the notification)');
  if (p.issues.length === 0) return h('span', { class: 'muted small' }, 'Amazon lists no issue');
  return h('ul', { class: 'causes' }, p.issues.map(cause));
}

export async function render(root, ctx) {
  const all = ctx.params.get('all') === 'true';
  const connection = ctx.connection || undefined;
  const toggle = h('input', {
    type: 'checkbox',
    id: 'problems-all',
    checked: all,
    onchange: (e) => ctx.navigate(`#/inventory/listing-problems${e.target.checked ? '?all=true' : ''}`),
  });
  root.append(
    h(
      'div',
      { class: 'page-head' },
      h(
        'div',
        {},
        h('h1', {}, 'Listing problems'),
        h(
          'p',
          { class: 'muted' },
          'What Amazon said of your listings (status and issue notifications), per SKU, with the causes read back from the listing. ',
          h('a', { href: '#/inventory' }, 'Inventory discrepancies'),
        ),
      ),
      h('label', { class: 'small check-label', for: 'problems-all' }, toggle, ' Show every SKU Amazon notified'),
    ),
  );
  const panel = h('section', { class: 'panel', id: 'listing-problems', 'aria-labelledby': 'h-problems' });
  root.append(panel);
  let data;
  try {
    data = await api('/inventory/listing-problems', {
      query: { connectionId: connection, ...(all ? { all: 'true' } : {}), limit: 1000 },
    });
  } catch (err) {
    if (!ctx.isCurrent()) return;
    panel.append(
      notAvailable(err) && err.status === 501
        ? empty('Not available yet', 'Listing problems are not available in this version of Sellbridge.')
        : errorBox(new Error(`Listing problems could not be loaded. ${err.message}`)),
    );
    return;
  }
  if (!ctx.isCurrent()) return;
  const problems = Array.isArray(data?.problems) ? data.problems : [];
  panel.append(
    h('h2', { id: 'h-problems' }, all ? 'Every SKU Amazon notified' : 'SKUs with a problem'),
    problems.length
      ? table(
          [
            ...(connection ? [] : [{ label: 'Connection', cell: (p) => h('code', {}, p.connectionId) }]),
            { label: 'SKU', cell: (p) => h('code', {}, p.sku) },
            { label: 'Marketplace', cell: (p) => h('code', {}, p.marketplaceId === '*' ? 'any' : p.marketplaceId) },
            { label: 'ASIN', cell: (p) => (p.asin ? h('code', {}, p.asin) : '—') },
            {
              label: 'Problem',
              cell: (p) =>
                h(
                  'span',
                  { class: 'badges' },
                  problemBadges(p).map(([text, t]) => [badge(text, t), ' ']),
                ),
            },
            { label: 'Status', cell: (p) => (p.statuses ? p.statuses.join(', ') || 'none' : '—') },
            { label: 'Causes', cell: causes },
            { label: 'Notified', cell: (p) => timeEl(p.eventTime) },
          ],
          problems,
        )
      : empty(
          all ? 'No notification yet' : 'No listing problem',
          all
            ? 'Amazon has sent no listing status or issue notification for this connection.'
            : 'Every listing Amazon notified about is buyable, with no error, warning or enforcement.',
        ),
  );
}
