/* global fetch */
// Mappings editor: SKU aliases (list, add, delete); carriers, GL rules, custom fields shown with CSV download/upload.
import { api, listOf, notAvailable } from '../api.js';
import { badge, clear, empty, errorBox, field, h, table, timeEl } from '../dom.js';

const OTHER = [
  {
    path: '/mappings/carriers',
    title: 'Carriers',
    text: 'Sage ship methods mapped to Amazon carrier codes.',
    csv: true,
  },
  {
    path: '/mappings/gl-rules',
    title: 'GL rules',
    text: 'Settlement categories mapped to Sage GL accounts.',
    csv: true,
  },
  {
    path: '/mappings/custom-fields',
    title: 'Custom fields',
    text: 'Sage item fields sent as Amazon listing attributes.',
    csv: true,
  },
  { path: '/mappings/customers', title: 'Customers', text: 'Amazon marketplace to Sage customer and warehouse.' },
];

export async function render(root, ctx) {
  const mayEdit = ctx.can.editMappings !== false;
  const list = h('div', { id: 'aliases' });
  const sku = h('input', {
    id: 'alias-sku',
    name: 'sellerSku',
    required: true,
    autocomplete: 'off',
    placeholder: 'Amazon SellerSKU',
  });
  const item = h('input', {
    id: 'alias-item',
    name: 'itemId',
    required: true,
    autocomplete: 'off',
    placeholder: 'Sage ItemID',
  });
  const conn = h('input', { id: 'alias-conn', name: 'connectionId', autocomplete: 'off', value: 'default' });
  const formMsg = h('div', { role: 'status' });
  const form = h(
    'form',
    {
      class: 'filters',
      novalidate: true,
      'aria-label': 'Add an SKU alias',
      onsubmit: async (e) => {
        e.preventDefault();
        if (!sku.value.trim() || !item.value.trim())
          return formMsg.replaceChildren(
            h('div', { class: 'error-box', role: 'alert' }, 'Enter both the Amazon SKU and the Sage ItemID.'),
          );
        try {
          await api('/mappings/sku-aliases', {
            method: 'POST',
            body: {
              sellerSku: sku.value.trim(),
              itemId: item.value.trim(),
              connectionId: conn.value.trim() || undefined,
            },
          });
          ctx.notify(`Alias ${sku.value.trim()} → ${item.value.trim()} saved.`);
          formMsg.replaceChildren();
          sku.value = item.value = '';
          sku.focus();
          await loadAliases();
        } catch (err) {
          formMsg.replaceChildren(errorBox(err));
        }
      },
    },
    field('Amazon SKU', sku),
    field('Sage item', item),
    field('Connection', conn),
    h('div', { class: 'field-btn' }, h('button', { class: 'btn btn-primary', type: 'submit' }, 'Add alias')),
  );

  const others = h('div', { class: 'grid grid-2' });
  root.append(
    h(
      'div',
      { class: 'page-head' },
      h(
        'div',
        {},
        h('h1', {}, 'Mappings'),
        h(
          'p',
          { class: 'muted' },
          'How Amazon names map to Sage 500. Changes apply to the next order; replay dead letters to apply them to failed ones.',
        ),
        h(
          'p',
          {},
          h(
            'a',
            { class: 'btn btn-primary', href: '#/connections/default/mappings', id: 'edit-order-mapping' },
            'Edit the order mapping (customers, warehouses, ship methods, charge items…)',
          ),
        ),
      ),
    ),
    h(
      'section',
      { class: 'panel', 'aria-labelledby': 'h-alias' },
      h('h2', { id: 'h-alias' }, 'SKU aliases'),
      h(
        'p',
        { class: 'muted small' },
        'An Amazon SellerSKU that is not a Sage ItemID, alias or UPC is looked up here.',
      ),
      mayEdit
        ? [form, formMsg]
        : h('p', { class: 'small' }, `Your role (${ctx.user.role}) can read the mappings but not change them.`),
      list,
    ),
    others,
  );

  async function loadAliases() {
    try {
      const { items } = listOf(await api('/mappings/sku-aliases'), 'aliases', 'skuAliases');
      if (!ctx.isCurrent()) return;
      clear(list).append(
        items.length
          ? table(
              [
                { label: 'Amazon SKU', cell: (a) => h('code', {}, a.sellerSku) },
                { label: 'Sage item', cell: (a) => h('code', {}, a.itemId) },
                { label: 'Connection', cell: (a) => a.connectionId ?? '' },
                { label: 'Updated', cell: (a) => timeEl(a.updatedAt) },
                {
                  label: '',
                  cell: (a) =>
                    !mayEdit
                      ? ''
                      : h(
                          'button',
                          {
                            class: 'btn btn-danger',
                            type: 'button',
                            'aria-label': `Delete alias ${a.sellerSku}`,
                            onclick: async (e) => {
                              e.currentTarget.disabled = true;
                              try {
                                await api(`/mappings/sku-aliases/${encodeURIComponent(a.id ?? a.sellerSku)}`, {
                                  method: 'DELETE',
                                });
                                ctx.notify(`Alias ${a.sellerSku} deleted.`);
                                await loadAliases();
                              } catch (err) {
                                ctx.notify(err.message, 'bad');
                              }
                            },
                          },
                          'Delete',
                        ),
                },
              ],
              items,
            )
          : empty('No aliases yet', 'Add one above, or from a dead letter whose SKU is unknown.'),
      );
    } catch (err) {
      clear(list).append(errorBox(err));
    }
  }

  await Promise.all([
    loadAliases(),
    ...OTHER.map(async (o) => {
      const panel = h(
        'section',
        { class: 'panel', 'data-mapping': o.path },
        h('h2', {}, o.title),
        h('p', { class: 'muted small' }, o.text),
      );
      others.append(panel);
      if (o.csv) panel.append(csvTools(o, mayEdit, ctx));
      try {
        const data = await api(o.path);
        const { items } = listOf(data, 'items', 'carriers', 'fields');
        if (data && typeof data === 'object' && 'rules' in data) {
          panel.append(
            h(
              'p',
              { class: 'small' },
              badge(data.editable ? 'editable' : 'read-only', data.editable ? 'ok' : 'info'),
              ' ',
              data.source === 'config' ? 'from sellbridge.yaml' : 'built-in defaults',
            ),
            rulesView(data.rules),
            data.note ? h('p', { class: 'muted small' }, data.note) : null,
          );
        } else {
          panel.append(
            items.length
              ? table(
                  Object.keys(items[0])
                    .filter((k) => k !== 'id')
                    .slice(0, 4)
                    .map((k) => ({ label: k, cell: (r) => fmt(r[k]) })),
                  items,
                )
              : empty('None yet', 'The defaults apply.'),
          );
        }
      } catch (err) {
        panel.append(
          notAvailable(err)
            ? empty('Not available yet', 'This mapping cannot be shown here in this version.')
            : errorBox(err),
        );
      }
    }),
  ]);
}

/**
 * Download the effective rules as CSV (edit in a spreadsheet) and upload them back: the upload replaces the stored
 * rows all-or-nothing; the server's 400 names each bad row and field.
 */
function csvTools(o, mayEdit, ctx) {
  const msg = h('div', { role: 'status' });
  const input = h('input', {
    type: 'file',
    accept: '.csv,text/csv',
    'aria-label': `Upload ${o.title} CSV`,
    onchange: async (e) => {
      const file = e.currentTarget.files && e.currentTarget.files[0];
      if (!file) return;
      try {
        const res = await fetch(`/api/v1${o.path}.csv`, {
          method: 'POST',
          credentials: 'same-origin',
          headers: { 'content-type': 'text/csv', accept: 'application/json' },
          body: await file.text(),
        });
        const data = await res.json().catch(() => ({}));
        if (!res.ok) throw new Error(data.error || `upload refused (HTTP ${res.status})`);
        ctx.notify(`${o.title}: ${data.imported} row(s) imported. Reload the page to see them.`);
        msg.replaceChildren();
      } catch (err) {
        msg.replaceChildren(h('div', { class: 'error-box', role: 'alert' }, err.message));
      } finally {
        e.currentTarget.value = '';
      }
    },
  });
  return h(
    'div',
    { class: 'filters' },
    h('a', { class: 'btn', href: `/api/v1${o.path}.csv?effective=true`, download: '' }, 'Download CSV'),
    mayEdit ? field('Upload CSV (replaces the edited rows)', input) : null,
    msg,
  );
}

/** Rules as tables: a list of records becomes rows, a map becomes name/value rows; long lists fold away. */
function rulesView(rules) {
  if (!rules || typeof rules !== 'object' || Array.isArray(rules)) return valueView(rules, 1);
  return h(
    'div',
    {},
    Object.entries(rules).map(([k, v]) => h('div', {}, h('h3', {}, words(k)), valueView(v, 1))),
  );
}

function valueView(v, depth) {
  if (Array.isArray(v)) {
    if (!v.length) return h('span', { class: 'muted' }, 'none');
    if (v.every((x) => x === null || typeof x !== 'object')) return v.map(fmt).join(', ');
    const keys = [...new Set(v.flatMap((r) => Object.keys(r ?? {})))].slice(0, 5);
    return fold(
      v.length,
      table(
        keys.map((k) => ({ label: words(k), cell: (r) => valueView(r?.[k], depth + 1) })),
        v,
      ),
    );
  }
  if (v && typeof v === 'object') {
    const entries = Object.entries(v);
    if (depth > 1)
      return entries
        .map(([k, x]) => `${words(k)}: ${typeof x === 'object' && x !== null ? JSON.stringify(x) : fmt(x)}`)
        .join(' · ');
    return fold(
      entries.length,
      table(
        [
          { label: 'Name', cell: (r) => h('code', {}, r[0]) },
          { label: 'Value', cell: (r) => valueView(r[1], depth + 1) },
        ],
        entries,
      ),
    );
  }
  return fmt(v);
}

/** Tables of more than 12 rows start folded. */
function fold(n, content) {
  return n > 12 ? h('details', {}, h('summary', {}, `${n} entries`), content) : content;
}

const words = (k) =>
  String(k)
    .replace(/([a-z])([A-Z])/g, '$1 $2')
    .toLowerCase();

function fmt(v) {
  return v === null || v === undefined ? '' : typeof v === 'object' ? JSON.stringify(v) : String(v);
}
