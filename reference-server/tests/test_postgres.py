"""dialerd on a PostgreSQL store (a postgresql:// URI), with calls through the
loopback ARI server: log in, a call, a disposition; then dialerd restarts on
the same database and everything saved is there, logins and sessions
included, with nothing kept beside the server."""

import os
import shutil
import sqlite3
import tempfile

import pytest

from dialerd_client import WebSocket
from worlds import LoopbackAri, PostgresServer, provision, start_server, wait_for, write_config


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
        # Logins and sessions are in the database: no file beside the server.
        assert not os.path.exists(os.path.join(data_dir, "dialerd-auth.db"))
        admin = server.login("root")["token"]
        status, report, _ = server.request("POST", f"/api/v1/campaigns/{campaign}/leads?time_zone=America/New_York",
                                           raw=b"phone,first_name\n2125550101,Ada\n2125550102,Bo\n", token=admin,
                                           content_type="text/csv")
        assert status == 200 and report["imported"] == 2, report
        # Lead search runs in the database too.
        status, found, _ = server.request("GET", f"/api/v1/leads?campaign={campaign}&q=ada", token=admin)
        assert status == 200 and [l["fields"]["first_name"] for l in found["leads"]] == ["Ada"], found
        status, found, _ = server.request("GET", f"/api/v1/leads?campaign={campaign}&q=555-0102", token=admin)
        assert status == 200 and [l["phone"] for l in found["leads"]] == ["+12125550102"], found
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
        # The session from before the restart still works.
        assert server.request("GET", f"/api/v1/calls/{call}", token=token)[0] == 200
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


def test_a_second_dialerd_on_the_same_database_knows_the_logins_and_sessions_of_the_first(pg, ari):
    store = pg.new_database("dialerd_two_nodes")
    dirs = [tempfile.mkdtemp(prefix="dialerd-pg-node-test-") for _ in range(2)]
    servers = []
    try:
        # One ARI app per node: Asterisk gives an app's events to its newest socket only.
        def ari_servers(app):
            return [{"url": ari.url, "user": "dialer", "password": "dialer", "app": app}]
        first = start_server(dirs[0], write_config(dirs[0], store=store, node="node-a", ari=ari_servers("dialerd-a"),
                                                   config_sync_s=1))
        servers.append(first)
        first.wait_ready()
        campaign, a101 = provision(first, "Local/{dial}@customers", "Local/101@agents")
        token = first.login("a101")["token"]
        second = start_server(dirs[1], write_config(dirs[1], store=store, node="node-b", ari=ari_servers("dialerd-b"),
                                                    config_sync_s=1))
        servers.append(second)
        second.wait_ready()
        # The agent created through the first node logs in on the second, and
        # the first node's token is good there too.
        assert second.login("a101")["token"]
        status, me, _ = second.request("GET", "/api/v1/me", token=token)
        assert status == 200 and me["login"] == "a101", me
        # A wrong password is still refused.
        status, body, _ = second.request("POST", "/api/v1/auth/login", {"login": "a101", "password": "wrong one"})
        assert status == 401, body
        # Made on one node after the other started: an agent's login and a
        # session both work on the other node at once.
        admin = first.login("root")["token"]
        status, agent, _ = first.request("POST", "/api/v1/agents", {"login": "a102", "name": "Agent 102",
                                         "endpoint": "Local/102@agents", "password": "another secret"}, token=admin)
        assert status == 201, agent
        status, body, _ = second.request("POST", "/api/v1/auth/login", {"login": "a102", "password": "another secret"})
        assert status == 200, body
        # A browser phone given on one node reaches the agent's panel on the other.
        status, me, _ = first.request("GET", "/api/v1/me", token=token)
        status, body, _ = first.request("PUT", f"/api/v1/agents/{me['agent_id']}",
                                        {"web_phone": {"ws_uri": "wss://pbx.example.com:8089/ws",
                                                       "sip_uri": "sip:a101@pbx.example.com",
                                                       "password": "sip secret 101"}}, token=admin)
        assert status == 200, body
        status, phone, _ = second.request("GET", f"/api/v1/agents/{me['agent_id']}/phone", token=token)
        assert status == 200 and phone["web_phone"]["password"] == "sip secret 101", phone
        late = first.login("a101")["token"]
        assert second.request("GET", "/api/v1/me", token=late)[0] == 200
        # A logout on one node ends the session on the other too (within
        # Credentials::kSessionRecheck, 5 s).
        assert first.request("POST", "/api/v1/auth/logout", token=late)[0] in (200, 204)
        assert first.request("GET", "/api/v1/me", token=late)[0] == 401
        wait_for(lambda: second.request("GET", "/api/v1/me", token=late)[0] == 401, what="the logout seen by node b")
        assert second.request("GET", "/api/v1/me", token=token)[0] == 200

        # Configuration made on one node reaches the other's engine within
        # config_sync_s (1 s here): a campaign made, changed and deleted, and
        # an agent made and deleted after both started.
        admin_b = second.login("root")["token"]
        status, carriers, _ = first.request("GET", "/api/v1/carriers", token=admin)
        status, late, _ = first.request("POST", "/api/v1/campaigns",
                                        {"name": "Late", "carrier": carriers[0]["id"], "dial_mode": "manual",
                                         "manual_dial_allowed": True, "script": "Hello"}, token=admin)
        assert status == 201, late
        stats = f"/api/v1/campaigns/{late['id']}/stats"
        wait_for(lambda: second.request("GET", stats, token=admin_b)[0] == 200, what="node b to know the campaign")
        assert first.request("PUT", f"/api/v1/campaigns/{late['id']}", {"script": "Hello again"}, token=admin)[0] == 200
        status, body, _ = second.request("POST", "/api/v1/auth/login", {"login": "a102", "password": "another secret"})
        a102 = body["token"]

        def script_on_b():
            status, body, _ = second.request("GET", f"/api/v1/agents/{agent['id']}/campaigns", token=a102)
            return status == 200 and any(c["id"] == late["id"] and c["script"] == "Hello again"
                                         for c in body["campaigns"])
        wait_for(script_on_b, what="node b to see the campaign's new script")
        session = f"/api/v1/agents/{agent['id']}/session"
        status, body, _ = second.request("POST", session, {"campaign": late["id"]}, token=a102)
        assert status == 200 and body["status"] == "available", body
        assert second.request("DELETE", session, token=a102)[0] == 200
        assert first.request("DELETE", f"/api/v1/agents/{agent['id']}", token=admin)[0] == 200
        wait_for(lambda: second.request("GET", f"/api/v1/agents/{agent['id']}/state", token=admin_b)[0] == 404,
                 what="node b to retire the deleted agent")
        assert second.request("POST", "/api/v1/auth/login", {"login": "a102", "password": "another secret"})[0] == 401
        assert first.request("DELETE", f"/api/v1/campaigns/{late['id']}", token=admin)[0] == 200
        wait_for(lambda: second.request("GET", stats, token=admin_b)[0] == 404, what="node b to retire the campaign")
        assert "config_synced" in second.log_text()

        # Abandonment is the campaign's, not a node's: a call answered through
        # node a is in node b's figures within config_sync_s.
        _, ws, _ = join(first, campaign)
        status, dial, _ = first.request("POST", f"/api/v1/agents/{a101}/dial", {"number": "4155550100"},
                                        token=token)
        assert status == 201, dial
        ws.recv_until(lambda m: m["type"] == "status_update" and m["status"] == "wrapup", timeout=20)
        ws.close()

        def answered(server, token):
            status, body, _ = server.request("GET", f"/api/v1/campaigns/{campaign}/stats", token=token)
            assert status == 200, body
            return body["abandonment_today"]
        assert answered(first, admin) == {"answered": 1, "abandoned": 0, "rate": 0}
        wait_for(lambda: answered(second, admin_b)["answered"] == 1, what="node b to count node a's answer")
    finally:
        for server in servers:
            server.stop()
        for d in dirs:
            shutil.rmtree(d, ignore_errors=True)


def test_logins_from_an_older_dialerd_auth_file_are_adopted_into_postgres(pg, ari):
    store = pg.new_database("dialerd_adopt")
    data_dir = tempfile.mkdtemp(prefix="dialerd-pg-adopt-test-")
    ari_servers = [{"url": ari.url, "user": "dialer", "password": "dialer", "app": "dialerd-test"}]
    try:
        # An older dialerd on PostgreSQL kept logins in dialerd-auth.db in data_dir.
        config = write_config(data_dir, store=store, ari=ari_servers,
                              auth_db=os.path.join(data_dir, "dialerd-auth.db"))
        server = start_server(data_dir, config)
        server.wait_ready()
        provision(server, "Local/{dial}@customers", "Local/101@agents")
        token = server.login("a101")["token"]
        assert server.stop() == 0
        with sqlite3.connect(os.path.join(data_dir, "dialerd-auth.db")) as db:
            assert db.execute("SELECT count(*) FROM dialerd_credentials WHERE login = 'a101'").fetchone() == (1,)

        # This one keeps them in the database, and copies the file's over once.
        server = start_server(data_dir, write_config(data_dir, store=store, ari=ari_servers))
        server.wait_ready()
        assert "credentials_adopted" in server.log_text()
        assert server.request("GET", "/api/v1/me", token=token)[0] == 200
        assert server.login("a101")["token"]
        assert server.stop() == 0
        os.remove(os.path.join(data_dir, "dialerd-auth.db"))
        server = start_server(data_dir, write_config(data_dir, store=store, ari=ari_servers))
        server.wait_ready()
        assert server.login("a101")["token"]
        assert server.request("GET", "/api/v1/me", token=token)[0] == 200
        assert server.stop() == 0
    finally:
        server.stop()
        shutil.rmtree(data_dir, ignore_errors=True)
