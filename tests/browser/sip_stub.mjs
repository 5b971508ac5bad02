// A SIP-over-WebSocket registrar and caller (RFC 7118) standing in for
// Asterisk's chan_pjsip WebRTC endpoint in the browser phone's test. It does
// what Asterisk does with a browser phone, and only that:
//   - REGISTER is challenged with Digest (RFC 2617, qop=auth, MD5, as
//     chan_pjsip's default auth does), the answer checked against the
//     account's password: 200 OK, or 403 for a wrong one;
//   - INVITE to the registered contact (the agent leg the dialer originates),
//     with an SDP offer the test supplies, then ACK;
//   - BYE either way.
// Everything the browser sends is kept in `messages` for the test to check.
import crypto from 'node:crypto';
import { WebSocketServer } from 'ws';

const md5 = (s) => crypto.createHash('md5').update(s).digest('hex');
const random = () => crypto.randomBytes(6).toString('hex');

// One parsed SIP message.
export function parseSip(text) {
  const split = text.indexOf('\r\n\r\n');
  const head = split < 0 ? text : text.slice(0, split);
  const body = split < 0 ? '' : text.slice(split + 4);
  const [start, ...lines] = head.split('\r\n');
  const headers = new Map();
  for (const line of lines) {
    const colon = line.indexOf(':');
    if (colon < 0) continue;
    const name = line.slice(0, colon).trim().toLowerCase();
    const long = { v: 'via', f: 'from', t: 'to', i: 'call-id', m: 'contact', l: 'content-length', c: 'content-type' }[name] || name;
    if (!headers.has(long)) headers.set(long, []);
    headers.get(long).push(line.slice(colon + 1).trim());
  }
  const response = start.startsWith('SIP/2.0 ');
  const [a, b] = start.split(' ');
  return {
    start,
    method: response ? null : a,
    uri: response ? null : b,
    status: response ? Number(b) : null,
    headers,
    body,
    header(name) {
      const values = headers.get(name.toLowerCase());
      return values ? values[0] : undefined;
    },
  };
}

function digestParams(header) {
  const out = {};
  for (const m of header.replace(/^Digest\s+/i, '').matchAll(/(\w+)=("([^"]*)"|[^,\s]+)/g)) out[m[1]] = m[3] ?? m[2];
  return out;
}

function uriOf(nameAddr) {
  const m = /<([^>]+)>/.exec(nameAddr);
  return m ? m[1] : nameAddr.split(';')[0];
}

export class SipStub {
  // accounts: { user: password }.
  static async start({ realm = 'asterisk', accounts }) {
    const stub = new SipStub(realm, accounts);
    await new Promise((resolve) => stub.server.once('listening', resolve));
    return stub;
  }

  constructor(realm, accounts) {
    this.realm = realm;
    this.accounts = accounts;
    this.nonces = new Set();
    this.registrations = new Map();  // user -> { contact, socket, expires }
    this.messages = [];              // every message from the browser
    this.waiters = [];
    this.server = new WebSocketServer({
      host: '127.0.0.1',
      port: 0,
      // Browsers' SIP stacks ask for the "sip" subprotocol and refuse a
      // server that does not choose it.
      handleProtocols: (protocols) => (protocols.has('sip') ? 'sip' : false),
    });
    this.server.on('connection', (socket) => {
      socket.on('message', (data) => this.receive(socket, parseSip(data.toString('utf8'))));
    });
  }

  get url() {
    return `ws://127.0.0.1:${this.server.address().port}`;
  }

  async close() {
    for (const client of this.server.clients) client.terminate();
    await new Promise((resolve) => this.server.close(resolve));
  }

  receive(socket, msg) {
    this.messages.push(msg);
    if (msg.method === 'REGISTER') this.register(socket, msg);
    else if (msg.method === 'BYE') this.respond(socket, msg, 200, 'OK');
    else if (msg.method && msg.method !== 'ACK') this.respond(socket, msg, 405, 'Method Not Allowed');
    for (const w of [...this.waiters]) {
      if (w.match(msg)) {
        this.waiters.splice(this.waiters.indexOf(w), 1);
        w.resolve(msg);
      }
    }
  }

  // The next message from the browser that `match` accepts (or one already received when `past`).
  next(what, match, { timeoutMs = 20_000, past = false } = {}) {
    if (past) {
      const seen = this.messages.find(match);
      if (seen) return Promise.resolve(seen);
    }
    return new Promise((resolve, reject) => {
      const waiter = { match, resolve };
      this.waiters.push(waiter);
      setTimeout(() => {
        const i = this.waiters.indexOf(waiter);
        if (i >= 0) {
          this.waiters.splice(i, 1);
          reject(new Error(`SIP stub: no ${what} within ${timeoutMs} ms`));
        }
      }, timeoutMs);
    });
  }

  register(socket, msg) {
    const user = /sip:([^@]+)@/.exec(uriOf(msg.header('to')))?.[1];
    const auth = msg.header('authorization');
    if (!auth) {
      const nonce = random();
      this.nonces.add(nonce);
      this.respond(socket, msg, 401, 'Unauthorized', {
        'WWW-Authenticate': `Digest realm="${this.realm}", nonce="${nonce}", algorithm=MD5, qop="auth"`,
      });
      return;
    }
    const p = digestParams(auth);
    const password = this.accounts[user];
    const ha1 = md5(`${p.username}:${p.realm}:${password}`);
    const ha2 = md5(`REGISTER:${p.uri}`);
    const expected = md5(`${ha1}:${p.nonce}:${p.nc}:${p.cnonce}:${p.qop}:${ha2}`);
    if (password === undefined || p.username !== user || !this.nonces.has(p.nonce) || p.response !== expected) {
      this.respond(socket, msg, 403, 'Forbidden');
      return;
    }
    const contact = msg.header('contact');
    const expiresParam = /;\s*expires=(\d+)/i.exec(contact || '');
    const expires = Number(expiresParam ? expiresParam[1] : msg.header('expires') ?? 600);
    if (expires === 0) this.registrations.delete(user);
    else this.registrations.set(user, { contact: uriOf(contact), socket, expires });
    this.respond(socket, msg, 200, 'OK', expires === 0 ? {} : { Contact: `<${uriOf(contact)}>;expires=${expires}` });
  }

  isRegistered(user) {
    return this.registrations.has(user);
  }

  // Calls a registered user, as Asterisk calls the agent's endpoint; resolves
  // with the dialog once the browser answered 200 OK (and was sent ACK).
  async invite(user, sdpOffer) {
    const reg = this.registrations.get(user);
    if (!reg) throw new Error(`SIP stub: ${user} is not registered`);
    const dialog = {
      user,
      socket: reg.socket,
      callId: `${random()}@stub.invalid`,
      fromTag: random(),
      from: `"Dialer" <sip:dialer@stub.invalid>`,
      to: `<sip:${user}@stub.invalid>`,
      target: reg.contact,
      cseq: 1,
    };
    const answered = this.next('answer to the INVITE',
      (m) => m.status >= 200 && m.header('call-id') === dialog.callId && /INVITE/.test(m.header('cseq')), { timeoutMs: 20_000 });
    this.send(reg.socket, [
      `INVITE ${reg.contact} SIP/2.0`,
      `Via: SIP/2.0/WSS stub.invalid;branch=z9hG4bK${random()}`,
      'Max-Forwards: 70',
      `To: ${dialog.to}`,
      `From: ${dialog.from};tag=${dialog.fromTag}`,
      `Call-ID: ${dialog.callId}`,
      'CSeq: 1 INVITE',
      'Contact: <sip:dialer@stub.invalid;transport=ws>',
      'Content-Type: application/sdp',
    ], sdpOffer);
    const answer = await answered;
    if (answer.status !== 200) throw new Error(`SIP stub: the browser answered the INVITE with ${answer.start}`);
    dialog.toWithTag = answer.header('to');
    dialog.target = uriOf(answer.header('contact'));
    dialog.answer = answer.body;
    this.send(reg.socket, [
      `ACK ${dialog.target} SIP/2.0`,
      `Via: SIP/2.0/WSS stub.invalid;branch=z9hG4bK${random()}`,
      'Max-Forwards: 70',
      `To: ${dialog.toWithTag}`,
      `From: ${dialog.from};tag=${dialog.fromTag}`,
      `Call-ID: ${dialog.callId}`,
      'CSeq: 1 ACK',
    ]);
    return dialog;
  }

  // Hangs up an answered call from the PBX's side; resolves at the browser's 200 OK.
  async bye(dialog) {
    dialog.cseq += 1;
    const done = this.next('answer to the BYE',
      (m) => m.status >= 200 && m.header('call-id') === dialog.callId && /BYE/.test(m.header('cseq')));
    this.send(dialog.socket, [
      `BYE ${dialog.target} SIP/2.0`,
      `Via: SIP/2.0/WSS stub.invalid;branch=z9hG4bK${random()}`,
      'Max-Forwards: 70',
      `To: ${dialog.toWithTag}`,
      `From: ${dialog.from};tag=${dialog.fromTag}`,
      `Call-ID: ${dialog.callId}`,
      `CSeq: ${dialog.cseq} BYE`,
    ]);
    const answer = await done;
    if (answer.status !== 200) throw new Error(`SIP stub: the browser answered the BYE with ${answer.start}`);
  }

  // The BYE the browser sends for a dialog (its hangup).
  byeFromBrowser(dialog, timeoutMs = 10_000) {
    return this.next('BYE from the browser', (m) => m.method === 'BYE' && m.header('call-id') === dialog.callId,
      { timeoutMs, past: true });
  }

  respond(socket, req, status, reason, extra = {}) {
    const lines = [`SIP/2.0 ${status} ${reason}`];
    for (const via of req.headers.get('via') || []) lines.push(`Via: ${via}`);
    lines.push(`From: ${req.header('from')}`);
    const to = req.header('to');
    lines.push(`To: ${status > 100 && !/;\s*tag=/i.test(to) ? `${to};tag=${random()}` : to}`);
    lines.push(`Call-ID: ${req.header('call-id')}`);
    lines.push(`CSeq: ${req.header('cseq')}`);
    for (const [k, v] of Object.entries(extra)) lines.push(`${k}: ${v}`);
    this.send(socket, lines);
  }

  send(socket, lines, body = '') {
    const length = Buffer.byteLength(body, 'utf8');
    socket.send(`${lines.join('\r\n')}\r\nContent-Length: ${length}\r\n\r\n${body}`);
  }
}
