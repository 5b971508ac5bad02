// The predictive pacer's learned model: distributions on fixed grids, the
// live-answer rate from matured placement cohorts, and the tables decide()
// reads. Private to the library.
//
// Everything here is rebuilt from counts at a slow cadence (tables) or
// updated in O(1) per event, so that decide() only looks values up.
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <unordered_map>
#include <vector>

namespace dialer::pacing {

/// Counts of a duration on a grid of equal bins; the last bin also holds
/// everything longer.
class DurationHistogram {
 public:
  DurationHistogram(double bin_s, std::size_t bins) : bin_s_(bin_s), counts_(bins, 0.0) {}

  void add(double seconds, double weight = 1.0) { counts_[bin_of(seconds)] += weight; total_ += weight; }
  /// A lognormal prior worth `weight` observations (mean and CV in seconds).
  void add_lognormal_prior(double mean_s, double cv, double weight);

  std::size_t bin_of(double seconds) const;
  std::size_t bins() const { return counts_.size(); }
  double bin_s() const { return bin_s_; }
  double count(std::size_t bin) const { return counts_[bin]; }
  double total() const { return total_; }

  /// P(X <= x), linear inside a bin.
  double cdf(double x) const;
  /// The u-quantile (0 < u < 1), linear inside a bin.
  double quantile(double u) const;
  /// Rebuilds the cumulative table cdf() and quantile() read.
  void refresh();

 private:
  double bin_s_;
  std::vector<double> counts_;
  std::vector<double> cumulative_;  // cumulative_[k] = P(X < k × bin_s)
  double total_ = 0;
};

/// A survival curve S(t) = P(X > t) on a grid, by Kaplan-Meier from completed
/// durations and durations still running (censored).
class SurvivalCurve {
 public:
  SurvivalCurve(double bin_s, std::size_t bins) : bin_s_(bin_s), s_(bins + 1, 1.0) {}

  /// `done`: completed durations; `censored`: durations still running, by bin.
  void rebuild(const DurationHistogram& done, const std::vector<double>& censored);
  /// S(t), linear inside a bin; beyond the grid the last bin's hazard continues.
  double at(double t) const;
  double bin_s() const { return bin_s_; }

 private:
  double bin_s_;
  std::vector<double> s_;  // s_[k] = S(k × bin_s)
  double tail_hazard_ = 0;  // per second, past the grid
};

/// The largest drop rate (drops per answer) at which a Poisson count of drops
/// among `answers` exceeds `cap` x answers with probability at most `breach`.
double rate_within_cap(double answers, double cap, double breach);

/// The live-answer rate, learned from placement cohorts old enough that every
/// call in them has resolved (estimating from outcomes in the order they
/// arrive is biased: fast failures resolve first; PACING.md finding 9).
/// Exponentially weighted in time, with two Bernoulli CUSUM detectors (rate
/// doubled, rate halved) that restart the estimate at a change point.
class AnswerRateEstimator {
 public:
  struct Options {
    double prior_rate = 0.35;
    double prior_weight = 10;
    /// A placement matures this long after it was placed, once resolved.
    double mature_after_s = 30;
    /// An unresolved placement counts as not live after this long.
    double give_up_after_s = 150;
    double half_life_s = 900;
    /// The weighting never forgets faster than this many samples.
    double min_samples = 300;
    /// CUSUM thresholds (log-likelihood ratio). A rise of the rate makes the
    /// pacer dial less, so it is detected eagerly; a fall makes it dial more,
    /// and a false alarm there drops calls, so it needs more evidence.
    double cusum_up_threshold = 5.0;
    double cusum_down_threshold = 10.0;
  };

  explicit AnswerRateEstimator(Options o);

  void placed(std::uint64_t call, double at_s);
  /// The call's outcome: live or not. Unknown calls are ignored.
  void resolved(std::uint64_t call, bool live);
  /// Moves matured placements into the estimate.
  void mature(double now_s);

  /// The current estimate of P(live answer) per placement.
  double rate() const { return weight_ > 0 ? live_ / weight_ : opts_.prior_rate; }
  /// Effective number of samples behind rate().
  double weight() const { return weight_; }
  std::uint64_t changes_detected() const { return changes_; }

 private:
  struct Placement {
    std::uint64_t call;
    double at_s;
    signed char outcome;  // -1 pending, 0 not live, 1 live
  };
  void learn(bool live, double at_s);

  Options opts_;
  std::deque<Placement> pending_;
  std::uint64_t first_seq_ = 0;
  std::unordered_map<std::uint64_t, std::uint64_t> seq_of_;
  double weight_ = 0, live_ = 0;
  double last_at_s_ = 0;
  bool any_ = false;
  // CUSUMs and the segment since each last stood at zero.
  double up_ = 0, down_ = 0;
  double up_n_ = 0, up_live_ = 0, down_n_ = 0, down_live_ = 0;
  std::uint64_t changes_ = 0;
};

}  // namespace dialer::pacing
