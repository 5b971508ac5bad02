#include "predictive_model.hpp"

#include <algorithm>
#include <cmath>

namespace dialer::pacing {
namespace {

double normal_cdf(double z) { return 0.5 * std::erfc(-z / std::sqrt(2.0)); }

}  // namespace

// ---- DurationHistogram ----

std::size_t DurationHistogram::bin_of(double seconds) const {
  if (!(seconds > 0)) return 0;
  const double k = std::floor(seconds / bin_s_);
  const double last = static_cast<double>(counts_.size() - 1);
  return static_cast<std::size_t>(std::min(k, last));
}

void DurationHistogram::add_lognormal_prior(double mean_s, double cv, double weight) {
  const double sigma2 = std::log(1 + cv * cv);
  const double sigma = std::sqrt(sigma2);
  const double mu = std::log(mean_s) - sigma2 / 2;
  double previous = 0;
  for (std::size_t k = 0; k < counts_.size(); ++k) {
    const double edge = static_cast<double>(k + 1) * bin_s_;
    const double cdf = k + 1 == counts_.size() ? 1.0 : normal_cdf((std::log(edge) - mu) / sigma);
    counts_[k] += weight * (cdf - previous);
    previous = cdf;
  }
  total_ += weight;
}

void DurationHistogram::refresh() {
  cumulative_.assign(counts_.size() + 1, 0.0);
  if (total_ <= 0) {
    // No data: everything at once (callers always add a prior first).
    std::fill(cumulative_.begin() + 1, cumulative_.end(), 1.0);
    return;
  }
  double sum = 0;
  for (std::size_t k = 0; k < counts_.size(); ++k) {
    sum += counts_[k];
    cumulative_[k + 1] = sum / total_;
  }
  cumulative_.back() = 1.0;
}

double DurationHistogram::cdf(double x) const {
  if (!(x > 0)) return 0;
  const double pos = x / bin_s_;
  const auto k = static_cast<std::size_t>(pos);
  if (k >= counts_.size()) return 1.0;
  const double frac = pos - static_cast<double>(k);
  return cumulative_[k] + frac * (cumulative_[k + 1] - cumulative_[k]);
}

double DurationHistogram::quantile(double u) const {
  const auto it = std::lower_bound(cumulative_.begin(), cumulative_.end(), u);
  if (it == cumulative_.begin()) return 0;
  if (it == cumulative_.end()) return static_cast<double>(counts_.size()) * bin_s_;
  const auto k = static_cast<std::size_t>(it - cumulative_.begin()) - 1;
  const double lo = cumulative_[k], hi = cumulative_[k + 1];
  const double frac = hi > lo ? (u - lo) / (hi - lo) : 0.5;
  return (static_cast<double>(k) + frac) * bin_s_;
}

// ---- SurvivalCurve ----

void SurvivalCurve::rebuild(const DurationHistogram& done, const std::vector<double>& censored) {
  const std::size_t bins = done.bins();
  s_.assign(bins + 1, 1.0);
  // At risk at the start of bin k: everything that ended or was still running
  // in bin k or later.
  std::vector<double> at_risk(bins + 1, 0.0);
  for (std::size_t k = bins; k-- > 0;) {
    const double c = k < censored.size() ? censored[k] : 0.0;
    at_risk[k] = at_risk[k + 1] + done.count(k) + c;
  }
  for (std::size_t k = 0; k < bins; ++k) {
    const double hazard = at_risk[k] > 0 ? done.count(k) / at_risk[k] : 0.0;
    s_[k + 1] = s_[k] * (1 - std::min(hazard, 1.0));
  }
  // Past the grid the hazard of the last regular stretch continues.
  const std::size_t span = std::min<std::size_t>(20, bins - 1);
  const double a = s_[bins - 1 - span], b = s_[bins - 1];
  tail_hazard_ = (a > 0 && b > 0 && b < a) ? std::log(a / b) / (static_cast<double>(span) * bin_s_)
                                           : 1.0 / (static_cast<double>(bins) * bin_s_);
}

double SurvivalCurve::at(double t) const {
  if (!(t > 0)) return 1.0;
  const double pos = t / bin_s_;
  const std::size_t last = s_.size() - 2;  // start of the overflow bin
  if (pos >= static_cast<double>(last)) {
    return s_[last] * std::exp(-tail_hazard_ * (t - static_cast<double>(last) * bin_s_));
  }
  const auto k = static_cast<std::size_t>(pos);
  const double frac = pos - static_cast<double>(k);
  return s_[k] + frac * (s_[k + 1] - s_[k]);
}

double rate_within_cap(double answers, double cap, double breach) {
  if (answers <= 0) return cap;
  // The first count over the cap, and P(Poisson(mu) >= it), which grows
  // with mu: bisect for the mu where it reaches `breach`.
  const double breaking = std::floor(cap * answers) + 1;
  const auto p_breach = [breaking](double mu) {
    if (mu <= 0) return 0.0;
    double below = 0;  // terms in logs: exp(-mu) alone underflows for large mu
    for (double k = 0; k < breaking; ++k)
      below += std::exp(k * std::log(mu) - mu - std::lgamma(k + 1));
    return 1 - below;
  };
  double low = 0, high = breaking;
  for (int i = 0; i < 50; ++i) {
    const double mid = (low + high) / 2;
    (p_breach(mid) <= breach ? low : high) = mid;
  }
  return low / answers;
}

// ---- AnswerRateEstimator ----

AnswerRateEstimator::AnswerRateEstimator(Options o) : opts_(o) {
  weight_ = opts_.prior_weight;
  live_ = opts_.prior_rate * opts_.prior_weight;
}

void AnswerRateEstimator::placed(std::uint64_t call, double at_s) {
  if (call == 0) return;
  seq_of_[call] = first_seq_ + pending_.size();
  pending_.push_back({call, at_s, -1});
}

void AnswerRateEstimator::resolved(std::uint64_t call, bool live) {
  const auto it = seq_of_.find(call);
  if (it == seq_of_.end()) return;
  pending_[static_cast<std::size_t>(it->second - first_seq_)].outcome = live ? 1 : 0;
}

void AnswerRateEstimator::mature(double now_s) {
  while (!pending_.empty()) {
    const Placement& p = pending_.front();
    const double age = now_s - p.at_s;
    if (p.outcome >= 0 && age >= opts_.mature_after_s) {
      learn(p.outcome == 1, p.at_s);
    } else if (age >= opts_.give_up_after_s) {
      learn(false, p.at_s);
    } else {
      break;
    }
    seq_of_.erase(p.call);
    pending_.pop_front();
    ++first_seq_;
  }
}

void AnswerRateEstimator::learn(bool live, double at_s) {
  // Forget by time (half-life), but never faster than min_samples allow.
  const double dt = any_ ? std::max(0.0, at_s - last_at_s_) : 0.0;
  any_ = true;
  last_at_s_ = at_s;
  const double by_time = std::exp2(-dt / opts_.half_life_s);
  const double keep = std::max(by_time, 1 - 1 / opts_.min_samples);
  weight_ = weight_ * keep + 1;
  live_ = live_ * keep + (live ? 1 : 0);

  // Bernoulli CUSUMs against the current estimate: rate ×2 and rate ×½.
  const double p = std::clamp(rate(), 0.005, 0.45);
  const double x = live ? 1.0 : 0.0;
  up_ += x * std::log(2.0) + (1 - x) * std::log((1 - 2 * p) / (1 - p));
  down_ += x * std::log(0.5) + (1 - x) * std::log((1 - p / 2) / (1 - p));
  if (up_ <= 0) {
    up_ = 0, up_n_ = 0, up_live_ = 0;
  } else {
    up_n_ += 1, up_live_ += x;
  }
  if (down_ <= 0) {
    down_ = 0, down_n_ = 0, down_live_ = 0;
  } else {
    down_n_ += 1, down_live_ += x;
  }
  const bool up = up_ > opts_.cusum_up_threshold;
  const bool down = down_ > opts_.cusum_down_threshold;
  if (up || down) {
    // Restart from the segment since the detector last stood at zero. A fall
    // is detected because that segment ran short of live answers, so its own
    // rate is biased low (a segment with none would say 0, and the pacer
    // would fill every line). The test only shows the rate nearer half the
    // old one than the old one, so a fall restarts no lower than half; a
    // further fall is the next detection's to find.
    weight_ = up ? up_n_ : down_n_;
    live_ = up ? up_live_ : std::max(down_live_, down_n_ * p / 2);
    up_ = down_ = 0;
    up_n_ = up_live_ = down_n_ = down_live_ = 0;
    ++changes_;
  }
}

}  // namespace dialer::pacing
