// One dead letter: what failed and why, the suggested fix (e.g. an SKU alias), replay, replay all like it, discard.
import { api } from '../api.js';
import { badge, clear, errorBox, h, table, timeEl, tone, when } from '../dom.js';
import { dlCode, dlOrder, dlReason } from './dead-letters.js';

export async function render(root, ctx) {
  const id = ctx.args[0];
  const body = h('div', {});
  root.append(
    h(
      'div',
      { class: 'crumbs' },
      h('a', { href: '#/dead-letters' }, 'Dead letters'),
      ' / ',
      h('span', {}, id.slice(0, 8)),
    ),
    body,
  );

  async function load() {
    let data;
    try {
      data = await api(`/dead-letters/${encodeURIComponent(id)}`);
    } catch (err) {
      clear(body).append(h('h1', {}, 'Dead letter'), errorBox(err));
      return;
    }
    if (!ctx.isCurrent()) return;
    const d = data.deadLetter ?? data;
    const fix = data.suggestedFix ?? d.suggestedFix;
    clear(body).append(view(d, fix));
  }

  function view(d, fix) {
    const code = dlCode(d);
    const orderId = dlOrder(d);
    const open = (d.status ?? 'open') === 'open';
    const mayAct = ctx.can.replay !== false;
    const issues = d.issues ?? d.error?.issues ?? [];
    const result = h('div', { id: 'dl-result', role: 'status' });
    return h(
      'div',
      {},
      h(
        'div',
        { class: 'page-head' },
        h(
          'div',
          {},
          h(
            'h1',
            {},
            'Dead letter ',
            h('code', {}, code),
            h('span', { id: 'dl-status' }, badge(d.status ?? 'open', tone(d.status ?? 'open'))),
          ),
          h('p', { class: 'reason', id: 'dl-reason' }, dlReason(d)),
        ),
      ),
      result,
      fix && open && mayAct ? fixPanel(fix, d, open) : null,
      open && mayAct && d.queue === 'order.sync' && orderId ? repairPanel(d, orderId, issues) : null,
      d.meaning || d.fix
        ? h(
            'section',
            { class: 'panel', 'aria-labelledby': 'h-means' },
            h('h2', { id: 'h-means' }, 'What this code means'),
            d.meaning ? h('p', {}, d.meaning) : null,
            d.fix ? h('p', {}, h('strong', {}, 'How to fix it: '), d.fix) : null,
          )
        : null,
      h(
        'section',
        { class: 'panel', 'aria-labelledby': 'h-act' },
        h('h2', { id: 'h-act' }, 'Actions'),
        open && !mayAct
          ? h(
              'p',
              { id: 'read-only-note' },
              `Your role (${ctx.user.role}) can look at dead letters but not fix or replay them; ask an operator.`,
              fix?.kind === 'sku-alias' && fix.candidates.length
                ? ` Suggested: alias ${fix.sellerSku} to ${fix.candidates.length === 1 ? fix.candidates[0] : `one of ${fix.candidates.join(', ')}`}.`
                : '',
            )
          : open
            ? h(
                'div',
                { class: 'actions' },
                h(
                  'button',
                  {
                    class: 'btn btn-primary',
                    type: 'button',
                    id: 'replay',
                    onclick: (e) =>
                      act(
                        e,
                        `/dead-letters/${encodeURIComponent(d.id)}/replay`,
                        {},
                        'Replayed: the job runs again with all its attempts.',
                        orderId,
                      ),
                  },
                  'Replay',
                ),
                h(
                  'button',
                  {
                    class: 'btn',
                    type: 'button',
                    id: 'replay-all-like',
                    onclick: (e) =>
                      act(
                        e,
                        '/dead-letters/replay',
                        // of the connection the dashboard is filtered by, when it is
                        { code, ...(ctx.connection ? { connectionId: ctx.connection } : {}) },
                        null,
                        orderId,
                      ),
                  },
                  `Replay all open ${code}`,
                ),
                discardForm(d),
              )
            : h(
                'p',
                {},
                `This dead letter was ${d.status}${d.resolvedBy ? ` by ${d.resolvedBy}` : ''} ${d.resolvedAt ? when(d.resolvedAt) : ''}.`,
                orderId ? [' ', h('a', { href: `#/orders/${encodeURIComponent(orderId)}` }, 'See the order')] : null,
              ),
      ),
      h(
        'section',
        { class: 'panel', 'aria-labelledby': 'h-what' },
        h('h2', { id: 'h-what' }, 'What failed'),
        h(
          'dl',
          { class: 'kv' },
          h('dt', {}, 'Order'),
          h(
            'dd',
            {},
            orderId ? h('a', { href: `#/orders/${encodeURIComponent(orderId)}` }, h('code', {}, orderId)) : '—',
          ),
          h('dt', {}, 'Queue'),
          h('dd', {}, h('code', {}, d.queue ?? '')),
          h('dt', {}, 'Kind'),
          h('dd', {}, d.kind ?? d.error?.kind ?? '—'),
          h('dt', {}, 'Attempts'),
          h('dd', {}, String(d.attempts ?? '—')),
          h('dt', {}, 'First failed'),
          h('dd', {}, when(d.firstFailedAt)),
          h('dt', {}, 'Last failed'),
          h('dd', {}, timeEl(d.lastFailedAt)),
        ),
        issues.length
          ? [
              h('h3', {}, 'Problems'),
              table(
                [
                  { label: 'Field', cell: (i) => h('code', {}, i.field ?? '') },
                  { label: 'Problem', cell: (i) => i.problem ?? i.message ?? '' },
                  { label: 'Suggestions', cell: (i) => (i.suggestions ?? []).join(', ') },
                ],
                issues,
              ),
            ]
          : null,
        h(
          'details',
          {},
          h('summary', {}, 'Job payload'),
          h('pre', { class: 'json' }, JSON.stringify(d.payload ?? null, null, 2)),
        ),
      ),
    );

    async function act(e, path, payload, message, order) {
      const btn = e.currentTarget;
      btn.disabled = true;
      try {
        const r = await api(path, { method: 'POST', body: payload });
        const n = r?.replayed ?? r?.count;
        const text = message ?? `Replayed ${n ?? 'every'} open dead letter${n === 1 ? '' : 's'} with code ${code}.`;
        ctx.notify(text);
        await load();
        const box = body.querySelector('#dl-result');
        if (box)
          box.append(
            h(
              'div',
              { class: 'info-box' },
              text,
              order
                ? [
                    ' ',
                    h('a', { href: `#/orders/${encodeURIComponent(order)}`, id: 'follow-order' }, 'Follow the order →'),
                  ]
                : null,
            ),
          );
      } catch (err) {
        result.replaceChildren(errorBox(err));
        btn.disabled = false;
      }
    }
  }

  function fixPanel(fix, d, open) {
    if (fix.kind === 'sku-alias') return aliasFix(fix, d, open);
    return h(
      'section',
      { class: 'panel fix', 'aria-labelledby': 'h-fix' },
      h('h2', { id: 'h-fix' }, 'Suggested fix'),
      h('p', {}, fix.hint ?? fix.text ?? fix.kind),
    );
  }

  function aliasFix(fix, d, open) {
    const candidates = (fix.candidates ?? []).map((c) => (typeof c === 'string' ? { itemId: c } : c));
    const msg = h('div', { id: 'alias-result', role: 'status' });
    const connectionId = fix.connectionId ?? d.payload?.connectionId;
    const radios = candidates.map((c, i) =>
      h(
        'label',
        { class: 'choice' },
        h('input', { type: 'radio', name: 'candidate', value: c.itemId, checked: i === 0 }),
        h('code', {}, c.itemId),
        c.description ? h('span', { class: 'muted' }, c.description) : null,
      ),
    );
    const other = h('input', {
      id: 'alias-other',
      name: 'other',
      placeholder: 'or type another Sage ItemID',
      autocomplete: 'off',
    });
    const submit = h('button', { class: 'btn btn-primary', type: 'submit', id: 'add-alias' }, 'Add alias');
    return h(
      'section',
      { class: 'panel fix', 'aria-labelledby': 'h-fix' },
      h('h2', { id: 'h-fix' }, 'Suggested fix'),
      h(
        'p',
        {},
        'Amazon SKU ',
        h('code', {}, fix.sellerSku),
        ' matches no Sage item. Map it to a Sage item, then replay.',
      ),
      h(
        'form',
        {
          onsubmit: async (e) => {
            e.preventDefault();
            const chosen = other.value.trim() || e.currentTarget.querySelector('input[name=candidate]:checked')?.value;
            if (!chosen)
              return msg.replaceChildren(
                h('div', { class: 'error-box', role: 'alert' }, 'Choose a Sage item or type its ItemID.'),
              );
            submit.disabled = true;
            try {
              await api('/mappings/sku-aliases', {
                method: 'POST',
                body: { sellerSku: fix.sellerSku, itemId: chosen, ...(connectionId ? { connectionId } : {}) },
              });
              msg.replaceChildren(
                h(
                  'div',
                  { class: 'info-box' },
                  'Alias added: ',
                  h('code', {}, fix.sellerSku),
                  ' → ',
                  h('code', {}, chosen),
                  open ? '. Now replay this dead letter.' : '.',
                ),
              );
              ctx.notify(`Alias ${fix.sellerSku} → ${chosen} added.`);
              body.querySelector('#replay')?.focus();
            } catch (err) {
              msg.replaceChildren(errorBox(err));
            } finally {
              submit.disabled = false;
            }
          },
        },
        h(
          'fieldset',
          {},
          h('legend', {}, 'Sage item'),
          candidates.length ? radios : h('p', { class: 'muted' }, 'No similar Sage item was found.'),
          other,
        ),
        h('div', { class: 'actions' }, submit),
      ),
      msg,
    );
  }

  /**
   * The ways out of an order's dead letter: correct fields (`path=value`, the paths the problems name) and replay
   * after a preview of the Sage order, or link the order to one keyed in Sage by hand.
   */
  function repairPanel(d, orderId, issues) {
    const fields = [...new Set(issues.map((i) => i.field).filter(Boolean))];
    const set = h('textarea', {
      id: 'repair-set',
      rows: String(Math.max(2, fields.length)),
      'aria-label': 'Corrections, one path=value a line',
      placeholder: 'shipTo.city=Rancho Sta Margarita',
    });
    set.value = fields.map((f) => `${f}=`).join('\n');
    const out = h('div', { id: 'repair-preview', role: 'status' });
    const pairs = () =>
      Object.fromEntries(
        set.value
          .split('\n')
          .map((l) => l.trim())
          .filter((l) => l.includes('='))
          .map((l) => [l.slice(0, l.indexOf('=')).trim(), l.slice(l.indexOf('=') + 1).trim()]),
      );
    const showPreview = (p) =>
      out.replaceChildren(
        p.issues?.length
          ? h(
              'div',
              {},
              h('p', { class: 'bad' }, 'Still not a Sage order:'),
              table(
                [
                  { label: 'Field', cell: (i) => h('code', {}, i.field) },
                  { label: 'Problem', cell: (i) => i.problem },
                ],
                p.issues,
              ),
            )
          : h(
              'div',
              {},
              h(
                'p',
                {},
                `Sage order for customer ${p.draft?.customerId ?? ''}, ship to ${[p.draft?.shipTo?.city, p.draft?.shipTo?.region, p.draft?.shipTo?.countryId].filter(Boolean).join(', ')}:`,
              ),
              table(
                [
                  { label: 'Line', num: true, cell: (l) => String(l.lineNo) },
                  { label: 'Sage item', cell: (l) => h('code', {}, l.itemId) },
                  { label: 'Qty', num: true, cell: (l) => String(l.quantity) },
                ],
                p.draft?.lines ?? [],
              ),
            ),
      );
    const post = async (path, body) => {
      try {
        return await api(path, { method: 'POST', body });
      } catch (err) {
        if (err.body?.preview) showPreview(err.body.preview);
        ctx.notify(err.message, 'bad');
        return null;
      }
    };
    const tranNo = h('input', {
      id: 'link-tranno',
      'aria-label': 'Sage TranNo',
      placeholder: 'Sage TranNo',
      maxlength: '10',
    });
    const force = h('input', { id: 'link-force', type: 'checkbox' });
    return h(
      'section',
      { class: 'panel', 'aria-labelledby': 'h-repair' },
      h('h2', { id: 'h-repair' }, 'Correct the order, or link it to a Sage order keyed by hand'),
      h(
        'p',
        { class: 'small muted' },
        'One correction a line, path=value: shipTo.city, shipTo.lines[0], lines[0].sku, customerId… The Sage order is previewed before anything is replayed.',
      ),
      set,
      h(
        'div',
        { class: 'actions' },
        h(
          'button',
          {
            class: 'btn',
            type: 'button',
            id: 'repair-preview-btn',
            onclick: async () => {
              const r = await post(`/dead-letters/${encodeURIComponent(d.id)}/preview`, { set: pairs() });
              if (r) showPreview(r.preview);
            },
          },
          'Preview',
        ),
        h(
          'button',
          {
            class: 'btn btn-primary',
            type: 'button',
            id: 'repair-replay-btn',
            onclick: async () => {
              const r = await post(`/dead-letters/${encodeURIComponent(d.id)}/replay`, { set: pairs() });
              if (!r) return;
              showPreview(r.preview);
              ctx.notify('Replayed with the corrections.');
              await load();
            },
          },
          'Replay with corrections',
        ),
      ),
      out,
      h(
        'form',
        {
          class: 'inline-form',
          id: 'link-form',
          onsubmit: async (e) => {
            e.preventDefault();
            if (!tranNo.value.trim()) return ctx.notify('Give the TranNo of the Sage order.', 'bad');
            const r = await post(`/orders/${encodeURIComponent(orderId)}/link`, {
              tranNo: tranNo.value.trim(),
              ...(force.checked ? { force: true } : {}),
            });
            if (!r) return;
            ctx.notify(
              `Linked to Sage order ${r.tranNo}${r.forced ? ' (forced)' : ''}: its shipments will be confirmed.`,
            );
            await load();
          },
        },
        tranNo,
        h('label', {}, force, ' link even if lines or total differ (audited)'),
        h('button', { class: 'btn', type: 'submit' }, 'Link to Sage order'),
      ),
    );
  }

  function discardForm(d) {
    const reason = h('input', {
      id: 'discard-reason',
      placeholder: 'why (kept in the audit log)',
      'aria-label': 'Reason for discarding',
    });
    return h(
      'form',
      {
        class: 'inline-form',
        onsubmit: async (e) => {
          e.preventDefault();
          if (!reason.value.trim()) return ctx.notify('Give a reason to discard: it is kept in the audit log.', 'bad');
          try {
            await api(`/dead-letters/${encodeURIComponent(d.id)}/discard`, {
              method: 'POST',
              body: { reason: reason.value.trim() },
            });
            ctx.notify('Discarded.');
            await load();
          } catch (err) {
            ctx.notify(err.message, 'bad');
          }
        },
      },
      reason,
      h('button', { class: 'btn btn-danger', type: 'submit' }, 'Discard'),
    );
  }

  await load();
}
