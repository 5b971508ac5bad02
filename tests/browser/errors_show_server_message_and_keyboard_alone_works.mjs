// Keyboard only: sign in with Tab and Enter, dial with Alt+D and Enter, hang
// up with Alt+H, and leave the wrap-up with the arrow keys and Ctrl+Enter.
// A refused command shows the server's own message in an error toast.
import {
  runScenario, waitConnected, waitPill, received, eventually, check, checkEqual, serverStatus, waitModalClosed,
} from './harness.mjs';

runScenario('errors_show_server_message_and_keyboard_alone_works', async (t) => {
  const server = await t.server();
  const alice = server.login('agent', 0);
  const page = await t.page('alice');
  await page.goto(`${server.base}/`);

  // The sign-in form in focus order.
  checkEqual(await page.evaluate(() => document.activeElement.id), 'login', 'focus on load');
  await page.keyboard.type(alice.login);
  await page.keyboard.press('Tab');
  checkEqual(await page.evaluate(() => document.activeElement.id), 'password', 'focus after Tab');
  await page.keyboard.type(alice.password);
  await page.keyboard.press('Enter');
  await page.waitForURL(/agent\.html$/);
  await waitConnected(page);
  page.session = await page.evaluate(() => JSON.parse(sessionStorage.getItem('dialer.session')));
  await waitPill(page, 'offline');

  // Offline: choose the manual campaign in the server's list with the
  // keyboard (its label starts with its number) and join it.
  await page.waitForSelector('#join-campaign option[value="2"]', { state: 'attached' });
  const listed = await server.apiOk('GET', `/api/v1/agents/${page.session.agent_id}/campaigns`, { token: page.session.token });
  const offered = await page.$$eval('#join-campaign option', (os) => os.map((o) => o.value).join(','));
  checkEqual(offered, listed.campaigns.map((c) => String(c.id)).join(','), 'campaigns offered at sign-in');
  await page.focus('#join-campaign');
  await page.keyboard.type('2');
  checkEqual(await page.inputValue('#join-campaign'), '2', 'campaign chosen by typing its number');
  await page.keyboard.press('Alt+A');
  await waitPill(page, 'available');
  await page.waitForSelector('#manual-dial:not([hidden])');

  // A number the campaign's plan refuses: the server's message is shown.
  await page.keyboard.press('Alt+D');
  checkEqual(await page.evaluate(() => document.activeElement.id), 'dial-number', 'focus after Alt+D');
  await page.keyboard.type('12');
  await page.keyboard.press('Enter');
  const error = await eventually('an error answer to the bad dial', () => received(page, 'error').at(-1), 10_000);
  check(error.message, 'the error has no message');
  const toast = await page.waitForSelector('.toast-error');
  const toastText = await toast.textContent();
  check(toastText.includes(error.message), `toast "${toastText}" does not show the server's message "${error.message}"`);
  checkEqual(await serverStatus(server, page), 'available', 'status after a refused dial');
  await t.shot(page, 'refused-dial-shows-server-message');
  await page.keyboard.press('Escape');
  await page.waitForSelector('.toast-error', { state: 'detached' });

  // A good number, dialled from the keyboard, then hung up with Alt+H.
  await page.keyboard.press('Alt+D');
  await page.keyboard.press('Control+A');
  await page.keyboard.type('3125550177');
  await page.keyboard.press('Enter');
  await page.waitForSelector('#btn-hangup:not([disabled])', { timeout: 20_000 });
  await t.shot(page, 'dialled-by-keyboard');
  await page.keyboard.press('Alt+H');
  const end = await Promise.race([
    page.waitForSelector('#dispo-modal[open]', { timeout: 30_000 }).then(() => 'wrapup'),
    waitPill(page, 'available').then(() => 'available'),
  ]);
  const call = received(page, 'call').at(-1).call;
  const row = await eventually('the hung-up call in the call log', async () => {
    const r = await server.apiOk('GET', `/api/v1/calls/${call.id}`, { token: page.session.token });
    return r.ended_at ? r : null;
  }, 10_000);
  checkEqual(row.hung_up_by, 'agent', 'who hung up the keyboard call');

  if (end === 'wrapup') {
    checkEqual(await page.evaluate(() => document.activeElement.id), 'dispo-code', 'focus when the modal opens');
    await page.keyboard.press('ArrowDown');
    const code = await page.inputValue('#dispo-code');
    check(code, 'ArrowDown chose no disposition');
    await page.keyboard.press('Tab');
    checkEqual(await page.evaluate(() => document.activeElement.id), 'dispo-notes', 'focus after Tab in the modal');
    await page.keyboard.type('Hung up from the keyboard.');
    await t.shot(page, 'disposition-by-keyboard');
    await page.keyboard.press('Control+Enter');
    await waitModalClosed(page, 10_000);
    const saved = await server.apiOk('GET', `/api/v1/calls/${call.id}`, { token: page.session.token });
    checkEqual(saved.disposition, code, 'disposition chosen with the keyboard');
    checkEqual(saved.notes, 'Hung up from the keyboard.', 'notes typed in the modal');
  }
  await waitPill(page, 'available');
  await page.keyboard.press('Alt+B');
  await waitPill(page, 'break');
  checkEqual(await serverStatus(server, page), 'break', 'status after Alt+B');
  await t.shot(page, 'break-by-keyboard');
});
