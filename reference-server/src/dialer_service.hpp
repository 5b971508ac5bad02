// The dialer as the server runs it: the stores, the call control (simulated
// PBX or ARI), the Engine, and the one steady_timer that drives the engine's
// and the PBX's deadlines, all on the server's io_context thread.
//
// It is the engine's EventSink: events are turned into the panel protocol's
// messages and routed through the AgentHub, counted for /metrics, and logged.
// Every entry point that feeds the engine an input calls kick() afterwards so
// the timer is re-armed to the new earliest deadline.
#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <unordered_map>

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/json.hpp>

#include "agent_hub.hpp"
#include "config.hpp"
#include "credentials.hpp"
#include "dialer/engine.hpp"
#include "dialer/event_sink.hpp"
#include "dialer/store.hpp"
#include "metrics.hpp"

namespace dialer::sim {
class SimulatedPbx;
}
namespace dialer::ari {
class FailoverCallControl;
}

namespace dialerd {

class Service final : public dialer::EventSink {
 public:
  Service(boost::asio::io_context& io, Config config);
  ~Service() override;

  /// Opens the store and credentials, builds the call control and the engine,
  /// loads the saved configuration into the engine (and seeds the demo world).
  dialer::Result<void> start();

  dialer::Engine& engine() { return *engine_; }
  dialer::LeadStore& leads() { return *leads_; }
  dialer::CallLogStore& call_log() { return *call_log_; }
  dialer::ConfigStore& config_store() { return *config_store_; }
  Credentials& credentials() { return *credentials_; }
  /// The store's campaigns / agents: what the admin API shows and what a
  /// restart loads into the engine.
  dialer::Result<std::vector<dialer::Campaign>> load_campaigns();
  dialer::Result<std::vector<dialer::Agent>> load_agents();
  AgentHub& hub() { return hub_; }
  ServerCounters& counters() { return counters_; }
  const Config& config() const { return config_; }
  dialer::sim::SimulatedPbx* pbx() { return pbx_.get(); }
  boost::asio::io_context& io() { return io_; }

  /// Re-arms the timer to the earliest deadline. Call after every input.
  void kick();

  /// The panel snapshot of an agent (docs/api.md); nullopt for an unknown agent.
  std::optional<boost::json::object> snapshot(dialer::AgentId agent) const;
  /// The campaign as panels see it (snapshot.campaign).
  boost::json::object panel_campaign(const dialer::Campaign& c) const;

  /// Deleted through the admin API. The engine has no delete, so a deleted
  /// campaign, carrier or agent stays in the engine until the next restart;
  /// the server treats it as unknown from the delete on (404 on its routes,
  /// refused as a reference) and never hands its id out again.
  void mark_deleted(dialer::CampaignId id) { deleted_campaigns_.insert(id); }
  void mark_deleted(dialer::CarrierId id) { deleted_carriers_.insert(id); }
  void mark_deleted(dialer::AgentId id) { deleted_agents_.insert(id); }
  bool is_deleted(dialer::CampaignId id) const { return deleted_campaigns_.count(id) != 0; }
  bool is_deleted(dialer::CarrierId id) const { return deleted_carriers_.count(id) != 0; }
  bool is_deleted(dialer::AgentId id) const { return deleted_agents_.count(id) != 0; }
  /// The highest deleted id of each kind (0 when none), for new ids.
  std::uint64_t max_deleted_campaign() const { return deleted_campaigns_.empty() ? 0 : deleted_campaigns_.rbegin()->value; }
  std::uint64_t max_deleted_carrier() const { return deleted_carriers_.empty() ? 0 : deleted_carriers_.rbegin()->value; }
  std::uint64_t max_deleted_agent() const { return deleted_agents_.empty() ? 0 : deleted_agents_.rbegin()->value; }

  /// Takes out of service what the store no longer has (deleted through the
  /// admin API, here or on another node): marks it deleted and renames it in
  /// the engine, which has no delete, so its name or login is free at once;
  /// an agent's login, sessions and panels end too.
  void retire(const dialer::Campaign& campaign);
  void retire(const dialer::Carrier& carrier);
  void retire(const dialer::Agent& agent);

  /// Brings the engine up to the store's carriers, campaigns and agents:
  /// those another dialerd on the same store added, changed or deleted. Runs
  /// every config_sync seconds; what this node's API changed is equal already
  /// and left alone. A deleted campaign or agent that is logged in here stays
  /// until its agents log out.
  void sync_configuration();

  /// Agents the engine knows (for metrics and snapshots).
  void remember_agent(dialer::AgentId id) { agents_.insert(id); }
  void forget_agent(dialer::AgentId id) { agents_.erase(id); }
  const std::set<dialer::AgentId>& agents() const { return agents_; }

  /// A connection of its own to the same store, for work off the server's
  /// thread (CSV import): the engine's connection stays on the server's
  /// thread. Safe to call from any thread once start() succeeded.
  dialer::Result<std::unique_ptr<dialer::LeadStore>> open_side_store() const;

  /// Whether the store answers and every ARI server is ready; `why` names what is not.
  bool ready(std::string& why);
  std::string metrics_text();

  /// True once shutdown began: no new calls or log-ins are accepted.
  bool draining() const { return draining_; }
  /// No new calls; live calls may finish until the grace deadline, then are
  /// hung up; pending writes are flushed; then `done` runs.
  void shutdown(std::function<void()> done);

  // EventSink
  void publish(const dialer::Event& event) noexcept override;

 private:
  void on_timer_fired();
  void arm_config_sync();
  void drain_step();
  dialer::Result<void> adopt_legacy_auth_file();
  dialer::Result<void> load_configuration();
  dialer::Result<void> flush_store();

  boost::asio::io_context& io_;
  Config config_;
  dialer::SystemClock clock_;
  std::unique_ptr<dialer::LeadStore> store_owner_;
  dialer::LeadStore* leads_ = nullptr;
  dialer::CallLogStore* call_log_ = nullptr;
  dialer::ConfigStore* config_store_ = nullptr;
  dialer::DoNotCallStore* dnc_ = nullptr;
  std::function<dialer::Result<void>()> flush_;
  /// The store as configured (SQLite path or PostgreSQL URI), for side connections.
  std::string store_uri_;
  bool postgres_ = false;
  /// The SQLite file, for lead search; empty with PostgreSQL.
  std::unique_ptr<Credentials> credentials_;
  std::unique_ptr<dialer::sim::SimulatedPbx> pbx_;
  std::unique_ptr<dialer::ari::FailoverCallControl> ari_;
  std::unique_ptr<dialer::CallControl> null_control_;
  std::unique_ptr<dialer::Engine> engine_;
  boost::asio::steady_timer timer_;
  boost::asio::steady_timer sync_timer_;
  /// What the store held at the last look, to see what another node deleted.
  std::set<dialer::CampaignId> stored_campaigns_;
  std::set<dialer::CarrierId> stored_carriers_;
  /// "kind:id" → the stored object the engine refused at the last look.
  std::map<std::string, std::string> sync_refusals_;
  bool config_sync_failing_ = false;
  bool abandonment_reload_failing_ = false;
  std::optional<dialer::SteadyTime> armed_for_;
  AgentHub hub_;
  ServerCounters counters_;
  std::set<dialer::AgentId> agents_;
  std::set<dialer::CampaignId> deleted_campaigns_;
  std::set<dialer::CarrierId> deleted_carriers_;
  std::set<dialer::AgentId> deleted_agents_;
  /// The last screen pop of each agent's current call, for snapshots.
  std::unordered_map<dialer::AgentId, dialer::LeadPop> pops_;
  bool draining_ = false;
  dialer::SteadyTime drain_deadline_{};
  std::function<void()> drained_;
  std::uint64_t ari_reconnects_ = 0;
};

}  // namespace dialerd
