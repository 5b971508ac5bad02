// Two agents work the autodial campaign side by side for several calls each:
// no lead is popped to both, and each call log row names the lead its agent
// was shown.
import { runScenario, signIn, goAvailable, received, check, checkEqual, finishCall, eventually } from './harness.mjs';

const CALLS_EACH = 3;

async function work(t, server, page) {
  const calls = [];
  while (calls.length < CALLS_EACH) {
    const seen = new Set(calls.map((c) => c.call));
    const pop = await eventually(`${page.label}'s call #${calls.length + 1}`,
      () => received(page, 'lead_pop').find((m) => !seen.has(m.call)), 150_000, 250);
    calls.push(pop);
    await page.waitForSelector('#lead-summary:not([hidden])');
    if (calls.length === 1) await t.shot(page, `${page.label}-first-lead`);
    await finishCall(page, `handled by ${page.label}`);
  }
  return calls;
}

runScenario('two_agents_never_get_the_same_lead', async (t) => {
  const server = await t.server();
  const alice = await signIn(t, server, server.login('agent', 0), 'alice');
  const bob = await signIn(t, server, server.login('agent', 1), 'bob');
  await Promise.all([goAvailable(alice, 1), goAvailable(bob, 1)]);
  await t.shot(alice, 'alice-available');
  await t.shot(bob, 'bob-available');

  const [aliceCalls, bobCalls] = await Promise.all([work(t, server, alice), work(t, server, bob)]);
  const all = [...aliceCalls.map((c) => ['alice', c]), ...bobCalls.map((c) => ['bob', c])];
  const byLead = new Map();
  for (const [who, pop] of all) {
    check(pop.lead, `${who}'s call ${pop.call} popped no lead`);
    const other = byLead.get(pop.lead.id);
    check(!other, `lead ${pop.lead.id} was given to ${other} and to ${who}`);
    byLead.set(pop.lead.id, who);
  }
  for (const [who, pop] of all) {
    const page = who === 'alice' ? alice : bob;
    const row = await server.apiOk('GET', `/api/v1/calls/${pop.call}`, { token: page.session.token });
    checkEqual(row.lead, pop.lead.id, `call log lead of ${who}'s call ${pop.call}`);
    checkEqual(row.agent, page.session.agent_id, `call log agent of call ${pop.call}`);
  }
  console.log(`  alice got leads ${aliceCalls.map((c) => c.lead.id).join(', ')}; bob got ${bobCalls.map((c) => c.lead.id).join(', ')}`);
  await t.shot(alice, 'alice-after-calls');
  await t.shot(bob, 'bob-after-calls');
}, 290_000);
