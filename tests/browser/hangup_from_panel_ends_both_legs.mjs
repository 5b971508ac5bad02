// Hang up from the panel during a connected autodial call: the call ends at
// once (the agent hung up, before the simulated customer would have), the
// call log records the agent's hangup and the end, and no leg stays up: the
// server holds the agent in wrap-up with the call ended (campaign statistics
// do not count bridged calls, so they cannot prove it).
import { runScenario, signIn, goAvailable, waitPill, received, eventually, check, checkEqual } from './harness.mjs';

runScenario('hangup_from_panel_ends_both_legs', async (t) => {
  const server = await t.server();
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
  checkEqual(row.state, 'ended', 'call log state before the disposition');
  check(row.bridged_at, 'the call log has no bridge time for a connected call');
  check(Date.parse(row.ended_at) >= Date.parse(row.bridged_at), 'the call ended before it was bridged');
  console.log(`  call ${callId}: ended by ${row.hung_up_by}, cause ${row.hangup_cause}, reason ${row.hangup_reason}`);

  // The agent's leg: the server holds the agent in wrap-up with the call
  // ended, not busy on a call that is still up.
  const agent = await server.apiOk('GET', `/api/v1/agents/${page.session.agent_id}/state`, { token: page.session.token });
  checkEqual(agent.status, 'wrapup', 'stored status after the hangup');
  check(!agent.call || agent.call.state === 'ended', `the agent's call is still ${agent.call && agent.call.state}`);
  // The customer's leg: no call message after the end says it came back,
  // and the call ended exactly once.
  const ends = received(page, 'call').filter((m) => m.call.id === callId && m.call.state === 'ended');
  checkEqual(ends.length, 1, 'ended messages for the call');
  // And nothing of the campaign is ringing or waiting for an agent.
  const admin = await server.token(server.login('admin'));
  const stats = await server.apiOk('GET', '/api/v1/campaigns/1/stats', { token: admin.token });
  checkEqual(stats.agents.busy, 0, 'agents busy in the campaign after the hangup');
  checkEqual(stats.waiting, 0, 'calls waiting for an agent after the hangup');
});
