"""--demo-fast: the demo's customers always answer, quickly (for the browser
tests); refused without --demo."""

import os
import shutil
import subprocess

from dialerd_client import Server, WebSocket


def test_demo_fast_needs_demo_and_is_in_the_usage():
    binary = os.environ["DIALERD"]
    r = subprocess.run([binary, "--demo-fast", "--listen", "127.0.0.1:0"], capture_output=True, timeout=30)
    assert r.returncode == 2 and b"--demo-fast needs --demo" in r.stderr
    r = subprocess.run([binary, "--help"], capture_output=True, timeout=30)
    assert r.returncode == 0 and b"--demo-fast" in r.stdout


def test_with_demo_fast_every_manual_call_is_answered_and_bridged():
    s = Server(extra=["--demo-fast"]).start()
    try:
        login = s.login("bob")
        token, agent = login["token"], login["agent_id"]
        ws = WebSocket(s.host, s.port, "/api/v1/ws?token=" + token)
        ws.recv()
        ws.send({"v": 1, "type": "join", "id": "j", "campaign": 2})
        ws.recv_until(lambda m: m.get("id") == "j")
        for n in range(3):
            status, dial, _ = s.request("POST", f"/api/v1/agents/{agent}/dial", {"number": "617555014%d" % n},
                                        token=token)
            assert status == 201, dial
            call = dial["call"]
            # Answered within the 20 s no-answer timeout every time (half the
            # calls of the normal demo are not answered at all).
            _, seen = ws.recv_until(lambda m: m["type"] == "call" and m["call"]["id"] == call
                                    and m["call"]["state"] in ("bridged", "ended"), timeout=30)
            assert seen[-1]["call"]["state"] == "bridged", seen
            assert s.request("POST", f"/api/v1/agents/{agent}/hangup", token=token)[0] == 200
            ws.recv_until(lambda m: m["type"] == "status_update" and m["status"] == "wrapup")
            status, body, _ = s.request("POST", f"/api/v1/agents/{agent}/disposition", {"code": "NI"}, token=token)
            assert status == 200, body
        ws.close()
    finally:
        s.stop()
        shutil.rmtree(s.data_dir, ignore_errors=True)
