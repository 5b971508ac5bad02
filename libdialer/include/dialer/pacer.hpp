// Pacing: how many customer calls a campaign places now.
//
// The engine asks its campaign's pacer at every pacing tick (and when an agent
// becomes free) with a snapshot of the live state, and places as many calls as
// the answer says, never more than the hopper holds. It also tells the pacer
// every outcome as it happens, so a pacer can learn answer rates and time
// distributions online.
//
// A snapshot is plain numbers — elapsed seconds, counts — so a pacer can be
// driven from anywhere: the engine, the simulator, a Python notebook.
//
// Policies (make_pacer):
//   "progressive"       one call ringing or waiting per idle agent;
//   "ratio:R"           ceil(R × idle agents) calls ringing or waiting;
//   "vicidial-tapered"  VICIdial's ADAPT_TAPERED dial level and dial loop, with
//                       its defaults (shared/PACING.md, part A1), as a comparator;
//   "predictive"        model-based: expected answers matched to expected free
//                       agents, under the abandonment cap.
//
// Every policy places nothing when no agent is logged in and not on a break.
//
// Thread-safety: a pacer is used from one thread.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "dialer/error.hpp"

namespace dialer {

/// The live state of one campaign, as elapsed seconds at `now_s`.
struct PacerSnapshot {
  /// Seconds on a monotonic clock; only differences matter.
  double now_s = 0;
  /// Seconds since local midnight of the campaign's day (VICIdial's
  /// "server time" rules use it).
  double time_of_day_s = 0;
  /// Idle agents: how long each has waited for a call.
  std::vector<double> idle_s;
  /// Agents on a call: how long each has talked.
  std::vector<double> talking_s;
  /// Agents in wrap-up: how long each has been in it.
  std::vector<double> wrapup_s;
  /// Logged-in agents on a break (not counted as available).
  std::size_t on_break = 0;
  /// Customer calls placed and not answered yet: age of each.
  std::vector<double> ringing_s;
  /// Answered calls waiting for a free agent: how long each has waited.
  std::vector<double> waiting_s;
  /// Calls the hopper can still place now (the answer is capped by it).
  std::size_t dialable = 0;
  /// The campaign's abandonment cap (dropped / live answers), e.g. 0.03.
  double abandon_cap = 0.03;
  /// The longest an answered call waits for an agent before it is dropped.
  double max_wait_s = 2.0;
  /// Day-to-date and rolling 30-day counts of the campaign.
  std::uint64_t placed_today = 0;
  std::uint64_t answered_today = 0;
  std::uint64_t dropped_today = 0;
  std::uint64_t answered_30d = 0;
  std::uint64_t dropped_30d = 0;

  std::size_t agents_working() const { return idle_s.size() + talking_s.size() + wrapup_s.size(); }
};

/// Something that happened to a campaign's call or agent.
enum class PacerEventKind {
  /// A call was placed.
  placed,
  /// A live person answered; `value_s` is the ring time.
  live_answer,
  /// An answering machine answered; `value_s` is the time to detection.
  machine,
  /// Rang out; `value_s` is the ring time.
  no_answer,
  /// Busy, congestion, invalid, failed originate; `value_s` is the time to failure.
  failed,
  /// An answered call reached an agent; `value_s` is how long it waited.
  connected,
  /// An answered call waited too long and was dropped; `value_s` is the wait.
  dropped,
  /// A conversation ended; `value_s` is its length.
  talk_end,
  /// Wrap-up ended; `value_s` is its length.
  wrapup_end,
  /// A break ended; `value_s` is its length.
  break_end,
};

const char* to_string(PacerEventKind k) noexcept;
bool from_string(std::string_view s, PacerEventKind& out) noexcept;

struct PacerEvent {
  PacerEventKind kind = PacerEventKind::placed;
  /// When it happened, on the snapshot's clock.
  double at_s = 0;
  /// The call, when the event concerns one; 0 otherwise.
  std::uint64_t call = 0;
  /// The agent, when the event concerns one; 0 otherwise.
  std::uint64_t agent = 0;
  double value_s = 0;
};

class Pacer {
 public:
  virtual ~Pacer() = default;
  /// The policy's spec ("ratio:2.5").
  virtual std::string name() const = 0;
  /// How many new calls to place now (the engine also caps it by `dialable`).
  virtual std::size_t decide(const PacerSnapshot& snapshot) = 0;
  /// Outcomes as they happen, in time order.
  virtual void observe(const PacerEvent& /*event*/) {}
  /// When the pacer wants to be asked again even if nothing happens; nullopt:
  /// at the next regular tick.
  virtual std::optional<double> wakeup_at(double /*now_s*/) const { return std::nullopt; }
};

/// Builds a policy from its spec (see the list at the top).
/// Errors: Errc::invalid_argument (unknown policy, a ratio that is not a
/// number in [1, 50]).
Result<std::unique_ptr<Pacer>> make_pacer(std::string_view spec);

/// The specs make_pacer accepts, for help texts ("ratio:R" stands for any R).
std::vector<std::string> pacer_policies();

}  // namespace dialer
