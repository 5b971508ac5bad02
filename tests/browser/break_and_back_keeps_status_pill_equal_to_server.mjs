// Break and back, by button and by shortcut: the pill changes only when the
// server says so, equals the stored status each time, and a second tab of
// the same agent follows the changes made in the first.
import { runScenario, signIn, goAvailable, waitPill, serverStatus, check, checkEqual } from './harness.mjs';

runScenario('break_and_back_keeps_status_pill_equal_to_server', async (t) => {
  const server = await t.server();
  const alice = server.login('agent', 0);
  const page = await signIn(t, server, alice, 'alice-tab-1');
  // The manual campaign: no call interrupts the status changes.
  await goAvailable(page, 2);
  await t.shot(page, 'available-in-manual-campaign');

  const breaks = await page.$$eval('#break-select option', (os) => os.map((o) => o.value));
  check(breaks.includes('lunch') && breaks.includes('coffee'), `break selector lists ${JSON.stringify(breaks)}`);

  await page.selectOption('#break-select', 'lunch');
  await page.click('#btn-break');
  await waitPill(page, 'break');
  checkEqual(await page.textContent('#status-pill'), 'On break: lunch', 'pill text');
  checkEqual(await serverStatus(server, page), 'break', 'stored status after Break');
  const snap = await server.apiOk('GET', `/api/v1/agents/${page.session.agent_id}/state`, { token: page.session.token });
  checkEqual(snap.break_type, 'lunch', 'stored break type');
  await t.shot(page, 'on-lunch-break');

  // Back by the keyboard shortcut.
  await page.keyboard.press('Alt+A');
  await waitPill(page, 'available');
  checkEqual(await serverStatus(server, page), 'available', 'stored status after Alt+A');
  await t.shot(page, 'back-available-by-shortcut');

  // A second tab of the same agent changes the status; the first follows.
  const second = await signIn(t, server, alice, 'alice-tab-2');
  await waitPill(second, 'available');
  await second.selectOption('#break-select', 'coffee');
  await second.keyboard.press('Alt+B');
  await waitPill(second, 'break');
  await waitPill(page, 'break');
  checkEqual(await page.textContent('#status-pill'), 'On break: coffee', 'first tab pill after the second tab took a break');
  checkEqual(await serverStatus(server, page), 'break', 'stored status after the second tab');
  await t.shot(page, 'first-tab-follows-coffee-break');

  await page.click('#btn-available');
  await waitPill(page, 'available');
  await waitPill(second, 'available');
  checkEqual(await serverStatus(server, page), 'available', 'stored status at the end');
  await t.shot(page, 'available-again');
});
