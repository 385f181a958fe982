// Inventory discrepancies: where Sage's available quantity and Amazon's differ beyond the tolerance.
import { api, listOf, notAvailable } from '../api.js';
import { empty, errorBox, h, int, table, timeEl } from '../dom.js';

export async function render(root, ctx) {
  root.append(h('div', { class: 'page-head' }, h('div', {}, h('h1', {}, 'Inventory discrepancies'), h('p', { class: 'muted' }, 'SKUs whose quantity at Amazon differs from what Sage has available.'))));
  const panel = h('section', { class: 'panel', id: 'discrepancies' });
  root.append(panel);
  try {
    const { items } = listOf(await api('/inventory/discrepancies'), 'discrepancies');
    if (!ctx.isCurrent()) return;
    panel.append(items.length ? table([
      { label: 'SKU', cell: (d) => h('code', {}, d.sellerSku ?? d.sku) },
      { label: 'Sage available', num: true, cell: (d) => int(d.sageQuantity ?? d.sage) },
      { label: 'Amazon', num: true, cell: (d) => int(d.amazonQuantity ?? d.amazon) },
      { label: 'Difference', num: true, cell: (d) => int((d.amazonQuantity ?? d.amazon ?? 0) - (d.sageQuantity ?? d.sage ?? 0)) },
      { label: 'Checked', cell: (d) => timeEl(d.checkedAt ?? d.updatedAt) },
    ], items) : empty('No discrepancies', 'Amazon and Sage agree on every SKU checked.'));
  } catch (err) {
    panel.append(notAvailable(err) ? empty('Not available yet', 'Inventory sync is not available in this version of Sellbridge. Discrepancies will be listed here once it is.', h('p', { class: 'small' }, `The server said: ${err.message}`)) : errorBox(err));
  }
}
