/* global fetch, Blob, document */
// A connection's mapping editor (issue 21): one tab per kind (customers, warehouses, ship methods, carriers,
// charge items, SKU aliases, policies, order policies; inventory rules, price sheets, settlement accounts and GL rules, custom fields), the rows that apply now as editable cells, Save (PUT JSON), CSV download and
// upload. The server checks every save against the Sage company: its 422 names each problem (rows[i].field, the
// value, what Sage has); the cells named are marked and nothing is stored.
import { api, ApiError } from '../api.js';
import { badge, clear, errorBox, field, h, timeEl } from '../dom.js';

const KINDS = [
  { kind: 'customers', title: 'Customers', text: 'Amazon marketplace → Sage customer (and its currency in Sage).' },
  {
    kind: 'warehouses',
    title: 'Warehouses',
    text: 'Sage warehouse of merchant-fulfilled orders; marketplace * is every marketplace without its own row.',
  },
  {
    kind: 'ship-methods',
    title: 'Ship methods',
    text: 'Amazon shipping service level → Sage ship method; service level * is the fallback.',
  },
  { kind: 'carriers', title: 'Carriers', text: 'Sage ship method → Amazon carrier of the shipment confirmation.' },
  {
    kind: 'charge-items',
    title: 'Charge items',
    text: 'Sage misc items and GL accounts of freight, gift wrap, tax, promotions and rounding lines.',
  },
  { kind: 'sku-aliases', title: 'SKU aliases', text: 'Amazon SellerSKU → Sage ItemID, for SKUs Sage does not know.' },
  { kind: 'policies', title: 'Policies', text: 'Promotions, tax and ship-to address policy.' },
  {
    kind: 'order-policies',
    title: 'Order policies',
    text: 'FBA orders (skip or record-shipped) and their Sage warehouse, the TranNo prefix of new Sage orders, refunds and FBA returns as Sage customer returns (off or customer-return). One row; an empty cell keeps sellbridge.yaml.',
  },
  // The sync side (inventory and price sync, settlement import): used from the next run on.
  {
    kind: 'inventory',
    title: 'Inventory rules',
    text: 'Sage warehouses summed (separate with |), units and percent held back, percent listed, cap, zero-below; an empty cell keeps sellbridge.yaml.',
  },
  {
    kind: 'price-sheets',
    title: 'Price sheets',
    text: 'Per marketplace: Sage price column (list, sheet1..4), currency and warehouse; a marketplace not listed uses list price in USD from MAIN.',
  },
  {
    kind: 'settlement-gl',
    title: 'Settlement accounts',
    text: 'GL account receiving the deposit: currency * for every currency without its own row.',
  },
  {
    kind: 'gl-rules',
    title: 'Settlement GL rules',
    text: 'Amazon category → GL account, tried before sellbridge.yaml and the seeded rules (first match wins; * matches anything).',
  },
  {
    kind: 'custom-fields',
    title: 'Custom fields',
    text: 'Sage item field → Amazon listing attribute; replaces the configured map (allowed values separated by |).',
  },
];
const ONE_ROW = new Set(['policies', 'order-policies', 'inventory']);

export async function render(root, ctx) {
  const connectionId = ctx.args[0] || 'default';
  const mayEdit = ctx.can.editMappings !== false;
  let current = ctx.params.get('kind') || 'customers';
  if (!KINDS.some((k) => k.kind === current)) current = 'customers';
  const tabs = h('div', { class: 'tabs', role: 'tablist', 'aria-label': 'Mapping kind' });
  const body = h('section', { class: 'panel', id: 'mapping-editor', role: 'tabpanel' });
  root.append(
    h(
      'div',
      { class: 'page-head' },
      h(
        'div',
        {},
        h('p', { class: 'crumbs' }, h('a', { href: '#/mappings' }, 'Mappings'), ' / ', connectionId),
        h('h1', {}, `Order mapping of ${connectionId}`),
        h(
          'p',
          { class: 'muted' },
          'What applies now: sellbridge.yaml with the edits saved here laid over it. Every save is checked against the Sage company first; the next order, sync or settlement import uses it, no restart needed.',
        ),
      ),
    ),
    tabs,
    body,
  );
  for (const k of KINDS)
    tabs.append(
      h(
        'button',
        {
          type: 'button',
          role: 'tab',
          id: `tab-${k.kind}`,
          'aria-selected': String(k.kind === current),
          onclick: () => {
            current = k.kind;
            for (const b of tabs.children) b.setAttribute('aria-selected', String(b.id === `tab-${k.kind}`));
            void load();
          },
        },
        k.title,
      ),
    );

  async function load() {
    const meta = KINDS.find((k) => k.kind === current);
    clear(body).append(h('p', { class: 'loading' }, 'Loading…'));
    let view;
    try {
      view = await api(`/connections/${encodeURIComponent(connectionId)}/mappings/${meta.kind}`);
    } catch (err) {
      if (ctx.isCurrent()) clear(body).append(errorBox(err));
      return;
    }
    if (!ctx.isCurrent() || current !== meta.kind) return;
    clear(body).append(editor(meta, view));
  }

  function editor(meta, view) {
    const columns = view.columns;
    const tbody = h('tbody', {});
    const msg = h('div', { id: 'mapping-result', role: 'status' });
    const addRow = (values = {}) => {
      const tr = h(
        'tr',
        {},
        columns.map((c) =>
          h(
            'td',
            { 'data-label': c },
            h('input', {
              name: c,
              value:
                values[c] === undefined || values[c] === null
                  ? ''
                  : Array.isArray(values[c])
                    ? values[c].join('|')
                    : String(values[c]),
              'aria-label': c,
              autocomplete: 'off',
              disabled: !mayEdit,
            }),
          ),
        ),
        h(
          'td',
          {},
          mayEdit
            ? h(
                'button',
                { type: 'button', class: 'btn btn-quiet', 'aria-label': 'Remove row', onclick: () => tr.remove() },
                'Remove',
              )
            : '',
        ),
      );
      tbody.append(tr);
      return tr;
    };
    for (const r of view.rows) addRow(r);
    const rowsNow = () =>
      [...tbody.children].map((tr) =>
        Object.fromEntries(
          [...tr.querySelectorAll('input')].flatMap((i) =>
            i.value.trim() === ''
              ? []
              : [
                  [
                    i.name,
                    i.name === 'addressLines' && /^\d+$/.test(i.value.trim()) ? Number(i.value) : i.value.trim(),
                  ],
                ],
          ),
        ),
      );
    const showProblems = (err) => {
      for (const i of tbody.querySelectorAll('input[aria-invalid]')) i.removeAttribute('aria-invalid');
      const problems = err instanceof ApiError && err.body && Array.isArray(err.body.problems) ? err.body.problems : [];
      if (!problems.length) return msg.replaceChildren(errorBox(err));
      for (const p of problems) {
        const m = /^rows\[(\d+)\]\.(\w+)/.exec(p.path);
        const input = m && tbody.children[Number(m[1])]?.querySelector(`input[name="${m[2]}"]`);
        if (input) input.setAttribute('aria-invalid', 'true');
      }
      msg.replaceChildren(
        h(
          'div',
          { class: 'error-box', role: 'alert' },
          h('strong', {}, `Not saved: Sage does not match ${problems.length} value(s).`),
          h(
            'ul',
            { class: 'problems' },
            problems.map((p) => h('li', {}, h('code', {}, p.path), ` = ${p.value}: ${p.problem}`)),
          ),
        ),
      );
    };
    const save = async (payload, csv) => {
      msg.replaceChildren(h('p', { class: 'loading' }, 'Checking against Sage…'));
      try {
        const url = `/connections/${encodeURIComponent(connectionId)}/mappings/${meta.kind}`;
        let data;
        if (csv) {
          const res = await fetch(`/api/v1${url}`, {
            method: 'PUT',
            credentials: 'same-origin',
            headers: { 'content-type': 'text/csv', accept: 'application/json' },
            body: payload,
          });
          data = await res.json().catch(() => ({}));
          if (!res.ok) throw new ApiError(data.error || `refused (HTTP ${res.status})`, res.status, data);
        } else data = await api(url, { method: 'PUT', body: { rows: payload } });
        ctx.notify(`${meta.title} of ${connectionId}: ${data.saved} row(s) saved.`);
        await load();
        if (data.warnings?.length)
          document.getElementById('mapping-result')?.replaceChildren(
            h(
              'div',
              { class: 'info-box' },
              data.warnings.map((w) => h('p', {}, h('code', {}, w.path), ` = ${w.value}: ${w.problem}`)),
            ),
          );
      } catch (err) {
        showProblems(err);
      }
    };
    const upload = h('input', {
      type: 'file',
      accept: '.csv,text/csv',
      'aria-label': `Upload ${meta.title} CSV`,
      onchange: async (e) => {
        const file = e.currentTarget.files && e.currentTarget.files[0];
        if (file) await save(await file.text(), true);
        e.currentTarget.value = '';
      },
    });
    const download = async () => {
      const res = await fetch(`/api/v1/connections/${encodeURIComponent(connectionId)}/mappings/${meta.kind}`, {
        credentials: 'same-origin',
        headers: { accept: 'text/csv' },
      });
      const a = h('a', {
        href: URL.createObjectURL(new Blob([await res.text()], { type: 'text/csv' })),
        download: `${connectionId}-${meta.kind}.csv`,
      });
      a.click();
      URL.revokeObjectURL(a.href);
    };
    const stored = view.stored;
    return h(
      'div',
      {},
      h(
        'div',
        { class: 'panel-head' },
        h(
          'h2',
          {},
          meta.title,
          ' ',
          badge(view.source === 'store' ? 'edited here' : `from ${view.source}`, view.source === 'store' ? 'info' : ''),
        ),
        stored.updatedAt
          ? h(
              'p',
              { class: 'muted small' },
              'Saved ',
              timeEl(stored.updatedAt),
              stored.updatedBy ? ` by ${stored.updatedBy}` : '',
            )
          : null,
      ),
      h('p', { class: 'muted small' }, meta.text),
      h(
        'div',
        { class: 'table-wrap' },
        h(
          'table',
          { class: 'responsive', id: 'mapping-rows' },
          h(
            'thead',
            {},
            h(
              'tr',
              {},
              columns.map((c) => h('th', { scope: 'col' }, c)),
              h('th', {}, ''),
            ),
          ),
          tbody,
        ),
      ),
      mayEdit
        ? h(
            'div',
            { class: 'actions' },
            ONE_ROW.has(meta.kind)
              ? null
              : h(
                  'button',
                  { type: 'button', class: 'btn', onclick: () => addRow().querySelector('input')?.focus() },
                  'Add row',
                ),
            h('button', { type: 'button', class: 'btn btn-primary', onclick: () => save(rowsNow(), false) }, 'Save'),
            h(
              'button',
              { type: 'button', class: 'btn btn-quiet', onclick: () => save([], false) },
              'Back to sellbridge.yaml',
            ),
          )
        : h('p', { class: 'small' }, `Your role (${ctx.user.role}) can read the mapping but not change it.`),
      h(
        'div',
        { class: 'filters' },
        h('button', { type: 'button', class: 'btn', onclick: download }, 'Download CSV'),
        mayEdit ? field('Upload CSV (replaces this list)', upload) : null,
      ),
      msg,
    );
  }

  await load();
}
