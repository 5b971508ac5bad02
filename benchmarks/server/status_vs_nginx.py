#!/usr/bin/env python3
"""Requests/s of dialerd's agent status endpoint as a ratio to nginx serving a
static JSON file of the same size, measured side by side in one run.

    python3 benchmarks/server/status_vs_nginx.py --dialerd build/normal/reference-server/dialerd

Needs `nginx` and `wrk` (Debian: apt-get install nginx-light wrk); they are
benchmark tools only, so scripts/install-deps.sh does not install them.

What is compared: `GET /api/v1/agents/{id}/state` with a bearer token (auth,
the engine's state, JSON serialisation) against nginx returning the body that
request returned, saved to a file, at the same path. dialerd runs its HTTP and
its engine on one thread, so nginx gets one worker for the per-core ratio and
its default `auto` workers for the whole-machine figure. wrk uses one thread and
keep-alive connections; the rounds alternate between the two servers so that
noise from the rest of the machine falls on both. Results go to docs/dialerd.md
by hand, with `uptime`.
"""

import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "reference-server", "tests"))
from dialerd_client import Server  # noqa: E402

NGINX_CONF = """
daemon off;
master_process on;
worker_processes {workers};
pid {dir}/nginx.pid;
error_log {dir}/error.log warn;
events {{ worker_connections 1024; }}
http {{
    access_log off;
    keepalive_requests 1000000;
    client_body_temp_path {dir}/body;
    proxy_temp_path {dir}/proxy;
    fastcgi_temp_path {dir}/fastcgi;
    uwsgi_temp_path {dir}/uwsgi;
    scgi_temp_path {dir}/scgi;
    types {{ application/json json; }}
    server {{
        listen 127.0.0.1:{port};
        location = {path} {{
            default_type application/json;
            alias {dir}/state.json;
        }}
    }}
}}
"""


def wrk(url, seconds, connections, token=None):
    cmd = ["wrk", "-t1", f"-c{connections}", f"-d{seconds}s", "--latency", url]
    if token:
        cmd[1:1] = ["-H", f"Authorization: Bearer {token}"]
    out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    if errors:
        raise RuntimeError(f"{url}: {errors.group(1)} non-2xx responses\n{out}")
    p99 = re.search(r"99%\s+(\S+)", out).group(1)
    return rps, p99


def free_port():
    import socket
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_nginx(workdir, workers, path):
    port = free_port()
    conf = os.path.join(workdir, f"nginx-{workers}.conf")
    with open(conf, "w") as f:
        f.write(NGINX_CONF.format(workers=workers, dir=workdir, port=port, path=path))
    proc = subprocess.Popen(["nginx", "-c", conf, "-p", workdir, "-e", os.path.join(workdir, "error.log")])
    for _ in range(100):
        try:
            import http.client
            c = http.client.HTTPConnection("127.0.0.1", port, timeout=1)
            c.request("GET", path)
            if c.getresponse().status == 200:
                return proc, port
        except OSError:
            time.sleep(0.05)
    proc.terminate()  # the master takes its workers with it; SIGKILL would orphan them
    raise RuntimeError("nginx did not start; see " + os.path.join(workdir, "error.log"))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--dialerd", required=True)
    ap.add_argument("--seconds", type=int, default=5, help="length of one wrk round")
    ap.add_argument("--rounds", type=int, default=3, help="rounds per server, alternating")
    ap.add_argument("--connections", type=int, default=32)
    args = ap.parse_args()
    for tool in ("nginx", "wrk"):
        if not shutil.which(tool):
            sys.exit(f"{tool} is not installed: apt-get install nginx-light wrk")

    os.environ["DIALERD"] = args.dialerd
    workdir = tempfile.mkdtemp(prefix="status-vs-nginx-")
    os.chmod(workdir, 0o755)  # nginx's workers run as an unprivileged user
    server = Server(extra=["--log-level", "warn"]).start()
    nginx_procs = []
    try:
        server.wait_ready()
        session = server.login("alice")
        token, agent = session["token"], session["agent_id"]
        path = f"/api/v1/agents/{agent}/state"
        # A logged-in agent's snapshot (campaign, lead fields, script), as
        # bytes exactly as dialerd sends it, for nginx to serve.
        status, body, _ = server.request("POST", f"/api/v1/agents/{agent}/session", {"campaign": 1}, token=token)
        assert status == 200, body
        c = server.conn()
        c.request("GET", path, headers={"Authorization": "Bearer " + token})
        body = c.getresponse().read()
        with open(os.path.join(workdir, "state.json"), "wb") as f:
            f.write(body)

        targets = {"dialerd": (f"http://{server.host}:{server.port}{path}", token)}
        for workers in ("1", "auto"):
            proc, port = start_nginx(workdir, workers, path)
            nginx_procs.append(proc)
            targets[f"nginx ({workers} worker{'s' if workers != '1' else ''})"] = (f"http://127.0.0.1:{port}{path}", None)

        results = {name: [] for name in targets}
        for _ in range(args.rounds):
            for name, (url, tok) in targets.items():
                results[name].append(wrk(url, args.seconds, args.connections, tok))

        base = statistics.median(r for r, _ in results["dialerd"])
        print(f"body {len(body)} bytes, wrk -t1 -c{args.connections}, {args.rounds} × {args.seconds} s rounds, "
              f"load {os.getloadavg()[0]:.2f}")
        print("| server | requests/s (median) | p99 (last round) | dialerd ÷ this |")
        print("|---|---|---|---|")
        for name, runs in results.items():
            rps = statistics.median(r for r, _ in runs)
            print(f"| {name} | {rps:,.0f} | {runs[-1][1]} | {base / rps:.2f} |")
    finally:
        for proc in nginx_procs:
            proc.terminate()
            proc.wait()
        server.stop()
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
