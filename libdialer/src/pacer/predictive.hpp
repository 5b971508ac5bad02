// The predictive pacer's settings, for tuning harnesses and tests inside the
// library's tree. make_pacer("predictive") uses the defaults. Private.
#pragma once

#include <cstddef>
#include <functional>
#include <memory>
#include <optional>
#include <vector>

#include "dialer/pacer.hpp"

namespace dialer::pacing {

/// What a simulation can tell the pacer that no dialer knows, in seconds from
/// the decision, so that what the knowledge is worth can be measured
/// (dialer-sim's "predictive+agents", "predictive+calls" references). A list
/// given replaces the pacer's forecast of that count; nullopt keeps it.
struct Foresight {
  /// When each logged-in agent will next be free: 0 for idle ones; agents
  /// on a break count from the end of the break.
  std::optional<std::vector<double>> agents_free_in_s;
  /// When each live answer of the calls already placed comes: 0 for
  /// customers waiting now. Calls that will not be answered live are left out.
  std::optional<std::vector<double>> live_answers_in_s;
};

struct PredictiveOptions {
  /// Abandonment the feedback loop aims at, as a share of the snapshot's
  /// abandon_cap: the rest is the margin for noise.
  double target_share = 0.93;
  /// The worst-hour limit the hourly guard keeps, as a multiple of the cap
  /// (5% for a 3% cap).
  double hour_cap_multiple = 5.0 / 3.0;
  /// Guards: the threshold fades to its minimum as the headroom left under a
  /// window's cap (in drops) falls from guard_high to guard_low.
  double guard_low = 1.0;
  double guard_high = 3.0;
  /// The same for the hourly guard.
  double hour_guard_low = 1.0;
  double hour_guard_high = 2.0;
  /// The day's and 30 days' guards start once that window has this many
  /// answers (before, a single drop would be over any cap).
  double guard_min_answers = 60;
  /// The hourly guard counts at least this many answers in the hour.
  double hour_min_answers = 40;

  /// Marginal drop risk a new call may carry: start, floor, ceiling.
  double theta_initial = 0.05;
  double theta_min = 0.002;
  double theta_max = 0.4;
  /// The loop that moves theta: period and gain on log(theta).
  double control_period_s = 10;
  double control_gain = 0.2;
  /// Half-life of the "recent" predicted-abandonment average it steers by
  /// (the shortest; see control_drops).
  double recent_half_life_s = 600;
  /// The loop steers by about this many expected drops: its window grows
  /// from recent_half_life_s until that many are expected in it (at most
  /// 8 h), and its gain shrinks in proportion. A team that drops two calls
  /// an hour would otherwise steer by noise, and a threshold that swings
  /// spends drops where they buy little (docs/pacing.md). 0: off.
  double control_drops = 6;
  /// On a team that answers few calls an hour, the loop aims no higher than
  /// the rate at which a Poisson count of drops breaks the hourly limit
  /// (hour_cap_multiple x cap) in an hour with this probability. Larger
  /// teams are unaffected: their hourly limit is many drops wide. 0: off.
  double hour_breach_probability = 0.1;
  /// Half-life of the observed / predicted drops calibration.
  double calibration_half_life_s = 3600;

  /// Share of the answers of calls the pacer will place in the meantime that
  /// compete with a call placed now.
  double future_allowance = 0.5;
  /// Points of the answer-time distribution the risk is averaged over.
  std::size_t horizons = 6;
  /// Up to this many agents the count distributions are computed exactly;
  /// above, a normal approximation with continuity correction. Default 0:
  /// measured on S1, S3 and an 8-agent team, the normal approximation did as
  /// well or better (the feedback loop absorbs its bias) at a third of the
  /// cost, so the exact path is kept for experiments only.
  std::size_t exact_max_agents = 0;
  /// How often the learned tables are rebuilt.
  double table_refresh_s = 60;

  /// Simulation only: asked at every decision (see Foresight). Unset in a
  /// dialer. Decisions with foresight use the normal approximation.
  std::function<Foresight()> foresight;
};

std::unique_ptr<Pacer> make_predictive(const PredictiveOptions& options);

}  // namespace dialer::pacing
