// EventSink: what the engine tells the outside world — agents' panels above
// all. Every change of an agent's status is published at once as a
// StatusUpdate, so a panel's status pill always matches the engine.
//
// Implemented by: the reference server (broadcasts to WebSocket sessions), the
// Python bindings, testing::RecordingSink. Called by: the engine, from its own
// thread. `publish` must not throw and must not call back into the engine
// synchronously; a sink that fails reports through its own channel.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "dialer/agent.hpp"
#include "dialer/call.hpp"
#include "dialer/campaign.hpp"
#include "dialer/clock.hpp"
#include "dialer/error.hpp"
#include "dialer/lead.hpp"

namespace dialer {

/// Why an agent's status changed.
enum class StatusReason {
  command,
  call,
  disposition,
  wrapup_timeout,
  busy_reset,
  /// The agent's persistent leg hung up or never answered: logged out.
  phone_lost,
};

const char* to_string(StatusReason r) noexcept;
bool from_string(std::string_view s, StatusReason& out) noexcept;

/// An agent's status changed (the panel's `status_update`).
struct StatusUpdate {
  AgentId agent;
  AgentStatus status;
  AgentStatus previous;
  StatusReason reason = StatusReason::command;
  WallTime at{};
};

/// The agent's call moved (originating, ringing, answered, bridged, ended, ...).
struct CallUpdate {
  AgentId agent;
  CallId call;
  CallState state = CallState::originating;
  CallOutcome outcome = CallOutcome::none;
  WallTime at{};
};

/// The lead card and script to show the agent for a call just assigned.
struct LeadPop {
  AgentId agent;
  CallId call;
  /// The lead, found by id or by the last 10 digits of the number; none when
  /// the number matches no lead.
  std::optional<Lead> lead;
  std::string script;
  /// The number being called, E.164, and the effective prefix (read-only on the panel).
  std::string number;
  std::string dial_prefix;
};

/// A campaign's settings that agents' panels show changed (saved with a new
/// mode, prefix, manual-dial permission, name, script, break types or
/// dispositions); for the campaign's agents. The rest is in
/// Engine::find_campaign.
struct CampaignChanged {
  CampaignId campaign;
  DialMode dial_mode = DialMode::manual;
  bool manual_dial_allowed = true;
  /// The effective prefix (read-only on the panel).
  std::string dial_prefix;
};

/// An autodial or predictive campaign wanted to dial and found no lead to
/// claim (sent once each time it runs dry, not on every tick).
struct HopperEmpty {
  CampaignId campaign;
  WallTime at{};
};

/// Something failed that no command can report: a store write, a telephony
/// command issued on the engine's own initiative.
struct Alarm {
  std::string what;
  Error error;
};

using Event =
    std::variant<StatusUpdate, CallUpdate, LeadPop, CampaignChanged, HopperEmpty, Alarm>;

class EventSink {
 public:
  virtual ~EventSink() = default;
  virtual void publish(const Event& event) noexcept = 0;
};

/// Publishes each event to several sinks, in the order they were added.
class FanoutSink final : public EventSink {
 public:
  /// Requires: `sink` outlives this object.
  void add(EventSink& sink) { sinks_.push_back(&sink); }
  void publish(const Event& event) noexcept override {
    for (EventSink* s : sinks_) s->publish(event);
  }

 private:
  std::vector<EventSink*> sinks_;
};

/// A sink that drops everything.
class NullSink final : public EventSink {
 public:
  void publish(const Event&) noexcept override {}
};

}  // namespace dialer
