// Health check: the `sellbridge doctor` report (GET /doctor), run when the page opens or on "Run again".
import { api, notAvailable } from '../api.js';
import { badge, clear, empty, errorBox, h, table, timeEl } from '../dom.js';

const TONE = { ok: 'ok', warn: 'warn', fail: 'bad', skipped: '' };
const WORD = { ok: 'OK', warn: 'Warning', fail: 'Failed', skipped: 'Skipped' };

export async function render(root, ctx) {
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
          'What `sellbridge doctor` checks: configuration, store, Amazon (LWA, SP-API, SQS), Sage 500, clock, disk and the last order. Each failed check says what to do.',
        ),
      ),
      again,
    ),
    h('section', { class: 'panel' }, out),
  );

  async function load() {
    again.disabled = true;
    clear(out).append(h('p', { class: 'loading' }, 'Checking… (a few seconds: it calls Amazon and Sage)'));
    try {
      const report = await api('/doctor');
      if (!ctx.isCurrent()) return;
      clear(out).append(
        h(
          'p',
          {},
          'Connection ',
          h('code', {}, report.connectionId),
          ': ',
          badge(WORD[report.status], TONE[report.status]),
          ' checked ',
          timeEl(report.checkedAt),
        ),
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
    } catch (err) {
      if (!ctx.isCurrent()) return;
      if (notAvailable(err))
        clear(out).append(
          empty(
            'Not available here',
            'This server process was not started with `sellbridge run`; run `sellbridge doctor` on the command line.',
          ),
        );
      else if (err && err.status === 403)
        clear(out).append(
          empty(
            'Not for your role',
            `The health check calls Amazon and Sage; it needs the operator role (you are ${ctx.user.role}).`,
          ),
        );
      else clear(out).append(errorBox(err));
    } finally {
      again.disabled = false;
    }
  }
  await load();
}
