// The campaign's wrap-up timeout: an agent who leaves the disposition modal
// alone is reset to available by the server, the modal closes by itself,
// and the call log carries the automatic disposition.
import { runScenario, signIn, goAvailable, received, eventually, check, checkEqual, waitModalClosed } from './harness.mjs';

const TIMEOUT_S = 5;

runScenario('wrapup_timeout_resets_agent_and_closes_modal', async (t) => {
  const server = await t.server();
  const admin = await server.token(server.login('admin'));
  const campaign = await server.apiOk('GET', '/api/v1/campaigns/1', { token: admin.token });
  await server.apiOk('PUT', '/api/v1/campaigns/1', { token: admin.token, body: { ...campaign, wrapup_timeout: TIMEOUT_S } });

  const alice = server.login('agent', 0);
  const page = await signIn(t, server, alice);
  await goAvailable(page, 1);
  await page.waitForSelector('#call-state[data-state="bridged"]', { timeout: 120_000 });
  const callId = received(page, 'call').filter((m) => m.call.state === 'bridged').at(-1).call.id;
  await page.click('#btn-hangup');
  await page.waitForSelector('#dispo-modal[open]', { timeout: 15_000 });
  await t.shot(page, 'wrapup-modal-left-alone');

  // The server ends the wrap-up; the modal closes without a click.
  await waitModalClosed(page, (TIMEOUT_S + 20) * 1000);
  const reset = received(page, 'status_update').find((m) => m.previous === 'wrapup');
  check(reset, 'no status_update left the wrap-up');
  checkEqual(reset.reason, 'wrapup_timeout', 'reason of the status change');
  checkEqual(reset.status, 'available', 'status after the wrap-up timeout');
  await page.waitForSelector('.toast:has-text("wrapup timeout")');
  await t.shot(page, 'reset-to-available-by-timeout');
  // The agent is available (or already on the next call the campaign placed).
  const status = await page.getAttribute('#status-pill', 'data-status');
  check(status === 'available' || status === 'busy', `pill shows ${status} after the reset`);

  const row = await eventually('the automatic disposition in the call log', async () => {
    const r = await server.apiOk('GET', `/api/v1/calls/${callId}`, { token: page.session.token });
    return r.disposition ? r : null;
  }, 10_000);
  check(row.auto_disposition, 'the call log does not mark the disposition automatic');
  checkEqual(row.disposition, campaign.wrapup_timeout_disposition || 'TIMEOUT', 'automatic disposition code');
});
