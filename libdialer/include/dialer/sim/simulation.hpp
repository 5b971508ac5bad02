// run_simulation: one simulated day of a Scenario through the real engine —
// agents' state machines, hopper, recycler, compliance gate, pacer, call log —
// with a SimulatedPbx for the network, SimulatedAgents at the headsets, an
// in-memory store and a manual clock, and the metrics of
// shared/scenarios/README.md at the end.
//
// The campaign it runs: predictive mode with the policy as its pacer
// ("progressive" runs in autodial mode), the scenario's abandonment cap and
// 2-second rule, a safe-harbour message ("sound:safe-harbour"), the ring
// timeout set to the scenario's no-answer timeout, calling hours that cover
// the whole day, the default recycling (busy and no-answer back after 5
// minutes, up to 5 attempts per lead) and no per-number daily cap (generated
// numbers are all distinct anyway). Agents log in at the start with a
// persistent audio leg. Leads are generated as needed, in chunks.
//
// Deterministic: the same scenario, policy and seed give the same metrics.
//
// Threading: each call is independent; run several on several threads freely.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "dialer/error.hpp"
#include "dialer/sim/scenario.hpp"

namespace dialer {
class Engine;
namespace testing {
class ManualClock;
class MemoryStore;
}  // namespace testing
}  // namespace dialer

namespace dialer::sim {

class SimulatedPbx;
class SimulatedAgents;

struct SimulationOptions {
  /// Ready-to-dial leads the campaign's hopper holds.
  std::size_t hopper_size = 2000;
  /// Leads are added to the store this many at a time, ahead of need.
  std::size_t lead_chunk = 5000;
  /// How long the safe-harbour message plays before a dropped call is hung up.
  double safe_harbour_s = 0.0;
  /// The engine's pacing tick.
  std::chrono::milliseconds pacing_interval{500};
  /// Keep every queue change and call-log row in the store (tests); off, the
  /// store keeps only the queue itself, which is faster for long runs.
  bool keep_call_log = false;
  /// The campaign's ring timeout (1..300 s): how long the dialer lets an
  /// unanswered call ring. Default: the scenario's no_answer_timeout_s,
  /// rounded up. Shorter, the live answers that would come later are lost
  /// (those calls end as no answer); longer changes nothing, since the
  /// scenario's calls have ended by then.
  std::optional<std::chrono::seconds> ring_timeout;
};

/// The outcome of one simulated day. Rates are fractions (0.031 = 3.1%).
struct SimulationMetrics {
  std::string scenario;
  std::string policy;
  std::uint64_t seed = 0;
  std::size_t agents = 0;
  double hours = 0;

  /// Talk time / (agents × day).
  double occupancy = 0;
  /// (Talk + wrap-up time) / (agents × day).
  double utilisation = 0;
  /// Dropped / live answers over the day.
  double abandon_rate = 0;
  /// The worst dropped / live answers over one-hour windows starting every
  /// minute, by answer time (the whole day when it is shorter than an hour).
  double abandon_max_1h = 0;
  /// Mean time an agent was available before each connected call.
  double idle_per_call_s = 0;
  double placed_per_agent_hour = 0;
  double connected_per_agent_hour = 0;

  std::uint64_t placed = 0;
  std::uint64_t live_answered = 0;
  /// Live answers that reached an agent.
  std::uint64_t connected = 0;
  /// Live answers that ended without reaching an agent (abandoned).
  std::uint64_t dropped = 0;
  std::uint64_t machines = 0;
  std::uint64_t fast_failed = 0;
  std::uint64_t no_answer = 0;
  std::uint64_t safe_harbour_playbacks = 0;
  /// Calls the engine itself reported as dropped (should equal `dropped`).
  std::uint64_t engine_dropped = 0;
  /// Alarms the engine raised, commands of the simulated agents it refused,
  /// and telephony events it ignored: all zero in a healthy run.
  std::uint64_t alarms = 0;
  std::uint64_t agent_commands_refused = 0;
  std::uint64_t ignored_events = 0;
  std::uint64_t hopper_empty = 0;
  /// The longest a dropped call waited for an agent before its safe-harbour
  /// message started (the 2-second rule); 0 when none was dropped.
  double longest_wait_before_drop_s = 0;
  /// The first alarm or refusal, for diagnosis; empty when none.
  std::string first_problem;

  /// Wall-clock seconds the run took, and simulated seconds per wall second.
  double wall_s = 0;
  double speedup = 0;
  /// Processor seconds the run took (less than wall_s on a busy machine),
  /// and simulated seconds per processor second.
  double cpu_s = 0;
  double cpu_speedup = 0;
};

/// One simulated day, step by step: the engine, its ports and the simulated
/// people, wired and ready. run_simulation() is create, log_in_all, run_until
/// the end of the day, metrics; tests and demos use the parts.
class Simulation {
 public:
  /// Errors: Errc::invalid_argument (an invalid scenario, an unknown policy,
  /// bad options), or an engine error while saving the configuration.
  static Result<std::unique_ptr<Simulation>> create(const Scenario& scenario,
                                                    std::string_view policy, std::uint64_t seed,
                                                    const SimulationOptions& options = {});
  ~Simulation();
  Simulation(const Simulation&) = delete;
  Simulation& operator=(const Simulation&) = delete;

  /// Logs every agent in to the campaign (persistent legs).
  Result<void> log_in_all();
  /// Moves virtual time to `day_s` seconds into the day, firing every timer
  /// and delivering every event on the way. Errors: Errc::timeout (no progress).
  Result<void> run_until(double day_s);
  /// Seconds into the day.
  double now_s() const;
  /// The metrics of the day so far.
  SimulationMetrics metrics() const;

  Engine& engine();
  SimulatedPbx& pbx();
  SimulatedAgents& agents();
  testing::MemoryStore& store();
  testing::ManualClock& clock();
  /// The ids of the scenario's agents (1..agents) and of the campaign.
  static constexpr std::uint64_t kCampaignId = 1;

 private:
  struct Impl;
  explicit Simulation(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

/// The policies run_simulation accepts: make_pacer's; "oracle"; and the
/// informed references "predictive+agents", "predictive+calls" and
/// "predictive+agents+calls": the predictive pacer told, from the simulation,
/// when every agent will be free and/or which calls already placed will be
/// answered live and when (what no dialer knows), to measure what each kind
/// of knowledge is worth.
std::vector<std::string> simulation_policies();

/// Runs one day. Errors: Errc::invalid_argument (an invalid scenario, an
/// unknown policy), Errc::timeout (the simulation stopped making progress —
/// a bug), or an engine error while setting the day up.
Result<SimulationMetrics> run_simulation(const Scenario& scenario, std::string_view policy,
                                         std::uint64_t seed, const SimulationOptions& options = {});

/// The numeric metrics by name, in a fixed order ("occupancy", ...): one
/// source for tables, JSON and medians.
std::vector<std::pair<std::string, double>> metric_values(const SimulationMetrics& metrics);

}  // namespace dialer::sim
