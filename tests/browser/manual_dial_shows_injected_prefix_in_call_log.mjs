// Manual dial from the keypad in the manual campaign: the panel shows the
// campaign's prefix read-only, the agent types only the customer's number,
// and the call log holds the number dialled with the prefix the server
// injected. Then a second call from the lead search dials the chosen lead.
import {
  runScenario, signIn, goAvailable, received, awaitMessage, eventually, check, checkEqual, finishCall,
} from './harness.mjs';

const NUMBER = '4155550123';

runScenario('manual_dial_shows_injected_prefix_in_call_log', async (t) => {
  const server = await t.server();
  const alice = server.login('agent', 0);
  const page = await signIn(t, server, alice);
  await goAvailable(page, 2);
  await page.waitForSelector('#manual-dial:not([hidden])');

  const snapshot = received(page, 'snapshot').at(-1);
  const prefix = (await server.apiOk('GET', `/api/v1/agents/${page.session.agent_id}/state`, { token: page.session.token })).campaign.dial_prefix;
  check(prefix && /^\d+$/.test(prefix), `the manual campaign's effective prefix is ${JSON.stringify(prefix)}`);
  checkEqual(await page.inputValue('#dial-prefix'), prefix, 'prefix shown in the status bar');
  check(await page.$eval('#dial-prefix', (i) => i.readOnly), 'the prefix field is editable');
  check(snapshot, 'no snapshot was received');
  await t.shot(page, 'manual-campaign-prefix-read-only');

  // Type the number on the keypad.
  for (const digit of NUMBER) await page.click(`#keypad button[data-key="${digit}"]`);
  checkEqual(await page.inputValue('#dial-number'), NUMBER, 'number typed on the keypad');
  await t.shot(page, 'number-on-keypad');
  const before = page.frames.length;
  await page.click('#btn-dial');

  const call = await awaitMessage(page, 'a call message for the manual dial', 'call', { from: before });
  await page.waitForSelector(`#call-id:text("#${call.call.id}")`);
  const dialledShown = await eventually('the dialled string in the call panel', async () => {
    const text = (await page.textContent('#call-dialled')).trim();
    return text !== '—' && text;
  });
  await t.shot(page, 'manual-call-placed');

  const row = await server.apiOk('GET', `/api/v1/calls/${call.call.id}`, { token: page.session.token });
  check(row.dialled.startsWith(prefix), `call log dialled ${row.dialled} does not start with the prefix ${prefix}`);
  check(row.dialled.endsWith(NUMBER), `call log dialled ${row.dialled} does not end with the number ${NUMBER}`);
  checkEqual(dialledShown, row.dialled, 'dialled string in the panel and in the call log');
  check(row.dial_string.includes(row.dialled), `dial string ${row.dial_string} does not use ${row.dialled}`);
  checkEqual(row.campaign, 2, 'call log campaign');
  console.log(`  call ${row.id}: number ${row.number}, dialled ${row.dialled}, dial string ${row.dial_string}`);

  await finishCall(page, 'manual dial test');
  await t.shot(page, 'available-after-manual-call');

  // Lead search: find leads by part of their number and dial one.
  await page.fill('#lead-search', '555');
  const first = await page.waitForSelector('#search-results button[data-lead]:not([disabled])', { timeout: 15_000 });
  const leadId = Number(await first.getAttribute('data-lead'));
  await t.shot(page, 'lead-search-results');
  await first.click();
  const pop = await eventually('the lead pop of the searched lead',
    () => received(page, 'lead_pop').find((m) => m.lead && m.lead.id === leadId)
      || received(page, 'call').filter((m) => m.call.id !== call.call.id).at(0), 30_000);
  const secondCall = received(page, 'call').find((m) => m.call.id !== call.call.id);
  check(secondCall, 'the lead search dial placed no call');
  const row2 = await server.apiOk('GET', `/api/v1/calls/${secondCall.call.id}`, { token: page.session.token });
  checkEqual(row2.lead, leadId, 'call log lead of the search dial');
  check(row2.dialled.startsWith(prefix), `search dial ${row2.dialled} lacks the prefix ${prefix}`);
  check(pop, 'nothing arrived for the search dial');
  await t.shot(page, 'lead-search-call-placed');
});
