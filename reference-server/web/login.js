// The sign-in page: trades a login and password for a token, then opens the
// agent panel or the admin page according to the role the server gave.
import { login, loadSession, saveSession } from './api.js';

const form = document.getElementById('login-form');
const errorBox = document.getElementById('login-error');
const submit = document.getElementById('login-submit');

function pageFor(role) {
  return role === 'admin' ? 'admin.html' : 'agent.html';
}

const existing = loadSession();
if (existing && existing.token) location.replace(pageFor(existing.role));

const reason = new URLSearchParams(location.search).get('reason');
if (reason) {
  errorBox.textContent = reason;
  errorBox.hidden = false;
}

form.addEventListener('submit', async (event) => {
  event.preventDefault();
  const loginName = form.login.value.trim();
  const password = form.password.value;
  if (!loginName || !password) {
    errorBox.textContent = 'Enter your login and password.';
    errorBox.hidden = false;
    (loginName ? form.password : form.login).focus();
    return;
  }
  submit.disabled = true;
  errorBox.hidden = true;
  try {
    const answer = await login(loginName, password);
    saveSession({ token: answer.token, role: answer.role, agent_id: answer.agent_id ?? null,
      login: loginName, expires_at: answer.expires_at });
    location.replace(pageFor(answer.role));
  } catch (err) {
    errorBox.textContent = err.message;
    errorBox.hidden = false;
    form.password.select();
    form.password.focus();
  } finally {
    submit.disabled = false;
  }
});
