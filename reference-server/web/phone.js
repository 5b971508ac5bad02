// The optional browser phone. When the agent's phone is marked WebRTC, the
// panel loads JsSIP (vendored into vendor/ by scripts/install-deps.sh),
// registers, and answers the calls the dialer places to the agent; otherwise
// the agent's external softphone rings and this does nothing.
//
// The snapshot field it reads, `phone: {"webrtc": true, "sip_uri", "ws_url",
// "password"}` (at the top level or in `agent`), is not yet in docs/api.md.

const JSSIP_SRC = 'vendor/jssip.min.js';

function loadScript(src) {
  return new Promise((resolve, reject) => {
    const existing = document.querySelector(`script[data-src="${src}"]`);
    if (existing) {
      resolve();
      return;
    }
    const script = document.createElement('script');
    script.src = src;
    script.dataset.src = src;
    script.onload = () => resolve();
    script.onerror = () => reject(new Error(`${src} could not be loaded`));
    document.head.append(script);
  });
}

export class BrowserPhone {
  constructor(onError) {
    this.onError = onError;
    this.ua = null;
    this.session = null;
    this.key = null;
    this.audio = null;
  }

  async configure(phone) {
    const wanted = phone && phone.webrtc && phone.sip_uri && phone.ws_url ? phone : null;
    const key = wanted ? `${wanted.sip_uri} ${wanted.ws_url}` : null;
    if (key === this.key) return;
    this.stop();
    this.key = key;
    if (!wanted) return;
    try {
      await loadScript(JSSIP_SRC);
      const JsSIP = window.JsSIP;
      const socket = new JsSIP.WebSocketInterface(wanted.ws_url);
      this.ua = new JsSIP.UA({ sockets: [socket], uri: wanted.sip_uri, password: wanted.password || '', register: true });
      this.ua.on('registrationFailed', (e) => this.onError(`The browser phone could not register (${e.cause}).`));
      this.ua.on('newRTCSession', ({ session, originator }) => {
        if (originator !== 'remote') return;
        this.session = session;
        session.on('ended', () => { this.session = null; });
        session.on('failed', () => { this.session = null; });
        session.on('peerconnection', ({ peerconnection }) => {
          peerconnection.addEventListener('track', (event) => {
            if (!this.audio) {
              this.audio = new Audio();
              this.audio.autoplay = true;
            }
            this.audio.srcObject = event.streams[0];
          });
        });
        // The dialer calls the agent only to join a customer: answer at once.
        session.answer({ mediaConstraints: { audio: true, video: false } });
      });
      this.ua.start();
    } catch (err) {
      this.onError(`The browser phone is unavailable: ${err.message}. Use your softphone.`);
    }
  }

  hangup() {
    if (this.session) {
      try {
        this.session.terminate();
      } catch {
        // Already ended.
      }
      this.session = null;
    }
  }

  stop() {
    this.hangup();
    if (this.ua) {
      this.ua.stop();
      this.ua = null;
    }
  }
}
