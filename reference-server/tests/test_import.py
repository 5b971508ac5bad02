"""CSV lead upload runs off the server's thread: while a large upload is being
imported, the agent WebSocket and other requests keep being served, and the
upload is answered when the import is done."""

import shutil
import threading
import time

import pytest

from dialerd_client import Server, WebSocket


@pytest.fixture(scope="module")
def own_server():
    # A server of its own: its log is read to know when the import started.
    s = Server().start()
    yield s
    s.stop()
    shutil.rmtree(s.data_dir, ignore_errors=True)


def big_csv(rows):
    """`rows` distinct New York numbers: (212) 2XX-XXXX."""
    lines = ["phone,first_name"]
    for i in range(rows):
        lines.append("212%03d%04d,Lead %d" % (200 + i // 10000, i % 10000, i))
    return ("\n".join(lines) + "\n").encode()


def test_a_large_upload_does_not_block_websockets_or_other_requests(own_server):
    server = own_server
    admin = server.login("admin")["token"]
    body = big_csv(60000)
    result = {}

    def upload():
        result["answer"] = server.request("POST", "/api/v1/campaigns/2/leads?time_zone=America/New_York",
                                          raw=body, token=admin, content_type="text/csv", timeout=300)[:2]

    token = server.login("bob")["token"]
    ws = WebSocket(server.host, server.port, "/api/v1/ws?token=" + token)
    snap = ws.recv()
    if snap["status"] == "offline":
        ws.send({"v": 1, "type": "join", "id": "j", "campaign": 2})
        ws.recv_until(lambda m: m.get("id") == "j")

    t = threading.Thread(target=upload)
    t.start()
    deadline = time.monotonic() + 60
    while "event=leads_import_started" not in server.log_text():
        assert time.monotonic() < deadline, "the import never started"
        assert t.is_alive(), result
        time.sleep(0.01)
    # The import is running on the server: status changes round-trip over the
    # WebSocket and REST answers, all before the upload is answered.
    for i, (status, extra) in enumerate([("break", {"break_type": "lunch"}), ("available", {})] * 2):
        ws.send(dict({"v": 1, "type": "set_status", "id": "s%d" % i, "status": status}, **extra))
        update, _ = ws.recv_until(lambda m: m["type"] == "status_update")
        assert update["status"] == status
        ack, _ = ws.recv_until(lambda m: m.get("id") == "s%d" % i)
        assert ack["type"] == "ack", ack
    assert server.request("GET", "/healthz")[0] == 200
    assert server.request("GET", "/api/v1/campaigns/2/stats", token=admin)[0] == 200
    assert t.is_alive(), "the upload was answered before the other requests: is the import still on the server thread?"
    t.join(300)
    status, report = result["answer"]
    assert status == 200, report
    assert report["rows"] == 60000 and report["imported"] + report["duplicates"] + len(report["rejected"]) == 60000
    assert report["imported"] > 50000, report
    ws.close()
