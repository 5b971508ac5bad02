"""dialerd on a PostgreSQL store (a postgresql:// URI), with calls through the
loopback ARI server: log in, a call, a disposition; then dialerd restarts on
the same database and everything saved is there."""

import shutil
import tempfile

import pytest

from dialerd_client import WebSocket
from worlds import LoopbackAri, PostgresServer, provision, start_server, write_config


@pytest.fixture(scope="module")
def pg():
    server = PostgresServer()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def ari():
    server = LoopbackAri(time_scale=0.05)
    yield server
    server.stop()


def join(server, campaign):
    token = server.login("a101")["token"]
    ws = WebSocket(server.host, server.port, "/api/v1/ws?token=" + token)
    snap = ws.recv()
    assert snap["type"] == "snapshot"
    ws.send({"v": 1, "type": "join", "id": "j", "campaign": campaign})
    ack, _ = ws.recv_until(lambda m: m["type"] in ("ack", "error"))
    assert ack["type"] == "ack", ack
    return token, ws, snap


def test_a_call_on_postgres_survives_a_restart(pg, ari):
    store = pg.new_database("dialerd_restart")
    data_dir = tempfile.mkdtemp(prefix="dialerd-pg-test-")
    config = write_config(data_dir, store=store,
                          ari=[{"url": ari.url, "user": "dialer", "password": "dialer", "app": "dialerd-test"}])
    server = start_server(data_dir, config)
    try:
        server.wait_ready()
        assert "store_write_failed" not in server.log_text()
        campaign, agent = provision(server, "Local/{dial}@customers", "Local/101@agents")
        admin = server.login("root")["token"]
        status, report, _ = server.request("POST", f"/api/v1/campaigns/{campaign}/leads?time_zone=America/New_York",
                                           raw=b"phone,first_name\n2125550101,Ada\n2125550102,Bo\n", token=admin,
                                           content_type="text/csv")
        assert status == 200 and report["imported"] == 2, report
        token, ws, _ = join(server, campaign)
        status, dial, _ = server.request("POST", f"/api/v1/agents/{agent}/dial", {"number": "4155550100"},
                                         token=token)
        assert status == 201, dial
        call = dial["call"]
        ws.recv_until(lambda m: m["type"] == "status_update" and m["status"] == "wrapup", timeout=20)
        ws.send({"v": 1, "type": "disposition", "id": "d", "code": "SALE", "notes": "on postgres"})
        ack, _ = ws.recv_until(lambda m: m.get("id") == "d")
        assert ack["type"] == "ack", ack
        before = server.request("GET", f"/api/v1/calls/{call}", token=token)[1]
        assert before["state"] == "dispositioned" and before["disposition"] == "SALE"
        campaigns = server.request("GET", "/api/v1/campaigns", token=admin)[1]
        carriers = server.request("GET", "/api/v1/carriers", token=admin)[1]
        agents = server.request("GET", "/api/v1/agents", token=admin)[1]
        ws.close()
        assert server.stop() == 0

        # The same database, a new process.
        server = start_server(data_dir, config)
        server.wait_ready()
        admin = server.login("root")["token"]
        assert server.request("GET", "/api/v1/campaigns", token=admin)[1] == campaigns
        # Every setting, calling hours included, comes back from the shared store.
        assert campaigns[0]["compliance"]["calling_hours"] == {"start": "00:00", "end": "24:00"}
        assert server.request("GET", "/api/v1/carriers", token=admin)[1] == carriers
        assert server.request("GET", "/api/v1/agents", token=admin)[1] == agents
        token, ws, snap = join(server, campaign)  # the agent's password survived too
        assert snap["status"] == "offline" and snap["call"] is None
        status, after, _ = server.request("GET", f"/api/v1/calls/{call}", token=token)
        assert status == 200 and after == before
        # The leads are there: a manual dial of one of them works, and call ids do not repeat.
        status, dial, _ = server.request("POST", f"/api/v1/agents/{agent}/dial", {"number": "4155550100"},
                                         token=token)
        assert status == 201 and dial["call"] > call, dial
        ws.recv_until(lambda m: m["type"] == "status_update" and m["status"] == "wrapup", timeout=20)
        status, body, _ = server.request("POST", f"/api/v1/agents/{agent}/disposition", {"code": "NI"}, token=token)
        assert status == 200, body
        status, stats, _ = server.request("GET", f"/api/v1/campaigns/{campaign}/stats", token=admin)
        assert status == 200, stats
        ws.close()
        assert server.stop() == 0
        assert "store_write_failed" not in server.log_text()
    finally:
        server.stop()
        shutil.rmtree(data_dir, ignore_errors=True)
