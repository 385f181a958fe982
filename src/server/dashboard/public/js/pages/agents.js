/* global window */
// Agents (hosted mode): the agents beside Sage that dial out to this hub, their state, enrolment tokens and revocation.
import { api, listOf, notAvailable } from '../api.js';
import { badge, clear, empty, errorBox, h, table, timeEl } from '../dom.js';

export async function render(root, ctx) {
  const out = h('div', { id: 'agents', 'aria-live': 'polite' });
  const mayAdmin = ctx.can.manageConnections !== false;
  const tokenOut = h('div', { id: 'enrolment' });
  // Every hosted-mode connection of the hub (any number per process), with whether its agent is there.
  const hostedOut = h('section', { class: 'panel', id: 'agent-connections', hidden: true });
  const connection = h('input', { id: 'enrol-connection', type: 'text', placeholder: 'default connection', size: 20 });
  const enrol = h(
    'form',
    {
      class: 'inline-form',
      onsubmit: (e) => {
        e.preventDefault();
        void createToken();
      },
    },
    h('label', { for: 'enrol-connection' }, 'Connection '),
    connection,
    ' ',
    h('button', { class: 'btn', type: 'submit' }, 'New enrolment token'),
  );
  root.append(
    h(
      'div',
      { class: 'page-head' },
      h(
        'div',
        {},
        h('h1', {}, 'Agents'),
        h(
          'p',
          { class: 'muted' },
          "Hosted mode: the `sellbridge agent` beside each customer's Sage 500 dials out to this hub and runs its Sage operations. Online state, version, heartbeat latency and operations in flight.",
        ),
      ),
    ),
    ...(mayAdmin ? [h('section', { class: 'panel' }, enrol, tokenOut)] : []),
    h('section', { class: 'panel' }, out),
    hostedOut,
  );

  async function createToken() {
    try {
      const body = connection.value.trim() ? { connectionId: connection.value.trim() } : {};
      const r = await api('/agents/enrolments', { method: 'POST', body });
      clear(tokenOut).append(
        h(
          'p',
          {},
          'Single-use token for connection ',
          h('code', {}, r.connectionId),
          ', valid until ',
          timeEl(r.expiresAt),
          '. It is shown only now. On the machine beside Sage run:',
        ),
        h('pre', { class: 'token' }, `sellbridge agent --hub ${window.location.origin} --token ${r.token}`),
      );
    } catch (err) {
      clear(tokenOut).append(errorBox(err));
    }
  }

  async function revoke(agent) {
    if (!window.confirm(`Revoke agent ${agent.name} (${agent.id})? It is disconnected and cannot connect again.`))
      return;
    try {
      await api(`/agents/${encodeURIComponent(agent.id)}`, { method: 'DELETE' });
      ctx.notify(`Agent ${agent.name} revoked`);
      await load();
    } catch (err) {
      ctx.notify(err.message, 'bad');
    }
  }

  /** One row per hosted-mode (sage500.kind agent) connection: its online agent, or why its orders wait. */
  async function loadHosted(agents) {
    let connections;
    try {
      connections = listOf(await api('/connections', { quiet401: true }), 'connections').items;
    } catch {
      return; // not served here: the agents table above still says it all
    }
    if (!ctx.isCurrent()) return;
    const hosted = connections.filter((c) => c.sageKind === 'agent');
    hostedOut.hidden = hosted.length === 0;
    if (hosted.length === 0) return;
    const live = (c) => agents.filter((a) => a.connectionId === c.id && !a.revokedAt);
    clear(hostedOut).append(
      h('h2', {}, 'Hosted connections'),
      table(
        [
          { label: 'Connection', cell: (c) => h('code', {}, c.id) },
          {
            label: 'Agent',
            cell: (c) => {
              const on = live(c).find((a) => a.online);
              return on ? h('span', {}, on.name, ' ', h('code', { class: 'muted' }, on.id)) : '';
            },
          },
          {
            label: 'State',
            cell: (c) =>
              live(c).some((a) => a.online)
                ? badge('Agent online', 'ok')
                : live(c).length
                  ? badge('Agent offline: Sage calls wait', 'warn')
                  : badge('No agent enrolled', 'warn'),
          },
        ],
        hosted,
      ),
    );
  }

  async function load() {
    try {
      const agents = listOf(await api('/agents', { query: { connectionId: ctx.connection } }), 'agents').items;
      if (!ctx.isCurrent()) return;
      await loadHosted(agents);
      if (!ctx.isCurrent()) return;
      if (agents.length === 0) {
        clear(out).append(
          empty('No agents', 'Create an enrolment token and start `sellbridge agent` beside Sage with it.'),
        );
        return;
      }
      clear(out).append(
        table(
          [
            { label: 'Agent', cell: (a) => h('span', {}, a.name, ' ', h('code', { class: 'muted' }, a.id)) },
            { label: 'Connection', cell: (a) => h('code', {}, a.connectionId) },
            {
              label: 'State',
              cell: (a) =>
                a.revokedAt ? badge('Revoked', 'bad') : a.online ? badge('Online', 'ok') : badge('Offline', 'warn'),
            },
            { label: 'Version', cell: (a) => a.version ?? '' },
            { label: 'Latency', cell: (a) => (a.latencyMs === null ? '' : `${a.latencyMs} ms`) },
            { label: 'In flight', cell: (a) => String(a.inFlight) },
            { label: 'Last seen', cell: (a) => (a.lastSeenAt ? timeEl(a.lastSeenAt) : '') },
            {
              label: '',
              cell: (a) =>
                mayAdmin && !a.revokedAt
                  ? h('button', { class: 'btn btn-quiet', type: 'button', onclick: () => void revoke(a) }, 'Revoke')
                  : '',
            },
          ],
          agents,
        ),
      );
    } catch (err) {
      if (!ctx.isCurrent()) return;
      if (notAvailable(err))
        clear(out).append(empty('Not available here', 'This server process does not manage agents.'));
      else clear(out).append(errorBox(err));
    }
  }
  await load();
  const timer = window.setInterval(() => void load(), 5000);
  return () => window.clearInterval(timer);
}
