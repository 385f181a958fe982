/* global window, URLSearchParams */
// Dead letters: records that could not be processed, with the reason; filter by code, queue and status.
import { api, listOf } from '../api.js';
import { badge, clear, empty, errorBox, field, h, table, timeEl, tone } from '../dom.js';

export const dlCode = (d) => d.code ?? d.error?.code ?? d.errorCode ?? '';
export const dlReason = (d) => d.reason ?? d.message ?? d.error?.message ?? d.errorMessage ?? '';
export const dlOrder = (d) => d.amazonOrderId ?? d.payload?.amazonOrderId ?? d.error?.context?.amazonOrderId;

export async function render(root, ctx) {
  const code = h('input', {
    name: 'code',
    id: 'dl-code',
    placeholder: 'e.g. SB_MAP_SKU_UNKNOWN',
    list: 'dl-codes',
    value: ctx.params.get('code') ?? '',
    autocomplete: 'off',
  });
  const codes = h('datalist', { id: 'dl-codes' });
  const queue = h('input', {
    name: 'queue',
    id: 'dl-queue',
    placeholder: 'e.g. order.sync',
    value: ctx.params.get('queue') ?? '',
  });
  const status = h(
    'select',
    { name: 'status', id: 'dl-status' },
    ['open', 'replayed', 'discarded', 'all'].map((s) => h('option', { value: s }, s === 'all' ? 'any status' : s)),
  );
  status.value = ctx.params.get('status') ?? 'open';
  const results = h('div', { id: 'dl-results' });
  const bulk = h('div', { id: 'dl-bulk' });

  const form = h(
    'form',
    {
      class: 'filters',
      onsubmit: (e) => {
        e.preventDefault();
        const p = new URLSearchParams();
        if (code.value.trim()) p.set('code', code.value.trim());
        if (queue.value.trim()) p.set('queue', queue.value.trim());
        if (status.value !== 'open') p.set('status', status.value);
        ctx.navigate(`#/dead-letters${p.toString() ? '?' + p : ''}`);
      },
    },
    field('Error code', code),
    codes,
    field('Queue', queue),
    field('Status', status),
    h('div', { class: 'field-btn' }, h('button', { class: 'btn btn-primary', type: 'submit' }, 'Filter')),
  );

  root.append(
    h(
      'div',
      { class: 'page-head' },
      h(
        'div',
        {},
        h('h1', {}, 'Dead letters'),
        h(
          'p',
          { class: 'muted' },
          'Records Sellbridge could not process, with the reason. Fix the cause, then replay.',
        ),
      ),
    ),
    h('section', { class: 'panel' }, form, bulk, results),
  );

  try {
    const ov = await api('/overview', { query: { connectionId: ctx.connection } });
    for (const c of ov?.deadLetters?.byCode ?? []) codes.append(h('option', { value: c.code }, `${c.count} open`));
  } catch {
    /* suggestions only */
  }

  clear(results).append(h('p', { class: 'loading' }, 'Loading…'));
  try {
    const data = await api('/dead-letters', {
      query: { code: code.value.trim(), queue: queue.value.trim(), status: status.value, connectionId: ctx.connection },
    });
    if (!ctx.isCurrent()) return;
    const { items } = listOf(data, 'deadLetters');
    if (code.value.trim() && status.value === 'open' && items.length > 0 && ctx.can.replay !== false) {
      clear(bulk).append(
        h(
          'div',
          { class: 'info-box actions' },
          `${items.length} open with code `,
          h('code', {}, code.value.trim()),
          '.',
          h(
            'button',
            {
              class: 'btn',
              type: 'button',
              id: 'replay-all',
              onclick: async (e) => {
                e.target.disabled = true;
                try {
                  const r = await api('/dead-letters/replay', {
                    method: 'POST',
                    body: {
                      code: code.value.trim(),
                      ...(ctx.connection ? { connectionId: ctx.connection } : {}),
                    },
                  });
                  ctx.notify(
                    `Replayed ${r?.replayed ?? r?.count ?? 'all'} dead letters with code ${code.value.trim()}.`,
                  );
                  ctx.navigate(window.location.hash);
                } catch (err) {
                  ctx.notify(err.message, 'bad');
                  e.target.disabled = false;
                }
              },
            },
            'Replay all of them',
          ),
        ),
      );
    }
    clear(results).append(
      items.length
        ? table(
            [
              {
                label: 'Code',
                cell: (d) => h('a', { href: `#/dead-letters/${encodeURIComponent(d.id)}` }, h('code', {}, dlCode(d))),
              },
              { label: 'Reason', cell: (d) => dlReason(d) },
              {
                label: 'Order',
                cell: (d) =>
                  dlOrder(d)
                    ? h(
                        'a',
                        {
                          href: `#/orders/${encodeURIComponent(dlOrder(d))}${d.connectionId && d.connectionId !== 'default' ? `?connectionId=${encodeURIComponent(d.connectionId)}` : ''}`,
                        },
                        h('code', {}, dlOrder(d)),
                      )
                    : '—',
              },
              { label: 'Queue', cell: (d) => h('code', {}, d.queue ?? '') },
              { label: 'Attempts', num: true, cell: (d) => String(d.attempts ?? '') },
              { label: 'Status', cell: (d) => badge(d.status ?? 'open', tone(d.status ?? 'open')) },
              { label: 'Failed', cell: (d) => timeEl(d.lastFailedAt ?? d.failedAt) },
            ],
            items,
            (d) => ctx.navigate(`#/dead-letters/${encodeURIComponent(d.id)}`),
          )
        : empty(
            status.value === 'open' ? 'No open dead letters' : 'No dead letters match',
            code.value || queue.value
              ? 'Nothing matches these filters.'
              : 'Everything Sellbridge received was processed. Records that fail for good appear here with the reason.',
          ),
    );
  } catch (err) {
    if (ctx.isCurrent()) clear(results).append(errorBox(err));
  }
}
