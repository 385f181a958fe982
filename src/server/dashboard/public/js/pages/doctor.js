// Health check: the `sellbridge doctor` report (GET /doctor), run when the page opens or on "Run again". Every
// connection's checks, a section each; with a connection chosen (the header's picker, `#/health?connection=<id>`)
// that connection alone (GET /doctor?connection=).
import { api, notAvailable } from '../api.js';
import { badge, clear, empty, errorBox, h, table, timeEl } from '../dom.js';

const TONE = { ok: 'ok', warn: 'warn', fail: 'bad', skipped: '' };
const WORD = { ok: 'OK', warn: 'Warning', fail: 'Failed', skipped: 'Skipped' };

function connectionSection(report) {
  return h(
    'section',
    { class: 'panel doctor-connection', 'data-connection': report.connectionId },
    h(
      'h2',
      {},
      'Connection ',
      h('code', {}, report.connectionId),
      ' ',
      badge(WORD[report.status], TONE[report.status]),
    ),
    h('p', { class: 'muted small' }, 'checked ', timeEl(report.checkedAt)),
    table(
      [
        { label: 'Check', cell: (c) => h('code', {}, c.id) },
        { label: 'Status', cell: (c) => badge(WORD[c.status], TONE[c.status]) },
        { label: 'What was seen', cell: (c) => c.detail },
        { label: 'What to do', cell: (c) => c.fix ?? '' },
      ],
      report.checks,
    ),
  );
}

export async function render(root, ctx) {
  const connection = ctx.params?.get('connection') || '';
  const out = h('div', { id: 'doctor', 'aria-live': 'polite' });
  const again = h('button', { class: 'btn', type: 'button', onclick: () => void load() }, 'Run again');
  root.append(
    h(
      'div',
      { class: 'page-head' },
      h(
        'div',
        {},
        h('h1', {}, 'Health check'),
        h(
          'p',
          { class: 'muted' },
          connection ? `Connection ${connection} only. ` : 'Every connection, a section each. ',
          'What `sellbridge doctor` checks: configuration, store, Amazon (LWA, SP-API, SQS), Sage 500, the mapping against the Sage company, clock, disk and the last order. Each failed check says what to do.',
          connection ? ' Choose "All connections" in the header to check every one.' : '',
        ),
      ),
      again,
    ),
    out,
  );

  // A message in a panel of its own (loading, refused, error).
  const say = (node) => clear(out).append(h('section', { class: 'panel' }, node));

  async function load() {
    again.disabled = true;
    say(h('p', { class: 'loading' }, 'Checking… (a few seconds per connection: it calls Amazon and Sage)'));
    try {
      const report = await api(connection ? `/doctor?connection=${encodeURIComponent(connection)}` : '/doctor');
      if (!ctx.isCurrent()) return;
      const reports = report.connections?.length ? report.connections : [report];
      clear(out).append(
        h(
          'p',
          { id: 'doctor-summary', class: 'panel' },
          reports.length === 1 ? '1 connection: ' : `${reports.length} connections: `,
          badge(WORD[report.status], TONE[report.status]),
          reports.length > 1 ? ' (the worst of all)' : '',
        ),
        ...reports.map(connectionSection),
      );
    } catch (err) {
      if (!ctx.isCurrent()) return;
      if (err && err.status === 404 && connection)
        say(
          empty(
            'No such connection',
            `This configuration has no connection ${connection} to check (doctor checks the connections of sellbridge.yaml).`,
          ),
        );
      else if (notAvailable(err))
        say(
          empty(
            'Not available here',
            'This server process was not started with `sellbridge run`; run `sellbridge doctor` on the command line.',
          ),
        );
      else if (err && err.status === 403)
        say(
          empty(
            'Not for your role',
            `The health check calls Amazon and Sage; it needs the operator role (you are ${ctx.user.role}).`,
          ),
        );
      else say(errorBox(err));
    } finally {
      again.disabled = false;
    }
  }
  await load();
}
