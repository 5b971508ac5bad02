// A simulation scenario: one day of one outbound campaign, as the files in
// shared/scenarios/ describe it (see their README for the format) — how many
// agents, how often a dialled number answers and how fast, how long talks,
// wrap-ups and breaks last, and the campaign's abandonment rules.
//
// A Scenario is a plain value: parse_scenario() reads the JSON format and
// checks every field, so a simulation never starts from a file it would
// misread. Any file in the format works, not only the shipped ones.
//
// Thread-safety: values and free functions.
#pragma once

#include <cstddef>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "dialer/error.hpp"

namespace dialer::sim {

/// A lognormal duration given as people quote it: its mean and its
/// coefficient of variation (standard deviation / mean). cv 0 is a constant.
struct Lognormal {
  double mean_s = 0;
  double cv = 0;
};

/// A uniform duration between two bounds, in seconds.
struct UniformRange {
  double min_s = 0;
  double max_s = 0;
};

/// From `from_s` seconds into the day on, a live answer has probability `rate`.
struct RateStep {
  double from_s = 0;
  double rate = 0;
};

struct Scenario {
  /// Labels; optional in the file.
  std::string name;
  std::string description;
  /// Agents logged in for the whole day; at least 1.
  std::size_t agents = 1;
  /// Length of the simulated day, in hours (> 0).
  double hours = 8;
  /// Probability that one attempt is answered by a live person.
  double live_answer_rate = 0.25;
  /// Optional steps that override live_answer_rate from their start on,
  /// sorted by from_s.
  std::vector<RateStep> live_answer_rate_schedule;
  /// Dialling to live answer; truncated to end before no_answer_timeout_s.
  Lognormal ring_to_answer{8.0, 0.5};
  /// An attempt not answered by then ends as no answer.
  double no_answer_timeout_s = 25;
  /// Of the attempts that are not live answers: the share that fail fast
  /// (busy, congestion, invalid) and the share answered by a machine; the rest
  /// ring until the timeout. Each in [0, 1], sum at most 1.
  double fast_fail_share = 0.2;
  double machine_share = 0.3;
  /// When a fast failure ends, after dialling.
  UniformRange fast_fail{1.0, 6.0};
  /// When a machine answers, after dialling; it is recognised amd_s later.
  UniformRange machine_pickup{10.0, 22.0};
  double amd_s = 3.0;
  Lognormal talk{180.0, 1.0};
  Lognormal wrapup{20.0, 0.5};
  /// After wrap-up an agent takes a break with this probability, of this length.
  double break_after_call_prob = 0;
  Lognormal break_length{300.0, 0.5};
  /// A live answer waits at most this long for an agent, then is dropped.
  double max_wait_for_agent_s = 2.0;
  /// Dropped calls / live answers the campaign allows.
  double abandon_cap = 0.03;

  /// The day's length in seconds.
  double day_s() const { return hours * 3600.0; }
  /// The live-answer probability of an attempt placed `t_s` seconds into the day.
  double live_rate_at(double t_s) const;
};

/// Reads a scenario from its JSON text. Required keys: agents, hours,
/// live_answer_rate (unless the schedule starts at 0), ring_to_answer_s,
/// no_answer_timeout_s, non_live_mix, fast_fail_s, machine_pickup_s, amd_s,
/// talk_s, wrapup_s, max_wait_for_agent_s, abandon_cap. Optional: name,
/// description, live_answer_rate_schedule, break_after_call_prob (0) and
/// break_s (required when the probability is above 0). Unknown keys are
/// ignored. Errors: Errc::invalid_argument, naming the key that is missing,
/// of the wrong type or out of range, or the JSON error.
Result<Scenario> parse_scenario(std::string_view json);

/// parse_scenario() on a file's contents; a scenario without a name takes the
/// file's stem. Errors: as parse_scenario, Errc::not_found (cannot read the file).
Result<Scenario> load_scenario(const std::filesystem::path& file);

/// Checks the ranges of every field (parse_scenario calls it).
/// Errors: Errc::invalid_argument naming the field.
Result<void> validate_scenario(const Scenario& scenario);

}  // namespace dialer::sim
