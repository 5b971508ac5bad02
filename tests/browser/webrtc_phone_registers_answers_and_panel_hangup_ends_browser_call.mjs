// The browser phone: an agent whose phone is a WebRTC endpoint gets JsSIP
// (from npm, served by dialerd) in the panel, which registers the agent's SIP
// account over a WebSocket and answers the agent leg at once; hangup in the
// panel ends the browser call. A SIP-over-WebSocket stub (sip_stub.mjs)
// stands in for Asterisk's chan_pjsip: it challenges the registration with
// Digest and places the agent leg with an SDP offer made by a second page's
// RTCPeerConnection, so JsSIP answers a real WebRTC offer.
//
// Checked along the way:
//   - a wrong SIP password: the stub refuses it and the panel says so;
//   - the admin API never shows the SIP password; another agent cannot read it;
//   - the PBX hanging up the agent leg leaves the phone ready again;
//   - the panel's hangup ends the customer's call on the server and sends BYE;
//   - signing out unregisters;
//   - with a persistent agent leg, the panel's hangup leaves the browser call up.
import { runScenario, signIn, goAvailable, waitPill, received, finishCall, eventually, check, checkEqual } from './harness.mjs';
import { SipStub } from './sip_stub.mjs';

const PASSWORD = 'phone-secret-1';

// An SDP offer with one audio stream, from a page that is not the panel.
async function makeOffer(t) {
  const page = await t.page('pbx-media');
  await page.goto('about:blank');
  const sdp = await page.evaluate(async () => {
    const pc = new RTCPeerConnection();
    window.pbxPeer = pc;
    pc.addTransceiver('audio', { direction: 'sendrecv' });
    await pc.setLocalDescription(await pc.createOffer());
    if (pc.iceGatheringState !== 'complete') {
      await new Promise((resolve) => {
        pc.addEventListener('icegatheringstatechange', () => { if (pc.iceGatheringState === 'complete') resolve(); });
        setTimeout(resolve, 3000);
      });
    }
    return pc.localDescription.sdp;
  });
  return { page, sdp };
}

runScenario('webrtc_phone_registers_answers_and_panel_hangup_ends_browser_call', async (t) => {
  const sip = await SipStub.start({ realm: 'dialer-test', accounts: { alice: PASSWORD } });
  try {
    const server = await t.server();
    const admin = await server.token(server.login('admin'));
    const aliceLogin = server.login('agent', 0);
    const bobLogin = server.login('agent', 1);
    const agents = await server.apiOk('GET', '/api/v1/agents', { token: admin.token });
    const alice = agents.find((a) => a.login === aliceLogin.login);
    checkEqual(alice.web_phone, null, 'a demo agent\'s web_phone before one is set');

    // A wrong password first: the registration is refused and the panel says why.
    const phone = { ws_uri: sip.url, sip_uri: 'sip:alice@127.0.0.1', password: 'not-the-password', display_name: 'Alice Martin' };
    const set = await server.apiOk('PUT', `/api/v1/agents/${alice.id}`, { token: admin.token, body: { web_phone: phone } });
    checkEqual(JSON.stringify(set.web_phone), JSON.stringify({ ws_uri: sip.url, sip_uri: phone.sip_uri, display_name: 'Alice Martin', password_set: true }),
      'the admin view of the phone (no password in it)');
    const page = await signIn(t, server, aliceLogin);
    await page.waitForSelector('#phone-status[data-state="failed"]', { timeout: 20_000 });
    const toastText = await page.textContent('#toasts');
    check(/registration refused/.test(toastText) && /403/.test(toastText), `the panel did not say the registration was refused: "${toastText}"`);
    check(!sip.isRegistered('alice'), 'the stub registered a wrong password');
    await t.shot(page, 'wrong-sip-password-refused');

    // The right password, picked up when the panel loads again.
    await server.apiOk('PUT', `/api/v1/agents/${alice.id}`, { token: admin.token, body: { web_phone: { password: PASSWORD } } });
    const bob = await server.token(bobLogin);
    const denied = await server.api('GET', `/api/v1/agents/${alice.id}/phone`, { token: bob.token });
    checkEqual(denied.status, 403, 'another agent reading alice\'s SIP password');
    const adminRead = await server.api('GET', `/api/v1/agents/${alice.id}/phone`, { token: admin.token });
    checkEqual(adminRead.status, 403, 'an admin reading the SIP password');
    await page.reload();
    await page.waitForSelector('#phone-status[data-state="registered"]', { timeout: 20_000 });
    check(sip.isRegistered('alice'), 'the panel shows a registered phone the stub does not know');
    const register = sip.messages.filter((m) => m.method === 'REGISTER').at(-1);
    check(/JsSIP/.test(register.header('user-agent') || ''), `the REGISTER did not come from JsSIP: ${register.header('user-agent')}`);
    await t.shot(page, 'phone-registered');

    // The PBX calls the agent's phone (the agent leg): answered at once with SDP.
    const pbx = await makeOffer(t);
    const first = await sip.invite('alice', pbx.sdp);
    check(/^m=audio /m.test(first.answer), `the browser's answer has no audio stream:\n${first.answer}`);
    // The answer is a real WebRTC answer to that offer.
    await pbx.page.evaluate((sdp) => window.pbxPeer.setRemoteDescription({ type: 'answer', sdp }), first.answer);
    await page.waitForSelector('#phone-status[data-state="in_call"]', { timeout: 10_000 });
    await t.shot(page, 'agent-leg-answered-in-browser');

    // The PBX hangs the agent leg up: the phone is ready for the next one.
    await sip.bye(first);
    await page.waitForSelector('#phone-status[data-state="registered"]', { timeout: 10_000 });

    // A dialer call: the agent leg up in the browser, a customer bridged.
    const second = await sip.invite('alice', (await makeOffer(t)).sdp);
    await page.waitForSelector('#phone-status[data-state="in_call"]', { timeout: 10_000 });
    await goAvailable(page, 1);
    await page.waitForSelector('#call-state[data-state="bridged"]', { timeout: 120_000 });
    const bridged = received(page, 'call').filter((m) => m.call.state === 'bridged').at(-1);
    await t.shot(page, 'customer-bridged-browser-call-up');

    // Hangup in the panel ends the customer's call and the browser call.
    await page.click('#btn-hangup');
    const bye = await sip.byeFromBrowser(second);
    checkEqual(bye.header('call-id'), second.callId, 'the BYE\'s call');
    await page.waitForSelector('#call-state[data-state="ended"]', { timeout: 10_000 });
    await page.waitForSelector('#phone-status[data-state="registered"]', { timeout: 10_000 });
    await waitPill(page, 'wrapup');
    const row = await eventually('the call log row to show the end', async () => {
      const r = await server.apiOk('GET', `/api/v1/calls/${bridged.call.id}`, { token: page.session.token });
      return r.ended_at ? r : null;
    }, 10_000);
    checkEqual(row.hung_up_by, 'agent', 'call log: who hung up');
    await t.shot(page, 'hangup-ended-both-and-browser-call');

    // Disposition, then sign out: the phone unregisters.
    await finishCall(page, 'browser phone test');
    await page.click('#btn-signout');
    await page.waitForURL(/index\.html/, { timeout: 15_000 });
    await eventually('the phone to unregister at sign-out', () => !sip.isRegistered('alice'), 10_000);
    const last = sip.messages.filter((m) => m.method === 'REGISTER').at(-1);
    check(/expires=0/i.test(last.header('contact') || '') || last.header('expires') === '0', 'the last REGISTER is not an unregistration');

    // With a persistent agent leg the browser call is the agent's line
    // between calls: the panel's hangup ends the customer only.
    await server.apiOk('PUT', `/api/v1/agents/${alice.id}`, { token: admin.token, body: { persistent_leg: true } });
    const again = await signIn(t, server, aliceLogin, 'alice-persistent');
    await again.waitForSelector('#phone-status[data-state="registered"]', { timeout: 20_000 });
    const line = await sip.invite('alice', (await makeOffer(t)).sdp);
    await again.waitForSelector('#phone-status[data-state="in_call"]', { timeout: 10_000 });
    // Not goAvailable(): a call the campaign placed before the sign-out may
    // be waiting, and then the agent goes straight from offline to busy.
    await again.waitForSelector('#join-campaign option[value="1"]', { state: 'attached', timeout: 10_000 });
    await again.selectOption('#join-campaign', '1');
    await again.click('#btn-available');
    await again.waitForSelector('#call-state[data-state="bridged"]', { timeout: 120_000 });
    await again.click('#btn-hangup');
    await again.waitForSelector('#call-state[data-state="ended"]', { timeout: 10_000 });
    await new Promise((resolve) => setTimeout(resolve, 1500));
    check(!sip.messages.some((m) => m.method === 'BYE' && m.header('call-id') === line.callId),
      'the panel hung up a persistent agent leg');
    checkEqual(await again.getAttribute('#phone-status', 'data-state'), 'in_call', 'the phone after hanging up the customer');
    await t.shot(again, 'persistent-leg-stays-up-after-hangup');
    await finishCall(again, 'persistent leg');
    await sip.bye(line);
    await again.click('#btn-signout');
    await again.waitForURL(/index\.html/, { timeout: 15_000 });
    await server.apiOk('PUT', `/api/v1/agents/${alice.id}`, { token: admin.token, body: { persistent_leg: false } });

    // The admin can take the browser phone away again.
    const removed = await server.apiOk('PUT', `/api/v1/agents/${alice.id}`, { token: admin.token, body: { web_phone: null } });
    checkEqual(removed.web_phone, null, 'web_phone after setting it to null');
  } finally {
    await sip.close();
  }
}, 240_000, {
  chromiumArgs: ['--use-fake-ui-for-media-stream', '--use-fake-device-for-media-stream', '--autoplay-policy=no-user-gesture-required'],
});
