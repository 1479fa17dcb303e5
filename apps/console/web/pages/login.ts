import { type Api, ApiError } from '../api.ts';
import { h } from '../dom.ts';

/** Asks for the console token; on success the app reloads its session. */
export function loginPage(api: Api, onLoggedIn: () => void): HTMLElement {
  const token = h('input', {
    type: 'password',
    name: 'token',
    autocomplete: 'current-password',
    required: true,
    'aria-label': 'Token',
    autofocus: true,
  });
  const error = h('p', { class: 'error-text', role: 'alert' });
  const submit = h('button', { type: 'submit', class: 'primary' }, 'Log in');
  const form = h(
    'form',
    { class: 'panel login', 'aria-label': 'Log in' },
    h('h1', null, 'Kafka console'),
    h('p', { class: 'muted' }, 'Enter the token configured as CONSOLE_TOKEN.'),
    h('label', { class: 'field' }, h('span', { class: 'field-label' }, 'Token'), token),
    error,
    h('div', { class: 'form-actions' }, submit),
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    submit.disabled = true;
    error.textContent = '';
    api
      .send('POST', '/api/login', { token: token.value })
      .then(onLoggedIn)
      .catch((e: unknown) => {
        error.textContent =
          e instanceof ApiError && e.status === 401
            ? 'Wrong token.'
            : e instanceof Error
              ? e.message
              : String(e);
        token.select();
      })
      .finally(() => {
        submit.disabled = false;
      });
  });
  return h('div', { class: 'page page-login' }, form);
}
