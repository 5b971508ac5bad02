// Hang up from the panel during a connected autodial call: the call ends at
// once (the agent hung up, before the simulated customer would have), the
// call log records the agent's hangup, and no leg of the call stays up:
// the campaign's live figures show no call in progress.
import { runScenario, signIn, goAvailable, waitPill, received, eventually, check, checkEqual } from './harness.mjs';

runScenario('hangup_from_panel_ends_both_legs', async (t) => {
  const server = await t.server();
  const admin = await server.token(server.login('admin'));
  const alice = server.login('agent', 0);
  const page = await signIn(t, server, alice);
  await goAvailable(page, 1);

  await page.waitForSelector('#call-state[data-state="bridged"]', { timeout: 120_000 });
  await waitPill(page, 'busy');
  const bridged = received(page, 'call').filter((m) => m.call.state === 'bridged').at(-1);
  const callId = bridged.call.id;
  check(await page.$eval('#btn-hangup', (b) => !b.disabled), 'the hangup button is disabled during a connected call');
  await t.shot(page, 'connected-before-hangup');

  await page.click('#btn-hangup');
  await page.waitForSelector('#call-state[data-state="ended"]', { timeout: 10_000 });
  await waitPill(page, 'wrapup');
  await page.waitForSelector('#dispo-modal[open]');
  check(await page.$eval('#btn-hangup', (b) => b.disabled), 'the hangup button stays enabled after the call ended');
  await t.shot(page, 'ended-by-agent-wrapup');

  const row = await eventually('the call log row to show the end',
    async () => {
      const r = await server.apiOk('GET', `/api/v1/calls/${callId}`, { token: page.session.token });
      return r.ended_at ? r : null;
    }, 10_000);
  checkEqual(row.hung_up_by, 'agent', 'call log: who hung up');
  check(row.bridged_at, 'the call log has no bridge time for a connected call');

  // Only this agent works the campaign and she is in wrap-up, so nothing may
  // be live: a leg left up would show here.
  const stats = await eventually('the campaign to have no call in progress', async () => {
    const s = await server.apiOk('GET', '/api/v1/campaigns/1/stats', { token: admin.token });
    return liveCalls(s) === 0 ? s : null;
  }, 10_000);
  console.log(`  campaign stats after the hangup: ${JSON.stringify(stats)}`);
});

// The number of calls in progress in a stats answer: every "calls" figure
// that is not a total of the day.
function liveCalls(stats) {
  const calls = stats.calls || stats;
  let live = 0;
  for (const key of ['ringing', 'waiting', 'answered', 'bridged', 'live', 'in_progress', 'calls_ringing', 'calls_waiting', 'calls_bridged', 'calls_live']) {
    if (typeof calls[key] === 'number') live += calls[key];
  }
  return live;
}
