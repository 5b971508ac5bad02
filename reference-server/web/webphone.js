// The browser phone. For an agent whose phone is a WebRTC endpoint (the
// admin gave the agent a `web_phone`), this page is the phone: it registers
// the agent's SIP account with JsSIP over a WebSocket to Asterisk and answers,
// at once, the agent leg the dialer originates, so the call's audio plays
// here. Agents without one use their own softphone and this stays off.
//
// JsSIP comes from npm, bundled into /vendor/jssip.js (reference-server/
// webphone), and is loaded only when a phone is configured.

// What the status bar shows for each state.
export const PHONE_LABELS = {
  off: 'No browser phone',
  loading: 'Phone: loading…',
  connecting: 'Phone: connecting…',
  registered: 'Phone: ready',
  unregistered: 'Phone: not registered',
  failed: 'Phone: not working',
  ringing: 'Phone: answering…',
  in_call: 'Phone: on a call',
};

export class WebPhone {
  // audio: the <audio> element that plays the remote party.
  // onChange(phone): called after every change of state or detail.
  // onError(text): a problem the agent should be told about once.
  constructor({ audio, onChange, onError }) {
    this.audio = audio;
    this.onChange = onChange;
    this.onError = onError;
    this.state = 'off';
    this.detail = '';
    this.config = null;
    this.ua = null;
    this.session = null;
    this.jssip = null;
  }

  // Applies the account from GET /api/v1/agents/{id}/phone (null: none).
  // The same account again changes nothing, so a panel reconnecting to the
  // server keeps its registration and any call in progress.
  async configure(config) {
    if (sameAccount(config, this.config)) return;
    this.stop();
    this.config = config;
    if (!config) return;
    if (!window.isSecureContext) {
      this.fail('browsers give the microphone only to pages served over HTTPS (or from localhost); serve the panel over HTTPS');
      return;
    }
    this.set('loading');
    try {
      this.jssip ??= (await import('./vendor/jssip.js')).default;
    } catch {
      this.fail('this server has no JsSIP bundle (/vendor/jssip.js); see docs/dialerd.md, "Browser phones"');
      return;
    }
    if (!sameAccount(config, this.config)) return;  // reconfigured while loading
    this.start(config);
  }

  start(config) {
    const JsSIP = this.jssip;
    let ua;
    try {
      ua = new JsSIP.UA({
        sockets: [new JsSIP.WebSocketInterface(config.ws_uri)],
        uri: config.sip_uri,
        password: config.password,
        display_name: config.display_name || undefined,
        register: true,
        session_timers: false,
        user_agent: 'libdialer agent panel (JsSIP)',
      });
    } catch (err) {
      this.fail(`the phone's settings were refused: ${err.message || err}`);
      return;
    }
    this.ua = ua;
    ua.on('connecting', () => this.uaEvent(ua, () => { if (!this.session) this.set('connecting'); }));
    ua.on('disconnected', () => this.uaEvent(ua, () => {
      if (!this.session) this.set('connecting', 'the PBX cannot be reached; retrying');
    }));
    ua.on('registered', () => this.uaEvent(ua, () => { if (!this.session) this.set('registered'); }));
    ua.on('unregistered', () => this.uaEvent(ua, () => { if (!this.session) this.set('unregistered'); }));
    ua.on('registrationFailed', (e) => this.uaEvent(ua, () => {
      this.fail(`registration refused (${e.cause}${e.response ? `: ${e.response.status_code} ${e.response.reason_phrase}` : ''})`);
    }));
    ua.on('newRTCSession', (e) => this.uaEvent(ua, () => {
      if (e.originator === 'remote') this.incoming(e.session);
    }));
    this.set('connecting');
    ua.start();
  }

  // The dialer calls the agent: answer at once (an outbound dialer's agent
  // leg is never left ringing), unless a call is already up here.
  incoming(session) {
    if (this.session) {
      session.terminate({ status_code: 486, reason_phrase: 'Busy Here' });
      return;
    }
    this.session = session;
    session.on('peerconnection', ({ peerconnection }) => {
      peerconnection.addEventListener('track', (event) => {
        if (this.session !== session) return;
        this.audio.srcObject = event.streams[0];
        this.audio.play().catch(() => {});
      });
    });
    session.on('confirmed', () => { if (this.session === session) this.set('in_call'); });
    const over = (e) => {
      if (this.session !== session) return;
      this.session = null;
      this.audio.srcObject = null;
      if (e && e.cause === 'User Denied Media Access') {
        this.onError('Your browser phone could not answer: the browser refused the microphone.');
      }
      this.set(this.ua && this.ua.isRegistered() ? 'registered' : 'unregistered');
    };
    session.on('ended', over);
    session.on('failed', over);
    this.set('ringing');
    session.answer({ mediaConstraints: { audio: true, video: false } });
  }

  // Ends the browser call, if there is one (the panel's hangup button).
  hangUp() {
    const session = this.session;
    if (!session || session.isEnded()) return;
    try {
      session.terminate();
    } catch {
      // Already ending: the 'ended' event follows either way.
    }
  }

  // Unregisters and closes the WebSocket (sign-out, or a new account).
  stop() {
    this.hangUp();
    this.session = null;
    const ua = this.ua;
    this.ua = null;
    this.config = null;
    if (ua) {
      try {
        ua.stop();
      } catch {
        // Stopping a UA that never connected.
      }
    }
    this.set('off');
  }

  // Signing out: stop(), then wait (at most timeoutMs) for the PBX to
  // confirm the unregistration, so leaving the page does not cut it off.
  async signOff(timeoutMs = 1000) {
    const ua = this.ua;
    if (!ua || !ua.isRegistered()) {
      this.stop();
      return;
    }
    const done = new Promise((resolve) => {
      ua.once('unregistered', resolve);
      setTimeout(resolve, timeoutMs);
    });
    this.stop();
    await done;
  }

  get isReady() {
    return this.state === 'registered' || this.state === 'ringing' || this.state === 'in_call';
  }

  // Events of a UA that has since been replaced are ignored.
  uaEvent(ua, fn) {
    if (ua === this.ua) fn();
  }

  fail(detail) {
    const changed = this.state !== 'failed' || this.detail !== detail;
    this.set('failed', detail);
    if (changed) this.onError(`Your browser phone is not working: ${detail}.`);
  }

  set(state, detail = '') {
    this.state = state;
    this.detail = detail;
    this.onChange(this);
  }
}

function sameAccount(a, b) {
  if (!a || !b) return a === b;
  return a.ws_uri === b.ws_uri && a.sip_uri === b.sip_uri && a.password === b.password && a.display_name === b.display_name;
}
