// The server restarts under an open panel: the panel shows that it is
// reconnecting (and no status it cannot vouch for), comes back by itself on
// the same token, and then shows exactly the state the restarted server has.
import { runScenario, signIn, goAvailable, waitPill, waitConnected, serverStatus, received, check, checkEqual } from './harness.mjs';

runScenario('panel_reconnects_after_server_restart_with_server_state', async (t) => {
  const server = await t.server();
  const alice = server.login('agent', 0);
  const page = await signIn(t, server, alice);
  await goAvailable(page, 2);
  await page.selectOption('#break-select', 'training');
  await page.click('#btn-break');
  await waitPill(page, 'break');
  await t.shot(page, 'on-training-break-before-restart');
  const snapshotsBefore = received(page, 'snapshot').length;

  await server.stop();
  await page.waitForSelector('#conn[data-state="reconnecting"]', { timeout: 40_000 });
  await page.waitForSelector('#reconnect-banner:not([hidden])');
  checkEqual(await page.getAttribute('#status-pill', 'data-status'), 'unknown', 'pill while the server is down');
  await t.shot(page, 'server-down-reconnecting');

  await server.start();
  await waitConnected(page, 60_000);
  check(received(page, 'snapshot').length > snapshotsBefore, 'the panel did not get a new snapshot');
  check(await page.isHidden('#reconnect-banner'), 'the reconnecting banner stayed up');
  const stored = await serverStatus(server, page);
  await waitPill(page, stored, 5_000);
  const snap = received(page, 'snapshot').at(-1);
  checkEqual(snap.status, stored, 'status in the new snapshot');
  const expectedPill = stored === 'break' ? `On break: ${snap.break_type}` : null;
  if (expectedPill) checkEqual(await page.textContent('#status-pill'), expectedPill, 'pill text after the restart');
  console.log(`  after the restart the server says ${stored}${snap.break_type ? ` (${snap.break_type})` : ''}; the pill agrees`);
  await t.shot(page, `reconnected-showing-${stored}`);

  // The panel works on the new connection.
  if (stored === 'offline') await goAvailable(page, 2);
  else await page.click('#btn-available');
  await waitPill(page, 'available');
  checkEqual(await serverStatus(server, page), 'available', 'stored status after a command on the new connection');
  await t.shot(page, 'available-after-restart');
});
