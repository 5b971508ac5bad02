// The agent WebSocket (docs/api.md, "The agent WebSocket"): connects, keeps
// itself alive, and reconnects with backoff when anything goes wrong.
//
// Recovery is always the same move — close and reconnect — because the server
// begins every connection with a snapshot that replaces the panel's state.
// That covers a server restart, a dropped network, a silent server and a gap
// in the sequence numbers alike, so the panel never reasons about what it may
// have missed.

const PROTOCOL_VERSION = 1;
const HEARTBEAT_EVERY_MS = 10_000;
// The server sends a heartbeat every 10 s; three missed means it is gone even
// if TCP has not noticed yet.
const SILENCE_LIMIT_MS = 30_000;
const COMMAND_TIMEOUT_MS = 10_000;
const BACKOFF_FIRST_MS = 500;
const BACKOFF_MAX_MS = 15_000;

export class CommandError extends Error {
  constructor(code, message) {
    super(message);
    this.code = code;
  }
}

export class AgentConnection {
  // handlers: onMessage(msg) for every server message in order, onStatus({state,
  // attempt, retryInMs}) where state is 'connecting' | 'open' | 'reconnecting',
  // onRejected() when a connection failed before it opened (the token may
  // have expired: the panel asks the REST API to tell).
  constructor(token, handlers) {
    this.token = token;
    this.handlers = handlers;
    this.socket = null;
    this.attempt = 0;
    this.lastSeq = null;
    this.nextId = 1;
    this.pending = new Map();
    this.retryTimer = null;
    this.heartbeatTimer = null;
    this.silenceTimer = null;
    this.stopped = false;
  }

  start() {
    this.stopped = false;
    this.open();
  }

  stop() {
    this.stopped = true;
    clearTimeout(this.retryTimer);
    this.teardown('The panel closed its connection.');
  }

  get isOpen() {
    return this.socket !== null && this.socket.readyState === WebSocket.OPEN && this.lastSeq !== null;
  }

  // Sends one command and resolves on its ack, rejects on its error (with the
  // server's code and message) or when the connection drops first.
  send(type, fields = {}) {
    if (!this.isOpen) {
      return Promise.reject(new CommandError('unavailable', 'Not connected to the server; the panel is reconnecting.'));
    }
    const id = `c${this.nextId++}`;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new CommandError('timeout', `The server did not answer "${type}" in time.`));
      }, COMMAND_TIMEOUT_MS);
      this.pending.set(id, { resolve, reject, timer });
      this.socket.send(JSON.stringify({ v: PROTOCOL_VERSION, type, id, ...fields }));
    });
  }

  open() {
    const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
    const url = `${scheme}//${location.host}/api/v1/ws?token=${encodeURIComponent(this.token)}`;
    this.handlers.onStatus({ state: this.attempt === 0 ? 'connecting' : 'reconnecting', attempt: this.attempt });
    let opened = false;
    const socket = new WebSocket(url);
    this.socket = socket;
    this.lastSeq = null;
    socket.onopen = () => {
      opened = true;
      this.armSilence();
      this.heartbeatTimer = setInterval(() => {
        if (socket.readyState === WebSocket.OPEN) {
          socket.send(JSON.stringify({ v: PROTOCOL_VERSION, type: 'heartbeat', id: `h${this.nextId++}` }));
        }
      }, HEARTBEAT_EVERY_MS);
    };
    socket.onmessage = (event) => {
      if (socket !== this.socket) return;
      this.armSilence();
      let msg;
      try {
        msg = JSON.parse(event.data);
      } catch {
        this.restart('The server sent a message that is not JSON.');
        return;
      }
      this.receive(msg);
    };
    socket.onclose = () => {
      if (socket !== this.socket) return;
      this.teardown('The connection to the server was lost.');
      if (!opened && this.handlers.onRejected) this.handlers.onRejected();
      this.scheduleRetry();
    };
    socket.onerror = () => {
      // onclose follows and does the work.
    };
  }

  receive(msg) {
    if (msg.v !== PROTOCOL_VERSION) {
      this.handlers.onMessage({ type: 'error', id: null, code: 'protocol_error',
        message: `The server speaks protocol version ${msg.v}; this panel speaks ${PROTOCOL_VERSION}.` });
      return;
    }
    if (msg.type === 'snapshot') {
      this.lastSeq = msg.seq;
      this.attempt = 0;
      this.handlers.onStatus({ state: 'open', attempt: 0 });
    } else if (this.lastSeq === null) {
      // Everything before the snapshot would be a change to a state we do not
      // have yet.
      return;
    } else if (typeof msg.seq === 'number') {
      if (msg.seq !== this.lastSeq + 1) {
        this.restart(`Messages were lost (expected ${this.lastSeq + 1}, got ${msg.seq}); fetching a fresh state.`);
        return;
      }
      this.lastSeq = msg.seq;
    }
    if ((msg.type === 'ack' || msg.type === 'error') && msg.id && this.pending.has(msg.id)) {
      const waiter = this.pending.get(msg.id);
      this.pending.delete(msg.id);
      clearTimeout(waiter.timer);
      if (msg.type === 'ack') waiter.resolve(msg);
      else waiter.reject(new CommandError(msg.code, msg.message));
      return;
    }
    if (msg.type === 'ack') return;
    this.handlers.onMessage(msg);
  }

  armSilence() {
    clearTimeout(this.silenceTimer);
    this.silenceTimer = setTimeout(() => this.restart('The server went silent.'), SILENCE_LIMIT_MS);
  }

  restart(reason) {
    this.teardown(reason);
    this.scheduleRetry();
  }

  teardown(reason) {
    clearInterval(this.heartbeatTimer);
    clearTimeout(this.silenceTimer);
    const socket = this.socket;
    this.socket = null;
    this.lastSeq = null;
    if (socket) {
      socket.onopen = socket.onmessage = socket.onclose = socket.onerror = null;
      if (socket.readyState === WebSocket.OPEN || socket.readyState === WebSocket.CONNECTING) socket.close();
    }
    for (const [, waiter] of this.pending) {
      clearTimeout(waiter.timer);
      waiter.reject(new CommandError('unavailable', reason));
    }
    this.pending.clear();
  }

  scheduleRetry() {
    if (this.stopped) return;
    // Exponential backoff with jitter, so that many panels do not all hit a
    // restarted server in the same instant.
    const base = Math.min(BACKOFF_MAX_MS, BACKOFF_FIRST_MS * 2 ** this.attempt);
    const delay = Math.round(base * (0.8 + Math.random() * 0.4));
    this.attempt += 1;
    this.handlers.onStatus({ state: 'reconnecting', attempt: this.attempt, retryInMs: delay });
    clearTimeout(this.retryTimer);
    this.retryTimer = setTimeout(() => this.open(), delay);
  }
}
