"""SIGTERM: no new calls, live calls end by the grace deadline, writes flushed, exit 0."""

import shutil
import signal
import time

from dialerd_client import Server


def test_sigterm_lets_the_live_call_finish_then_exits_cleanly():
    s = Server(extra=["--shutdown-grace", "2"]).start()
    try:
        login = s.login("bob")
        token, agent = login["token"], login["agent_id"]
        assert s.request("POST", f"/api/v1/agents/{agent}/session", {"campaign": 2}, token=token)[0] == 200
        status, body, _ = s.request("POST", f"/api/v1/agents/{agent}/dial", {"number": "6175550142"}, token=token)
        assert status == 201
        call = body["call"]
        s.proc.send_signal(signal.SIGTERM)
        code = s.proc.wait(20)
        assert code == 0
        log = s.log_text()
        assert "event=shutdown_started" in log and "event=shutdown_flushed" in log and "result=ok" in log
    finally:
        s.stop()
    # The call reached the store: a restarted server on the same data shows it ended.
    s2 = Server(data_dir=s.data_dir).start()
    try:
        admin = s2.login("admin")["token"]
        status, record, _ = s2.request("GET", f"/api/v1/calls/{call}", token=admin)
        assert status == 200 and record["state"] in ("ended", "dispositioned")
    finally:
        s2.stop()
        shutil.rmtree(s.data_dir, ignore_errors=True)


def test_sigint_with_no_calls_exits_at_once():
    s = Server().start()
    start = time.monotonic()
    s.proc.send_signal(signal.SIGINT)
    assert s.proc.wait(10) == 0
    assert time.monotonic() - start < 10
    s.stop()
    shutil.rmtree(s.data_dir, ignore_errors=True)
