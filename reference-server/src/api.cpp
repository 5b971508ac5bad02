#include "api.hpp"

#include <algorithm>
#include <charconv>
#include <chrono>
#include <map>
#include <set>
#include <sstream>

#include <boost/asio/post.hpp>
#include <boost/url.hpp>

#include "dialer/compliance.hpp"
#include "dialer/dial_prefix.hpp"
#include "dialer/lead_import.hpp"
#include "dialer_service.hpp"
#include "json_mapping.hpp"
#include "log.hpp"
#include "passwords.hpp"
#include "web_phone.hpp"

namespace dialerd {
namespace http = boost::beast::http;
namespace json = boost::json;
using dialer::AgentId;
using dialer::CampaignId;
using dialer::CarrierId;
using dialer::Errc;
using dialer::Error;
using dialer::Result;

unsigned http_status_for(const Error& e) {
  if (dialer::is_policy_refusal(e.code)) return 422;
  if (e.code.category() != dialer::dialer_category()) return 500;
  switch (static_cast<Errc>(e.code.value())) {
    case Errc::invalid_argument: return 400;
    case Errc::not_found: return 404;
    case Errc::conflict:
    case Errc::invalid_transition: return 409;
    case Errc::unavailable:
    case Errc::storage_error:
    case Errc::timeout: return 503;
    case Errc::refused_by_policy: return 422;
    case Errc::protocol_error: return 502;
  }
  return 500;
}

struct Api::Context {
  Request req;
  Respond respond;
  std::string path;
  std::vector<std::string> segments;
  std::map<std::string, std::string> query;
  std::optional<Session> session;
  std::string token;
  std::string route_label;
  std::chrono::steady_clock::time_point started;
};

namespace {

using Ctx = Api::Context;

Error bad_request(std::string message) { return Error{Errc::invalid_argument, std::move(message)}; }

bool is_number(std::string_view s) {
  return !s.empty() && s.size() < 20 && s.find_first_not_of("0123456789") == std::string_view::npos;
}

std::string route_label_for(std::string_view method, const std::vector<std::string>& segments, bool api) {
  if (!api) return std::string(method) == "GET" || std::string(method) == "HEAD" ? "static" : "other";
  std::string label;
  for (const auto& s : segments) label += "/" + (is_number(s) ? std::string("{id}") : s);
  // Only the API's own routes become metric labels: arbitrary paths must not
  // grow the metrics without bound.
  static const std::set<std::string> known{
      "/healthz", "/readyz", "/metrics", "/api/v1/auth/login", "/api/v1/auth/logout", "/api/v1/me",
      "/api/v1/ws", "/api/v1/leads", "/api/v1/calls/{id}", "/api/v1/agents/{id}/state",
      "/api/v1/agents/{id}/session", "/api/v1/agents/{id}/campaigns", "/api/v1/agents/{id}/status", "/api/v1/agents/{id}/dial",
      "/api/v1/agents/{id}/hangup", "/api/v1/agents/{id}/disposition", "/api/v1/agents/{id}/phone", "/api/v1/campaigns",
      "/api/v1/campaigns/{id}", "/api/v1/campaigns/{id}/leads", "/api/v1/campaigns/{id}/stats",
      "/api/v1/carriers", "/api/v1/carriers/{id}", "/api/v1/agents", "/api/v1/agents/{id}"};
  return known.count(label) != 0 ? label : "unmatched";
}

template <class IdT>
std::optional<IdT> id_of(std::string_view s) {
  if (!is_number(s)) return std::nullopt;
  return dialer::parse_id<IdT>(s);
}

Response make_response(const Ctx& ctx, unsigned status, std::string body, std::string_view type) {
  Response res{static_cast<http::status>(status), ctx.req.version()};
  res.set(http::field::server, "dialerd");
  res.set(http::field::content_type, type);
  res.set(http::field::cache_control, "no-store");
  res.keep_alive(ctx.req.keep_alive());
  res.body() = std::move(body);
  res.prepare_payload();
  return res;
}

std::string json_text(const json::value& v) { return json::serialize(v); }

std::string status_json_name(dialer::AgentState s) { return dialer::to_string(s); }

}  // namespace

// ---- Replies, with metrics and an access log line ----

namespace {

void send(Service& service, Ctx& ctx, Response res) {
  auto elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - ctx.started).count();
  unsigned code = res.result_int();
  std::string method(ctx.req.method_string());
  std::string cls = std::to_string(code / 100) + "xx";
  ++service.counters().requests[method + " " + ctx.route_label + " " + cls];
  service.counters().latency[method + " " + ctx.route_label].observe(elapsed);
  // The path only: query strings may carry a token (the WebSocket's).
  log(code >= 500 ? LogLevel::warn : LogLevel::debug, "http_request",
      {{"method", method}, {"path", ctx.path}, {"status", std::to_string(code)},
       {"ms", std::to_string(elapsed * 1000.0)},
       {"login", ctx.session ? ctx.session->login : std::string("-")}});
  if (ctx.respond) {
    auto respond = std::move(ctx.respond);
    ctx.respond = nullptr;
    respond(std::move(res));
  }
}

void reply_json(Service& service, Ctx& ctx, unsigned status, const json::value& body) {
  send(service, ctx, make_response(ctx, status, json_text(body), "application/json"));
}

void reply_error(Service& service, Ctx& ctx, unsigned status, std::string_view code, std::string_view message) {
  Response res = make_response(ctx, status, error_body(code, message), "application/json");
  if (status == 401) res.set(http::field::www_authenticate, "Bearer");
  send(service, ctx, std::move(res));
}

void reply_error(Service& service, Ctx& ctx, const Error& e) {
  reply_error(service, ctx, http_status_for(e), error_code_name(e), e.detail.empty() ? e.message() : e.detail);
}

void method_not_allowed(Service& service, Ctx& ctx, std::string_view allow) {
  Response res = make_response(ctx, 405,
                               error_body("method_not_allowed", std::string(ctx.req.method_string()) +
                                                                    " is not allowed on " + ctx.path +
                                                                    " (allowed: " + std::string(allow) + ")"),
                               "application/json");
  res.set(http::field::allow, allow);
  send(service, ctx, std::move(res));
}

Result<json::object> body_object(const Ctx& ctx, bool allow_empty = false) {
  if (ctx.req.body().empty()) {
    if (allow_empty) return json::object{};
    return bad_request("the request needs a JSON object body");
  }
  boost::system::error_code ec;
  json::value v = json::parse(ctx.req.body(), ec);
  if (ec) return bad_request("malformed JSON: " + ec.message());
  if (!v.is_object()) return bad_request("the body must be a JSON object");
  return v.as_object();
}

Result<std::string> opt_string(const json::object& o, std::string_view key) {
  auto it = o.find(key);
  if (it == o.end() || it->value().is_null()) return std::string();
  if (!it->value().is_string()) return bad_request("field '" + std::string(key) + "' must be a string");
  return std::string(it->value().as_string());
}

Result<std::uint64_t> req_id(const json::object& o, std::string_view key) {
  auto it = o.find(key);
  if (it == o.end()) return bad_request("field '" + std::string(key) + "' is required");
  const json::value& v = it->value();
  if (v.is_uint64() && v.as_uint64() > 0) return v.as_uint64();
  if (v.is_int64() && v.as_int64() > 0) return static_cast<std::uint64_t>(v.as_int64());
  return bad_request("field '" + std::string(key) + "' must be a positive integer id");
}

Result<void> only_keys(const json::object& o, std::initializer_list<std::string_view> keys) {
  for (const auto& kv : o) {
    bool known = false;
    for (auto k : keys) known = known || kv.key() == k;
    if (!known) return bad_request("field '" + std::string(kv.key()) + "' is not a known field");
  }
  return {};
}

// ---- Agent commands, shared by REST and the WebSocket ----

json::object status_of(Service& service, AgentId agent) {
  auto v = service.engine().agent(agent);
  json::object o;
  if (!v) return o;
  o["status"] = status_json_name(v->status.state);
  if (v->status.state == dialer::AgentState::on_break) o["break_type"] = v->status.break_type;
  else o["break_type"] = nullptr;
  o["campaign"] = v->campaign.value;
  o["call"] = v->call.valid() ? json::value(v->call.value) : json::value(nullptr);
  return o;
}

Result<json::object> cmd_join(Service& service, AgentId agent, const json::object& body) {
  if (auto r = only_keys(body, {"campaign", "id", "type", "v"}); !r) return std::move(r).error();
  auto id = req_id(body, "campaign");
  if (!id) return std::move(id).error();
  if (service.draining()) return Error{Errc::unavailable, "the server is shutting down; log in later"};
  if (service.is_deleted(CampaignId{*id})) return Error{Errc::not_found, "no such campaign: " + std::to_string(*id)};
  auto r = service.engine().log_in(agent, CampaignId{*id});
  service.kick();
  if (!r) return std::move(r).error();
  log(LogLevel::info, "agent_login", {{"agent", dialer::to_string(agent)}, {"campaign", std::to_string(*id)}});
  return status_of(service, agent);
}

Result<json::object> cmd_leave(Service& service, AgentId agent) {
  auto r = service.engine().log_out(agent);
  service.kick();
  if (!r) return std::move(r).error();
  log(LogLevel::info, "agent_logout", {{"agent", dialer::to_string(agent)}});
  return status_of(service, agent);
}

Result<json::object> cmd_set_status(Service& service, AgentId agent, const json::object& body) {
  if (auto r = only_keys(body, {"status", "break_type", "id", "type", "v"}); !r) return std::move(r).error();
  auto status = opt_string(body, "status");
  if (!status) return std::move(status).error();
  auto break_type = opt_string(body, "break_type");
  if (!break_type) return std::move(break_type).error();
  auto v = service.engine().agent(agent);
  if (!v) return Error{Errc::not_found, "agent " + dialer::to_string(agent) + " does not exist"};
  Result<void> r;
  if (*status == "available") {
    if (v->status.state == dialer::AgentState::offline) {
      return Error{Errc::invalid_transition, "agent is offline: join a campaign first (POST .../session)"};
    }
    r = service.engine().set_available(agent);
  } else if (*status == "break") {
    if (break_type->empty()) return bad_request("field 'break_type' is required with status 'break'");
    r = service.engine().take_break(agent, *break_type);
  } else if (*status == "offline") {
    r = service.engine().log_out(agent);
  } else if (status->empty()) {
    return bad_request("field 'status' is required");
  } else {
    return bad_request("field 'status' must be available, break or offline (got '" + *status + "')");
  }
  service.kick();
  if (!r) return std::move(r).error();
  return status_of(service, agent);
}

Result<json::object> cmd_dial(Service& service, AgentId agent, const json::object& body) {
  if (auto r = only_keys(body, {"number", "lead", "id", "type", "v"}); !r) return std::move(r).error();
  bool has_number = body.contains("number");
  bool has_lead = body.contains("lead");
  if (has_number == has_lead) return bad_request("give exactly one of 'number' or 'lead'");
  if (service.draining()) return Error{Errc::unavailable, "the server is shutting down; no new calls"};
  Result<dialer::CallId> call = Error{Errc::invalid_argument, ""};
  if (has_number) {
    auto number = opt_string(body, "number");
    if (!number) return std::move(number).error();
    call = service.engine().dial_number(agent, *number);
  } else {
    auto lead = req_id(body, "lead");
    if (!lead) return std::move(lead).error();
    call = service.engine().dial_lead(agent, dialer::LeadId{*lead});
  }
  service.kick();
  if (!call) return std::move(call).error();
  json::object o{{"call", call->value}};
  if (const dialer::CallRecord* r = service.engine().find_call(*call)) {
    o["number"] = r->number;
    o["dialled"] = r->dialled;
    o["state"] = dialer::to_string(r->state);
    log(LogLevel::info, "manual_dial", {{"agent", dialer::to_string(agent)}, {"call", dialer::to_string(*call)},
                                        {"campaign", dialer::to_string(r->campaign)}, {"dialled", r->dialled}});
  }
  return o;
}

Result<json::object> cmd_hangup(Service& service, AgentId agent) {
  auto r = service.engine().hang_up(agent);
  service.kick();
  if (!r) return std::move(r).error();
  return status_of(service, agent);
}

Result<json::object> cmd_disposition(Service& service, AgentId agent, const json::object& body) {
  if (auto r = only_keys(body, {"code", "notes", "next_break", "id", "type", "v"}); !r) return std::move(r).error();
  dialer::Disposition d;
  auto code = opt_string(body, "code");
  if (!code) return std::move(code).error();
  if (code->empty()) return bad_request("field 'code' is required");
  auto notes = opt_string(body, "notes");
  if (!notes) return std::move(notes).error();
  auto next = opt_string(body, "next_break");
  if (!next) return std::move(next).error();
  d.code = *code;
  d.notes = *notes;
  d.next_break = *next;
  auto view = service.engine().agent(agent);
  auto r = service.engine().submit_disposition(agent, d);
  service.kick();
  if (!r) return std::move(r).error();
  log(LogLevel::info, "disposition", {{"agent", dialer::to_string(agent)},
                                      {"call", view ? dialer::to_string(view->call) : std::string("0")},
                                      {"code", d.code}});
  return status_of(service, agent);
}

}  // namespace

// ---- Api ----

Api::Api(Service& service, StaticFiles files) : service_(service), files_(std::move(files)) {
  auto h = hash_password(random_token(), service_.config().password_hash);
  dummy_hash_ = h ? *h : std::string();
}

Api::~Api() {
  hash_pool_.join();
  import_pool_.join();
}

void Api::handle(Request request, Respond respond) {
  auto ctx = std::make_shared<Ctx>();
  ctx->started = std::chrono::steady_clock::now();
  ctx->req = std::move(request);
  ctx->respond = std::move(respond);
  std::string_view target = ctx->req.target();
  auto parsed = boost::urls::parse_origin_form(target);
  if (!parsed) {
    ctx->route_label = "invalid";
    ctx->path = "?";
    reply_error(service_, *ctx, 400, "invalid_argument", "the request target is not a valid path");
    return;
  }
  ctx->path = std::string(parsed->encoded_path());
  for (auto seg : parsed->segments()) ctx->segments.push_back(std::string(seg));
  for (auto p : parsed->params()) ctx->query[std::string(p.key)] = std::string(p.value);
  bool api = !ctx->segments.empty() &&
             (ctx->segments[0] == "api" || ctx->segments[0] == "healthz" || ctx->segments[0] == "readyz" ||
              ctx->segments[0] == "metrics");
  ctx->route_label = route_label_for(ctx->req.method_string(), ctx->segments, api);
  try {
    route(*ctx);
  } catch (const std::exception& e) {
    log(LogLevel::error, "request_failed", {{"path", ctx->path}, {"error", e.what()}});
    if (ctx->respond) reply_error(service_, *ctx, 500, "internal", "internal error");
  }
  // Handlers that answer later (login) keep their own copy of the context.
}

void Api::route(Ctx& ctx) {
  const auto& s = ctx.segments;
  auto method = ctx.req.method();
  if (s.size() == 1 && (s[0] == "healthz" || s[0] == "readyz" || s[0] == "metrics")) {
    if (method != http::verb::get && method != http::verb::head) return method_not_allowed(service_, ctx, "GET");
    if (s[0] == "healthz") return reply_json(service_, ctx, 200, json::object{{"status", "ok"}});
    if (s[0] == "readyz") {
      std::string why;
      if (service_.ready(why)) return reply_json(service_, ctx, 200, json::object{{"status", "ready"}});
      return reply_error(service_, ctx, 503, "unavailable", why);
    }
    return send(service_, ctx, make_response(ctx, 200, service_.metrics_text(), "text/plain; version=0.0.4"));
  }
  if (s.empty() || s[0] != "api") {
    if (method != http::verb::get && method != http::verb::head) return method_not_allowed(service_, ctx, "GET, HEAD");
    auto f = files_.get(ctx.path);
    if (!f) return reply_error(service_, ctx, 404, "not_found", "no such file: " + ctx.path);
    Response res = make_response(ctx, 200, std::move(f->body), f->content_type);
    res.set(http::field::cache_control, "no-cache");
    res.set("X-Content-Type-Options", "nosniff");
    return send(service_, ctx, std::move(res));
  }
  if (s.size() < 3 || s[1] != "v1") return reply_error(service_, ctx, 404, "not_found", "no such endpoint: " + ctx.path);
  if (s.size() == 4 && s[2] == "auth" && s[3] == "login") {
    if (method != http::verb::post) return method_not_allowed(service_, ctx, "POST");
    return login(ctx);
  }
  // Everything else needs a token.
  auto auth = ctx.req[http::field::authorization];
  if (auth.size() > 7 && (auth.substr(0, 7) == "Bearer " || auth.substr(0, 7) == "bearer ")) {
    ctx.token = std::string(auth.substr(7));
  }
  if (ctx.token.empty()) return reply_error(service_, ctx, 401, "unauthorized", "missing bearer token");
  ctx.session = service_.credentials().check(ctx.token, std::chrono::system_clock::now());
  if (!ctx.session) return reply_error(service_, ctx, 401, "unauthorized", "invalid or expired token");
  if (s.size() == 4 && s[2] == "auth" && s[3] == "logout") {
    if (method != http::verb::post) return method_not_allowed(service_, ctx, "POST");
    service_.credentials().end_session(ctx.token);
    return reply_json(service_, ctx, 200, json::object{{"logged_out", true}});
  }
  if (s.size() == 3 && s[2] == "me") {
    if (method != http::verb::get) return method_not_allowed(service_, ctx, "GET");
    return reply_json(service_, ctx, 200,
                      json::object{{"login", ctx.session->login},
                                   {"role", to_string(ctx.session->role)},
                                   {"agent_id", ctx.session->agent.valid() ? json::value(ctx.session->agent.value)
                                                                          : json::value(nullptr)},
                                   {"expires_at", format_time(ctx.session->expires_at)}});
  }
  if (s.size() == 5 && s[2] == "agents") {
    auto agent = id_of<AgentId>(s[3]);
    if (!agent) return reply_error(service_, ctx, 404, "not_found", "no such agent: " + s[3]);
    if (ctx.session->role == Role::agent && ctx.session->agent != *agent) {
      return reply_error(service_, ctx, 403, "forbidden", "an agent may act only on their own agent");
    }
    return agent_routes(ctx, *agent, s[4]);
  }
  if (s.size() == 3 && s[2] == "leads") return search_leads(ctx);
  if (s.size() == 4 && s[2] == "calls") {
    if (method != http::verb::get) return method_not_allowed(service_, ctx, "GET");
    auto id = id_of<dialer::CallId>(s[3]);
    if (!id) return reply_error(service_, ctx, 404, "not_found", "no such call: " + s[3]);
    dialer::CallRecord record;
    if (const dialer::CallRecord* live = service_.engine().find_call(*id)) {
      record = *live;
    } else {
      auto r = service_.call_log().find_call(*id);
      if (!r) return reply_error(service_, ctx, r.error());
      record = *r;
    }
    if (ctx.session->role == Role::agent && record.agent != ctx.session->agent) {
      return reply_error(service_, ctx, 403, "forbidden", "call " + s[3] + " is not one of this agent's calls");
    }
    return reply_json(service_, ctx, 200, call_json(record));
  }
  // Admin only from here.
  bool admin_path = s.size() >= 3 && (s[2] == "campaigns" || s[2] == "carriers" || s[2] == "agents");
  if (!admin_path) return reply_error(service_, ctx, 404, "not_found", "no such endpoint: " + ctx.path);
  if (ctx.session->role != Role::admin) {
    return reply_error(service_, ctx, 403, "forbidden", "this endpoint needs an admin token");
  }
  return admin_routes(ctx);
}

void Api::login(Ctx& ctx) {
  auto body = body_object(ctx);
  if (!body) return reply_error(service_, ctx, body.error());
  auto login = opt_string(*body, "login");
  auto password = opt_string(*body, "password");
  if (!login || !password) return reply_error(service_, ctx, 400, "invalid_argument", "login and password must be strings");
  if (login->empty() || password->empty()) {
    return reply_error(service_, ctx, 400, "invalid_argument", "fields 'login' and 'password' are required");
  }
  auto cred = service_.credentials().find_fresh(*login);
  std::string hash = cred ? cred->password_hash : dummy_hash_;
  auto shared = std::make_shared<Ctx>(std::move(ctx));
  ctx.respond = nullptr;
  boost::asio::post(hash_pool_, [this, shared, hash, pw = std::move(*password), cred]() mutable {
    bool ok = verify_password(hash, pw) && cred.has_value();
    boost::asio::post(service_.io(), [this, shared, ok, cred] {
      Ctx& c = *shared;
      if (!ok) {
        ++service_.counters().logins_failed;
        log(LogLevel::info, "login_refused", {{"login", cred ? cred->login : std::string("(unknown)")}});
        return reply_error(service_, c, 401, "unauthorized", "wrong login or password");
      }
      // The credential may have changed while the hash ran.
      auto now_cred = service_.credentials().find(cred->login);
      if (!now_cred || now_cred->password_hash != cred->password_hash) {
        return reply_error(service_, c, 401, "unauthorized", "wrong login or password");
      }
      auto token = service_.credentials().start_session(*now_cred, std::chrono::system_clock::now());
      if (!token) return reply_error(service_, c, token.error());
      auto session = service_.credentials().check(*token, std::chrono::system_clock::now());
      log(LogLevel::info, "login", {{"login", now_cred->login}, {"role", to_string(now_cred->role)},
                                    {"agent", dialer::to_string(now_cred->agent)}});
      json::object o{{"token", *token},
                     {"expires_at", session ? format_time(session->expires_at) : std::string()},
                     {"role", to_string(now_cred->role)},
                     {"agent_id", now_cred->agent.valid() ? json::value(now_cred->agent.value) : json::value(nullptr)}};
      reply_json(service_, c, 200, o);
    });
  });
}

void Api::agent_routes(Ctx& ctx, AgentId agent, std::string_view action) {
  auto method = ctx.req.method();
  if (!service_.engine().find_agent(agent) || service_.is_deleted(agent)) {
    return reply_error(service_, ctx, 404, "not_found", "no such agent: " + dialer::to_string(agent));
  }
  auto done = [&](Result<json::object> r, unsigned ok_status = 200) {
    if (!r) return reply_error(service_, ctx, r.error());
    reply_json(service_, ctx, ok_status, *r);
  };
  if (action == "state") {
    if (method != http::verb::get) return method_not_allowed(service_, ctx, "GET");
    auto snap = service_.snapshot(agent);
    if (!snap) return reply_error(service_, ctx, 404, "not_found", "no such agent");
    return reply_json(service_, ctx, 200, *snap);
  }
  if (action == "campaigns") {
    // What the panel offers at sign-in: every campaign the agent could join
    // (the engine lets any agent into any campaign it knows), as snapshots
    // show a campaign. Campaigns deleted from the store are left out.
    if (method != http::verb::get) return method_not_allowed(service_, ctx, "GET");
    auto stored = service_.config_store().load_campaigns();
    if (!stored) return reply_error(service_, ctx, stored.error());
    std::sort(stored->begin(), stored->end(), [](const auto& a, const auto& b) { return a.id < b.id; });
    json::array out;
    for (const auto& c : *stored) {
      if (const dialer::Campaign* live = service_.engine().find_campaign(c.id)) {
        out.push_back(service_.panel_campaign(*live));
      }
    }
    return reply_json(service_, ctx, 200, json::object{{"campaigns", std::move(out)}});
  }
  if (action == "phone") {
    // The browser phone's SIP account, password included: only for the
    // agent's own panel, which registers with it.
    if (method != http::verb::get) return method_not_allowed(service_, ctx, "GET");
    if (ctx.session->role != Role::agent) {
      return reply_error(service_, ctx, 403, "forbidden",
                         "only the agent's own panel reads its SIP password; admins see web_phone in /api/v1/agents/" +
                             dialer::to_string(agent));
    }
    auto phone = service_.credentials().web_phone(agent);
    if (!phone) return reply_error(service_, ctx, phone.error());
    const dialer::Agent* a = service_.engine().find_agent(agent);
    return reply_json(service_, ctx, 200,
                      json::object{{"web_phone", web_phone_agent_json(*phone)},
                                   {"persistent_leg", a != nullptr && a->persistent_leg}});
  }
  if (action == "session") {
    if (method == http::verb::post) {
      auto body = body_object(ctx);
      if (!body) return reply_error(service_, ctx, body.error());
      return done(cmd_join(service_, agent, *body));
    }
    if (method == http::verb::delete_) return done(cmd_leave(service_, agent));
    return method_not_allowed(service_, ctx, "POST, DELETE");
  }
  if (method != http::verb::post) return method_not_allowed(service_, ctx, "POST");
  if (action == "status") {
    auto body = body_object(ctx);
    if (!body) return reply_error(service_, ctx, body.error());
    return done(cmd_set_status(service_, agent, *body));
  }
  if (action == "dial") {
    auto body = body_object(ctx);
    if (!body) return reply_error(service_, ctx, body.error());
    return done(cmd_dial(service_, agent, *body), 201);
  }
  if (action == "hangup") {
    auto body = body_object(ctx, true);
    if (!body) return reply_error(service_, ctx, body.error());
    return done(cmd_hangup(service_, agent));
  }
  if (action == "disposition") {
    auto body = body_object(ctx);
    if (!body) return reply_error(service_, ctx, body.error());
    return done(cmd_disposition(service_, agent, *body));
  }
  return reply_error(service_, ctx, 404, "not_found", "no such endpoint: " + ctx.path);
}

void Api::search_leads(Ctx& ctx) {
  if (ctx.req.method() != http::verb::get) return method_not_allowed(service_, ctx, "GET");
  auto cid = id_of<CampaignId>(ctx.query["campaign"]);
  if (!cid) return reply_error(service_, ctx, 400, "invalid_argument", "query parameter 'campaign' must be a campaign id");
  if (!service_.engine().find_campaign(*cid) || service_.is_deleted(*cid)) {
    return reply_error(service_, ctx, 404, "not_found", "no such campaign: " + dialer::to_string(*cid));
  }
  if (ctx.session->role == Role::agent) {
    auto v = service_.engine().agent(ctx.session->agent);
    if (!v || v->campaign != *cid) {
      return reply_error(service_, ctx, 403, "forbidden", "agents search only the campaign they are logged in to");
    }
  }
  dialer::LeadSearch search{*cid, ctx.query["q"], 50, {}};
  if (search.text.size() > 64) {
    return reply_error(service_, ctx, 400, "invalid_argument", "query parameter 'q' is longer than 64 characters");
  }
  if (auto p = ctx.query.find("limit"); p != ctx.query.end()) {
    std::size_t n = 0;
    const std::string& text = p->second;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
    if (ec != std::errc{} || end != text.data() + text.size() || n == 0 || n > dialer::kMaxLeadSearchResults) {
      return reply_error(service_, ctx, 400, "invalid_argument",
                         "query parameter 'limit' must be 1.." + std::to_string(dialer::kMaxLeadSearchResults));
    }
    search.limit = n;
  }
  if (auto p = ctx.query.find("after"); p != ctx.query.end()) {
    auto after = id_of<dialer::LeadId>(p->second);
    if (!after) return reply_error(service_, ctx, 400, "invalid_argument", "query parameter 'after' must be a lead id");
    search.after = *after;
  }
  auto shared = std::make_shared<Ctx>(std::move(ctx));
  ctx.respond = nullptr;
  boost::asio::post(search_pool_, [this, shared, search] {
    Result<std::vector<dialer::Lead>> found = Error{Errc::storage_error, "lead search not run"};
    try {
      if (!search_store_) {
        auto store = service_.open_side_store();
        if (store) search_store_ = std::move(store).value();
        else found = std::move(store).error();
      }
      if (search_store_) found = search_store_->search_leads(search);
    } catch (const std::exception& e) {
      found = Error{Errc::storage_error, std::string("lead search: ") + e.what()};
    }
    if (!found && found.error().code == make_error_code(Errc::storage_error)) search_store_.reset();
    boost::asio::post(service_.io(), [this, shared, found = std::move(found)] {
      Ctx& c = *shared;
      if (!found) return reply_error(service_, c, found.error());
      json::array out;
      for (const auto& lead : *found) out.push_back(lead_json(lead));
      reply_json(service_, c, 200, json::object{{"leads", std::move(out)}});
    });
  });
}

// ---- Admin ----

void Api::admin_routes(Ctx& ctx) {
  const auto& s = ctx.segments;
  if (s[2] == "campaigns") {
    if (s.size() == 5 && s[4] == "leads") {
      auto id = id_of<CampaignId>(s[3]);
      if (!id) return reply_error(service_, ctx, 404, "not_found", "no such campaign: " + s[3]);
      if (ctx.req.method() != http::verb::post) return method_not_allowed(service_, ctx, "POST");
      return import_leads(ctx, *id);
    }
    if (s.size() == 5 && s[4] == "stats") {
      auto id = id_of<CampaignId>(s[3]);
      if (ctx.req.method() != http::verb::get) return method_not_allowed(service_, ctx, "GET");
      auto st = id && !service_.is_deleted(*id) ? service_.engine().campaign_stats(*id) : std::nullopt;
      if (!st) return reply_error(service_, ctx, 404, "not_found", "no such campaign: " + s[3]);
      json::object agents{{"offline", 0}, {"available", 0}, {"break", 0}, {"busy", 0}, {"wrapup", 0}};
      for (AgentId a : service_.agents()) {
        auto v = service_.engine().agent(a);
        if (v && v->campaign == *id) {
          auto& n = agents[dialer::to_string(v->status.state)];
          n = n.as_int64() + 1;
        }
      }
      auto counts = [](const dialer::AbandonmentMeter::Counts& c) {
        json::object o;
        o["answered"] = c.answered;
        o["abandoned"] = c.abandoned;
        o["rate"] = c.rate();
        return o;
      };
      return reply_json(service_, ctx, 200,
                        json::object{{"campaign", id->value},
                                     {"agents_logged_in", st->agents_logged_in},
                                     {"agents", std::move(agents)},
                                     {"hopper_depth", st->hopper_depth},
                                     {"hopper_exhausted", st->hopper_exhausted},
                                     {"ringing", st->ringing},
                                     {"waiting", st->waiting},
                                     {"placed_today", st->placed_today},
                                     {"abandonment_today", counts(st->today)},
                                     {"abandonment_30_days", counts(st->last_30_days)},
                                     {"pacer", st->pacer}});
    }
    if (s.size() <= 4) return campaigns(ctx);
  }
  if (s[2] == "carriers" && s.size() <= 4) return carriers(ctx);
  if (s[2] == "agents" && s.size() <= 4) return agents_admin(ctx);
  reply_error(service_, ctx, 404, "not_found", "no such endpoint: " + ctx.path);
}

void Api::campaigns(Ctx& ctx) {
  auto method = ctx.req.method();
  auto all = service_.load_campaigns();
  if (!all) return reply_error(service_, ctx, all.error());
  if (ctx.segments.size() == 3) {
    if (method == http::verb::get) {
      json::array out;
      for (const auto& c : *all) out.push_back(campaign_json(c));
      return reply_json(service_, ctx, 200, out);
    }
    if (method != http::verb::post) return method_not_allowed(service_, ctx, "GET, POST");
  }
  std::optional<dialer::Campaign> existing;
  if (ctx.segments.size() == 4) {
    auto id = id_of<CampaignId>(ctx.segments[3]);
    for (const auto& c : *all) {
      if (id && c.id == *id) existing = c;
    }
    if (!existing) return reply_error(service_, ctx, 404, "not_found", "no such campaign: " + ctx.segments[3]);
    if (method == http::verb::get) return reply_json(service_, ctx, 200, campaign_json(*existing));
    if (method == http::verb::delete_) {
      auto st = service_.engine().campaign_stats(existing->id);
      if (st && st->agents_logged_in > 0) {
        return reply_error(service_, ctx, 409, "conflict", "campaign has agents logged in; log them out first");
      }
      auto r = service_.config_store().delete_campaign(existing->id);
      if (!r) return reply_error(service_, ctx, r.error());
      service_.retire(*existing);
      log(LogLevel::info, "campaign_deleted", {{"campaign", dialer::to_string(existing->id)}, {"by", ctx.session->login}});
      return reply_json(service_, ctx, 200, json::object{{"deleted", existing->id.value}});
    }
    if (method != http::verb::put) return method_not_allowed(service_, ctx, "GET, PUT, DELETE");
  }
  auto body = body_object(ctx);
  if (!body) return reply_error(service_, ctx, body.error());
  dialer::Campaign c = existing ? *existing : dialer::Campaign{};
  if (!existing) {
    std::uint64_t max = service_.max_deleted_campaign();
    for (const auto& x : *all) max = std::max(max, x.id.value);
    c.id = CampaignId{max + 1};
  }
  if (auto r = read_campaign(*body, c); !r) return reply_error(service_, ctx, r.error());
  if (c.name.empty()) return reply_error(service_, ctx, 400, "invalid_argument", "field 'name' is required");
  for (const auto& x : *all) {
    if (x.id != c.id && x.name == c.name) {
      return reply_error(service_, ctx, 409, "conflict", "campaign name '" + c.name + "' is taken");
    }
  }
  if (!c.carrier.valid()) return reply_error(service_, ctx, 400, "invalid_argument", "field 'carrier' is required");
  if (service_.is_deleted(c.carrier)) {
    return reply_error(service_, ctx, 400, "invalid_argument", "carrier " + dialer::to_string(c.carrier) + " was deleted");
  }
  if (auto r = service_.engine().save_campaign(c); !r) return reply_error(service_, ctx, r.error());
  if (auto r = service_.config_store().save_campaign(c); !r) {
    // Nothing half-applied: the old campaign back, or a new one hidden.
    if (existing) (void)service_.engine().save_campaign(*existing);
    else service_.mark_deleted(c.id);
    service_.kick();
    return reply_error(service_, ctx, r.error());
  }
  service_.kick();
  log(LogLevel::info, existing ? "campaign_updated" : "campaign_created",
      {{"campaign", dialer::to_string(c.id)}, {"dial_mode", dialer::to_string(c.dial_mode)}, {"by", ctx.session->login}});
  reply_json(service_, ctx, existing ? 200 : 201, campaign_json(c));
}

void Api::carriers(Ctx& ctx) {
  auto method = ctx.req.method();
  auto all = service_.config_store().load_carriers();
  if (!all) return reply_error(service_, ctx, all.error());
  if (ctx.segments.size() == 3) {
    if (method == http::verb::get) {
      json::array out;
      for (const auto& c : *all) out.push_back(carrier_json(c));
      return reply_json(service_, ctx, 200, out);
    }
    if (method != http::verb::post) return method_not_allowed(service_, ctx, "GET, POST");
  }
  std::optional<dialer::Carrier> existing;
  if (ctx.segments.size() == 4) {
    auto id = id_of<CarrierId>(ctx.segments[3]);
    for (const auto& c : *all) {
      if (id && c.id == *id) existing = c;
    }
    if (!existing) return reply_error(service_, ctx, 404, "not_found", "no such carrier: " + ctx.segments[3]);
    if (method == http::verb::get) return reply_json(service_, ctx, 200, carrier_json(*existing));
    if (method == http::verb::delete_) {
      auto r = service_.config_store().delete_carrier(existing->id);
      if (!r) return reply_error(service_, ctx, r.error());
      service_.retire(*existing);
      log(LogLevel::info, "carrier_deleted", {{"carrier", dialer::to_string(existing->id)}, {"by", ctx.session->login}});
      return reply_json(service_, ctx, 200, json::object{{"deleted", existing->id.value}});
    }
    if (method != http::verb::put) return method_not_allowed(service_, ctx, "GET, PUT, DELETE");
  }
  auto body = body_object(ctx);
  if (!body) return reply_error(service_, ctx, body.error());
  dialer::Carrier c = existing ? *existing : dialer::Carrier{};
  if (!existing) {
    std::uint64_t max = service_.max_deleted_carrier();
    for (const auto& x : *all) max = std::max(max, x.id.value);
    c.id = CarrierId{max + 1};
  }
  if (auto r = read_carrier(*body, c); !r) return reply_error(service_, ctx, r.error());
  if (c.name.empty()) return reply_error(service_, ctx, 400, "invalid_argument", "field 'name' is required");
  for (const auto& x : *all) {
    if (x.id != c.id && x.name == c.name) {
      return reply_error(service_, ctx, 409, "conflict", "carrier name '" + c.name + "' is taken");
    }
  }
  if (auto r = service_.engine().save_carrier(c); !r) return reply_error(service_, ctx, r.error());
  if (auto r = service_.config_store().save_carrier(c); !r) {
    if (existing) (void)service_.engine().save_carrier(*existing);
    return reply_error(service_, ctx, r.error());
  }
  service_.kick();
  log(LogLevel::info, existing ? "carrier_updated" : "carrier_created",
      {{"carrier", dialer::to_string(c.id)}, {"prefix", c.dial_prefix}, {"by", ctx.session->login}});
  reply_json(service_, ctx, existing ? 200 : 201, carrier_json(c));
}

namespace {
json::object agent_admin_json(const dialer::Agent& a, const std::optional<WebPhone>& phone) {
  json::object o = agent_json(a);
  o["web_phone"] = web_phone_admin_json(phone);
  return o;
}
}  // namespace

void Api::agents_admin(Ctx& ctx) {
  auto method = ctx.req.method();
  auto all = service_.load_agents();
  if (!all) return reply_error(service_, ctx, all.error());
  if (ctx.segments.size() == 3) {
    if (method == http::verb::get) {
      auto phones = service_.credentials().web_phones();
      if (!phones) return reply_error(service_, ctx, phones.error());
      json::array out;
      for (const auto& a : *all) {
        auto p = phones->find(a.id.value);
        out.push_back(agent_admin_json(a, p == phones->end() ? std::nullopt : std::optional<WebPhone>(p->second)));
      }
      return reply_json(service_, ctx, 200, out);
    }
    if (method != http::verb::post) return method_not_allowed(service_, ctx, "GET, POST");
  }
  std::optional<dialer::Agent> existing;
  if (ctx.segments.size() == 4) {
    auto id = id_of<AgentId>(ctx.segments[3]);
    for (const auto& a : *all) {
      if (id && a.id == *id) existing = a;
    }
    if (!existing) return reply_error(service_, ctx, 404, "not_found", "no such agent: " + ctx.segments[3]);
    if (method == http::verb::get) {
      auto phone = service_.credentials().web_phone(existing->id);
      if (!phone) return reply_error(service_, ctx, phone.error());
      return reply_json(service_, ctx, 200, agent_admin_json(*existing, *phone));
    }
    if (method == http::verb::delete_) {
      auto v = service_.engine().agent(existing->id);
      if (v && v->status.state != dialer::AgentState::offline) {
        return reply_error(service_, ctx, 409, "conflict", "agent is logged in; log the agent out first");
      }
      auto r = service_.config_store().delete_agent(existing->id);
      if (!r) return reply_error(service_, ctx, r.error());
      service_.retire(*existing);
      log(LogLevel::info, "agent_deleted", {{"agent", dialer::to_string(existing->id)}, {"by", ctx.session->login}});
      return reply_json(service_, ctx, 200, json::object{{"deleted", existing->id.value}});
    }
    if (method != http::verb::put) return method_not_allowed(service_, ctx, "GET, PUT, DELETE");
  }
  auto body = body_object(ctx);
  if (!body) return reply_error(service_, ctx, body.error());
  std::string password;
  if (auto it = body->find("password"); it != body->end()) {
    if (!it->value().is_string()) return reply_error(service_, ctx, 400, "invalid_argument", "field 'password' must be a string");
    password = std::string(it->value().as_string());
    body->erase(it);
    if (password.size() < 8) {
      return reply_error(service_, ctx, 400, "invalid_argument", "field 'password' must have at least 8 characters");
    }
  }
  if (!existing && password.empty()) return reply_error(service_, ctx, 400, "invalid_argument", "field 'password' is required");
  // The browser phone is dialerd's, not the library's Agent: read apart,
  // checked here, saved with the rest below.
  std::optional<WebPhone> old_phone;
  if (existing) {
    auto p = service_.credentials().web_phone(existing->id);
    if (!p) return reply_error(service_, ctx, p.error());
    old_phone = std::move(*p);
  }
  std::optional<WebPhone> new_phone = old_phone;
  if (auto it = body->find("web_phone"); it != body->end()) {
    auto p = read_web_phone(it->value(), old_phone);
    if (!p) return reply_error(service_, ctx, p.error());
    new_phone = std::move(*p);
    body->erase(it);
  }
  dialer::Agent a = existing ? *existing : dialer::Agent{};
  if (!existing) {
    std::uint64_t max = std::max(last_agent_id_, service_.max_deleted_agent());
    for (const auto& x : *all) max = std::max(max, x.id.value);
    a.id = AgentId{max + 1};
  }
  if (auto r = read_agent(*body, a); !r) return reply_error(service_, ctx, r.error());
  if (a.login.empty()) return reply_error(service_, ctx, 400, "invalid_argument", "field 'login' is required");
  for (const auto& x : *all) {
    if (x.id != a.id && x.login == a.login) {
      return reply_error(service_, ctx, 409, "conflict", "login '" + a.login + "' is taken");
    }
  }
  if (auto c = service_.credentials().find(a.login); c && !(c->role == Role::agent && c->agent == a.id)) {
    return reply_error(service_, ctx, 409, "conflict", "login '" + a.login + "' is taken");
  }
  if (existing && existing->login != a.login) {
    auto v = service_.engine().agent(a.id);
    if (v && v->status.state != dialer::AgentState::offline) {
      return reply_error(service_, ctx, 409, "conflict", "cannot rename a logged-in agent");
    }
  }
  if (!existing) last_agent_id_ = a.id.value;
  // The slow hash runs off-thread; the change is applied when it is done.
  auto shared = std::make_shared<Ctx>(std::move(ctx));
  ctx.respond = nullptr;
  auto apply = [this, shared, a, existing, old_phone, new_phone](std::optional<std::string> hash) {
    Ctx& c = *shared;
    // Checked again: another request may have taken the login while the hash ran.
    if (auto taken = service_.credentials().find(a.login); taken && !(taken->role == Role::agent && taken->agent == a.id)) {
      return reply_error(service_, c, 409, "conflict", "login '" + a.login + "' is taken");
    }
    if (new_phone != old_phone) {
      if (auto r = service_.credentials().set_web_phone(a.id, new_phone); !r) return reply_error(service_, c, r.error());
    }
    auto undo_phone = [&] {
      if (new_phone != old_phone) (void)service_.credentials().set_web_phone(a.id, old_phone);
    };
    if (auto r = service_.engine().save_agent(a); !r) {
      undo_phone();
      return reply_error(service_, c, r.error());
    }
    if (auto r = service_.config_store().save_agent(a); !r) {
      undo_phone();
      if (existing) (void)service_.engine().save_agent(*existing);
      else service_.mark_deleted(a.id);
      return reply_error(service_, c, r.error());
    }
    Result<void> cr;
    if (existing && existing->login != a.login) cr = service_.credentials().rename_agent(a.id, a.login);
    if (cr && hash) cr = service_.credentials().save(Credential{a.login, Role::agent, a.id, *hash});
    if (!cr) {
      log(LogLevel::error, "credential_save_failed", {{"agent", dialer::to_string(a.id)}, {"error", cr.error().message()}});
      return reply_error(service_, c, cr.error());
    }
    service_.remember_agent(a.id);
    log(LogLevel::info, existing ? "agent_updated" : "agent_created",
        {{"agent", dialer::to_string(a.id)}, {"login", a.login}, {"web_phone", new_phone ? "yes" : "no"},
         {"by", c.session->login}});
    reply_json(service_, c, existing ? 200 : 201, agent_admin_json(a, new_phone));
  };
  if (password.empty()) return apply(std::nullopt);
  boost::asio::post(hash_pool_, [this, apply, pw = std::move(password)]() mutable {
    auto hash = hash_password(pw, service_.config().password_hash);
    boost::asio::post(service_.io(), [apply, hash]() mutable {
      apply(hash ? std::optional<std::string>(*hash) : std::nullopt);
    });
  });
}

void Api::import_leads(Ctx& ctx, CampaignId id) {
  const dialer::Campaign* campaign = service_.engine().find_campaign(id);
  auto stored = service_.config_store().load_campaigns();
  bool in_store = false;
  if (stored) {
    for (const auto& c : *stored) in_store = in_store || c.id == id;
  }
  if (!campaign || !in_store) return reply_error(service_, ctx, 404, "not_found", "no such campaign: " + dialer::to_string(id));
  if (ctx.req.body().empty()) return reply_error(service_, ctx, 400, "invalid_argument", "the body must be CSV with a header row");
  dialer::ImportOptions o;
  o.campaign = id;
  o.plan = campaign->number_plan;
  o.threads = 1;
  o.now = std::chrono::system_clock::now();
  o.default_time_zone = ctx.query["time_zone"];
  if (!o.default_time_zone.empty() && !dialer::canonical_time_zone(o.default_time_zone)) {
    return reply_error(service_, ctx, 400, "invalid_argument", "query parameter 'time_zone' is not an IANA time zone");
  }
  if (auto p = ctx.query.find("phone_column"); p != ctx.query.end()) o.columns.phone = p->second;
  if (auto p = ctx.query.find("time_zone_column"); p != ctx.query.end()) o.columns.time_zone = p->second;
  if (auto p = ctx.query.find("existing"); p != ctx.query.end() && !dialer::from_string(p->second, o.existing)) {
    return reply_error(service_, ctx, 400, "invalid_argument", "query parameter 'existing' must be update or skip");
  }
  // The import runs on import_pool_ with its own store connection; the
  // request is answered when it is done. Meanwhile the server's thread keeps
  // serving everything else.
  auto shared = std::make_shared<Ctx>(std::move(ctx));
  ctx.respond = nullptr;
  log(LogLevel::info, "leads_import_started", {{"campaign", dialer::to_string(id)},
                                               {"bytes", std::to_string(shared->req.body().size())},
                                               {"by", shared->session->login}});
  boost::asio::post(import_pool_, [this, shared, id, o] {
    Result<dialer::ImportReport> report = Error{Errc::storage_error, "import not run"};
    try {
      auto store = service_.open_side_store();
      if (!store) {
        report = std::move(store).error();
      } else {
        std::istringstream in(shared->req.body());
        report = dialer::import_leads(**store, in, o);
      }
    } catch (const std::exception& e) {
      report = Error{Errc::storage_error, std::string("import: ") + e.what()};
    }
    boost::asio::post(service_.io(), [this, shared, id, report = std::move(report)] {
      try {
        finish_import(*shared, id, report);
      } catch (const std::exception& e) {
        log(LogLevel::error, "request_failed", {{"path", shared->path}, {"error", e.what()}});
        if (shared->respond) reply_error(service_, *shared, 500, "internal", "internal error");
      }
    });
  });
}

void Api::finish_import(Ctx& ctx, CampaignId id, const Result<dialer::ImportReport>& report) {
  if (!report) return reply_error(service_, ctx, report.error());
  json::array rejected;
  for (const auto& b : report->bad) {
    json::object r{{"line", b.line}, {"reason", std::string(dialer::to_string(b.problem)) + (b.detail.empty() ? "" : ": " + b.detail)},
                   {"problem", dialer::to_string(b.problem)}, {"column", b.column}};
    if (!b.rule.empty()) r["rule"] = b.rule;
    rejected.push_back(std::move(r));
  }
  json::object out{{"rows", report->rows_read},
                   {"imported", report->imported},
                   {"updated", report->updated},
                   {"duplicates", report->duplicates_in_file + report->duplicates_existing},
                   {"unknown_time_zone", report->unknown_time_zone},
                   {"rejected", std::move(rejected)},
                   {"truncated", report->truncated}};
  log(LogLevel::info, "leads_imported", {{"campaign", dialer::to_string(id)}, {"imported", std::to_string(report->imported)},
                                         {"rejected", std::to_string(report->bad_rows)}, {"by", ctx.session->login}});
  service_.kick();
  if (report->stopped) {
    out["stopped"] = report->stopped->message();
    return reply_json(service_, ctx, http_status_for(*report->stopped), out);
  }
  reply_json(service_, ctx, 200, out);
}

// ---- The WebSocket ----

std::optional<Session> Api::websocket_session(std::string_view target) {
  auto parsed = boost::urls::parse_origin_form(target);
  if (!parsed) return std::nullopt;
  auto it = parsed->params().find("token");
  if (it == parsed->params().end()) return std::nullopt;
  auto s = service_.credentials().check((*it).value, std::chrono::system_clock::now());
  if (!s || s->role != Role::agent || !service_.engine().find_agent(s->agent) || service_.is_deleted(s->agent)) {
    return std::nullopt;
  }
  return s;
}

void Api::on_panel_open(const std::shared_ptr<PanelConnection>& c, AgentId agent) {
  service_.hub().add(agent, c);
  ++service_.counters().ws_connections;
  log(LogLevel::info, "panel_connected", {{"agent", dialer::to_string(agent)}});
  if (auto snap = service_.snapshot(agent)) service_.hub().send(*c, *snap);
}

void Api::on_panel_message(PanelConnection& c, AgentId agent, std::string_view text) {
  ++service_.counters().ws_commands;
  auto fail = [&](const json::value& id, std::string_view code, std::string_view message) {
    service_.hub().send(c, json::object{{"type", "error"}, {"id", id}, {"code", code}, {"message", message}});
  };
  boost::system::error_code ec;
  json::value v = json::parse(text, ec);
  if (ec || !v.is_object()) return fail(nullptr, "invalid_argument", "malformed JSON: a message is one JSON object");
  const json::object& m = v.as_object();
  json::value id = nullptr;
  if (auto it = m.find("id"); it != m.end()) id = it->value();
  auto ver = m.find("v");
  if (ver != m.end() && !(ver->value().is_int64() && ver->value().as_int64() == 1)) {
    return fail(id, "invalid_argument", "unsupported protocol version (this server speaks v 1)");
  }
  auto t = m.find("type");
  if (t == m.end() || !t->value().is_string()) return fail(id, "invalid_argument", "field 'type' is required");
  std::string_view type = t->value().as_string();
  if (type == "heartbeat") return;  // any message keeps the connection alive
  Result<json::object> r = json::object{};
  if (type == "set_status") r = cmd_set_status(service_, agent, m);
  else if (type == "join") r = cmd_join(service_, agent, m);
  else if (type == "leave") r = cmd_leave(service_, agent);
  else if (type == "dial") r = cmd_dial(service_, agent, m);
  else if (type == "hangup") r = cmd_hangup(service_, agent);
  else if (type == "disposition") r = cmd_disposition(service_, agent, m);
  else if (type == "snapshot") {
    if (auto snap = service_.snapshot(agent)) service_.hub().send(c, *snap);
    r = json::object{};
  } else return fail(id, "invalid_argument", "unknown message type '" + std::string(type) + "'");
  if (!r) return fail(id, error_code_name(r.error()), r.error().detail.empty() ? r.error().message() : r.error().detail);
  json::object ack{{"type", "ack"}, {"id", id}};
  if (auto call = r->find("call"); call != r->end() && type == "dial") {
    ack["call"] = call->value();
    if (auto d = r->find("dialled"); d != r->end()) ack["dialled"] = d->value();
    if (auto n = r->find("number"); n != r->end()) ack["number"] = n->value();
  }
  service_.hub().send(c, std::move(ack));
}

void Api::on_panel_close(const PanelConnection* c, AgentId agent) {
  service_.hub().remove(agent, c);
  log(LogLevel::info, "panel_disconnected", {{"agent", dialer::to_string(agent)}});
}

}  // namespace dialerd
