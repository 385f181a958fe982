// Sign in with a local user (name + password) or an API token. The server sets an HttpOnly session cookie.
import { api } from '../api.js';
import { h } from '../dom.js';

export function render(main, { onSignedIn }) {
  let mode = 'password';
  const errorEl = h('div', { class: 'error-box', role: 'alert', id: 'signin-error', hidden: true });
  const username = h('input', { id: 'username', name: 'username', autocomplete: 'username', required: true });
  const password = h('input', {
    id: 'password',
    name: 'password',
    type: 'password',
    autocomplete: 'current-password',
    required: true,
  });
  const token = h('input', { id: 'token', name: 'token', type: 'password', autocomplete: 'off', spellcheck: 'false' });
  const submit = h('button', { class: 'btn btn-primary', type: 'submit', id: 'signin-submit' }, 'Sign in');

  const userFields = h(
    'div',
    { id: 'panel-password', role: 'tabpanel', 'aria-labelledby': 'tab-password' },
    h('div', { class: 'form-row' }, h('label', { for: 'username' }, 'User name'), username),
    h('div', { class: 'form-row' }, h('label', { for: 'password' }, 'Password'), password),
  );
  const tokenFields = h(
    'div',
    { id: 'panel-token', role: 'tabpanel', 'aria-labelledby': 'tab-token', hidden: true },
    h(
      'div',
      { class: 'form-row' },
      h('label', { for: 'token' }, 'API token'),
      token,
      h(
        'p',
        { class: 'muted small' },
        'An API token is shown once when an admin creates it (sellbridge tokens create).',
      ),
    ),
  );

  const tabPassword = h(
    'button',
    {
      type: 'button',
      role: 'tab',
      id: 'tab-password',
      'aria-selected': 'true',
      'aria-controls': 'panel-password',
      onclick: () => select('password'),
    },
    'User and password',
  );
  const tabToken = h(
    'button',
    {
      type: 'button',
      role: 'tab',
      id: 'tab-token',
      'aria-selected': 'false',
      'aria-controls': 'panel-token',
      onclick: () => select('token'),
    },
    'API token',
  );

  // Arrow keys move between the two tabs (WAI-ARIA tabs pattern).
  for (const tab of [tabPassword, tabToken]) {
    tab.addEventListener('keydown', (e) => {
      if (e.key !== 'ArrowLeft' && e.key !== 'ArrowRight') return;
      e.preventDefault();
      const next = mode === 'password' ? 'token' : 'password';
      select(next);
      (next === 'password' ? tabPassword : tabToken).focus();
    });
  }
  tabToken.tabIndex = -1;

  function select(m) {
    mode = m;
    tabPassword.setAttribute('aria-selected', String(m === 'password'));
    tabToken.setAttribute('aria-selected', String(m === 'token'));
    userFields.hidden = m !== 'password';
    tokenFields.hidden = m !== 'token';
    tabPassword.tabIndex = m === 'password' ? 0 : -1;
    tabToken.tabIndex = m === 'token' ? 0 : -1;
    username.required = password.required = m === 'password';
    token.required = m === 'token';
    errorEl.hidden = true;
    (m === 'password' ? username : token).focus();
  }

  const form = h(
    'form',
    {
      class: 'panel',
      novalidate: true,
      onsubmit: async (e) => {
        e.preventDefault();
        errorEl.hidden = true;
        const body =
          mode === 'password'
            ? { username: username.value.trim(), password: password.value }
            : { token: token.value.trim() };
        if (mode === 'password' && (!body.username || !body.password))
          return showError('Enter your user name and your password.');
        if (mode === 'token' && !body.token) return showError('Paste your API token.');
        submit.disabled = true;
        submit.textContent = 'Signing in…';
        try {
          const res = await api('/auth/login', { method: 'POST', body, quiet401: true });
          onSignedIn(res?.user ?? res);
        } catch (err) {
          showError(
            err.status === 401
              ? mode === 'password'
                ? 'That user name and password do not match. Check them and try again.'
                : 'That token is not valid (wrong, revoked or expired).'
              : err.message,
          );
          password.value = '';
        } finally {
          submit.disabled = false;
          submit.textContent = 'Sign in';
        }
      },
    },
    h('div', { class: 'tabs', role: 'tablist', 'aria-label': 'Sign-in method' }, tabPassword, tabToken),
    errorEl,
    userFields,
    tokenFields,
    h('div', { class: 'actions' }, submit),
  );

  function showError(msg) {
    errorEl.textContent = msg;
    errorEl.hidden = false;
  }

  main.append(
    h(
      'section',
      { class: 'signin', 'data-page': 'signin' },
      h('div', { class: 'brand-big' }, h('span', { class: 'brand-mark', 'aria-hidden': 'true' }, 'S'), 'Sellbridge'),
      h('h1', {}, 'Sign in'),
      h('p', { class: 'muted' }, 'Operator dashboard for the Sage 500 ↔ Amazon bridge.'),
      form,
    ),
  );
  username.focus();
}
