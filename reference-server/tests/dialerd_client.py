"""A small client for dialerd's tests: JSON over http.client, and a minimal
WebSocket client (RFC 6455, text frames, client masking) over a socket.
Standard library only."""

import base64
import http.client
import json
import os
import re
import signal
import socket
import struct
import subprocess
import tempfile
import time


class Server:
    """dialerd on an ephemeral loopback port, as a subprocess: --demo by
    default; with demo=False, whatever `extra` configures (a config file, a
    store, ARI), and `logins` filled by the caller with add_login()."""

    def __init__(self, data_dir=None, extra=(), demo=True, env=None):
        self.binary = os.environ.get("DIALERD")
        if not self.binary:
            raise RuntimeError("set DIALERD to the dialerd binary")
        self.data_dir = data_dir or tempfile.mkdtemp(prefix="dialerd-test-")
        self.log_path = os.path.join(self.data_dir, "dialerd.log")
        self.extra = list(extra)
        self.demo = demo
        self.env = env
        self.proc = None
        self.host = None
        self.port = None
        self.logins = {}

    def add_login(self, login, password, role):
        self.logins[login] = (password, role)

    def start(self):
        self.log = open(self.log_path, "ab")
        args = [self.binary, "--listen", "127.0.0.1:0", "--data-dir", self.data_dir,
                "--password-hash", "minimal", "--log-level", "debug"]
        if self.demo:
            args.insert(1, "--demo")
        env = None
        if self.env:
            env = dict(os.environ)
            env.update(self.env)
        self.proc = subprocess.Popen(args + self.extra, stdout=subprocess.PIPE, stderr=self.log, env=env)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            line = self.proc.stdout.readline().decode()
            if not line:
                raise RuntimeError("dialerd exited early; see " + self.log_path)
            m = re.match(r"dialerd listening on http://([^:/]+):(\d+)/", line)
            if m:
                self.host, self.port = m.group(1), int(m.group(2))
                if not self.demo:
                    return self
            m = re.match(r"demo login: (\S+) / (\S+) \((\w+)\)", line)
            if m:
                self.logins[m.group(1)] = (m.group(2), m.group(3))
                if len(self.logins) == 3:
                    return self
        raise RuntimeError("dialerd did not print its address and logins")

    def wait_ready(self, timeout=30):
        """Until /readyz answers 200 (store and telephony reachable)."""
        deadline = time.monotonic() + timeout
        while True:
            status, body, _ = self.request("GET", "/readyz")
            if status == 200:
                return
            if time.monotonic() > deadline:
                raise AssertionError("dialerd not ready: %r" % (body,))
            time.sleep(0.05)

    def stop(self, sig=signal.SIGTERM, timeout=30):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(sig)
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        if self.proc:
            self.proc.stdout.close()
        self.log.close()
        return self.proc.returncode

    def log_text(self):
        with open(self.log_path, "rb") as f:
            return f.read().decode(errors="replace")

    def conn(self, timeout=10):
        return http.client.HTTPConnection(self.host, self.port, timeout=timeout)

    def request(self, method, path, body=None, token=None, raw=None, content_type="application/json", timeout=10):
        c = self.conn(timeout)
        headers = {}
        if token:
            headers["Authorization"] = "Bearer " + token
        data = raw
        if body is not None:
            data = json.dumps(body).encode()
        if data is not None:
            headers["Content-Type"] = content_type
        c.request(method, path, body=data, headers=headers)
        r = c.getresponse()
        payload = r.read()
        c.close()
        ctype = r.getheader("Content-Type", "")
        parsed = None
        if ctype.startswith("application/json") and payload:
            parsed = json.loads(payload)
        return r.status, parsed if parsed is not None else payload, r

    def login(self, who):
        password = self.logins[who][0]
        status, body, _ = self.request("POST", "/api/v1/auth/login", {"login": who, "password": password})
        assert status == 200, body
        return body


class WebSocket:
    def __init__(self, host, port, path, timeout=10):
        self.sock = socket.create_connection((host, port), timeout=timeout)
        key = base64.b64encode(os.urandom(16)).decode()
        req = (f"GET {path} HTTP/1.1\r\nHost: {host}:{port}\r\nUpgrade: websocket\r\n"
               f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n")
        self.sock.sendall(req.encode())
        head = b""
        while b"\r\n\r\n" not in head:
            chunk = self.sock.recv(4096)
            if not chunk:
                raise ConnectionError("closed during handshake")
            head += chunk
        header, self.buf = head.split(b"\r\n\r\n", 1)
        self.status = int(header.split(b" ")[1])
        if self.status != 101:
            raise ConnectionRefusedError(self.status)

    def _read(self, n):
        while len(self.buf) < n:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise ConnectionError("closed")
            self.buf += chunk
        out, self.buf = self.buf[:n], self.buf[n:]
        return out

    def send(self, obj):
        data = json.dumps(obj).encode()
        header = bytes([0x81])
        n = len(data)
        if n < 126:
            header += bytes([0x80 | n])
        elif n < 65536:
            header += bytes([0x80 | 126]) + struct.pack(">H", n)
        else:
            header += bytes([0x80 | 127]) + struct.pack(">Q", n)
        mask = os.urandom(4)
        masked = bytes(b ^ mask[i % 4] for i, b in enumerate(data))
        self.sock.sendall(header + mask + masked)

    def recv(self, timeout=10):
        self.sock.settimeout(timeout)
        while True:
            b0, b1 = self._read(2)
            n = b1 & 0x7F
            if n == 126:
                n = struct.unpack(">H", self._read(2))[0]
            elif n == 127:
                n = struct.unpack(">Q", self._read(8))[0]
            payload = self._read(n)
            opcode = b0 & 0x0F
            if opcode == 0x8:
                raise ConnectionError("closed by server")
            if opcode == 0x1:
                return json.loads(payload)

    def recv_until(self, pred, timeout=10):
        """Messages until one satisfies pred; returns (match, all seen)."""
        seen = []
        deadline = time.monotonic() + timeout
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError("no matching message; saw %r" % seen)
            m = self.recv(left)
            seen.append(m)
            if pred(m):
                return m, seen

    def close(self):
        try:
            self.sock.sendall(bytes([0x88, 0x80]) + os.urandom(4))
        except OSError:
            pass
        self.sock.close()
