#include "dialer_service.hpp"

#include <filesystem>

#include <boost/asio/post.hpp>


#include "demo.hpp"
#include "dialer/ari/failover.hpp"
#include "dialer/lead_import.hpp"
#include "dialer/sim/simulated_pbx.hpp"
#include "dialer/sqlite/sqlite_store.hpp"
#include "json_mapping.hpp"
#include "log.hpp"
#include "passwords.hpp"
#ifdef DIALERD_WITH_POSTGRES
#include "dialer/postgres/postgres_store.hpp"
#endif

namespace dialerd {
namespace json = boost::json;
using dialer::AgentId;
using dialer::Errc;
using dialer::Error;
using dialer::Result;

namespace {

/// An ARI server's URL for logs and metric labels: without any user:password@.
std::string server_label(const std::string& url) {
  const auto scheme = url.find("://");
  const auto start = scheme == std::string::npos ? 0 : scheme + 3;
  const auto at = url.find('@', start);
  if (at == std::string::npos || url.find('/', start) < at) return url;
  return url.substr(0, start) + url.substr(at + 1);
}

/// Without telephony (no ARI configured, not a demo) every command is refused.
class NoTelephony final : public dialer::CallControl {
 public:
  Result<void> originate(const dialer::OriginateRequest&) override { return refuse(); }
  Result<void> answer(dialer::ChannelId) override { return refuse(); }
  Result<void> hang_up(dialer::ChannelId, int) override { return {}; }
  Result<void> create_bridge(dialer::BridgeId) override { return refuse(); }
  Result<void> add_to_bridge(dialer::BridgeId, dialer::ChannelId) override { return refuse(); }
  Result<void> destroy_bridge(dialer::BridgeId) override { return {}; }
  Result<void> play(dialer::ChannelId, std::string_view) override { return refuse(); }

 private:
  static Error refuse() { return Error{Errc::unavailable, "no telephony configured (set ari servers)"}; }
};

std::string status_name(const dialer::AgentStatus& s) { return dialer::to_string(s.state); }

dialer::WallTime latest_time(const dialer::CallRecord& r) {
  dialer::WallTime t = r.created_at;
  for (auto x : {r.ringing_at, r.answered_at, r.bridged_at, r.ended_at, r.dispositioned_at}) {
    if (x > t) t = x;
  }
  return t;
}

json::object panel_call(const dialer::CallRecord& r) {
  return {{"id", r.id.value},          {"state", dialer::to_string(r.state)},
          {"outcome", dialer::to_string(r.outcome)}, {"number", r.number},
          {"dialled", r.dialled},      {"at", time_json(latest_time(r))}};
}

json::object pop_json(const dialer::LeadPop& p) {
  json::object o;
  o["call"] = p.call.value;
  if (p.lead) o["lead"] = lead_json(*p.lead);
  else o["lead"] = nullptr;
  o["script"] = p.script;
  o["number"] = p.number;
  o["dial_prefix"] = p.dial_prefix;
  return o;
}

}  // namespace

Service::Service(boost::asio::io_context& io, Config config)
    : io_(io), config_(std::move(config)), timer_(io), sync_timer_(io) {}

Service::~Service() {
  if (ari_) ari_->stop();
  engine_.reset();
}

Result<void> Service::start() {
  if (auto r = init_crypto(); !r) return r;
  // The store.
  std::string store = config_.store;
  if (config_.demo && store.empty()) {
    if (config_.data_dir.empty()) {
      std::string tmpl = (std::filesystem::temp_directory_path() / "dialerd-demo-XXXXXX").string();
      if (mkdtemp(tmpl.data()) == nullptr) return Error{Errc::storage_error, "cannot create a temporary directory"};
      config_.data_dir = tmpl;
    }
    std::filesystem::create_directories(config_.data_dir);
    store = (std::filesystem::path(config_.data_dir) / "dialer.db").string();
  }
  if (store.empty()) return Error{Errc::invalid_argument, "no store configured (store key or --store)"};
  bool postgres = store.rfind("postgres://", 0) == 0 || store.rfind("postgresql://", 0) == 0;
  store_uri_ = store;
  postgres_ = postgres;
  auto on_write_error = [](const Error& e, bool will_retry) {
    log(will_retry ? LogLevel::warn : LogLevel::error, "store_write_failed",
        {{"error", e.message()}, {"will_retry", will_retry ? "true" : "false"}});
  };
  // Both stores implement every port; the service keeps one pointer per port.
  auto adopt_store = [this](auto owned) {
    auto* p = owned.get();
    leads_ = p;
    call_log_ = p;
    config_store_ = p;
    dnc_ = p;
    flush_ = [p] { return p->flush(); };
    store_owner_ = std::move(owned);
  };
  if (postgres) {
#ifdef DIALERD_WITH_POSTGRES
    dialer::postgres::Options o;
    o.dsn = store;
    o.on_write_error = on_write_error;
    auto s = dialer::postgres::PostgresStore::open(o);
    if (!s) return std::move(s).error();
    adopt_store(std::move(s).value());
#else
    return Error{Errc::invalid_argument, "this dialerd was built without PostgreSQL support"};
#endif
  } else {
    dialer::sqlite::Options o;
    o.path = store;
    o.on_write_error = on_write_error;
    auto s = dialer::sqlite::SqliteStore::open(o);
    if (!s) return std::move(s).error();
    adopt_store(std::move(s).value());
  }
  // Logins and sessions live with the store unless auth_db says otherwise.
  const std::string auth_db = config_.auth_db.empty() ? store : config_.auth_db;
  auto creds = Credentials::open(auth_db, config_.token_ttl);
  if (!creds) return std::move(creds).error();
  credentials_ = std::move(creds).value();
  if (postgres && config_.auth_db.empty()) {
    if (auto r = adopt_legacy_auth_file(); !r) return r;
  }

  // The call control.
  dialer::CallControl* control = nullptr;
  if (config_.demo) {
    dialer::sim::PbxOptions po;
    po.seed = static_cast<std::uint64_t>(std::chrono::system_clock::now().time_since_epoch().count());
    po.playback_s = 2.0;
    pbx_ = std::make_unique<dialer::sim::SimulatedPbx>(demo_scenario(config_.demo_fast), clock_, po);
    control = pbx_.get();
  } else if (!config_.ari.empty()) {
    dialer::ari::FailoverOptions fo;
    for (const AriServer& a : config_.ari) {
      dialer::ari::AriCallControlOptions o;
      o.client.base_url = a.url;
      o.client.user = a.user;
      o.client.password = a.password;
      o.client.app = a.app;
      o.client.log = [url = server_label(a.url)](dialer::ari::LogLevel level, std::string_view line) {
        LogLevel l = level == dialer::ari::LogLevel::error     ? LogLevel::error
                     : level == dialer::ari::LogLevel::warning ? LogLevel::warn
                     : level == dialer::ari::LogLevel::info    ? LogLevel::info
                                                               : LogLevel::debug;
        log(l, "ari", {{"server", url}, {"message", std::string(line)}});
      };
      o.id_prefix = config_.node + "-";
      o.on_gap = [this, url = server_label(a.url)](const dialer::ari::GapReport& g) {
        ++ari_reconnects_;
        log(LogLevel::warn, "ari_resynchronised",
            {{"server", url},
             {"gap_ms", std::to_string(g.duration.count())},
             {"vanished_channels", std::to_string(g.vanished_channels)}});
      };
      fo.servers.push_back(std::move(o));
    }
    fo.failover_after = config_.ari_failover_after;
    fo.deliver_executor = io_.get_executor();
    fo.deliver = [this](const dialer::CallEvent& e) {
      if (!engine_) return;
      engine_->on_call_event(e);
      kick();
    };
    fo.on_failover = [this](std::size_t from, std::size_t to) {
      log(LogLevel::warn, "ari_failover",
          {{"from", server_label(config_.ari[from].url)},
           {"to", server_label(config_.ari[to].url)},
           {"down_s", std::to_string(config_.ari_failover_after.count())}});
    };
    auto c = dialer::ari::FailoverCallControl::create(io_.get_executor(), std::move(fo));
    if (!c) return std::move(c).error();
    ari_ = std::move(c).value();
    control = ari_.get();
  } else {
    log(LogLevel::warn, "no_telephony", {{"detail", "no ARI server configured; calls are refused"}});
    null_control_ = std::make_unique<NoTelephony>();
    control = null_control_.get();
  }

  auto max_id = call_log_->max_call_id();
  if (!max_id) return std::move(max_id).error();
  dialer::EngineOptions eo;
  eo.node = config_.node;
  // Call ids are also channel ids: leave room above the stored calls.
  eo.id_base = *max_id + 1000;
  if (!config_.number_time_zones.empty()) {
    auto map = dialer::NumberTimeZoneMap::load(config_.number_time_zones);
    if (!map) return std::move(map).error();
    eo.number_time_zones = std::make_shared<const dialer::NumberTimeZoneMap>(std::move(map).value());
  } else if (config_.demo) {
    // The demo's typed numbers: a few area codes, the rest of NANP on New York time.
    auto map = dialer::NumberTimeZoneMap::parse(
        "1|America/New_York\n1212|America/New_York\n1312|America/Chicago\n"
        "1415|America/Los_Angeles\n1617|America/New_York\n1202|America/New_York\n");
    if (map) eo.number_time_zones = std::make_shared<const dialer::NumberTimeZoneMap>(std::move(map).value());
  }
  engine_ = std::make_unique<dialer::Engine>(
      dialer::EnginePorts{clock_, *control, *leads_, *call_log_, *this, dnc_}, eo);

  if (auto r = load_configuration(); !r) return r;
  if (ari_) ari_->start();
  kick();
  arm_config_sync();
  return {};
}

Result<std::unique_ptr<dialer::LeadStore>> Service::open_side_store() const {
  auto on_write_error = [](const Error& e, bool will_retry) {
    log(will_retry ? LogLevel::warn : LogLevel::error, "store_write_failed",
        {{"error", e.message()}, {"will_retry", will_retry ? "true" : "false"}, {"connection", "side"}});
  };
  if (postgres_) {
#ifdef DIALERD_WITH_POSTGRES
    dialer::postgres::Options o;
    o.dsn = store_uri_;
    o.on_write_error = on_write_error;
    auto s = dialer::postgres::PostgresStore::open(o);
    if (!s) return std::move(s).error();
    return std::unique_ptr<dialer::LeadStore>(std::move(s).value());
#else
    return Error{Errc::invalid_argument, "this dialerd was built without PostgreSQL support"};
#endif
  }
  dialer::sqlite::Options o;
  o.path = store_uri_;
  o.on_write_error = on_write_error;
  auto s = dialer::sqlite::SqliteStore::open(o);
  if (!s) return std::move(s).error();
  return std::unique_ptr<dialer::LeadStore>(std::move(s).value());
}

Result<void> Service::load_configuration() {
  auto carriers = config_store_->load_carriers();
  if (!carriers) return std::move(carriers).error();
  for (const auto& c : *carriers) {
    if (auto r = engine_->save_carrier(c); !r) {
      log(LogLevel::error, "stored_carrier_refused", {{"carrier", dialer::to_string(c.id)}, {"error", r.error().message()}});
    }
  }
  auto campaigns = load_campaigns();
  if (!campaigns) return std::move(campaigns).error();
  for (const auto& c : *campaigns) {
    if (auto r = engine_->save_campaign(c); !r) {
      log(LogLevel::error, "stored_campaign_refused", {{"campaign", dialer::to_string(c.id)}, {"error", r.error().message()}});
    }
  }
  for (const auto& c : *carriers) stored_carriers_.insert(c.id);
  for (const auto& c : *campaigns) stored_campaigns_.insert(c.id);
  auto agents = load_agents();
  if (!agents) return std::move(agents).error();
  for (const auto& a : *agents) {
    if (auto r = engine_->save_agent(a); !r) {
      log(LogLevel::error, "stored_agent_refused", {{"agent", dialer::to_string(a.id)}, {"error", r.error().message()}});
      continue;
    }
    agents_.insert(a.id);
  }
  log(LogLevel::info, "configuration_loaded",
      {{"carriers", std::to_string(carriers->size())},
       {"campaigns", std::to_string(campaigns->size())},
       {"agents", std::to_string(agents->size())}});
  return {};
}

Result<std::vector<dialer::Campaign>> Service::load_campaigns() { return config_store_->load_campaigns(); }

void Service::retire(const dialer::Campaign& campaign) {
  mark_deleted(campaign.id);
  dialer::Campaign tombstone = campaign;
  tombstone.name = "#deleted-campaign-" + dialer::to_string(campaign.id);
  if (auto r = engine_->save_campaign(tombstone); !r) {
    log(LogLevel::warn, "campaign_tombstone_failed", {{"campaign", dialer::to_string(campaign.id)}, {"error", r.error().message()}});
  }
  kick();
}

void Service::retire(const dialer::Carrier& carrier) {
  mark_deleted(carrier.id);
  dialer::Carrier tombstone = carrier;
  tombstone.name = "#deleted-carrier-" + dialer::to_string(carrier.id);
  if (auto r = engine_->save_carrier(tombstone); !r) {
    log(LogLevel::warn, "carrier_tombstone_failed", {{"carrier", dialer::to_string(carrier.id)}, {"error", r.error().message()}});
  }
  kick();
}

void Service::retire(const dialer::Agent& agent) {
  mark_deleted(agent.id);
  dialer::Agent tombstone = agent;
  tombstone.login = "#deleted-agent-" + dialer::to_string(agent.id);
  if (auto r = engine_->save_agent(tombstone); !r) {
    log(LogLevel::warn, "agent_tombstone_failed", {{"agent", dialer::to_string(agent.id)}, {"error", r.error().message()}});
  }
  (void)credentials_->remove_agent(agent.id);
  hub_.close_agent(agent.id);
  forget_agent(agent.id);
}

void Service::arm_config_sync() {
  if (config_.config_sync.count() == 0 || draining_) return;
  sync_timer_.expires_after(config_.config_sync);
  sync_timer_.async_wait([this](const boost::system::error_code& ec) {
    if (ec || draining_) return;
    sync_configuration();
    arm_config_sync();
  });
}

namespace {
// Equal as the API shows them: every field an admin can set.
template <class T, class ToJson>
bool same(const T& a, const T& b, ToJson to_json) {
  return boost::json::serialize(to_json(a)) == boost::json::serialize(to_json(b));
}
}  // namespace

void Service::sync_configuration() {
  auto carriers = config_store_->load_carriers();
  auto campaigns = config_store_->load_campaigns();
  auto agents = config_store_->load_agents();
  // An unreachable store is said once, and again when it answers.
  if (!carriers || !campaigns || !agents) {
    const Error& e = !carriers ? carriers.error() : !campaigns ? campaigns.error() : agents.error();
    if (!config_sync_failing_) log(LogLevel::warn, "config_sync_failed", {{"error", e.message()}});
    config_sync_failing_ = true;
    return;
  }
  if (config_sync_failing_) log(LogLevel::info, "config_sync_recovered", {});
  config_sync_failing_ = false;
  std::size_t applied = 0;
  auto synced = [&](const char* kind, std::uint64_t id, const char* what) {
    ++applied;
    log(LogLevel::info, "config_synced", {{"kind", kind}, {"id", std::to_string(id)}, {"change", what}});
  };
  // What the engine refuses stays refused until the store changes it: said once.
  std::map<std::string, std::string> refusals;
  auto refused = [&](const char* kind, std::uint64_t id, const std::string& stored, const Error& e) {
    const std::string key = std::string(kind) + ":" + std::to_string(id);
    if (auto it = sync_refusals_.find(key); it == sync_refusals_.end() || it->second != stored) {
      log(LogLevel::warn, "config_sync_refused", {{"kind", kind}, {"id", std::to_string(id)}, {"error", e.message()}});
    }
    refusals[key] = stored;
  };
  // Carriers first: campaigns name them.
  std::set<dialer::CarrierId> carrier_ids;
  for (const auto& c : *carriers) {
    carrier_ids.insert(c.id);
    if (is_deleted(c.id)) continue;
    const dialer::Carrier* live = engine_->find_carrier(c.id);
    if (live && same(*live, c, carrier_json)) continue;
    if (auto r = engine_->save_carrier(c); !r) refused("carrier", c.id.value, json::serialize(carrier_json(c)), r.error());
    else synced("carrier", c.id.value, live ? "changed" : "added");
  }
  std::set<dialer::CampaignId> campaign_ids;
  for (const auto& c : *campaigns) {
    campaign_ids.insert(c.id);
    if (is_deleted(c.id)) continue;
    const dialer::Campaign* live = engine_->find_campaign(c.id);
    if (live && same(*live, c, campaign_json)) continue;
    if (auto r = engine_->save_campaign(c); !r) refused("campaign", c.id.value, json::serialize(campaign_json(c)), r.error());
    else synced("campaign", c.id.value, live ? "changed" : "added");
  }
  std::set<dialer::AgentId> agent_ids;
  for (const auto& a : *agents) {
    agent_ids.insert(a.id);
    if (is_deleted(a.id)) continue;
    const dialer::Agent* live = engine_->find_agent(a.id);
    if (live && agents_.count(a.id) != 0 && same(*live, a, agent_json)) continue;
    if (auto r = engine_->save_agent(a); !r) {
      refused("agent", a.id.value, json::serialize(agent_json(a)), r.error());
      continue;
    }
    synced("agent", a.id.value, live ? "changed" : "added");
    remember_agent(a.id);
  }
  // Gone from the store: deleted on another node.
  for (dialer::CampaignId id : stored_campaigns_) {
    const dialer::Campaign* live = engine_->find_campaign(id);
    if (campaign_ids.count(id) != 0 || is_deleted(id) || live == nullptr) continue;
    auto st = engine_->campaign_stats(id);
    if (st && st->agents_logged_in > 0) {
      campaign_ids.insert(id);  // looked at again next time
      continue;
    }
    retire(*live);
    synced("campaign", id.value, "deleted");
  }
  for (dialer::CarrierId id : stored_carriers_) {
    const dialer::Carrier* live = engine_->find_carrier(id);
    if (carrier_ids.count(id) != 0 || is_deleted(id) || live == nullptr) continue;
    retire(*live);
    synced("carrier", id.value, "deleted");
  }
  for (dialer::AgentId id : std::set<dialer::AgentId>(agents_)) {
    const dialer::Agent* live = engine_->find_agent(id);
    if (agent_ids.count(id) != 0 || is_deleted(id) || live == nullptr) continue;
    auto v = engine_->agent(id);
    if (v && v->status.state != dialer::AgentState::offline) continue;  // after the log-out
    retire(*live);
    synced("agent", id.value, "deleted");
  }
  sync_refusals_ = std::move(refusals);
  stored_campaigns_ = std::move(campaign_ids);
  stored_carriers_ = std::move(carrier_ids);
  // Other nodes' answers and drops: every node paces and reports against the
  // campaign's abandonment, not only its own calls'.
  if (auto r = engine_->reload_abandonment(); !r) {
    if (!abandonment_reload_failing_)
      log(LogLevel::warn, "abandonment_reload_failed", {{"error", r.error().message()}});
    abandonment_reload_failing_ = true;
  } else {
    abandonment_reload_failing_ = false;
  }
  if (applied > 0) kick();
}

Result<std::vector<dialer::Agent>> Service::load_agents() { return config_store_->load_agents(); }

void Service::kick() {
  if (!engine_) return;
  std::optional<dialer::SteadyTime> next = engine_->next_deadline();
  if (pbx_) {
    if (auto p = pbx_->next_deadline(); p && (!next || *p < *next)) next = p;
  }
  if (!next) {
    if (armed_for_) timer_.cancel();
    armed_for_.reset();
    return;
  }
  if (armed_for_ && *armed_for_ == *next) return;
  armed_for_ = next;
  timer_.expires_at(*next);
  timer_.async_wait([this](const boost::system::error_code& ec) {
    if (ec) return;  // cancelled: re-armed elsewhere
    armed_for_.reset();
    on_timer_fired();
  });
}

void Service::on_timer_fired() {
  if (pbx_) pbx_->deliver_due(*engine_);
  engine_->on_timer();
  if (pbx_) pbx_->deliver_due(*engine_);
  kick();
}

std::optional<json::object> Service::snapshot(AgentId id) const {
  const dialer::Agent* agent = engine_->find_agent(id);
  auto view = engine_->agent(id);
  if (agent == nullptr || !view) return std::nullopt;
  json::object o;
  o["type"] = "snapshot";
  o["agent"] = json::object{{"id", agent->id.value}, {"login", agent->login}, {"name", agent->name}};
  o["status"] = status_name(view->status);
  if (view->status.state == dialer::AgentState::on_break) o["break_type"] = view->status.break_type;
  else o["break_type"] = nullptr;
  o["since"] = time_json(view->since);
  const dialer::Campaign* campaign = view->campaign.valid() ? engine_->find_campaign(view->campaign) : nullptr;
  if (campaign) o["campaign"] = panel_campaign(*campaign);
  else o["campaign"] = nullptr;
  const dialer::CallRecord* call = view->call.valid() ? engine_->find_call(view->call) : nullptr;
  if (call) o["call"] = panel_call(*call);
  else o["call"] = nullptr;
  auto pop = pops_.find(id);
  if (call && pop != pops_.end() && pop->second.call == call->id) {
    o["lead"] = pop->second.lead ? json::value(lead_json(*pop->second.lead)) : json::value(nullptr);
    o["lead_pop"] = pop_json(pop->second);
  } else {
    o["lead"] = nullptr;
    o["lead_pop"] = nullptr;
  }
  return o;
}

json::object Service::panel_campaign(const dialer::Campaign& c) const {
  std::string prefix = c.dial_prefix;
  if (prefix.empty()) {
    if (const dialer::Carrier* carrier = engine_->find_carrier(c.carrier)) prefix = carrier->dial_prefix;
  }
  json::array breaks;
  for (const auto& b : c.break_types) breaks.emplace_back(b);
  json::array dispositions;
  for (const auto& d : c.dispositions) dispositions.push_back(json::object{{"code", d.code}, {"label", d.label}});
  return {{"id", c.id.value},
          {"name", c.name},
          {"dial_mode", dialer::to_string(c.dial_mode)},
          {"manual_dial_allowed", c.manual_dial_allowed},
          {"dial_prefix", prefix},
          {"break_types", std::move(breaks)},
          {"dispositions", std::move(dispositions)},
          {"script", c.script},
          {"wrapup_timeout", c.effective_wrapup_timeout().count()}};
}

void Service::publish(const dialer::Event& event) noexcept {
  try {
    if (const auto* s = std::get_if<dialer::StatusUpdate>(&event)) {
      if (s->status.state != dialer::AgentState::busy && s->status.state != dialer::AgentState::wrapup) {
        pops_.erase(s->agent);
      }
      json::object m{{"type", "status_update"},
                     {"status", status_name(s->status)},
                     {"previous", status_name(s->previous)},
                     {"reason", dialer::to_string(s->reason)},
                     {"at", time_json(s->at)}};
      if (s->status.state == dialer::AgentState::on_break) m["break_type"] = s->status.break_type;
      else m["break_type"] = nullptr;
      hub_.send_to_agent(s->agent, m);
      log(LogLevel::info, "agent_status",
          {{"agent", dialer::to_string(s->agent)}, {"status", dialer::to_string(s->status)},
           {"previous", dialer::to_string(s->previous)}, {"reason", dialer::to_string(s->reason)}});
      if (draining_ && s->status.state == dialer::AgentState::available) {
        // No new calls while shutting down: an agent freed by a disposition
        // is logged out, not offered another call. Deferred: never re-enter
        // the engine from its own publish.
        AgentId a = s->agent;
        boost::asio::post(io_, [this, a] {
          (void)engine_->log_out(a);
          kick();
        });
      }
    } else if (const auto* c = std::get_if<dialer::CallUpdate>(&event)) {
      const dialer::CallRecord* r = engine_->find_call(c->call);
      if (c->state == dialer::CallState::originating) ++counters_.originates;
      if (c->state == dialer::CallState::ended) {
        ++counters_.calls_ended[dialer::to_string(c->outcome)];
        if (c->outcome == dialer::CallOutcome::dropped) ++counters_.drops;
      }
      if (c->agent.valid()) {
        json::object call{{"id", c->call.value},
                          {"state", dialer::to_string(c->state)},
                          {"outcome", dialer::to_string(c->outcome)},
                          {"number", r ? r->number : std::string()},
                          {"dialled", r ? r->dialled : std::string()},
                          {"at", time_json(c->at)}};
        hub_.send_to_agent(c->agent, json::object{{"type", "call"}, {"call", std::move(call)}});
      }
      log(LogLevel::info, "call_state",
          {{"call", dialer::to_string(c->call)}, {"agent", dialer::to_string(c->agent)},
           {"campaign", r ? dialer::to_string(r->campaign) : std::string("0")},
           {"state", dialer::to_string(c->state)}, {"outcome", dialer::to_string(c->outcome)}});
      // The demo's customers hang up after the conversation the PBX drew.
      if (pbx_ && c->state == dialer::CallState::bridged) {
        if (auto attempt = pbx_->attempt_of(c->call)) {
          auto talk = std::chrono::duration_cast<dialer::SteadyTime::duration>(
              std::chrono::duration<double>(attempt->talk_s));
          (void)pbx_->customer_hangs_up(c->call, clock_.steady_now() + talk);
        }
      }
    } else if (const auto* p = std::get_if<dialer::LeadPop>(&event)) {
      pops_[p->agent] = *p;
      json::object m = pop_json(*p);
      m["type"] = "lead_pop";
      hub_.send_to_agent(p->agent, m);
      log(LogLevel::info, "lead_pop",
          {{"call", dialer::to_string(p->call)}, {"agent", dialer::to_string(p->agent)},
           {"lead", p->lead ? dialer::to_string(p->lead->id) : std::string("0")}});
    } else if (const auto* cc = std::get_if<dialer::CampaignChanged>(&event)) {
      const dialer::Campaign* campaign = engine_->find_campaign(cc->campaign);
      if (campaign) {
        json::object m{{"type", "campaign_changed"}, {"campaign", panel_campaign(*campaign)}};
        for (AgentId a : agents_) {
          auto v = engine_->agent(a);
          if (v && v->campaign == cc->campaign) hub_.send_to_agent(a, m);
        }
      }
      log(LogLevel::info, "campaign_changed",
          {{"campaign", dialer::to_string(cc->campaign)}, {"dial_mode", dialer::to_string(cc->dial_mode)}});
    } else if (const auto* h = std::get_if<dialer::HopperEmpty>(&event)) {
      log(LogLevel::warn, "hopper_empty", {{"campaign", dialer::to_string(h->campaign)}});
    } else if (const auto* a = std::get_if<dialer::Alarm>(&event)) {
      ++counters_.alarms;
      log(LogLevel::error, "alarm", {{"what", a->what}, {"error", a->error.message()}});
    }
  } catch (const std::exception& e) {
    log(LogLevel::error, "publish_failed", {{"error", e.what()}});
  }
}

bool Service::ready(std::string& why) {
  why.clear();
  if (draining_) why = "shutting down";
  auto c = config_store_->load_carriers();
  if (!c) why += (why.empty() ? "" : "; ") + std::string("store: ") + c.error().message();
  if (ari_ && !ari_->ready()) {
    why += (why.empty() ? "" : "; ") + std::string("ari: no server can take calls (event streams down)");
  }
  if (null_control_) why += (why.empty() ? "" : "; ") + std::string("no telephony configured");
  return why.empty();
}

std::string Service::metrics_text() {
  std::string out;
  auto line = [&](const std::string& s) {
    out += s;
    out += '\n';
  };
  line("# HELP dialer_agents Agents by state.");
  line("# TYPE dialer_agents gauge");
  std::map<std::string, std::size_t> by_state{{"offline", 0}, {"available", 0}, {"break", 0}, {"busy", 0}, {"wrapup", 0}};
  for (AgentId a : agents_) {
    if (auto v = engine_->agent(a)) ++by_state[dialer::to_string(v->status.state)];
  }
  for (const auto& [s, n] : by_state) line("dialer_agents{state=\"" + s + "\"} " + std::to_string(n));
  line("# HELP dialer_live_calls Calls live or awaiting a disposition.");
  line("# TYPE dialer_live_calls gauge");
  line("dialer_live_calls " + std::to_string(engine_->live_call_count()));
  line("# HELP dialer_calls_ended_total Calls ended, by outcome.");
  line("# TYPE dialer_calls_ended_total counter");
  for (const auto& [o, n] : counters_.calls_ended) {
    line("dialer_calls_ended_total{outcome=\"" + label_value(o) + "\"} " + std::to_string(n));
  }
  line("# HELP dialer_originates_total Customer calls placed.");
  line("# TYPE dialer_originates_total counter");
  line("dialer_originates_total " + std::to_string(counters_.originates));
  line("# HELP dialer_drops_total Answered calls dropped with no agent (abandoned).");
  line("# TYPE dialer_drops_total counter");
  line("dialer_drops_total " + std::to_string(counters_.drops));
  line("# HELP dialer_ari_reconnects_total ARI event stream gaps resynchronised.");
  line("# TYPE dialer_ari_reconnects_total counter");
  line("dialer_ari_reconnects_total " + std::to_string(ari_reconnects_));
  if (ari_) {
    line("# HELP dialer_ari_server_up Whether each ARI server's event stream is up and resynchronised.");
    line("# TYPE dialer_ari_server_up gauge");
    for (std::size_t i = 0; i < ari_->size(); ++i) {
      line("dialer_ari_server_up{server=\"" + label_value(server_label(config_.ari[i].url)) + "\"} " +
           (ari_->server(i).ready() ? "1" : "0"));
    }
    line("# HELP dialer_ari_server_active Which ARI server takes new calls (1).");
    line("# TYPE dialer_ari_server_active gauge");
    for (std::size_t i = 0; i < ari_->size(); ++i) {
      line("dialer_ari_server_active{server=\"" + label_value(server_label(config_.ari[i].url)) + "\"} " +
           (ari_->active() == i ? "1" : "0"));
    }
    line("# HELP dialer_ari_failovers_total Times another ARI server took over the new calls.");
    line("# TYPE dialer_ari_failovers_total counter");
    line("dialer_ari_failovers_total " + std::to_string(ari_->failovers()));
  }
  line("# HELP dialer_ignored_events_total Telephony events naming an unknown channel.");
  line("# TYPE dialer_ignored_events_total counter");
  line("dialer_ignored_events_total " + std::to_string(engine_->ignored_event_count()));
  line("# HELP dialer_alarms_total Failures no command could report.");
  line("# TYPE dialer_alarms_total counter");
  line("dialer_alarms_total " + std::to_string(counters_.alarms));
  line("# HELP dialer_ws_connections Open agent WebSocket connections.");
  line("# TYPE dialer_ws_connections gauge");
  line("dialer_ws_connections " + std::to_string(hub_.connection_count()));
  line("# HELP dialer_ws_messages_sent_total Messages sent to agent panels.");
  line("# TYPE dialer_ws_messages_sent_total counter");
  line("dialer_ws_messages_sent_total " + std::to_string(hub_.messages_sent()));
  line("# HELP dialer_sessions Live login sessions.");
  line("# TYPE dialer_sessions gauge");
  line("dialer_sessions " + std::to_string(credentials_->session_count()));
  line("# HELP dialer_logins_failed_total Refused logins.");
  line("# TYPE dialer_logins_failed_total counter");
  line("dialer_logins_failed_total " + std::to_string(counters_.logins_failed));

  auto campaigns = config_store_->load_campaigns();
  if (campaigns) {
    std::string hopper, exhausted, ringing, waiting, placed, answers_day, drops_day, rate_day,
        answers_30, drops_30, rate_30, logged;
    for (const auto& c : *campaigns) {
      auto st = engine_->campaign_stats(c.id);
      if (!st) continue;
      std::string l = "{campaign=\"" + dialer::to_string(c.id) + "\"} ";
      auto rate = [](const dialer::AbandonmentMeter::Counts& k) { return k.rate(); };
      logged += "dialer_campaign_agents_logged_in" + l + std::to_string(st->agents_logged_in) + "\n";
      hopper += "dialer_hopper_depth" + l + std::to_string(st->hopper_depth) + "\n";
      exhausted += "dialer_hopper_exhausted" + l + (st->hopper_exhausted ? "1" : "0") + "\n";
      ringing += "dialer_calls_ringing" + l + std::to_string(st->ringing) + "\n";
      waiting += "dialer_calls_waiting_for_agent" + l + std::to_string(st->waiting) + "\n";
      placed += "dialer_calls_placed_today" + l + std::to_string(st->placed_today) + "\n";
      answers_day += "dialer_live_answers_today" + l + std::to_string(st->today.answered) + "\n";
      drops_day += "dialer_dropped_today" + l + std::to_string(st->today.abandoned) + "\n";
      rate_day += "dialer_abandonment_rate_today" + l + std::to_string(rate(st->today)) + "\n";
      answers_30 += "dialer_live_answers_30d" + l + std::to_string(st->last_30_days.answered) + "\n";
      drops_30 += "dialer_dropped_30d" + l + std::to_string(st->last_30_days.abandoned) + "\n";
      rate_30 += "dialer_abandonment_rate_30d" + l + std::to_string(rate(st->last_30_days)) + "\n";
    }
    auto block = [&](const char* name, const char* help, const std::string& body) {
      out += std::string("# HELP ") + name + " " + help + "\n# TYPE " + name + " gauge\n" + body;
    };
    block("dialer_campaign_agents_logged_in", "Agents logged in to the campaign.", logged);
    block("dialer_hopper_depth", "Leads ready to dial in the campaign's hopper.", hopper);
    block("dialer_hopper_exhausted", "1 when the last hopper refill found no lead.", exhausted);
    block("dialer_calls_ringing", "Paced calls placed and not answered yet.", ringing);
    block("dialer_calls_waiting_for_agent", "Answered calls waiting for a free agent.", waiting);
    block("dialer_calls_placed_today", "Calls placed in the campaign's day.", placed);
    block("dialer_live_answers_today", "Live answers in the campaign's day.", answers_day);
    block("dialer_dropped_today", "Abandoned calls in the campaign's day.", drops_day);
    block("dialer_abandonment_rate_today", "Dropped / live answers over the campaign's day.", rate_day);
    block("dialer_live_answers_30d", "Live answers over 30 days.", answers_30);
    block("dialer_dropped_30d", "Abandoned calls over 30 days.", drops_30);
    block("dialer_abandonment_rate_30d", "Dropped / live answers over 30 days.", rate_30);
  }

  line("# HELP dialer_http_requests_total HTTP requests by route and status class.");
  line("# TYPE dialer_http_requests_total counter");
  for (const auto& [k, n] : counters_.requests) {
    // key: "METHOD route class"
    auto a = k.find(' ');
    auto b = k.rfind(' ');
    line("dialer_http_requests_total{method=\"" + k.substr(0, a) + "\",route=\"" +
         label_value(k.substr(a + 1, b - a - 1)) + "\",code=\"" + k.substr(b + 1) + "\"} " + std::to_string(n));
  }
  line("# HELP dialer_http_request_duration_seconds HTTP request latency by route.");
  line("# TYPE dialer_http_request_duration_seconds histogram");
  for (const auto& [route, h] : counters_.latency) {
    h.render(out, "dialer_http_request_duration_seconds", "route=\"" + label_value(route) + "\"");
  }
  return out;
}

// Before logins lived in PostgreSQL, a PostgreSQL deployment kept them in
// dialerd-auth.db in data_dir. Whatever that file holds and the database lacks
// is copied over once, so an upgrade loses no login or session.
Result<void> Service::adopt_legacy_auth_file() {
  const auto legacy =
      std::filesystem::path(config_.data_dir.empty() ? "." : config_.data_dir) / "dialerd-auth.db";
  std::error_code ec;
  if (!std::filesystem::is_regular_file(legacy, ec)) return {};
  auto old = Credentials::open(legacy.string(), config_.token_ttl);
  if (!old) return std::move(old).error();
  auto copied = credentials_->adopt(**old);
  if (!copied) return std::move(copied).error();
  log(LogLevel::warn, "credentials_adopted",
      {{"from", legacy.string()},
       {"logins", std::to_string(*copied)},
       {"detail", "logins now live in PostgreSQL; the file is no longer read once it is removed"}});
  return {};
}

Result<void> Service::flush_store() {
  if (flush_) return flush_();
  return {};
}

void Service::shutdown(std::function<void()> done) {
  if (draining_) return;
  draining_ = true;
  sync_timer_.cancel();
  drained_ = std::move(done);
  drain_deadline_ = clock_.steady_now() + config_.shutdown_grace;
  log(LogLevel::info, "shutdown_started", {{"live_calls", std::to_string(engine_->live_call_count())},
                                           {"grace_s", std::to_string(config_.shutdown_grace.count())}});
  // No new calls: agents who are not on a call leave their campaign now.
  for (AgentId a : agents_) {
    auto v = engine_->agent(a);
    if (v && (v->status.state == dialer::AgentState::available ||
              v->status.state == dialer::AgentState::on_break)) {
      (void)engine_->log_out(a);
    }
  }
  kick();
  drain_step();
}

void Service::drain_step() {
  bool calls_live = false;
  for (AgentId a : agents_) {
    auto v = engine_->agent(a);
    if (v && v->status.state == dialer::AgentState::busy) calls_live = true;
  }
  if (calls_live && clock_.steady_now() >= drain_deadline_) {
    for (AgentId a : agents_) {
      auto v = engine_->agent(a);
      if (v && v->status.state == dialer::AgentState::busy) {
        log(LogLevel::warn, "shutdown_hangup", {{"agent", dialer::to_string(a)}, {"call", dialer::to_string(v->call)}});
        (void)engine_->hang_up(a);
      }
    }
    kick();
  }
  if (calls_live) {
    auto t = std::make_shared<boost::asio::steady_timer>(io_, std::chrono::milliseconds{200});
    t->async_wait([this, t](const boost::system::error_code&) { drain_step(); });
    return;
  }
  auto r = flush_store();
  log(r ? LogLevel::info : LogLevel::error, "shutdown_flushed",
      {{"result", r ? std::string("ok") : r.error().message()}});
  if (ari_) ari_->stop();
  timer_.cancel();
  hub_.close_all();
  if (drained_) {
    auto d = std::move(drained_);
    drained_ = nullptr;
    d();
  }
}

}  // namespace dialerd
