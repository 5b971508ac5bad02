"""dialerd's REST API over real HTTP on loopback (docs/api.md)."""

import json
import os
import sqlite3
import threading
import time

import pytest

AGENT_PATHS = [
    ("GET", "/api/v1/agents/1/state"),
    ("POST", "/api/v1/agents/1/status"),
    ("POST", "/api/v1/agents/1/dial"),
    ("GET", "/api/v1/campaigns"),
    ("GET", "/api/v1/carriers"),
    ("GET", "/api/v1/agents"),
    ("GET", "/api/v1/calls/1"),
    ("GET", "/api/v1/leads?campaign=1&q=555"),
]


def wait_state(server, token, agent, wanted, timeout=15):
    deadline = time.monotonic() + timeout
    while True:
        status, body, _ = server.request("GET", f"/api/v1/agents/{agent}/state", token=token)
        assert status == 200, body
        if body["status"] == wanted:
            return body
        if time.monotonic() > deadline:
            raise AssertionError(f"agent {agent} is {body['status']}, not {wanted}")
        time.sleep(0.1)


def test_health_ready_and_metrics_need_no_token(server):
    assert server.request("GET", "/healthz")[0] == 200
    assert server.request("GET", "/readyz")[0] == 200
    status, body, r = server.request("GET", "/metrics")
    assert status == 200
    assert r.getheader("Content-Type").startswith("text/plain")
    text = body.decode()
    for name in ["dialer_agents{state=\"available\"}", "dialer_originates_total", "dialer_drops_total",
                 "dialer_hopper_depth{campaign=\"1\"}", "dialer_abandonment_rate_today{campaign=\"1\"}",
                 "dialer_abandonment_rate_30d{campaign=\"1\"}", "dialer_ari_reconnects_total 0",
                 "dialer_http_request_duration_seconds_bucket"]:
        assert name in text, name


@pytest.mark.parametrize("method,path", AGENT_PATHS)
def test_no_token_is_401_without_data(server, method, path):
    status, body, r = server.request(method, path, body={} if method == "POST" else None)
    assert status == 401
    assert body["error"]["code"] == "unauthorized"
    assert set(body) == {"error"}
    assert r.getheader("WWW-Authenticate") == "Bearer"


@pytest.mark.parametrize("method,path", AGENT_PATHS)
def test_bad_token_is_401_without_data(server, method, path):
    status, body, _ = server.request(method, path, body={} if method == "POST" else None, token="f" * 64)
    assert status == 401
    assert set(body) == {"error"}


def test_wrong_password_and_unknown_login_get_the_same_401(server):
    s1, b1, _ = server.request("POST", "/api/v1/auth/login", {"login": "alice", "password": "nope-nope"})
    s2, b2, _ = server.request("POST", "/api/v1/auth/login", {"login": "nobody", "password": "nope-nope"})
    assert s1 == s2 == 401
    assert b1 == b2
    assert "token" not in b1


def test_login_gives_a_token_with_role_and_expiry(server):
    body = server.login("alice")
    assert body["role"] == "agent" and body["agent_id"] == 1
    assert len(body["token"]) == 64 and body["expires_at"].endswith("Z")
    admin = server.login("admin")
    assert admin["role"] == "admin" and admin["agent_id"] is None


def test_logout_ends_the_token(server):
    token = server.login("alice")["token"]
    assert server.request("GET", "/api/v1/agents/1/state", token=token)[0] == 200
    assert server.request("POST", "/api/v1/auth/logout", token=token)[0] == 200
    assert server.request("GET", "/api/v1/agents/1/state", token=token)[0] == 401


def test_passwords_and_tokens_never_reach_the_log(server):
    token = server.login("alice")["token"]
    log = server.log_text()
    assert "alice-demo" not in log and token not in log
    assert "event=login" in log


def test_agent_may_not_act_on_another_agent(server):
    token = server.login("alice")["token"]
    for method, path, body in [("GET", "/api/v1/agents/2/state", None),
                               ("POST", "/api/v1/agents/2/status", {"status": "available"}),
                               ("POST", "/api/v1/agents/2/session", {"campaign": 2}),
                               ("POST", "/api/v1/agents/2/dial", {"number": "3125550142"})]:
        status, reply, _ = server.request(method, path, body, token=token)
        assert status == 403, (path, reply)
        assert reply["error"]["code"] == "forbidden"


@pytest.mark.parametrize("method,path", [("GET", "/api/v1/campaigns"), ("POST", "/api/v1/campaigns"),
                                         ("GET", "/api/v1/campaigns/1"), ("PUT", "/api/v1/campaigns/1"),
                                         ("DELETE", "/api/v1/campaigns/1"), ("GET", "/api/v1/carriers"),
                                         ("POST", "/api/v1/carriers"), ("GET", "/api/v1/agents"),
                                         ("POST", "/api/v1/agents"), ("DELETE", "/api/v1/agents/2"),
                                         ("POST", "/api/v1/campaigns/1/leads"),
                                         ("GET", "/api/v1/campaigns/1/stats")])
def test_admin_endpoints_refuse_agent_tokens(server, method, path):
    token = server.login("bob")["token"]
    status, body, _ = server.request(method, path, body={} if method in ("POST", "PUT") else None, token=token)
    assert status == 403
    assert set(body) == {"error"}


def test_malformed_json_is_400_naming_the_problem(server):
    token = server.login("alice")["token"]
    admin = server.login("admin")["token"]
    for path, tok in [("/api/v1/agents/1/status", token), ("/api/v1/agents/1/session", token),
                      ("/api/v1/carriers", admin), ("/api/v1/campaigns", admin)]:
        status, body, _ = server.request("POST", path, raw=b"{not json", token=tok)
        assert status == 400, path
        assert body["error"]["code"] == "invalid_argument"
        assert "malformed JSON" in body["error"]["message"]
    status, body, _ = server.request("POST", "/api/v1/auth/login", raw=b"[1,2")
    assert status == 400


def test_bad_fields_are_400_naming_the_field(server):
    token = server.login("alice")["token"]
    status, body, _ = server.request("POST", "/api/v1/agents/1/status", {"status": "dancing"}, token=token)
    assert status == 400 and "status" in body["error"]["message"]
    status, body, _ = server.request("POST", "/api/v1/agents/1/session", {"campaign": "one"}, token=token)
    assert status == 400 and "campaign" in body["error"]["message"]
    status, body, _ = server.request("POST", "/api/v1/agents/1/status", {"status": "break"}, token=token)
    assert status == 400 and "break_type" in body["error"]["message"]
    admin = server.login("admin")["token"]
    status, body, _ = server.request("PUT", "/api/v1/campaigns/2", {"hopper_size": 0}, token=admin)
    assert status == 400 and "hopper_size" in body["error"]["message"]
    status, body, _ = server.request("PUT", "/api/v1/campaigns/2", {"colour": "red"}, token=admin)
    assert status == 400 and "colour" in body["error"]["message"]


def test_unknown_ids_and_paths_are_404(server):
    admin = server.login("admin")["token"]
    for path in ["/api/v1/agents/99/state", "/api/v1/campaigns/99", "/api/v1/carriers/99",
                 "/api/v1/agents/99", "/api/v1/calls/999999", "/api/v1/campaigns/99/stats",
                 "/api/v1/nothing", "/api/v2/campaigns", "/api/v1/agents/abc/state"]:
        status, body, _ = server.request("GET", path, token=admin)
        assert status == 404, path
        assert body["error"]["code"] == "not_found", path
    status, body, _ = server.request("POST", "/api/v1/agents/1/session", {"campaign": 99}, token=admin)
    assert status == 404 and body["error"]["code"] == "not_found"


def test_wrong_method_is_405_with_allow(server):
    admin = server.login("admin")["token"]
    status, body, r = server.request("DELETE", "/api/v1/agents/1/state", token=admin)
    assert status == 405 and r.getheader("Allow") == "GET"


def test_bad_prefixes_are_422_and_change_nothing(server):
    admin = server.login("admin")["token"]
    before = server.request("GET", "/api/v1/carriers", token=admin)[1]
    cases = [({"name": "x1", "dial_prefix": "9a", "dial_template": "PJSIP/{dial}@x"}, "prefix_invalid_character"),
             ({"name": "x2", "dial_prefix": "91", "dial_template": "PJSIP/{dial}@x"}, "carrier_prefix_overlap"),
             ({"name": "x3", "dial_prefix": "9", "dial_template": "PJSIP/{dial}@x"}, "carrier_prefix_duplicate"),
             ({"name": "x4", "dial_prefix": "12345678901", "dial_template": "PJSIP/{dial}@x"}, "prefix_too_long"),
             ({"name": "x5", "dial_prefix": "55", "dial_template": "PJSIP/nodial@x"}, "template_invalid")]
    for body, code in cases:
        status, reply, _ = server.request("POST", "/api/v1/carriers", body, token=admin)
        assert status == 422, (body, reply)
        assert reply["error"]["code"] == code
    status, reply, _ = server.request("PUT", "/api/v1/campaigns/1", {"dial_prefix": "7"}, token=admin)
    assert status == 422 and reply["error"]["code"] == "campaign_prefix_mismatch"
    assert server.request("GET", "/api/v1/carriers", token=admin)[1] == before
    assert server.request("GET", "/api/v1/campaigns/1", token=admin)[1]["dial_prefix"] == "9"


def test_invalid_states_are_409(server):
    token = server.login("alice")["token"]
    server.request("DELETE", "/api/v1/agents/1/session", token=token)
    status, body, _ = server.request("POST", "/api/v1/agents/1/status", {"status": "available"}, token=token)
    assert status == 409 and body["error"]["code"] == "invalid_transition"
    status, body, _ = server.request("POST", "/api/v1/agents/1/hangup", token=token)
    assert status == 409
    status, body, _ = server.request("POST", "/api/v1/agents/1/disposition", {"code": "SALE"}, token=token)
    assert status == 409
    status, body, _ = server.request("POST", "/api/v1/agents/1/dial", {"number": "3125550142"}, token=token)
    assert status == 409


def test_full_agent_flow_through_rest(server):
    login = server.login("bob")
    token, agent = login["token"], login["agent_id"]
    status, body, _ = server.request("POST", f"/api/v1/agents/{agent}/session", {"campaign": 2}, token=token)
    assert status == 200 and body["status"] == "available"
    snap = wait_state(server, token, agent, "available")
    assert snap["campaign"]["dial_prefix"] == "7" and snap["campaign"]["dial_mode"] == "manual"
    # A number typed with a foreign carrier's prefix is refused, not re-routed.
    status, body, _ = server.request("POST", f"/api/v1/agents/{agent}/dial", {"number": "93125550142"}, token=token)
    assert status in (400, 422), body
    status, body, _ = server.request("POST", f"/api/v1/agents/{agent}/dial", {"number": "(312) 555-0142"}, token=token)
    assert status == 201, body
    call = body["call"]
    assert body["number"] == "+13125550142"
    assert body["dialled"] == "73125550142"  # the campaign's prefix, injected server-side
    status, record, _ = server.request("GET", f"/api/v1/calls/{call}", token=token)
    assert status == 200 and record["dialled"] == "73125550142"
    assert record["dial_string"] == "PJSIP/73125550142@trunk-b"
    snap = server.request("GET", f"/api/v1/agents/{agent}/state", token=token)[1]
    assert snap["status"] == "busy" and snap["call"]["id"] == call
    status, body, _ = server.request("POST", f"/api/v1/agents/{agent}/hangup", token=token)
    assert status == 200, body
    wait_state(server, token, agent, "wrapup")
    status, body, _ = server.request("POST", f"/api/v1/agents/{agent}/disposition",
                                     {"code": "NOPE"}, token=token)
    assert status == 400
    status, body, _ = server.request("POST", f"/api/v1/agents/{agent}/disposition",
                                     {"code": "CALLBK", "notes": "call after 5pm", "next_break": ""}, token=token)
    assert status == 200 and body["status"] == "available"
    status, record, _ = server.request("GET", f"/api/v1/calls/{call}", token=token)
    assert record["disposition"] == "CALLBK" and record["notes"] == "call after 5pm"
    assert record["state"] == "dispositioned" and record["hung_up_by"] == "agent"
    # Another agent may not read it.
    other = server.login("alice")["token"]
    assert server.request("GET", f"/api/v1/calls/{call}", token=other)[0] == 403
    server.request("DELETE", f"/api/v1/agents/{agent}/session", token=token)


def test_manual_dial_of_a_lead_and_lead_search(server):
    login = server.login("bob")
    token, agent = login["token"], login["agent_id"]
    assert server.request("GET", "/api/v1/leads?campaign=2&q=555", token=token)[0] == 403  # not logged in there
    server.request("POST", f"/api/v1/agents/{agent}/session", {"campaign": 2}, token=token)
    status, body, _ = server.request("GET", "/api/v1/leads?campaign=2&q=555", token=token)
    assert status == 200 and 0 < len(body["leads"]) <= 50
    lead = body["leads"][0]
    # Pages: `limit` leads at a time, the next page after the last id shown.
    first = server.request("GET", "/api/v1/leads?campaign=2&q=555&limit=2", token=token)[1]["leads"]
    nxt = server.request("GET", f"/api/v1/leads?campaign=2&q=555&limit=2&after={first[-1]['id']}", token=token)[1]
    assert [l["id"] for l in first + nxt["leads"]] == [l["id"] for l in body["leads"][:4]]
    for bad in ["limit=0", "limit=501", "limit=two", "after=x", "q=" + "5" * 65]:
        status, err, _ = server.request("GET", "/api/v1/leads?campaign=2&" + bad, token=token)
        assert status == 400 and err["error"]["code"] == "invalid_argument", (bad, err)
    status, body, _ = server.request("POST", f"/api/v1/agents/{agent}/dial", {"lead": lead["id"]}, token=token)
    assert status == 201, body
    assert body["dialled"].startswith("7")
    assert server.request("POST", f"/api/v1/agents/{agent}/hangup", token=token)[0] == 200
    wait_state(server, token, agent, "wrapup")
    assert server.request("POST", f"/api/v1/agents/{agent}/disposition", {"code": "NI"}, token=token)[0] == 200
    server.request("DELETE", f"/api/v1/agents/{agent}/session", token=token)


def test_admin_crud_round_trip(server):
    admin = server.login("admin")["token"]
    status, carrier, _ = server.request("POST", "/api/v1/carriers",
                                        {"name": "trunk-c", "dial_prefix": "55", "dial_template": "PJSIP/{dial}@c"},
                                        token=admin)
    assert status == 201, carrier
    status, campaign, _ = server.request("POST", "/api/v1/campaigns",
                                         {"name": "Winter", "carrier": carrier["id"], "dial_mode": "manual",
                                          "break_types": ["lunch"], "script": "Hi",
                                          "dispositions": [{"code": "OK", "label": "Done"}]}, token=admin)
    assert status == 201, campaign
    assert campaign["dispositions"] == [{"code": "OK", "label": "Done", "do_not_call": False}]
    status, body, _ = server.request("POST", "/api/v1/campaigns", {"name": "Winter", "carrier": carrier["id"]},
                                     token=admin)
    assert status == 409
    status, updated, _ = server.request("PUT", f"/api/v1/campaigns/{campaign['id']}",
                                        {"wrapup_timeout": 60, "hopper_size": 20}, token=admin)
    assert status == 200 and updated["wrapup_timeout"] == 60 and updated["name"] == "Winter"
    status, agent, _ = server.request("POST", "/api/v1/agents",
                                      {"login": "carol", "name": "Carol", "endpoint": "PJSIP/carol",
                                       "password": "carol-secret"}, token=admin)
    assert status == 201, agent
    assert "password" not in agent and "password_hash" not in agent
    status, body, _ = server.request("POST", "/api/v1/agents",
                                     {"login": "carol", "name": "C2", "endpoint": "PJSIP/c2",
                                      "password": "carol-secret"}, token=admin)
    assert status == 409
    status, body, _ = server.request("POST", "/api/v1/auth/login", {"login": "carol", "password": "carol-secret"})
    assert status == 200 and body["agent_id"] == agent["id"]
    carol = body["token"]
    status, body, _ = server.request("POST", f"/api/v1/agents/{agent['id']}/session", {"campaign": campaign["id"]},
                                     token=carol)
    assert status == 200
    assert server.request("DELETE", f"/api/v1/agents/{agent['id']}", token=admin)[0] == 409  # logged in
    assert server.request("DELETE", f"/api/v1/campaigns/{campaign['id']}", token=admin)[0] == 409
    server.request("DELETE", f"/api/v1/agents/{agent['id']}/session", token=carol)
    assert server.request("DELETE", f"/api/v1/agents/{agent['id']}", token=admin)[0] == 200
    assert server.request("GET", f"/api/v1/agents/{agent['id']}/state", token=carol)[0] == 401
    assert server.request("DELETE", f"/api/v1/carriers/{carrier['id']}", token=admin)[0] == 409  # still used
    assert server.request("DELETE", f"/api/v1/campaigns/{campaign['id']}", token=admin)[0] == 200
    assert server.request("GET", f"/api/v1/campaigns/{campaign['id']}", token=admin)[0] == 404


def test_csv_upload_reports_each_row(server):
    admin = server.login("admin")["token"]
    csv = ("phone,first_name,time_zone\n"
           "3125550177,Zed,America/Chicago\n"
           "not-a-number,Bad,America/Chicago\n"
           "3125550177,Dup,America/Chicago\n"
           "4155550178,Yan\n")
    status, body, _ = server.request("POST", "/api/v1/campaigns/2/leads?time_zone_column=time_zone",
                                     raw=csv.encode(), token=admin, content_type="text/csv")
    assert status == 200, body
    assert body["imported"] == 1 and body["duplicates"] == 1
    lines = sorted(r["line"] for r in body["rejected"])
    assert lines == [3, 5]
    status, body, _ = server.request("POST", "/api/v1/campaigns/99/leads", raw=csv.encode(), token=admin,
                                     content_type="text/csv")
    assert status == 404
    status, body, _ = server.request("POST", "/api/v1/campaigns/2/leads", raw=b"", token=admin,
                                     content_type="text/csv")
    assert status == 400


def test_campaign_stats(server):
    admin = server.login("admin")["token"]
    status, body, _ = server.request("GET", "/api/v1/campaigns/1/stats", token=admin)
    assert status == 200
    for key in ["agents", "hopper_depth", "ringing", "waiting", "placed_today", "abandonment_today",
                "abandonment_30_days"]:
        assert key in body


def test_concurrent_requests_all_answered(server):
    tokens = [server.login("alice")["token"], server.login("bob")["token"], server.login("admin")["token"]]
    results = []
    lock = threading.Lock()

    def worker(i):
        tok = tokens[i % 3]
        path = ["/api/v1/agents/1/state", "/api/v1/agents/2/state", "/api/v1/campaigns"][i % 3]
        c = server.conn()
        for _ in range(15):
            c.request("GET", path, headers={"Authorization": "Bearer " + tok})
            r = c.getresponse()
            data = r.read()
            with lock:
                results.append((r.status, json.loads(data) is not None))
        c.close()

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(24)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(results) == 24 * 15
    assert all(s == 200 and ok for s, ok in results)


def test_static_files_stay_inside_web_dir(server):
    for path in ["/../CMakeLists.txt", "/%2e%2e/CMakeLists.txt", "/..%2fCMakeLists.txt", "/web/../../README.md"]:
        status, body, _ = server.request("GET", path)
        assert status in (400, 404), path
    status, body, r = server.request("GET", "/")
    if status == 200:
        assert r.getheader("Content-Type").startswith("text/html")
    else:
        assert status == 404  # the panel is not written yet


def test_oversized_body_is_413(server):
    admin = server.login("admin")["token"]
    c = server.conn()
    c.putrequest("POST", "/api/v1/campaigns/2/leads")
    c.putheader("Authorization", "Bearer " + admin)
    c.putheader("Content-Length", str(64 << 20))
    c.endheaders()
    r = c.getresponse()
    assert r.status == 413
    c.close()


def test_concurrent_agent_creations_get_distinct_ids(server):
    admin = server.login("admin")["token"]
    answers = []
    lock = threading.Lock()

    def create(i):
        r = server.request("POST", "/api/v1/agents", {"login": f"par{i}", "name": f"P{i}", "endpoint": f"PJSIP/par{i}",
                                                      "password": "parallel-pw"}, token=admin)
        with lock:
            answers.append(r[:2])

    threads = [threading.Thread(target=create, args=(i,)) for i in range(12)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert all(status == 201 for status, _ in answers), answers
    ids = [body["id"] for _, body in answers]
    assert len(set(ids)) == 12
    for _, body in answers:
        status, login, _ = server.request("POST", "/api/v1/auth/login", {"login": body["login"], "password": "parallel-pw"})
        assert status == 200 and login["agent_id"] == body["id"]
        assert server.request("DELETE", f"/api/v1/agents/{body['id']}", token=admin)[0] == 200


def test_an_agent_lists_the_campaigns_they_may_join(server):
    alice = server.login("alice")
    token, me = alice["token"], alice["agent_id"]
    status, body, _ = server.request("GET", f"/api/v1/agents/{me}/campaigns", token=token)
    assert status == 200, body
    campaigns = body["campaigns"]
    ids = [c["id"] for c in campaigns]
    assert ids == sorted(ids) and {1, 2} <= set(ids)
    admin = server.login("admin")["token"]
    stored = {c["id"]: c for c in server.request("GET", "/api/v1/campaigns", token=admin)[1]}
    for c in campaigns:
        assert set(c) == {"id", "name", "dial_mode", "manual_dial_allowed", "dial_prefix", "break_types",
                          "dispositions", "script", "wrapup_timeout"}
        assert c["name"] == stored[c["id"]]["name"] and c["dial_mode"] == stored[c["id"]]["dial_mode"]
    # Someone else's list, no token and a wrong method are refused.
    other = 3 - me if me in (1, 2) else 1
    assert server.request("GET", f"/api/v1/agents/{other}/campaigns", token=token)[0] == 403
    assert server.request("GET", f"/api/v1/agents/{me}/campaigns")[0] == 401
    assert server.request("POST", f"/api/v1/agents/{me}/campaigns", {}, token=token)[0] == 405
    # A listed campaign can be joined (a manual one: an autodial one would start calling).
    for c in [c for c in campaigns if c["dial_mode"] == "manual"][:1]:
        status, body, _ = server.request("POST", f"/api/v1/agents/{me}/session", {"campaign": c["id"]}, token=token)
        assert status == 200 and body["campaign"] == c["id"], body
        server.request("DELETE", f"/api/v1/agents/{me}/session", token=token)


def test_deleted_campaign_carrier_and_agent_are_gone_for_every_route_and_ids_are_not_reused(server):
    admin = server.login("admin")["token"]
    status, carrier, _ = server.request("POST", "/api/v1/carriers",
                                        {"name": "trunk-del", "dial_prefix": "66", "dial_template": "PJSIP/{dial}@d"},
                                        token=admin)
    assert status == 201, carrier
    status, campaign, _ = server.request("POST", "/api/v1/campaigns",
                                         {"name": "Short-lived", "carrier": carrier["id"]}, token=admin)
    assert status == 201, campaign
    status, agent, _ = server.request("POST", "/api/v1/agents",
                                      {"login": "erin", "name": "Erin", "endpoint": "PJSIP/erin",
                                       "password": "erin-secret"}, token=admin)
    assert status == 201, agent
    erin = server.request("POST", "/api/v1/auth/login", {"login": "erin", "password": "erin-secret"})[1]["token"]
    bob = server.login("bob")
    cid, aid = campaign["id"], agent["id"]

    assert server.request("DELETE", f"/api/v1/campaigns/{cid}", token=admin)[0] == 200
    # The engine still holds the campaign until a restart; the server does not show or use it.
    assert server.request("GET", f"/api/v1/campaigns/{cid}", token=admin)[0] == 404
    assert server.request("GET", f"/api/v1/campaigns/{cid}/stats", token=admin)[0] == 404
    assert server.request("GET", f"/api/v1/leads?campaign={cid}", token=admin)[0] == 404
    status, body, _ = server.request("POST", f"/api/v1/agents/{aid}/session", {"campaign": cid}, token=erin)
    assert status == 404 and str(cid) in body["error"]["message"], body
    listed = server.request("GET", f"/api/v1/agents/{bob['agent_id']}/campaigns", token=bob["token"])[1]
    assert cid not in [c["id"] for c in listed["campaigns"]]

    assert server.request("DELETE", f"/api/v1/carriers/{carrier['id']}", token=admin)[0] == 200
    status, body, _ = server.request("POST", "/api/v1/campaigns", {"name": "Orphan", "carrier": carrier["id"]},
                                     token=admin)
    assert status == 400 and "deleted" in body["error"]["message"], body

    assert server.request("DELETE", f"/api/v1/agents/{aid}", token=admin)[0] == 200
    assert server.request("GET", f"/api/v1/agents/{aid}/state", token=admin)[0] == 404
    assert server.request("GET", f"/api/v1/agents/{aid}", token=admin)[0] == 404

    # New objects get new ids, never the deleted ones.
    status, c2, _ = server.request("POST", "/api/v1/carriers",
                                   {"name": "trunk-del", "dial_prefix": "67", "dial_template": "PJSIP/{dial}@d"},
                                   token=admin)
    assert status == 201 and c2["id"] > carrier["id"], c2
    status, k2, _ = server.request("POST", "/api/v1/campaigns", {"name": "Short-lived", "carrier": c2["id"]},
                                   token=admin)
    assert status == 201 and k2["id"] > cid, k2
    status, a2, _ = server.request("POST", "/api/v1/agents",
                                   {"login": "erin", "name": "Erin again", "endpoint": "PJSIP/erin",
                                    "password": "erin-secret"}, token=admin)
    assert status == 201 and a2["id"] > aid, a2  # the deleted agent's login is free at once
    assert server.request("DELETE", f"/api/v1/agents/{a2['id']}", token=admin)[0] == 200
    assert server.request("DELETE", f"/api/v1/campaigns/{k2['id']}", token=admin)[0] == 200
    assert server.request("DELETE", f"/api/v1/carriers/{c2['id']}", token=admin)[0] == 200


def test_web_phone_is_checked_kept_apart_and_its_password_only_reaches_its_agent(server):
    admin = server.login("admin")["token"]
    status, dave, _ = server.request("POST", "/api/v1/agents",
                                     {"login": "dave", "name": "Dave", "endpoint": "PJSIP/dave",
                                      "password": "dave-secret",
                                      "web_phone": {"ws_uri": "wss://pbx.example.com:8089/ws",
                                                    "sip_uri": "sip:dave@pbx.example.com",
                                                    "password": "sip-Secret-9"}}, token=admin)
    assert status == 201, dave
    assert dave["web_phone"] == {"ws_uri": "wss://pbx.example.com:8089/ws", "sip_uri": "sip:dave@pbx.example.com",
                                 "display_name": "", "password_set": True}
    path = f"/api/v1/agents/{dave['id']}"

    # Each bad value is refused naming the field, and nothing changes.
    for phone, field in [({"ws_uri": "http://pbx/ws"}, "web_phone.ws_uri"),
                         ({"ws_uri": "wss://user:pw@pbx/ws"}, "web_phone.ws_uri"),
                         ({"ws_uri": "not a url"}, "web_phone.ws_uri"),
                         ({"sip_uri": "dave@pbx"}, "web_phone.sip_uri"),
                         ({"sip_uri": "sip:@pbx"}, "web_phone.sip_uri"),
                         ({"sip_uri": "sip:dave@pbx;transport=ws"}, "web_phone.sip_uri"),
                         ({"password": ""}, "web_phone.password"),
                         ({"password": 7}, "web_phone.password"),
                         ({"display_name": "a\nb"}, "web_phone.display_name"),
                         ({"ring": True}, "web_phone.ring")]:
        status, body, _ = server.request("PUT", path, {"name": "Changed", "web_phone": phone}, token=admin)
        assert status == 400, (phone, body)
        assert field in body["error"]["message"], (phone, body)
    status, body, _ = server.request("PUT", path, {"web_phone": "yes"}, token=admin)
    assert status == 400 and "web_phone" in body["error"]["message"]
    status, body, _ = server.request("POST", "/api/v1/agents",
                                     {"login": "erin", "password": "erin-secret",
                                      "web_phone": {"ws_uri": "wss://pbx/ws", "sip_uri": "sip:erin@pbx"}}, token=admin)
    assert status == 400 and "web_phone.password" in body["error"]["message"], body
    status, body, _ = server.request("GET", path, token=admin)
    assert body["name"] == "Dave" and body["web_phone"]["sip_uri"] == "sip:dave@pbx.example.com"

    # A PUT without the password keeps it; the list shows phones too.
    status, body, _ = server.request("PUT", path, {"web_phone": {"display_name": "Dave (desk 4)"}}, token=admin)
    assert status == 200 and body["web_phone"]["display_name"] == "Dave (desk 4)", body
    status, agents, _ = server.request("GET", "/api/v1/agents", token=admin)
    listed = {a["login"]: a for a in agents}
    assert listed["dave"]["web_phone"]["password_set"] is True and listed["alice"]["web_phone"] is None
    assert "sip-Secret-9" not in json.dumps(agents)

    # Only Dave's own session reads the SIP password.
    status, body, _ = server.request("POST", "/api/v1/auth/login", {"login": "dave", "password": "dave-secret"})
    dave_token = body["token"]
    status, mine, _ = server.request("GET", f"{path}/phone", token=dave_token)
    assert status == 200 and mine["web_phone"]["password"] == "sip-Secret-9" and mine["persistent_leg"] is False
    assert server.request("GET", f"{path}/phone", token=server.login("alice")["token"])[0] == 403
    assert server.request("GET", f"{path}/phone", token=admin)[0] == 403
    assert server.request("POST", f"{path}/phone", {}, token=dave_token)[0] == 405
    status, alices, _ = server.request("GET", "/api/v1/agents/1/phone", token=server.login("alice")["token"])
    assert status == 200 and alices["web_phone"] is None
    assert "sip-Secret-9" not in server.log_text()

    # null takes the phone away; deleting the agent takes its phone with it.
    status, body, _ = server.request("PUT", path, {"web_phone": None}, token=admin)
    assert status == 200 and body["web_phone"] is None
    status, body, _ = server.request("GET", f"{path}/phone", token=dave_token)
    assert body["web_phone"] is None
    server.request("PUT", path, {"web_phone": {"ws_uri": "ws://127.0.0.1:5066/ws", "sip_uri": "sips:dave@[::1]:5061",
                                               "password": "again-1"}}, token=admin)
    with sqlite3.connect(os.path.join(server.data_dir, "dialer.db")) as db:
        assert db.execute("SELECT sip_uri FROM dialerd_web_phones WHERE agent_id = ?", (dave["id"],)).fetchall() == [
            ("sips:dave@[::1]:5061",)]
    assert server.request("DELETE", path, token=admin)[0] == 200
    with sqlite3.connect(os.path.join(server.data_dir, "dialer.db")) as db:
        assert db.execute("SELECT * FROM dialerd_web_phones WHERE agent_id = ?", (dave["id"],)).fetchall() == []
