#!/usr/bin/env python3
"""Load test of dialerd's agent WebSocket: N agents (default 1000) connected at
once to one `dialerd --demo`, each toggling break ⇄ available R times. Checks
that every status change reaches its panel (none lost, none misrouted) and
reports p50/p99 of command → status_update latency, plus requests/s of
GET /api/v1/agents/{id}/state over keep-alive connections.

    python3 benchmarks/server/ws_load.py --dialerd build/reference-server/dialerd

Standard library only (asyncio). Results go to docs/benchmarks-server.md by hand.
"""

import argparse
import asyncio
import base64
import json
import os
import random
import statistics
import struct
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "reference-server", "tests"))
from dialerd_client import Server  # noqa: E402


async def ws_connect(host, port, path):
    reader, writer = await asyncio.open_connection(host, port)
    key = base64.b64encode(os.urandom(16)).decode()
    writer.write((f"GET {path} HTTP/1.1\r\nHost: {host}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                  f"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n").encode())
    head = await reader.readuntil(b"\r\n\r\n")
    if b" 101 " not in head.split(b"\r\n")[0]:
        raise ConnectionError(head[:80])
    return reader, writer


def frame(obj):
    data = json.dumps(obj).encode()
    n = len(data)
    head = bytes([0x81]) + (bytes([0x80 | n]) if n < 126 else bytes([0x80 | 126]) + struct.pack(">H", n))
    mask = os.urandom(4)
    return head + mask + bytes(b ^ mask[i % 4] for i, b in enumerate(data))


async def ws_recv(reader):
    while True:
        b0, b1 = await reader.readexactly(2)
        n = b1 & 0x7F
        if n == 126:
            n = struct.unpack(">H", await reader.readexactly(2))[0]
        elif n == 127:
            n = struct.unpack(">Q", await reader.readexactly(8))[0]
        payload = await reader.readexactly(n)
        if b0 & 0x0F == 0x1:
            return json.loads(payload)
        if b0 & 0x0F == 0x8:
            raise ConnectionError("closed")


async def http_json(host, port, method, path, body=None, token=None):
    reader, writer = await asyncio.open_connection(host, port)
    data = json.dumps(body).encode() if body is not None else b""
    auth = f"Authorization: Bearer {token}\r\n" if token else ""
    writer.write((f"{method} {path} HTTP/1.1\r\nHost: x\r\n{auth}Content-Type: application/json\r\n"
                  f"Content-Length: {len(data)}\r\nConnection: close\r\n\r\n").encode() + data)
    raw = await reader.read()
    writer.close()
    head, _, payload = raw.partition(b"\r\n\r\n")
    return int(head.split(b" ")[1]), json.loads(payload) if payload else None


async def agent_run(server, token, agent_id, rounds, latencies, problems, start_barrier, pace):
    reader, writer = await ws_connect(server.host, server.port, "/api/v1/ws?token=" + token)
    snap = await ws_recv(reader)
    if snap["type"] != "snapshot" or snap["agent"]["id"] != agent_id:
        problems.append(f"agent {agent_id}: first message {snap['type']}")
    writer.write(frame({"v": 1, "type": "join", "id": "j", "campaign": 2}))
    while (await ws_recv(reader)).get("id") != "j":
        pass
    await start_barrier.wait()
    last_seq = None
    for i in range(rounds):
        if pace > 0:
            # Spread the commands: latency under a steady load, not of one burst.
            await asyncio.sleep(random.uniform(0, 2 * pace))
        want = "break" if i % 2 == 0 else "available"
        cmd = {"v": 1, "type": "set_status", "id": str(i), "status": want}
        if want == "break":
            cmd["break_type"] = "coffee"
        t0 = time.perf_counter()
        writer.write(frame(cmd))
        got_update = False
        while True:
            m = await ws_recv(reader)
            if last_seq is not None and m["seq"] != last_seq + 1:
                problems.append(f"agent {agent_id}: seq {last_seq} -> {m['seq']}")
            last_seq = m["seq"]
            if m["type"] == "status_update":
                if m["status"] != want:
                    problems.append(f"agent {agent_id}: got {m['status']} for {want}")
                latencies.append(time.perf_counter() - t0)
                got_update = True
            elif m["type"] == "error":
                problems.append(f"agent {agent_id}: error {m}")
                break
            elif m["type"] == "ack" and m["id"] == str(i):
                break
        if not got_update:
            problems.append(f"agent {agent_id}: no status_update for round {i}")
    writer.write(frame({"v": 1, "type": "leave", "id": "l"}))
    writer.close()


async def status_rps(server, token, agent_id, connections, seconds):
    count = 0
    stop = time.perf_counter() + seconds
    req = (f"GET /api/v1/agents/{agent_id}/state HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {token}\r\n\r\n").encode()
    body_size = 0

    async def one():
        nonlocal count, body_size
        reader, writer = await asyncio.open_connection(server.host, server.port)
        while time.perf_counter() < stop:
            writer.write(req)
            head = await reader.readuntil(b"\r\n\r\n")
            length = int([h for h in head.split(b"\r\n") if h.lower().startswith(b"content-length")][0].split(b":")[1])
            await reader.readexactly(length)
            body_size = length
            count += 1
        writer.close()

    t0 = time.perf_counter()
    await asyncio.gather(*(one() for _ in range(connections)))
    return count / (time.perf_counter() - t0), body_size


async def main(args):
    server = Server(extra=["--log-level", "warn"]).start()
    try:
        admin = server.login("admin")["token"]
        tokens = []
        sem = asyncio.Semaphore(50)

        async def make(i):
            async with sem:
                login = f"load{i:04d}"
                status, body = await http_json(server.host, server.port, "POST", "/api/v1/agents",
                                               {"login": login, "name": login, "endpoint": f"PJSIP/{login}",
                                                "password": "load-password"}, admin)
                assert status == 201, body
                status, tok = await http_json(server.host, server.port, "POST", "/api/v1/auth/login",
                                              {"login": login, "password": "load-password"})
                assert status == 200, tok
                tokens.append((tok["token"], tok["agent_id"]))

        t = time.perf_counter()
        await asyncio.gather(*(make(i) for i in range(args.agents)))
        print(f"created and logged in {args.agents} agents in {time.perf_counter() - t:.1f}s")
        latencies, problems = [], []
        barrier = asyncio.Barrier(args.agents)
        t = time.perf_counter()
        await asyncio.gather(*(agent_run(server, tok, aid, args.rounds, latencies, problems, barrier, args.pace)
                               for tok, aid in tokens))
        elapsed = time.perf_counter() - t
        expected = args.agents * args.rounds
        latencies.sort()
        q = statistics.quantiles(latencies, n=100) if len(latencies) > 1 else [0] * 99
        print(f"status updates: {len(latencies)}/{expected} received, problems: {len(problems)}")
        for p in problems[:10]:
            print("  ", p)
        print(f"command->status_update latency: p50 {q[49] * 1000:.2f} ms, p99 {q[98] * 1000:.2f} ms, "
              f"max {latencies[-1] * 1000:.2f} ms ({elapsed:.1f}s for all rounds)")
        rps, size = await status_rps(server, tokens[0][0], tokens[0][1], args.http_connections, args.http_seconds)
        print(f"GET /api/v1/agents/{{id}}/state: {rps:.0f} requests/s over {args.http_connections} keep-alive "
              f"connections, {size}-byte body")
        return 0 if len(latencies) == expected and not problems else 1
    finally:
        server.stop()


if __name__ == "__main__":
    ap = argparse.ArgumentParser()
    ap.add_argument("--dialerd", default=os.environ.get("DIALERD"))
    ap.add_argument("--agents", type=int, default=1000)
    ap.add_argument("--rounds", type=int, default=10)
    ap.add_argument("--pace", type=float, default=1.0,
                    help="mean seconds between one agent's commands; 0 = all at once (a burst)")
    ap.add_argument("--http-connections", type=int, default=16)
    ap.add_argument("--http-seconds", type=float, default=5)
    a = ap.parse_args()
    if a.dialerd:
        os.environ["DIALERD"] = a.dialerd
    sys.exit(asyncio.run(main(a)))
