// An admin switches the agent's campaign between manual and autodial: the
// panel follows each campaign_changed at once — mode badge, manual dial
// controls shown only while the campaign allows them — without a reload.
import { runScenario, signIn, goAvailable, received, eventually, check, checkEqual } from './harness.mjs';

runScenario('campaign_mode_change_adapts_panel', async (t) => {
  const server = await t.server();
  const admin = await server.token(server.login('admin'));
  const page = await signIn(t, server, server.login('agent', 0));
  await goAvailable(page, 2);
  const original = await server.apiOk('GET', '/api/v1/campaigns/2', { token: admin.token });
  checkEqual(await page.textContent('#mode-badge'), 'Manual', 'mode badge in the manual campaign');
  checkEqual(await page.isVisible('#manual-dial'), Boolean(original.manual_dial_allowed), 'manual dial shown as the campaign allows');
  await t.shot(page, 'manual-campaign');

  await server.apiOk('PUT', '/api/v1/campaigns/2', {
    token: admin.token, body: { ...original, dial_mode: 'autodial', manual_dial_allowed: false },
  });
  const changed = await eventually('a campaign_changed message', () => received(page, 'campaign_changed').at(-1), 10_000);
  checkEqual(changed.campaign.dial_mode, 'autodial', 'mode in campaign_changed');
  await page.waitForSelector('#mode-badge[data-mode="autodial"]', { timeout: 5_000 });
  checkEqual(await page.textContent('#mode-badge'), 'Autodial', 'mode badge after the change');
  await page.waitForSelector('#manual-dial', { state: 'hidden', timeout: 5_000 });
  await page.waitForSelector('.toast:has-text("Autodial mode")');
  await t.shot(page, 'switched-to-autodial-manual-dial-hidden');

  await server.apiOk('PUT', '/api/v1/campaigns/2', {
    token: admin.token, body: { ...original, dial_mode: 'manual', manual_dial_allowed: true },
  });
  await page.waitForSelector('#mode-badge[data-mode="manual"]', { timeout: 5_000 });
  await page.waitForSelector('#manual-dial', { state: 'visible', timeout: 5_000 });
  check(received(page, 'campaign_changed').length >= 2, 'the second change sent no campaign_changed');
  await t.shot(page, 'back-to-manual-keypad-shown');
});
