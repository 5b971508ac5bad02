"""dialerd with an `ari` server configured, against the loopback ARI server
(tests/ari/loopback, Asterisk 22's ARI over real HTTP and WebSocket, running
the test dialplan of shared/ari/README.md 20 times faster than real time):
an agent logs in over the API, a call is placed through ARI, answered,
bridged, hung up and dispositioned, and the call log says so."""

import os
import shutil
import subprocess
import tempfile

import pytest

from dialerd_client import WebSocket
from worlds import LoopbackAri, provision, start_server, wait_for, write_config


@pytest.fixture(scope="module")
def world():
    ari = LoopbackAri(time_scale=0.05)
    data_dir = tempfile.mkdtemp(prefix="dialerd-ari-test-")
    config = write_config(data_dir, store=data_dir + "/dialer.db",
                          ari=[{"url": ari.url, "user": "dialer", "password": "dialer", "app": "dialerd-test"}])
    server = start_server(data_dir, config)
    try:
        server.wait_ready()
        campaign, agent = provision(server, "Local/{dial}@customers", "Local/101@agents")
        yield server, ari, campaign, agent
    finally:
        server.stop()
        ari.stop()
        shutil.rmtree(data_dir, ignore_errors=True)


def log_in(server, campaign, agent):
    token = server.login("a101")["token"]
    ws = WebSocket(server.host, server.port, "/api/v1/ws?token=" + token)
    snap = ws.recv()
    assert snap["type"] == "snapshot"
    if snap["status"] != "offline":  # left by an earlier test
        ws.send({"v": 1, "type": "leave", "id": "l0"})
        ws.recv_until(lambda m: m.get("id") == "l0")
    ws.send({"v": 1, "type": "join", "id": "j", "campaign": campaign})
    ack, _ = ws.recv_until(lambda m: m["type"] in ("ack", "error"))
    assert ack["type"] == "ack", ack
    return token, ws


def call_states(seen, call):
    return [m["call"]["state"] for m in seen if m["type"] == "call" and m["call"]["id"] == call]


def test_readyz_reports_the_ari_event_stream(world):
    server, ari, _, _ = world
    assert server.request("GET", "/readyz")[0] == 200
    # dialerd spoke to it with the configured credentials: nothing was refused.
    requests = ari.ask("requests")
    assert requests and not any(r.endswith(" 401") for r in requests), requests


def test_a_call_through_ari_is_answered_bridged_ended_by_the_customer_and_dispositioned(world):
    server, ari, campaign, agent = world
    token, ws = log_in(server, campaign, agent)
    before = len(ari.ask("endpoints"))
    # Last digit 0: the customer rings, answers, talks 20 s (1 s here) and hangs up.
    status, dial, _ = server.request("POST", f"/api/v1/agents/{agent}/dial", {"number": "4155550100"}, token=token)
    assert status == 201, dial
    assert dial["dialled"] == "94155550100" and dial["number"] == "+14155550100"
    call = dial["call"]
    _, seen = ws.recv_until(lambda m: m["type"] == "status_update" and m["status"] == "wrapup", timeout=20)
    states = call_states(seen, call)
    for s in ["ringing", "answered", "bridged", "ended"]:
        assert s in states, (s, states)
    assert states.index("answered") < states.index("bridged") < states.index("ended")
    assert any(m["type"] == "lead_pop" and m["call"] == call for m in seen)
    # Both legs went through ARI: the customer with the prefix, then the agent's phone.
    assert ari.ask("endpoints")[before:] == ["Local/94155550100@customers", "Local/101@agents"]
    ws.send({"v": 1, "type": "disposition", "id": "d", "code": "SALE", "notes": "two boxes"})
    _, seen = ws.recv_until(lambda m: m["type"] == "ack" and m["id"] == "d")
    assert any(m["type"] == "status_update" and m["status"] == "available" for m in seen)
    status, row, _ = server.request("GET", f"/api/v1/calls/{call}", token=token)
    assert status == 200, row
    assert row["agent"] == agent and row["campaign"] == campaign
    assert row["dial_string"] == "Local/94155550100@customers" and row["dialled"] == "94155550100"
    assert row["state"] == "dispositioned" and row["outcome"] == "completed"
    assert row["hung_up_by"] == "customer" and row["hangup_cause"] == 16
    assert row["disposition"] == "SALE" and row["notes"] == "two boxes"
    for t in ["created_at", "ringing_at", "answered_at", "bridged_at", "ended_at", "dispositioned_at"]:
        assert row[t] is not None, t
    assert row["created_at"] <= row["answered_at"] <= row["bridged_at"] <= row["ended_at"] <= row["dispositioned_at"]
    # The engine ended the agent's leg and the bridge too.
    wait_for(lambda: ari.ask("live") == 0, what="every ARI channel gone")
    ws.send({"v": 1, "type": "leave", "id": "l"})
    ws.recv_until(lambda m: m.get("id") == "l")
    ws.close()


def test_an_agent_hangup_through_ari_ends_both_legs(world):
    server, ari, campaign, agent = world
    token, ws = log_in(server, campaign, agent)
    # Last digit 9: answers and stays up for 300 s (15 s here) unless hung up.
    status, dial, _ = server.request("POST", f"/api/v1/agents/{agent}/dial", {"number": "4155550109"}, token=token)
    assert status == 201, dial
    call = dial["call"]
    ws.recv_until(lambda m: m["type"] == "call" and m["call"]["id"] == call and m["call"]["state"] == "bridged")
    assert ari.ask("live") == 2
    status, body, _ = server.request("POST", f"/api/v1/agents/{agent}/hangup", token=token)
    assert status == 200, body
    ws.recv_until(lambda m: m["type"] == "status_update" and m["status"] == "wrapup")
    wait_for(lambda: ari.ask("live") == 0, what="both legs hung up")
    status, body, _ = server.request("POST", f"/api/v1/agents/{agent}/disposition", {"code": "NI"}, token=token)
    assert status == 200 and body["status"] == "available", body
    row = server.request("GET", f"/api/v1/calls/{call}", token=token)[1]
    assert row["hung_up_by"] == "agent" and row["outcome"] == "completed" and row["disposition"] == "NI"
    assert row["bridged_at"] is not None
    ws.close()


def test_a_busy_number_through_ari_ends_the_call_as_busy_and_frees_the_agent(world):
    server, ari, campaign, agent = world
    token, ws = log_in(server, campaign, agent)
    # Last digit 5: busy.
    status, dial, _ = server.request("POST", f"/api/v1/agents/{agent}/dial", {"number": "4155550105"}, token=token)
    assert status == 201, dial
    call = dial["call"]
    m, _ = ws.recv_until(lambda m: m["type"] == "call" and m["call"]["id"] == call and m["call"]["state"] == "ended")
    assert m["call"]["outcome"] == "busy"
    wait_for(lambda: server.request("GET", f"/api/v1/calls/{call}", token=token)[1]["state"] in ("ended", "dispositioned"),
             what="the call logged")
    ws.close()


def metric(server, name):
    _, body, _ = server.request("GET", "/metrics")
    text = body if isinstance(body, str) else body.decode()
    return [line for line in text.splitlines() if line.startswith(name)]


def test_with_two_ari_servers_new_calls_move_to_the_second_when_the_first_dies():
    first, second = LoopbackAri(time_scale=0.05), LoopbackAri(time_scale=0.05)
    data_dir = tempfile.mkdtemp(prefix="dialerd-ari-failover-test-")
    servers = [{"url": a.url, "user": "dialer", "password": "dialer", "app": "dialerd-test"} for a in (first, second)]
    config = write_config(data_dir, store=data_dir + "/dialer.db", ari=servers, ari_failover_s=1)
    server = start_server(data_dir, config)
    try:
        server.wait_ready()
        campaign, agent = provision(server, "Local/{dial}@customers", "Local/101@agents")
        token, ws = log_in(server, campaign, agent)
        assert metric(server, "dialer_ari_server_active") == [
            f'dialer_ari_server_active{{server="{first.url}"}} 1',
            f'dialer_ari_server_active{{server="{second.url}"}} 0']

        def call_through(number):
            status, dial, _ = server.request("POST", f"/api/v1/agents/{agent}/dial", {"number": number}, token=token)
            assert status == 201, dial
            ws.recv_until(lambda m: m["type"] == "status_update" and m["status"] == "wrapup", timeout=20)
            status, body, _ = server.request("POST", f"/api/v1/agents/{agent}/disposition", {"code": "NI"}, token=token)
            assert status == 200, body
            return dial["call"]

        call_through("4155550105")  # busy, on the first server
        assert first.ask("endpoints") == ["Local/94155550105@customers"]
        # The first Asterisk dies. Until failover (1 s) nothing can be dialled;
        # then the second takes the new calls and dialerd is ready again.
        first.stop()
        wait_for(lambda: metric(server, "dialer_ari_failovers_total") == ["dialer_ari_failovers_total 1"],
                 what="failover to the second server")
        assert server.request("GET", "/readyz")[0] == 200
        assert metric(server, "dialer_ari_server_up") == [
            f'dialer_ari_server_up{{server="{first.url}"}} 0',
            f'dialer_ari_server_up{{server="{second.url}"}} 1']
        call = call_through("4155550100")  # answered, bridged, hung up by the customer
        assert second.ask("endpoints") == ["Local/94155550100@customers", "Local/101@agents"]
        row = server.request("GET", f"/api/v1/calls/{call}", token=token)[1]
        assert row["outcome"] == "completed" and row["bridged_at"] is not None
        ws.close()
    finally:
        server.stop()
        first.stop()
        second.stop()
        shutil.rmtree(data_dir, ignore_errors=True)


@pytest.mark.parametrize("keys, named", [
    ({"ari_failover_s": 0}, "ari_failover_s"),
    ({"ari": [{"user": "dialer"}]}, "ari.url is required"),
    ({"ari": [{"url": "http://127.0.0.1:1", "pasword": "x"}]}, "ari.pasword"),
])
def test_a_bad_ari_setting_stops_dialerd_at_start_and_names_it(keys, named):
    data_dir = tempfile.mkdtemp(prefix="dialerd-ari-config-test-")
    try:
        config = write_config(data_dir, store=data_dir + "/dialer.db", **keys)
        done = subprocess.run([os.environ["DIALERD"], "--config", config], capture_output=True, timeout=30,
                              env=dict(os.environ, DIALERD_ADMIN_PASSWORD="correct horse"))
        assert done.returncode != 0
        assert named in done.stderr.decode(), done.stderr
    finally:
        shutil.rmtree(data_dir, ignore_errors=True)
