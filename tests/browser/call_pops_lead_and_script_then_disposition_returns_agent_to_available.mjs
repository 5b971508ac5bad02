// log in → Available → a call arrives from the simulated PBX → lead and
// script pop → the customer hangs up → the modal blocks → disposition with
// notes → Available, with the call log holding the disposition and notes.
import {
  runScenario, signIn, goAvailable, waitPill, serverStatus, received, dispose, check, checkEqual, eventually,
} from './harness.mjs';

runScenario('call_pops_lead_and_script_then_disposition_returns_agent_to_available', async (t) => {
  const server = await t.server();
  const alice = server.login('agent', 0);

  const login = await t.page('login');
  await login.goto(`${server.base}/`);
  await login.fill('#login', alice.login);
  await login.fill('#password', 'wrong password');
  await login.press('#password', 'Enter');
  await login.waitForSelector('#login-error:not([hidden])');
  await t.shot(login, 'login-refused-with-server-message');
  await login.close();

  const page = await signIn(t, server, alice);
  await waitPill(page, 'offline');
  await t.shot(page, 'signed-in-offline');

  await goAvailable(page, 1);
  checkEqual(await serverStatus(server, page), 'available', 'stored status after Available');
  await t.shot(page, 'available');

  // The autodial campaign places calls for the available agent; the panel
  // shows one once it is connected, with the lead and the script.
  await page.waitForSelector('#call-state[data-state="bridged"]', { timeout: 120_000 });
  await waitPill(page, 'busy');
  const pop = await eventually('a lead_pop message', () => received(page, 'lead_pop').at(-1));
  const callId = pop.call;
  check(pop.lead, 'the autodial call popped no lead');
  await page.waitForSelector('#lead-summary:not([hidden])');
  const leadText = await page.textContent('#lead-summary');
  check(leadText.includes(pop.lead.fields.first_name), `lead card "${leadText}" lacks the lead's first name ${pop.lead.fields.first_name}`);
  check(leadText.includes(`#${pop.lead.id}`), `lead card "${leadText}" lacks lead #${pop.lead.id}`);
  const scriptText = await page.textContent('#script-text');
  check(scriptText.includes('Alice'), `script "${scriptText}" does not greet with the agent's name`);
  check(!/\{agent\}/.test(scriptText), `script "${scriptText}" still shows the {agent} placeholder`);
  await t.shot(page, 'call-connected-lead-and-script');
  await page.click('#tab-fields');
  await page.waitForSelector('#panel-fields:not([hidden])');
  await t.shot(page, 'lead-fields-tab');
  await page.click('#tab-script');

  // The simulated customer hangs up after a short talk.
  await page.waitForSelector('#dispo-modal[open]', { timeout: 120_000 });
  await waitPill(page, 'wrapup');
  checkEqual(await serverStatus(server, page), 'wrapup', 'stored status after the customer hung up');
  // The modal blocks: Escape does not close it, and the status buttons behind
  // it cannot be reached.
  await page.keyboard.press('Escape');
  await page.keyboard.press('Escape');
  check(await page.$eval('#dispo-modal', (d) => d.open), 'Escape closed the disposition modal');
  const clicked = await page.click('#btn-available', { timeout: 1500 }).then(() => true, () => false);
  check(!clicked, 'the Available button behind the modal could be clicked');
  await t.shot(page, 'wrapup-modal-blocks');

  const dispositions = await page.$$eval('#dispo-code option', (os) => os.map((o) => o.value).filter(Boolean));
  check(dispositions.length > 0, 'the modal lists no dispositions');
  const code = dispositions[0];
  const notes = 'Asked for the fixed plan brochure; call back Friday.';
  await page.selectOption('#dispo-code', code);
  await page.fill('#dispo-notes', notes);
  await t.shot(page, 'disposition-filled');
  await dispose(page, code, notes, '');
  await waitPill(page, 'available');
  check(!(await page.$eval('#dispo-modal', (d) => d.open)), 'the modal stayed open after the disposition');
  await t.shot(page, 'available-after-disposition');

  const update = received(page, 'status_update').filter((m) => m.previous === 'wrapup').at(-1);
  check(update && update.status === 'available', `the server's status after wrap-up was ${JSON.stringify(update)}`);
  const row = await server.apiOk('GET', `/api/v1/calls/${callId}`, { token: page.session.token });
  checkEqual(row.disposition, code, 'call-log disposition');
  checkEqual(row.notes, notes, 'call-log notes');
  checkEqual(row.lead, pop.lead.id, 'call-log lead');
  check(!row.auto_disposition, 'the call log marks the agent\'s disposition as automatic');
});
