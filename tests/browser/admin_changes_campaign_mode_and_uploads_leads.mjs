// The admin page: an admin signs in (and lands on admin.html, not the agent
// layout), switches the manual campaign to autodial while an agent works in
// it — the agent's panel adapts — and uploads a CSV whose per-row report the
// page shows as the server answered it. Live statistics show the agent.
import {
  runScenario, signIn, goAvailable, received, eventually, check, checkEqual,
} from './harness.mjs';

const CSV = [
  'phone,first_name,last_name,time_zone',
  '3125550161,Ada,Lovelace,America/Chicago',
  '3125550162,Alan,Turing,America/Chicago',
  'not-a-number,Bad,Row,America/Chicago',
  '3125550161,Ada,Again,America/Chicago',
].join('\n') + '\n';

runScenario('admin_changes_campaign_mode_and_uploads_leads', async (t) => {
  const server = await t.server();
  const agent = await signIn(t, server, server.login('agent', 0), 'alice');
  await goAvailable(agent, 2);
  await agent.waitForSelector('#manual-dial:not([hidden])');

  // Sign in as the admin.
  const adminLogin = server.login('admin');
  const admin = await t.page('admin');
  await admin.goto(`${server.base}/`);
  await admin.fill('#login', adminLogin.login);
  await admin.fill('#password', adminLogin.password);
  await admin.press('#password', 'Enter');
  await admin.waitForURL(/admin\.html$/, { timeout: 15_000 });
  const token = (await admin.evaluate(() => JSON.parse(sessionStorage.getItem('dialer.session')))).token;
  check(await admin.isHidden('#status-pill'), 'the admin page shows the agent layout');

  // The tables list what the server has.
  const campaigns = await server.apiOk('GET', '/api/v1/campaigns', { token });
  await admin.waitForSelector(`#campaign-table tr[data-campaign="${campaigns.at(-1).id}"]`);
  checkEqual(await admin.$$eval('#campaign-table tbody tr', (rs) => rs.map((r) => r.dataset.campaign).join(',')),
    campaigns.map((c) => String(c.id)).join(','), 'campaigns listed');
  const carriers = await server.apiOk('GET', '/api/v1/carriers', { token });
  checkEqual(await admin.$$eval('#carrier-table tbody tr', (rs) => rs.length), carriers.length, 'carriers listed');
  const agents = await server.apiOk('GET', '/api/v1/agents', { token });
  checkEqual(await admin.$$eval('#agent-table tbody tr', (rs) => rs.length), agents.length, 'agents listed');
  // Live statistics: the agent working campaign 2 is counted.
  await admin.waitForSelector('#stats-table tr[data-campaign="2"] td[data-figure="agents_logged_in"]:text-is("1")', { timeout: 10_000 });
  const stats = await server.apiOk('GET', '/api/v1/campaigns/2/stats', { token });
  checkEqual(stats.agents_logged_in, 1, 'agents logged in to campaign 2 (server)');
  await t.shot(admin, 'admin-page-lists-and-live-stats');

  // Switch campaign 2 to autodial without manual dial.
  await admin.click('#campaign-table tr[data-campaign="2"] button[data-edit]');
  checkEqual(await admin.inputValue('#cf-mode'), 'manual', 'mode in the edit form');
  await admin.selectOption('#cf-mode', 'autodial');
  await admin.uncheck('#cf-manual');
  await t.shot(admin, 'editing-campaign-2');
  const before = agent.frames.length;
  await admin.click('#cf-save');
  await admin.waitForSelector('#campaign-table tr[data-campaign="2"] td[data-field="mode"]:text-is("Autodial")');
  const saved = await server.apiOk('GET', '/api/v1/campaigns/2', { token });
  checkEqual(saved.dial_mode, 'autodial', 'stored mode of campaign 2');
  checkEqual(saved.manual_dial_allowed, false, 'stored manual dial of campaign 2');
  await t.shot(admin, 'campaign-2-saved-as-autodial');

  // The agent's panel follows.
  const changed = await eventually('campaign_changed on the agent panel',
    () => agent.frames.slice(before).find((m) => m.type === 'campaign_changed'), 10_000);
  checkEqual(changed.campaign.dial_mode, 'autodial', 'mode the agent was sent');
  await agent.waitForSelector('#mode-badge[data-mode="autodial"]', { timeout: 5_000 });
  await agent.waitForSelector('#manual-dial', { state: 'hidden', timeout: 5_000 });
  await t.shot(agent, 'agent-panel-adapted-to-autodial');

  // A wrong edit is refused with the server's message and changes nothing.
  await admin.click('#campaign-table tr[data-campaign="2"] button[data-edit]');
  await admin.fill('#cf-prefix', '7x');
  await admin.click('#cf-save');
  const refusal = await admin.waitForSelector('#campaign-error:not([hidden])', { timeout: 5_000 });
  const refusalText = (await refusal.textContent()).trim();
  check(refusalText.length > 0, 'the refusal has no message');
  console.log(`  refused edit: ${refusalText}`);
  checkEqual((await server.apiOk('GET', '/api/v1/campaigns/2', { token })).dial_prefix, saved.dial_prefix, 'prefix after a refused edit');
  await t.shot(admin, 'refused-edit-shows-server-message');
  await admin.click('#cf-cancel');

  // Create an agent and a campaign; the server has them, and the new agent's
  // campaign list offers the new campaign.
  await admin.fill('#af-login', 'carol');
  await admin.fill('#af-name', 'Carol Shaw');
  await admin.fill('#af-password', 'carol-password');
  await admin.fill('#af-endpoint', 'PJSIP/carol');
  // With a browser phone: a bad SIP WebSocket is refused naming the field.
  await admin.fill('#af-ws', 'https://pbx.example.com/ws');
  await admin.fill('#af-sip', 'sip:carol@pbx.example.com');
  await admin.fill('#af-sip-password', 'carol-sip-secret');
  await admin.click('#af-save');
  const phoneRefusal = await admin.waitForSelector('#agent-error:not([hidden])', { timeout: 15_000 });
  check(/web_phone\.ws_uri/.test(await phoneRefusal.textContent()), `the refusal does not name the field: ${await phoneRefusal.textContent()}`);
  check(!(await server.apiOk('GET', '/api/v1/agents', { token })).some((a) => a.login === 'carol'), 'a refused agent was created');
  await admin.fill('#af-ws', 'wss://pbx.example.com:8089/ws');
  await admin.click('#af-save');
  await admin.waitForSelector('#agent-table td:text-is("carol")', { timeout: 15_000 });
  await admin.waitForSelector('#agent-table td:text-is("sip:carol@pbx.example.com")');
  const carol = (await server.apiOk('GET', '/api/v1/agents', { token })).find((a) => a.login === 'carol');
  check(carol && carol.name === 'Carol Shaw' && carol.endpoint === 'PJSIP/carol', `stored agent ${JSON.stringify(carol)}`);
  check(carol.web_phone && carol.web_phone.password_set && carol.web_phone.ws_uri === 'wss://pbx.example.com:8089/ws',
    `stored browser phone ${JSON.stringify(carol.web_phone)}`);
  await admin.fill('#cf-name', 'Winter offers');
  await admin.selectOption('#cf-mode', 'manual');
  await admin.check('#cf-manual');
  await admin.selectOption('#cf-carrier', '2');
  await admin.fill('#cf-wrapup', '45');
  await admin.click('#cf-save');
  await admin.waitForSelector('#campaign-table td:text-is("Winter offers")', { timeout: 10_000 });
  const winter = (await server.apiOk('GET', '/api/v1/campaigns', { token })).find((c) => c.name === 'Winter offers');
  check(winter, 'the new campaign is not on the server');
  checkEqual(winter.dial_mode, 'manual', 'mode of the new campaign');
  checkEqual(winter.wrapup_timeout, 45, 'wrap-up timeout of the new campaign');
  checkEqual(winter.carrier, 2, 'carrier of the new campaign');
  const carolToken = await server.token({ login: 'carol', password: 'carol-password' });
  const offered = await server.apiOk('GET', `/api/v1/agents/${carol.id}/campaigns`, { token: carolToken.token });
  check(offered.campaigns.some((c) => c.id === winter.id), 'the new agent may not join the new campaign');
  await t.shot(admin, 'agent-and-campaign-created');

  // CSV upload into campaign 2 with the per-row report.
  await admin.selectOption('#up-campaign', '2');
  await admin.fill('#up-zone-column', 'time_zone');
  await admin.setInputFiles('#up-file', { name: 'leads.csv', mimeType: 'text/csv', buffer: Buffer.from(CSV) });
  await admin.click('#up-submit');
  await admin.waitForSelector('#upload-report:not([hidden])', { timeout: 15_000 });
  const shown = Object.fromEntries(await admin.$$eval('#report-summary dd', (ds) => ds.map((d) => [d.dataset.figure, d.textContent])));
  checkEqual(shown.rows, '4', 'rows in the report');
  checkEqual(shown.imported, '2', 'imported rows in the report');
  checkEqual(shown.duplicates, '1', 'duplicate rows in the report');
  checkEqual(shown.unknown_time_zone, '0', 'rows without a known time zone (the file names them)');
  const rejectedLines = await admin.$$eval('#report-rejected tbody tr', (rs) => rs.map((r) => Number(r.dataset.line)));
  check(rejectedLines.includes(4), `the bad phone on line 4 is not among the rejected lines ${JSON.stringify(rejectedLines)}`);
  await t.shot(admin, 'csv-upload-report');
  // The server holds exactly the two good leads.
  const found = await server.apiOk('GET', '/api/v1/leads?campaign=2&q=31255501', { token });
  const phones = found.leads.map((l) => l.phone).filter((p) => /312555016[12]$/.test(p));
  checkEqual(phones.length, 2, `imported leads found on the server (${JSON.stringify(found.leads.map((l) => l.phone))})`);
  check(received(agent, 'error').length === 0, `the agent panel got errors: ${JSON.stringify(received(agent, 'error'))}`);
});
