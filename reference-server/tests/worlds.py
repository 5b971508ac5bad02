"""A dialerd that is not the demo: a config file, a bootstrap admin, and one
carrier, campaign and agent created through the admin API, as an operator
would. Shared by the ARI and PostgreSQL tests."""

import json
import os
import subprocess
import time

from dialerd_client import Server

ADMIN = ("root", "root-password")
AGENT_PASSWORD = "agent-101-secret"


def write_config(data_dir, **keys):
    """A dialerd config file in data_dir with the bootstrap admin and `keys`."""
    zones = os.path.join(data_dir, "zones.txt")
    with open(zones, "w") as f:
        f.write("1|America/New_York\n1415|America/Los_Angeles\n")
    config = {"bootstrap_admin_login": ADMIN[0], "number_time_zones": zones}
    config.update(keys)
    path = os.path.join(data_dir, "dialerd.json")
    with open(path, "w") as f:
        json.dump(config, f)
    return path


def start_server(data_dir, config_path):
    s = Server(data_dir=data_dir, extra=["--config", config_path], demo=False,
               env={"DIALERD_ADMIN_PASSWORD": ADMIN[1]})
    s.add_login(ADMIN[0], ADMIN[1], "admin")
    s.add_login("a101", AGENT_PASSWORD, "agent")
    return s.start()


def provision(server, dial_template, endpoint, prefix="9"):
    """Carrier, manual campaign (calls at any hour) and agent a101; returns
    (campaign id, agent id)."""
    admin = server.login(ADMIN[0])["token"]
    status, carrier, _ = server.request(
        "POST", "/api/v1/carriers",
        {"name": "customers", "dial_prefix": prefix, "dial_template": dial_template,
         "number_format": "national"}, token=admin)
    assert status == 201, carrier
    status, campaign, _ = server.request(
        "POST", "/api/v1/campaigns",
        {"name": "Outbound", "carrier": carrier["id"], "dial_mode": "manual", "manual_dial_allowed": True,
         "break_types": ["lunch"], "script": "Hello",
         "dispositions": [{"code": "SALE", "label": "Sale"}, {"code": "NI", "label": "Not interested"}],
         "compliance": {"calling_hours": {"start": "00:00", "end": "24:00"}}}, token=admin)
    assert status == 201, campaign
    status, agent, _ = server.request(
        "POST", "/api/v1/agents",
        {"login": "a101", "name": "Agent 101", "endpoint": endpoint, "password": AGENT_PASSWORD}, token=admin)
    assert status == 201, agent
    return campaign["id"], agent["id"]


def wait_for(pred, timeout=20, what="condition"):
    deadline = time.monotonic() + timeout
    while True:
        v = pred()
        if v:
            return v
        if time.monotonic() > deadline:
            raise AssertionError("timed out waiting for " + what)
        time.sleep(0.05)


class LoopbackAri:
    """tests/ari/loopback's server as a process (loopback_ari_main.cpp)."""

    def __init__(self, time_scale=0.05):
        binary = os.environ.get("DIALERD_LOOPBACK_ARI")
        if not binary:
            raise RuntimeError("set DIALERD_LOOPBACK_ARI to the dialerd_loopback_ari binary")
        self.proc = subprocess.Popen([binary, str(time_scale)], stdin=subprocess.PIPE, stdout=subprocess.PIPE)
        line = self.proc.stdout.readline().decode()
        prefix = "loopback ari listening on "
        if not line.startswith(prefix):
            raise RuntimeError("the loopback ARI server did not start: %r" % line)
        self.url = line[len(prefix):].strip()

    def ask(self, command):
        self.proc.stdin.write((command + "\n").encode())
        self.proc.stdin.flush()
        return json.loads(self.proc.stdout.readline())

    def stop(self):
        if self.proc.poll() is None:
            self.proc.stdin.close()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.proc.stdout.close()


class PostgresServer:
    """The server DIALER_TEST_PG_DSN names (a URI), or else a PostgreSQL 15
    started here as tests/postgres/pg_server.hpp does: initdb and pg_ctl from
    /usr/lib/postgresql/15/bin (PG_BINDIR overrides) in a temporary directory,
    a Unix socket only, run as user postgres when the tests run as root."""

    def __init__(self):
        self.dir = None
        external = os.environ.get("DIALER_TEST_PG_DSN", "")
        if external:
            if not external.startswith(("postgres://", "postgresql://")):
                raise RuntimeError("dialerd's tests need DIALER_TEST_PG_DSN as a postgresql:// URI")
            self.base = external
            return
        import pwd
        import tempfile
        bindir = os.environ.get("PG_BINDIR", "/usr/lib/postgresql/15/bin")
        self.bin = lambda name: os.path.join(bindir, name)
        if not os.path.exists(self.bin("initdb")):
            raise RuntimeError("PostgreSQL 15 not found at %s (scripts/install-deps.sh installs it)" % bindir)
        self.dir = tempfile.mkdtemp(prefix="dialerd-pg-")
        self.as_pg = []
        if os.geteuid() == 0:
            pw = pwd.getpwnam("postgres")
            os.chown(self.dir, pw.pw_uid, pw.pw_gid)
            self.as_pg = ["runuser", "-u", "postgres", "--"]
        self.data = os.path.join(self.dir, "data")
        self.run([self.bin("initdb"), "-D", self.data, "-A", "trust", "-U", "postgres", "-E", "UTF8",
                  "--locale=C", "--no-sync"])
        self.run([self.bin("pg_ctl"), "-D", self.data, "-l", os.path.join(self.dir, "server.log"), "-w",
                  "-t", "60", "-o", "-k %s -c listen_addresses='' -c fsync=off" % self.dir, "start"])
        self.base = "postgresql://postgres@/postgres?host=" + self.dir

    def run(self, args):
        r = subprocess.run(self.as_pg + args, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        if r.returncode != 0:
            raise RuntimeError("failed: %s\n%s" % (" ".join(args), r.stdout.decode(errors="replace")))

    def new_database(self, name):
        """A URI for a new, empty database `name`."""
        if self.dir is None:
            return self.base  # an external server: its database is used as is
        self.run([self.bin("createdb"), "-h", self.dir, "-U", "postgres", name])
        return "postgresql://postgres@/%s?host=%s" % (name, self.dir)

    def stop(self):
        if self.dir is None:
            return
        subprocess.run(self.as_pg + [self.bin("pg_ctl"), "-D", self.data, "-w", "-m", "immediate", "stop"],
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        import shutil
        shutil.rmtree(self.dir, ignore_errors=True)
