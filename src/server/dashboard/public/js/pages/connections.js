/* global window */
// Connections (issue 21): each Amazon seller <-> Sage company pair with its health (Amazon token, Login with Amazon,
// Sage reachable, mapping check, backlog, last order) and the Authorize button of Amazon's website workflow.
import { api, listOf, notAvailable } from '../api.js';
import { badge, clear, empty, errorBox, h, table, timeEl } from '../dom.js';

const yesNo = (ok, yes, no, unknown = 'Unknown') =>
  ok === null || ok === undefined ? badge(unknown) : ok ? badge(yes, 'ok') : badge(no, 'bad');

function tokenCell(c) {
  if (c.amazon.tokenConfigured) return badge('Configured', 'ok');
  if (c.amazon.tokenStored)
    return h(
      'span',
      {},
      badge('Authorized', 'ok'),
      ' ',
      h('code', {}, c.amazon.sellingPartnerId ?? ''),
      c.amazon.authorizedAt ? h('span', { class: 'muted' }, ' ', timeEl(c.amazon.authorizedAt)) : '',
    );
  return badge('Not authorized', 'bad');
}

export async function render(root, ctx) {
  const out = h('div', { id: 'connections', 'aria-live': 'polite' });
  const mayAdmin = ctx.can.manageConnections !== false;
  root.append(
    h(
      'div',
      { class: 'page-head' },
      h(
        'div',
        {},
        h('h1', {}, 'Connections'),
        h(
          'p',
          { class: 'muted' },
          "One Amazon seller account and one Sage 500 company each. Authorize sends the seller to Amazon's consent page; the link works once, for you, for a few minutes.",
        ),
      ),
    ),
    h('section', { class: 'panel' }, out),
  );
  const authorized = ctx.params.get('authorized');
  if (authorized) ctx.notify(`Connection ${authorized} authorized: the refresh token is stored encrypted`);

  async function authorize(c) {
    try {
      const r = await api(`/connections/${encodeURIComponent(c.connectionId)}/authorize`, { method: 'POST', body: {} });
      window.location.assign(r.url);
    } catch (err) {
      ctx.notify(err.message, 'bad');
    }
  }

  async function load() {
    try {
      const rows = listOf(await api('/onboarding/connections'), 'connections').items;
      if (!ctx.isCurrent()) return;
      if (rows.length === 0) {
        clear(out).append(empty('No connections', 'Add one in sellbridge.yaml or through the admin API.'));
        return;
      }
      clear(out).append(
        table(
          [
            {
              label: 'Connection',
              cell: (c) => h('span', {}, c.name, ' ', h('code', { class: 'muted' }, c.connectionId)),
            },
            { label: 'Amazon token', cell: tokenCell },
            { label: 'Login with Amazon', cell: (c) => yesNo(c.token.ok, 'OK', 'Failing', 'No call yet') },
            { label: 'Sage 500', cell: (c) => yesNo(c.sage.ok, 'Reachable', 'Down', 'No call yet') },
            {
              label: 'Mapping check',
              cell: (c) =>
                c.check
                  ? h('span', { title: c.check.summary }, yesNo(c.check.ok, 'Passed', 'Failed'))
                  : badge('Not run'),
            },
            { label: 'Backlog', num: true, cell: (c) => String(c.backlog) },
            { label: 'Needs a person', num: true, cell: (c) => String(c.needsAttention) },
            { label: 'Last order', cell: (c) => (c.lastOrderAt ? timeEl(c.lastOrderAt) : 'none yet') },
            {
              label: '',
              cell: (c) =>
                mayAdmin
                  ? h(
                      'button',
                      { class: 'btn btn-quiet', type: 'button', onclick: () => void authorize(c) },
                      c.amazon.tokenStored ? 'Authorize again' : 'Authorize',
                    )
                  : '',
            },
          ],
          rows,
        ),
      );
    } catch (err) {
      if (!ctx.isCurrent()) return;
      if (notAvailable(err))
        clear(out).append(empty('Not available here', 'This server process does not serve the connections.'));
      else clear(out).append(errorBox(err));
    }
  }
  await load();
  const timer = window.setInterval(() => void load(), 10_000);
  return () => window.clearInterval(timer);
}
