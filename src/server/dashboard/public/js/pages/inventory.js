// Inventory discrepancies: stored findings of the listing sync. Read-back flags (Amazon accepted a feed but the
// listing shows another value) and SKU changes held until a person acts (a price outside the guard rails waiting
// for approval, a change Amazon rejected); each hold is a dead letter whose replay approves or resends it.
import { api, notAvailable } from '../api.js';
import { badge, empty, errorBox, h, table, timeEl } from '../dom.js';
import { exactMoney } from './settlements-money.js';

const KIND_WORDS = {
  'price-held': 'price waiting for approval',
  rejected: 'rejected by Amazon',
  'attribute-invalid': 'attribute Amazon will not accept',
  'not-applied': 'accepted but not applied',
};
const kindTone = (k) => (k === 'price-held' ? 'warn' : 'bad');

/** The held value in words: a price {currency, minor} exactly, a quantity, or the JSON text. */
export function heldValue(field, target) {
  if (target && typeof target === 'object' && 'minor' in target && 'currency' in target)
    return exactMoney(target.minor, target.currency);
  if (typeof target === 'number' || typeof target === 'string')
    return `${field === 'quantity' ? 'quantity ' : ''}${target}`;
  return JSON.stringify(target);
}

/** Dead letters of the listing.block queue, by the block id in their job key (`listing.block:<blockId>`). */
async function blockLetters(connectionId) {
  try {
    const data = await api('/dead-letters', {
      query: { queue: 'listing.block', status: 'all', limit: 500, connectionId },
    });
    const byBlock = new Map();
    for (const d of data?.deadLetters ?? []) {
      const m = /^listing\.block:(.+)$/.exec(String(d.jobKey ?? ''));
      if (m && (!byBlock.has(m[1]) || d.status === 'open')) byBlock.set(m[1], d);
    }
    return byBlock;
  } catch {
    return new Map(); // the links fall back to the dead-letter list filtered by queue
  }
}

export async function render(root, ctx) {
  root.append(
    h(
      'div',
      { class: 'page-head' },
      h(
        'div',
        {},
        h('h1', {}, 'Inventory discrepancies'),
        h(
          'p',
          { class: 'muted' },
          'What the listing sync found: values Amazon did not apply, and SKU changes held until someone acts. ',
          h(
            'a',
            { href: '#/inventory/listing-problems', id: 'to-listing-problems' },
            'Listing problems reported by Amazon',
          ),
        ),
      ),
    ),
  );
  const note = h('div', { class: 'info-box', id: 'inventory-note' });
  const flagsPanel = h('section', { class: 'panel', id: 'inventory-flags', 'aria-labelledby': 'h-flags' });
  const heldPanel = h('section', { class: 'panel', id: 'inventory-held', 'aria-labelledby': 'h-held' });
  // #discrepancies wraps every section (test/e2e/dashboard.test.ts waits for '#discrepancies .empty, #discrepancies table').
  root.append(h('div', { id: 'discrepancies' }, note, heldPanel, flagsPanel));
  let data;
  try {
    data = await api('/inventory/discrepancies', { query: { connectionId: ctx.connection } });
  } catch (err) {
    if (!ctx.isCurrent()) return;
    note.remove();
    heldPanel.remove();
    flagsPanel.append(
      notAvailable(err) && err.status === 501
        ? empty(
            'Not available yet',
            'Inventory sync is not available in this version of Sellbridge.',
            h('p', { class: 'small' }, `The server said: ${err.message}`),
          )
        : errorBox(new Error(`Inventory discrepancies could not be loaded. ${err.message}`)),
    );
    return;
  }
  if (!ctx.isCurrent()) return;
  const flags = Array.isArray(data?.flags) ? data.flags : [];
  const held = Array.isArray(data?.held) ? data.held : [];
  if (data?.note) note.append(h('strong', {}, 'Note: '), data.note);
  else note.remove();

  const letters = held.length ? await blockLetters(ctx.connection) : new Map();
  if (!ctx.isCurrent()) return;
  heldPanel.append(
    h('h2', { id: 'h-held' }, 'Held changes'),
    h(
      'p',
      { class: 'muted small' },
      'Not sent to Amazon until a person acts: replaying the dead letter approves the price or resends the change; discarding it keeps it held.',
    ),
  );
  heldPanel.append(
    held.length
      ? table(
          [
            { label: 'SKU', cell: (b) => h('code', {}, b.sku) },
            { label: 'Marketplace', cell: (b) => h('code', {}, b.marketplaceId ?? '—') },
            { label: 'Kind', cell: (b) => badge(KIND_WORDS[b.kind] ?? b.kind, kindTone(b.kind)) },
            { label: 'Field', cell: (b) => b.field ?? '—' },
            { label: 'Held value', num: true, cell: (b) => heldValue(b.field, b.target) },
            { label: 'Reason', cell: (b) => b.reason ?? '' },
            { label: 'Since', cell: (b) => timeEl(b.createdAt) },
            {
              label: 'Dead letter',
              cell: (b) => {
                const d = letters.get(b.id);
                if (d)
                  return h(
                    'a',
                    { href: `#/dead-letters/${encodeURIComponent(d.id)}`, class: 'btn' },
                    d.status === 'open' ? 'Review and approve' : `Dead letter (${d.status})`,
                  );
                return h(
                  'span',
                  {},
                  b.state === 'new' ? h('span', { class: 'muted small' }, 'not dead-lettered yet; ') : null,
                  h('a', { href: '#/dead-letters?queue=listing.block' }, 'listing.block dead letters'),
                );
              },
            },
          ],
          held,
        )
      : empty('Nothing held', 'No price is waiting for approval and no SKU change is held.'),
  );

  flagsPanel.append(
    h('h2', { id: 'h-flags' }, 'Read-back flags'),
    h(
      'p',
      { class: 'muted small' },
      'After a feed, Sellbridge reads the listings back; these show another value than the one Amazon accepted.',
    ),
  );
  flagsPanel.append(
    flags.length
      ? table(
          [
            { label: 'SKU', cell: (f) => h('code', {}, f.sku) },
            { label: 'Marketplace', cell: (f) => h('code', {}, f.marketplaceId ?? '—') },
            { label: 'Finding', cell: (f) => badge(KIND_WORDS[f.kind] ?? f.kind, kindTone(f.kind)) },
            { label: 'Detail', cell: (f) => f.detail ?? '' },
            { label: 'Feed', cell: (f) => (f.feedId ? h('code', {}, f.feedId) : '—') },
            { label: 'Found', cell: (f) => timeEl(f.createdAt) },
          ],
          flags,
        )
      : empty('No read-back discrepancies', 'Every listing read back after a feed shows the value Amazon accepted.'),
  );
}
