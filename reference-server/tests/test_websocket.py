"""The agent WebSocket (docs/api.md): snapshot first, numbered messages,
commands answered by ack/error, status updates, several tabs, reconnects."""

import time

import pytest

from dialerd_client import WebSocket


def connect(server, token):
    return WebSocket(server.host, server.port, "/api/v1/ws?token=" + token)


def test_upgrade_without_or_with_a_bad_token_is_refused(server):
    with pytest.raises(ConnectionRefusedError) as e:
        WebSocket(server.host, server.port, "/api/v1/ws")
    assert e.value.args[0] == 401
    with pytest.raises(ConnectionRefusedError):
        WebSocket(server.host, server.port, "/api/v1/ws?token=" + "0" * 64)
    admin = server.login("admin")["token"]
    with pytest.raises(ConnectionRefusedError):
        connect(server, admin)  # the panel protocol is for agents


def test_snapshot_first_then_status_updates_and_acks(server):
    token = server.login("alice")["token"]
    ws = connect(server, token)
    snap = ws.recv()
    assert snap["type"] == "snapshot" and snap["v"] == 1 and snap["seq"] == 1
    assert snap["agent"]["login"] == "alice"
    assert snap["status"] in ("offline", "available", "break")
    ws.send({"v": 1, "type": "leave", "id": "l0"})
    ws.recv_until(lambda m: m.get("id") == "l0")
    ws.send({"v": 1, "type": "join", "id": "c1", "campaign": 2})
    update, seen = ws.recv_until(lambda m: m["type"] == "status_update")
    assert update["status"] == "available" and update["previous"] == "offline"
    ack, more = ws.recv_until(lambda m: m["type"] in ("ack", "error"))
    assert ack == {"type": "ack", "id": "c1", "v": 1, "seq": ack["seq"]}
    ws.send({"v": 1, "type": "set_status", "id": "c2", "status": "break", "break_type": "lunch"})
    update, _ = ws.recv_until(lambda m: m["type"] == "status_update")
    assert update["status"] == "break" and update["break_type"] == "lunch" and update["reason"] == "command"
    ack, _ = ws.recv_until(lambda m: m["type"] in ("ack", "error"))
    assert ack["type"] == "ack" and ack["id"] == "c2"
    ws.send({"v": 1, "type": "set_status", "id": "c3", "status": "break", "break_type": "nap"})
    err, _ = ws.recv_until(lambda m: m["type"] in ("ack", "error"))
    assert err["type"] == "error" and err["id"] == "c3" and err["code"] == "invalid_argument"
    ws.send({"v": 1, "type": "hangup", "id": "c4"})
    err, _ = ws.recv_until(lambda m: m["type"] in ("ack", "error"))
    assert err["type"] == "error" and err["id"] == "c4" and err["code"] == "invalid_transition"
    ws.send({"v": 1, "type": "teleport", "id": "c5"})
    err, _ = ws.recv_until(lambda m: m["type"] in ("ack", "error"))
    assert err["type"] == "error" and err["id"] == "c5" and "teleport" in err["message"]
    ws.sock.sendall(bytes([0x81, 0x84]) + b"\0\0\0\0" + b"{{{{")
    err, _ = ws.recv_until(lambda m: m["type"] == "error")
    assert err["id"] is None and "JSON" in err["message"]
    ws.close()


def test_sequence_numbers_increase_by_one(server):
    token = server.login("alice")["token"]
    ws = connect(server, token)
    seqs = [ws.recv()["seq"]]
    for i in range(5):
        ws.send({"v": 1, "type": "snapshot", "id": f"s{i}"})
    while len(seqs) < 11:
        seqs.append(ws.recv()["seq"])
    assert seqs == list(range(1, 12))
    ws.close()


def test_every_tab_of_the_agent_gets_the_update_and_only_that_agent(server):
    alice = server.login("alice")["token"]
    bob = server.login("bob")["token"]
    tab1, tab2, other = connect(server, alice), connect(server, alice), connect(server, bob)
    for ws in (tab1, tab2, other):
        assert ws.recv()["type"] == "snapshot"
    tab1.send({"v": 1, "type": "leave", "id": "x"})
    tab1.recv_until(lambda m: m.get("id") == "x")
    tab1.send({"v": 1, "type": "join", "id": "j", "campaign": 2})
    tab1.recv_until(lambda m: m.get("id") == "j")
    update, _ = tab2.recv_until(lambda m: m["type"] == "status_update" and m["status"] == "available")
    assert update["previous"] == "offline"
    other.send({"v": 1, "type": "snapshot", "id": "probe"})
    _, seen = other.recv_until(lambda m: m["type"] == "snapshot")
    assert all(m["type"] != "status_update" for m in seen)
    for ws in (tab1, tab2, other):
        ws.close()


def test_reconnect_gets_a_fresh_snapshot(server):
    token = server.login("alice")["token"]
    ws = connect(server, token)
    ws.recv()
    ws.send({"v": 1, "type": "leave", "id": "a"})
    ws.recv_until(lambda m: m.get("id") == "a")
    ws.send({"v": 1, "type": "join", "id": "b", "campaign": 2})
    ws.recv_until(lambda m: m.get("id") == "b")
    ws.close()
    # Changed while the panel was away: the next snapshot must show it.
    status, body, _ = server.request("POST", "/api/v1/agents/1/status",
                                     {"status": "break", "break_type": "coffee"}, token=token)
    assert status == 200
    ws = connect(server, token)
    snap = ws.recv()
    assert snap["type"] == "snapshot" and snap["seq"] == 1
    assert snap["status"] == "break" and snap["break_type"] == "coffee"
    assert snap["campaign"]["id"] == 2 and snap["campaign"]["dial_prefix"] == "7"
    assert {"code": "SALE", "label": "Sale"} in snap["campaign"]["dispositions"]
    assert snap["campaign"]["break_types"] == ["lunch", "coffee", "training"]
    assert snap["call"] is None and snap["lead"] is None
    ws.close()


def test_manual_dial_over_the_socket_shows_call_states(server):
    token = server.login("alice")["token"]
    ws = connect(server, token)
    ws.recv()
    ws.send({"v": 1, "type": "leave", "id": "a"})
    ws.recv_until(lambda m: m.get("id") == "a")
    ws.send({"v": 1, "type": "join", "id": "b", "campaign": 2})
    ws.recv_until(lambda m: m.get("id") == "b")
    ws.send({"v": 1, "type": "dial", "id": "d", "number": "2125550142"})
    ack, seen = ws.recv_until(lambda m: m.get("id") == "d")
    assert ack["type"] == "ack" and ack["dialled"] == "72125550142"
    pop, seen2 = ws.recv_until(lambda m: m["type"] == "lead_pop", timeout=5) if not any(
        m["type"] == "lead_pop" for m in seen) else (next(m for m in seen if m["type"] == "lead_pop"), seen)
    assert pop["dial_prefix"] == "7" and pop["number"] == "+12125550142"
    ws.send({"v": 1, "type": "hangup", "id": "h"})
    ended, _ = ws.recv_until(lambda m: m["type"] == "call" and m["call"]["state"] == "ended")
    update, _ = ws.recv_until(lambda m: m["type"] == "status_update" and m["status"] == "wrapup")
    ws.send({"v": 1, "type": "disposition", "id": "z", "code": "NI", "notes": "", "next_break": "coffee"})
    update, _ = ws.recv_until(lambda m: m["type"] == "status_update")
    assert update["status"] == "break" and update["break_type"] == "coffee" and update["reason"] == "disposition"
    ws.close()


def test_server_heartbeats_and_keeps_a_talking_panel(server):
    token = server.login("bob")["token"]
    ws = connect(server, token)
    ws.recv()
    start = time.monotonic()
    beat, _ = ws.recv_until(lambda m: m["type"] == "heartbeat", timeout=15)
    assert beat["at"].endswith("Z")
    ws.send({"v": 1, "type": "heartbeat"})
    ws.close()
