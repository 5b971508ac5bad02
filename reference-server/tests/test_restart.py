"""What survives a restart of dialerd (docs/dialerd.md, "Restarts"): the
configuration, every field of it, including the campaign and agent fields the
store itself does not keep (compliance, recycle, lead_order, pacing,
persistent_leg); logins and their sessions; the call log. Agents come back
offline and log in again, keeping their configuration."""

import shutil

from dialerd_client import Server, WebSocket


def test_configuration_and_sessions_survive_a_restart_and_agents_log_in_again():
    s = Server().start()
    data_dir = s.data_dir
    try:
        admin = s.login("admin")["token"]
        status, campaign, _ = s.request("PUT", "/api/v1/campaigns/2", {
            "compliance": {"calling_hours": {"start": "07:30", "end": "22:15"}, "max_attempts_per_lead": 4,
                           "max_calls_per_number_per_day": 2},
            "recycle": {"max_attempts": 5},
            "lead_order": "priority_first",
            "pacing": {"abandon_cap": 0.02, "max_wait_for_agent": 1.5}}, token=admin)
        assert status == 200, campaign
        status, agent, _ = s.request("POST", "/api/v1/agents", {
            "login": "dana", "name": "Dana", "endpoint": "PJSIP/dana", "persistent_leg": True,
            "password": "dana-secret"}, token=admin)
        assert status == 201, agent
        login = s.request("POST", "/api/v1/auth/login", {"login": "dana", "password": "dana-secret"})[1]
        token = login["token"]
        status, body, _ = s.request("POST", f"/api/v1/agents/{agent['id']}/session", {"campaign": 2}, token=token)
        assert status == 200, body
        status, body, _ = s.request("POST", f"/api/v1/agents/{agent['id']}/status",
                                    {"status": "break", "break_type": "lunch"}, token=token)
        assert status == 200, body
        before = s.request("GET", "/api/v1/campaigns/2", token=admin)[1]
        assert before == campaign
    finally:
        assert s.stop() == 0

    s = Server(data_dir=data_dir).start()
    try:
        admin = s.login("admin")["token"]
        after = s.request("GET", "/api/v1/campaigns/2", token=admin)[1]
        assert after == before
        assert after["compliance"]["calling_hours"] == {"start": "07:30", "end": "22:15"}
        assert after["lead_order"] == "priority_first" and after["pacing"]["abandon_cap"] == 0.02
        assert s.request("GET", f"/api/v1/agents/{agent['id']}", token=admin)[1] == agent
        # The token of before the restart still works; the agent is offline
        # with no call, and logs in again with the same configuration.
        ws = WebSocket(s.host, s.port, "/api/v1/ws?token=" + token)
        snap = ws.recv()
        assert snap["type"] == "snapshot" and snap["status"] == "offline" and snap["call"] is None
        assert snap["campaign"] is None
        ws.send({"v": 1, "type": "join", "id": "j", "campaign": 2})
        ack, _ = ws.recv_until(lambda m: m.get("id") == "j")
        assert ack["type"] == "ack", ack
        assert s.request("GET", f"/api/v1/agents/{agent['id']}", token=admin)[1]["persistent_leg"] is True
        ws.close()
    finally:
        s.stop()
        shutil.rmtree(data_dir, ignore_errors=True)
