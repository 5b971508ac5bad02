// SimulatedAgents: the people at the headsets in a simulation. An EventSink
// (add it to the engine's FanoutSink) that watches its agents' status and
// call updates and acts as agents would, through the engine's own commands:
//
//   - a call bridged to an agent: the conversation lasts the attempt's drawn
//     talk time, then the customer hangs up (SimulatedPbx::customer_hangs_up);
//   - in wrap-up: after the attempt's wrap-up time, submit_disposition, with a
//     break as the next status when the attempt says so;
//   - on a break: after its length, set_available.
//
// It never calls the engine from publish(): actions are timers the host fires
// (next_deadline() and on_timer()), like the engine's own. It also knows, as a
// clairvoyant pacer may, when each agent will be free again.
//
// Threading: one thread, the engine's.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <queue>
#include <string>
#include <unordered_map>
#include <vector>

#include "dialer/clock.hpp"
#include "dialer/event_sink.hpp"
#include "dialer/ids.hpp"

namespace dialer {
class Engine;
}

namespace dialer::sim {

class SimulatedPbx;

struct AgentsOptions {
  /// Seeds the draws for calls the PBX cannot describe (there should be none).
  std::uint64_t seed = 1;
  /// The disposition code agents submit; must be one of the campaign's.
  std::string disposition = "SALE";
  /// The break agents take after a call, when they take one; must be one of
  /// the campaign's break types.
  std::string break_type = "coffee";
};

/// What the agents did, for metrics.
struct AgentsStats {
  /// Sum, over connected calls, of the time the agent had been available.
  double idle_before_connect_s = 0;
  /// Calls bridged to an agent.
  std::uint64_t connects = 0;
  /// Wrap-ups finished by a disposition, and their total length.
  std::uint64_t dispositions = 0;
  double wrapup_s = 0;
  std::uint64_t breaks = 0;
  /// Engine commands that were refused, and the last refusal.
  std::uint64_t refused_commands = 0;
  std::string last_refusal;
};

class SimulatedAgents final : public EventSink {
 public:
  /// Requires: `pbx` and `clock` outlive this object.
  SimulatedAgents(SimulatedPbx& pbx, const Clock& clock, AgentsOptions options = {});

  void publish(const Event& event) noexcept override;

  /// The earliest pending agent action; nullopt when none.
  std::optional<SteadyTime> next_deadline() const;
  /// Performs every action due at the clock's time. Returns how many.
  std::size_t on_timer(Engine& engine);

  /// For each agent logged in and not offline, when (in the PBX's seconds of
  /// the day) it will next be available: now for an idle agent; the end of its
  /// talk, wrap-up and any break for the others. Agents whose release is not
  /// known yet (a call assigned but not connected) are left out.
  std::vector<double> release_times() const;
  const AgentsStats& stats() const { return stats_; }

 private:
  enum class Action { dispose, resume };
  struct SimAgent {
    AgentState state = AgentState::offline;
    CallId call;
    bool talking = false;
    std::optional<SteadyTime> available_since;
    double wrapup_s = 0;
    bool break_after = false;
    double break_s = 0;
    /// Seconds of the day: when the agent will be available again.
    double release_s = 0;
    std::uint32_t token = 0;
    std::uint64_t draws = 0;
  };
  struct Timer {
    SteadyTime at;
    std::uint64_t seq;
    AgentId agent;
    std::uint32_t token;
    Action action;
    bool operator>(const Timer& o) const { return at != o.at ? at > o.at : seq > o.seq; }
  };

  void on_status(const StatusUpdate& u);
  void on_call(const CallUpdate& u);
  void start(SimAgent& a, AgentId id, Action action, double seconds);
  double fallback_draw(SimAgent& a, AgentId id, int what);

  SimulatedPbx& pbx_;
  const Clock& clock_;
  AgentsOptions options_;
  std::unordered_map<AgentId, SimAgent> agents_;
  std::priority_queue<Timer, std::vector<Timer>, std::greater<>> timers_;
  std::uint64_t seq_ = 0;
  AgentsStats stats_;
};

}  // namespace dialer::sim
