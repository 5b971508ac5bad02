#include "dialer/sim/oracle_pacer.hpp"

#include <algorithm>
#include <vector>

#include "dialer/sim/simulated_agents.hpp"
#include "dialer/sim/simulated_pbx.hpp"

namespace dialer::sim {
namespace {

// Whether every answer can have its own agent free by then: with both lists
// sorted, the j-th answer must come no earlier than the j-th release (Hall's
// condition for this kind of matching). Agents hand calls out in any order
// at run time; the counts are what matter.
bool matchable(const std::vector<double>& releases, const std::vector<double>& answers) {
  if (answers.size() > releases.size()) return false;
  for (std::size_t j = 0; j < answers.size(); ++j) {
    if (releases[j] > answers[j] + 1e-9) return false;
  }
  return true;
}

}  // namespace

OraclePacer::OraclePacer(const SimulatedPbx& pbx, const SimulatedAgents& agents,
                         double originate_timeout_s)
    : pbx_(pbx), agents_(agents), timeout_s_(originate_timeout_s) {}

std::size_t OraclePacer::decide(const PacerSnapshot& snapshot) {
  wakeup_.reset();
  if (snapshot.agents_working() == 0 || snapshot.dialable == 0) return 0;
  const double now = pbx_.now_s();
  const double to_snapshot = snapshot.now_s - now;

  std::vector<double> releases = agents_.release_times();
  std::sort(releases.begin(), releases.end());
  std::vector<double> answers = pbx_.pending_live_answers();
  // A customer already waiting is served from now on.
  for (double& a : answers) a = std::max(a, now);
  std::sort(answers.begin(), answers.end());

  const Scenario& scenario = pbx_.scenario();
  const std::uint64_t first = pbx_.next_attempt_index();
  std::size_t n = 0;
  while (n < snapshot.dialable) {
    const Attempt attempt = draw_attempt(scenario, pbx_.seed(), first + n, now);
    const AttemptTiming timing = resolve(attempt, scenario, timeout_s_);
    if (timing.outcome != AttemptOutcome::live) {
      ++n;  // never reaches an agent: place it at once
      continue;
    }
    const double answer = now + timing.at_s;
    std::vector<double> with = answers;
    with.insert(std::upper_bound(with.begin(), with.end(), answer), answer);
    if (!matchable(releases, with)) {
      // Ask again when the next agent beyond those already spoken for frees
      // early enough for this ring time.
      if (answers.size() < releases.size()) {
        wakeup_ = std::max(now, releases[answers.size()] - timing.at_s) + to_snapshot;
      }
      break;
    }
    answers = std::move(with);
    ++n;
  }
  return n;
}

std::optional<double> OraclePacer::wakeup_at(double now_s) const {
  if (!wakeup_ || *wakeup_ <= now_s) return std::nullopt;
  return wakeup_;
}

}  // namespace dialer::sim
