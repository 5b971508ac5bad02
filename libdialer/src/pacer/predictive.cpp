// predictive: a model-based pacer. PACING.md part B2.4 describes the design
// this one starts from; the differences are noted where they are made.
//
// Each decision asks one question per candidate call: if this call is placed
// now and a live person answers, what is the chance that no agent is free
// within max_wait_s (a drop)? The pacer places calls while that marginal risk
// stays under a threshold theta, and a feedback loop moves theta so that the
// abandonment the model predicts, corrected by what is observed, tracks a
// target under the campaign's cap. Guards on the day's, the 30 days' and the
// last hour's counts pull theta down as the headroom under each cap runs out,
// and a brake halves it on a burst of drops.
//
// The risk of the n-th new call, answered t seconds from now, is
//   P( answers ahead of it  >=  agents free by t + max_wait )
// where
//   answers ahead = calls waiting now
//                 + ringing calls answered live by t (given their ages)
//                 + the other n-1 new calls answered before it
//                 + a share of the calls placed later but answered earlier,
//   agents free   = idle agents
//                 + talking agents whose talk and wrap-up end in time (given
//                   how long they have talked: Kaplan-Meier survival)
//                 + agents in wrap-up who finish in time,
// averaged over `horizons` points t of the learned answer-time distribution.
// Every term is a sum of independent Bernoullis; the risk comes from a normal
// approximation of the difference with continuity correction (an exact
// computation of both counts' distributions is available through
// PredictiveOptions::exact_max_agents; it did no better, even on 5 agents).
//
// Never less than progressive: calls up to one per idle agent are placed
// regardless of the model, since they cannot be dropped while the team stays.
#include "predictive.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <deque>
#include <vector>

#include "policies.hpp"
#include "predictive_model.hpp"

namespace dialer::pacing {
namespace {

constexpr double kRingBinS = 0.5;
constexpr std::size_t kRingBins = 240;  // 120 s
constexpr double kTalkBinS = 2.0;
constexpr std::size_t kTalkBins = 900;  // 30 min
constexpr double kWrapBinS = 1.0;
constexpr std::size_t kWrapBins = 600;  // 10 min
constexpr double kWrapGridS = 0.5;      // the wrap-up CDF table's step

double normal_cdf(double z) { return 0.5 * std::erfc(-z / std::sqrt(2.0)); }

/// A sum that decays with a half-life, in the pacer's time.
class DecayingSum {
 public:
  void add(double x, double at_s, double half_life_s) {
    decay_to(at_s, half_life_s);
    value_ += x;
  }
  double value(double at_s, double half_life_s) {
    decay_to(at_s, half_life_s);
    return value_;
  }

 private:
  void decay_to(double at_s, double half_life_s) {
    if (at_s > at_s_) value_ *= std::exp2(-(at_s - at_s_) / half_life_s);
    at_s_ = std::max(at_s_, at_s);
  }
  double value_ = 0;
  double at_s_ = 0;
};

/// Answers and drops per minute over the last hour.
class HourWindow {
 public:
  void add(double at_s, double answers, double drops) {
    Bucket& b = slot(at_s);
    b.answers += answers;
    b.drops += drops;
  }
  void totals(double now_s, double& answers, double& drops) const {
    const std::int64_t now_min = minute(now_s);
    answers = drops = 0;
    for (const Bucket& b : buckets_) {
      if (b.minute > now_min - 60 && b.minute <= now_min) {
        answers += b.answers;
        drops += b.drops;
      }
    }
  }

 private:
  struct Bucket {
    std::int64_t minute = -1000000;
    double answers = 0, drops = 0;
  };
  static std::int64_t minute(double t) { return static_cast<std::int64_t>(std::floor(t / 60)); }
  Bucket& slot(double at_s) {
    const std::int64_t m = minute(at_s);
    Bucket& b = buckets_[static_cast<std::size_t>(((m % 60) + 60) % 60)];
    if (b.minute != m) b = Bucket{m, 0, 0};
    return b;
  }
  Bucket buckets_[60];
};

/// Adds an independent Bernoulli(q) to a count distribution truncated at
/// pmf.size() - 1 (the last cell holds "that many or more").
void add_bernoulli(std::vector<double>& pmf, double q) {
  if (q <= 0) return;
  const std::size_t last = pmf.size() - 1;
  pmf[last] += pmf[last - 1] * q;  // the top cell absorbs overflow
  for (std::size_t k = last - 1; k > 0; --k) pmf[k] = pmf[k] * (1 - q) + pmf[k - 1] * q;
  pmf[0] *= 1 - q;
}

/// Adds an independent Poisson(mean) to a truncated count distribution;
/// `pois` and `out` are scratch space.
void add_poisson(std::vector<double>& pmf, double mean, std::vector<double>& pois,
                 std::vector<double>& out) {
  if (mean <= 1e-9) return;
  const std::size_t n = pmf.size();
  pois.assign(n, 0.0);
  double term = std::exp(-mean), used = 0;
  std::size_t support = n;
  for (std::size_t k = 0; k + 1 < n; ++k) {
    pois[k] = term;
    used += term;
    term *= mean / static_cast<double>(k + 1);
    if (1 - used < 1e-12) {
      support = k + 1;
      break;
    }
  }
  if (support == n) pois[n - 1] = std::max(0.0, 1 - used);
  out.assign(n, 0.0);
  for (std::size_t a = 0; a < n; ++a) {
    if (pmf[a] == 0) continue;
    for (std::size_t b = 0; b < support; ++b) out[std::min(n - 1, a + b)] += pmf[a] * pois[b];
  }
  pmf.swap(out);
}

class PredictivePacer final : public Pacer {
 public:
  explicit PredictivePacer(const PredictiveOptions& o)
      : opts_(o),
        k_(std::max<std::size_t>(1, o.horizons)),
        rate_(AnswerRateEstimator::Options{}),
        ring_live_(kRingBinS, kRingBins),
        ring_other_(kRingBinS, kRingBins),
        talk_done_(kTalkBinS, kTalkBins),
        wrap_done_(kWrapBinS, kWrapBins),
        talk_surv_(kTalkBinS, kTalkBins),
        wrap_surv_(kWrapBinS, kWrapBins),
        theta_(o.theta_initial) {
    // Broad priors, each worth a handful of observations, so that the first
    // minutes of a day are neither blind nor confident.
    ring_live_.add_lognormal_prior(10, 0.6, 5);
    ring_other_.add_lognormal_prior(15, 0.7, 5);
    talk_done_.add_lognormal_prior(150, 1.0, 3);
    wrap_done_.add_lognormal_prior(30, 0.7, 3);
    horizon_t_.assign(k_, 0);
    u_.assign(k_, 0);
    fut_g_.assign(k_, 0);
    for (std::size_t j = 0; j < k_; ++j) u_[j] = (static_cast<double>(j) + 0.5) / static_cast<double>(k_);
    talk_free_.assign(kTalkBins * k_, 0);
    wrap_free_.assign(kWrapBins * k_, 0);
    ring_q_.assign(kRingBins * k_, 0);
    mu_a_.assign(k_, 0);
    var_a_.assign(k_, 0);
    mu_x_.assign(k_, 0);
    var_x_.assign(k_, 0);
    fut_.assign(k_, 0);
  }

  std::string name() const override { return "predictive"; }

  void observe(const PacerEvent& e) override {
    switch (e.kind) {
      case PacerEventKind::placed:
        rate_.placed(e.call, e.at_s);
        placements_.add(1, e.at_s, kPlacementHalfLifeS);
        ++placed_events_;
        break;
      case PacerEventKind::live_answer:
        rate_.resolved(e.call, true);
        ring_live_.add(e.value_s);
        answer_seen(e.at_s);
        ++live_events_;
        break;
      case PacerEventKind::machine:
      case PacerEventKind::no_answer:
      case PacerEventKind::failed:
        rate_.resolved(e.call, false);
        ring_other_.add(e.value_s);
        break;
      case PacerEventKind::dropped:
        drop_seen(e.at_s);
        break;
      case PacerEventKind::talk_end:
        talk_done_.add(e.value_s);
        break;
      case PacerEventKind::wrapup_end:
        wrap_done_.add(e.value_s);
        ++wraps_;
        break;
      case PacerEventKind::connected:
      case PacerEventKind::break_end:
        break;
    }
  }

  std::size_t decide(const PacerSnapshot& s) override {
    now_ = s.now_s;
    const std::size_t working = s.agents_working();
    follow_snapshot_counts(s);
    if (working == 0) return 0;

    rate_.mature(now_);
    const double p = answer_rate(s);
    if (!tables_ready_ || now_ >= next_refresh_s_) {
      refresh(s, p);
    } else if (std::fabs(p - table_p_) > 0.05 * table_p_) {
      refresh_ringing(p);  // only this table depends on the answer rate
    }
    if (now_ >= next_control_s_) control(s);

    const double theta = effective_theta(s);
    const std::size_t progressive = top_up(s.idle_s.size(), s.ringing_s.size() + s.waiting_s.size());
    // Bounds against a model gone wrong: at most four new calls per working
    // agent per decision, and at most 50 lines per agent in flight.
    const std::size_t in_flight = s.ringing_s.size() + s.waiting_s.size();
    const std::size_t line_cap = 50 * working;
    const std::size_t max_n = std::min(std::max(4 * working, progressive),
                                       line_cap > in_flight ? line_cap - in_flight : 0);

    std::size_t n = 0;
    double predicted_drops = 0;
    if (max_n > 0) {
      accumulate(s, p);
      const bool exact = working <= opts_.exact_max_agents && !opts_.foresight;
      n = exact ? search_exact(s, p, theta, max_n, predicted_drops)
                : search_normal(p, theta, max_n, predicted_drops);
    }
    if (n < progressive) n = progressive;

    // What the model expects of the calls it places (capped by the hopper as
    // the engine will cap them), for the feedback loop.
    const std::size_t placed = s.dialable > 0 ? std::min(n, s.dialable) : n;
    if (placed > 0) {
      predicted_drops_recent_.add(predicted_drops * p, now_, recent_half_life_s_);
      predicted_answers_recent_.add(static_cast<double>(placed) * p, now_, recent_half_life_s_);
      predicted_drops_long_.add(predicted_drops * p, now_, opts_.calibration_half_life_s);
      if (placed_events_ == 0) placements_.add(static_cast<double>(placed), now_, kPlacementHalfLifeS);
    }
    return n;
  }

 private:
  static constexpr double kPlacementHalfLifeS = 20;
  static constexpr double kLongestControlWindowS = 8 * 3600.0;

  // ---- learning ----

  void answer_seen(double at_s) { hour_.add(at_s, 1, 0); }
  void drop_seen(double at_s) {
    hour_.add(at_s, 0, 1);
    observed_drops_long_.add(1, at_s, opts_.calibration_half_life_s);
    recent_drops_.push_back(at_s);
    // The brake: a burst of drops far above what the cap allows halves theta
    // at once instead of waiting for the loop (at most every 20 s).
    while (!recent_drops_.empty() && recent_drops_.front() < at_s - 60) recent_drops_.pop_front();
    double answers = 0, drops = 0;
    hour_.totals(at_s, answers, drops);
    const double minute_answers = answers / 60;  // the hour's pace per minute
    const double burst = static_cast<double>(recent_drops_.size());
    if (burst >= 3 && burst > 3 * cap_ * std::max(minute_answers, 1.0) && at_s >= brake_until_s_) {
      theta_ = std::max(opts_.theta_min, theta_ / 2);
      brake_until_s_ = at_s + 20;
    }
  }

  /// Without events (a caller that only sends snapshots), the snapshot's
  /// day counts stand in for them.
  void follow_snapshot_counts(const PacerSnapshot& s) {
    cap_ = s.abandon_cap > 0 ? s.abandon_cap : 0.03;
    if (s.answered_today >= last_answered_today_ && s.dropped_today >= last_dropped_today_) {
      const auto answers = static_cast<double>(s.answered_today - last_answered_today_);
      const auto drops = static_cast<double>(s.dropped_today - last_dropped_today_);
      if (live_events_ == 0 && (answers > 0 || drops > 0)) {
        hour_.add(now_, answers, drops);
        if (drops > 0) observed_drops_long_.add(drops, now_, opts_.calibration_half_life_s);
      }
    }
    last_answered_today_ = s.answered_today;
    last_dropped_today_ = s.dropped_today;
    // Breaks taken: the count of agents on a break went up.
    if (s.on_break > last_on_break_) breaks_ += static_cast<double>(s.on_break - last_on_break_);
    last_on_break_ = s.on_break;
  }

  double answer_rate(const PacerSnapshot& s) const {
    if (placed_events_ > 0 && rate_.weight() > 0) return std::clamp(rate_.rate(), 0.002, 1.0);
    // No placement events: the day's counts (answered per placed).
    if (s.placed_today >= 20) {
      return std::clamp(static_cast<double>(s.answered_today) / static_cast<double>(s.placed_today),
                        0.002, 1.0);
    }
    return AnswerRateEstimator::Options{}.prior_rate;
  }

  double break_share() const { return (breaks_ + 0.02 * 5) / (wraps_ + 5); }

  // ---- the tables decide() reads ----

  void refresh(const PacerSnapshot& s, double p) {
    tables_ready_ = true;
    next_refresh_s_ = now_ + opts_.table_refresh_s;
    ring_live_.refresh();
    ring_other_.refresh();

    // Kaplan-Meier with the conversations and wrap-ups still running as
    // censored observations, so that long talks are not under-represented
    // early in the day.
    std::vector<double> censored(kTalkBins, 0.0);
    for (double e : s.talking_s) censored[talk_done_.bin_of(e)] += 1;
    talk_surv_.rebuild(talk_done_, censored);
    censored.assign(kWrapBins, 0.0);
    for (double e : s.wrapup_s) censored[wrap_done_.bin_of(e)] += 1;
    wrap_surv_.rebuild(wrap_done_, censored);

    const double stay = 1 - break_share();
    double longest = 0;
    for (std::size_t j = 0; j < k_; ++j) {
      horizon_t_[j] = ring_live_.quantile(u_[j]);
      longest = std::max(longest, horizon_t_[j] + s.max_wait_s);
    }
    // The wrap-up CDF on a fine grid, for the talk table's convolution.
    const auto wrap_points = static_cast<std::size_t>(std::ceil(longest / kWrapGridS)) + 2;
    std::vector<double> wrap_cdf(wrap_points);
    for (std::size_t m = 0; m < wrap_points; ++m) {
      wrap_cdf[m] = 1 - wrap_surv_.at(static_cast<double>(m) * kWrapGridS);
    }
    const auto wrap_at = [&](double x) {
      if (x <= 0) return 0.0;
      const auto m = static_cast<std::size_t>(std::lround(x / kWrapGridS));
      return wrap_cdf[std::min(m, wrap_points - 1)];
    };
    // Survival of talk on its grid (plus the stretch past it a horizon reaches).
    const auto extra = static_cast<std::size_t>(std::ceil(longest / kTalkBinS)) + 2;
    std::vector<double> talk_s(kTalkBins + extra);
    for (std::size_t i = 0; i < talk_s.size(); ++i) {
      talk_s[i] = talk_surv_.at(static_cast<double>(i) * kTalkBinS);
    }
    const auto wrap_extra = static_cast<std::size_t>(std::ceil(longest / kWrapBinS)) + 2;
    std::vector<double> wrap_s(kWrapBins + wrap_extra);
    for (std::size_t i = 0; i < wrap_s.size(); ++i) {
      wrap_s[i] = wrap_surv_.at(static_cast<double>(i) * kWrapBinS);
    }

    std::vector<double> wrap_by(steps_for(longest) + 1);
    for (std::size_t j = 0; j < k_; ++j) {
      const double h = horizon_t_[j] + s.max_wait_s;
      const auto steps = steps_for(h);
      // The wrap-up that follows a talk ending in step k ends before h with
      // this chance, whatever the row: computed once per horizon.
      for (std::size_t k = 0; k < steps; ++k) {
        wrap_by[k] = wrap_at(h - (static_cast<double>(k) + 0.5) * kTalkBinS);
      }
      // Talking for i bins: free by h if talk ends at some point and the
      // wrap-up that follows ends before h.
      for (std::size_t i = 0; i < kTalkBins; ++i) {
        const double alive = talk_s[i];
        double free = 0;
        if (alive < 1e-12) {
          free = wrap_at(h / 2);
        } else {
          for (std::size_t k = 0; k < steps; ++k) {
            const double ends = (talk_s[i + k] - talk_s[i + k + 1]) / alive;
            free += ends * wrap_by[k];
          }
        }
        talk_free_[i * k_ + j] = std::clamp(free * stay, 0.0, 1.0);
      }
      // In wrap-up for e seconds (on the grid, so h is a whole number of steps
      // away up to rounding): done by h.
      const auto h_steps = static_cast<std::size_t>(std::lround(h / kWrapBinS));
      for (std::size_t i = 0; i < kWrapBins; ++i) {
        const double alive = wrap_s[i];
        const double done = alive < 1e-12 ? 1.0 : 1 - wrap_s[i + h_steps] / alive;
        wrap_free_[i * k_ + j] = std::clamp(done * stay, 0.0, 1.0);
      }
      // Expected answers by t per unit rate of later placements: ∫0^t F(u) du.
      const double t = horizon_t_[j];
      double g = 0;
      for (double x = 0.125; x < t; x += 0.25) g += ring_live_.cdf(x) * 0.25;
      fut_g_[j] = g;
    }
    refresh_ringing(p);
  }

  // A call ringing for a seconds: live and answered within t.
  void refresh_ringing(double p) {
    table_p_ = p;
    for (std::size_t j = 0; j < k_; ++j) {
      const double t = horizon_t_[j];
      for (std::size_t i = 0; i < kRingBins; ++i) {
        const double a = (static_cast<double>(i) + 0.5) * kRingBinS;
        const double fl = ring_live_.cdf(a), fn = ring_other_.cdf(a);
        const double pending = p * (1 - fl) + (1 - p) * (1 - fn);
        const double q = pending > 1e-12 ? p * (ring_live_.cdf(a + t) - fl) / pending : 0.0;
        ring_q_[i * k_ + j] = std::clamp(q, 0.0, 1.0);
      }
    }
  }

  // Whole talk bins in h seconds, rounded up.
  static std::size_t steps_for(double h) {
    return static_cast<std::size_t>(std::ceil(h / kTalkBinS));
  }

  // Talk rows sit on grid points: the nearest one to the elapsed time
  // (std::round, capped at the last row). The bins of every talking agent
  // and ringing call are taken at each decision, and std::round and
  // std::floor are library calls in a portable build: for a positive
  // quotient below the cap, truncation plus the exact fraction gives the
  // same bins. (Truncated as signed, one instruction; as unsigned, several.)
  static std::size_t talk_bin(double e) {
    if (!(e > 0)) return 0;
    const double k = e / kTalkBinS;
    if (!(k < static_cast<double>(kTalkBins - 1))) return kTalkBins - 1;
    const auto whole = static_cast<std::int64_t>(k);
    const auto bin = static_cast<std::size_t>(whole);
    return k - static_cast<double>(whole) >= 0.5 ? bin + 1 : bin;  // halves away from zero
  }
  // std::floor(e / bin), capped at the last bin.
  static std::size_t clamp_bin(double e, double bin, std::size_t bins) {
    if (!(e > 0)) return 0;
    const double k = e / bin;
    if (!(k < static_cast<double>(bins - 1))) return bins - 1;
    return static_cast<std::size_t>(static_cast<std::int64_t>(k));
  }

  // Means and variances of agents free and answers ahead, per horizon.
  void accumulate(const PacerSnapshot& s, double p) {
    const double idle = static_cast<double>(s.idle_s.size());
    const double waiting = static_cast<double>(s.waiting_s.size());
    const double future_rate = placements_.value(now_, kPlacementHalfLifeS) * std::log(2.0) /
                               kPlacementHalfLifeS;
    for (std::size_t j = 0; j < k_; ++j) {
      mu_a_[j] = idle;
      var_a_[j] = 0;
      mu_x_[j] = waiting;
      var_x_[j] = 0;
    }
    for (double e : s.talking_s) {
      const double* row = &talk_free_[talk_bin(e) * k_];
      for (std::size_t j = 0; j < k_; ++j) {
        mu_a_[j] += row[j];
        var_a_[j] += row[j] * (1 - row[j]);
      }
    }
    for (double e : s.wrapup_s) {
      const double* row = &wrap_free_[clamp_bin(e, kWrapBinS, kWrapBins) * k_];
      for (std::size_t j = 0; j < k_; ++j) {
        mu_a_[j] += row[j];
        var_a_[j] += row[j] * (1 - row[j]);
      }
    }
    // Ringing calls are many on big teams (hundreds at low answer rates) but
    // their ages fall in few bins: sum per bin, then once per bin.
    // Their ages span a few dozen bins of the 240 (up to the ring timeout):
    // only the bins from the first to the last in use are read.
    ring_count_.assign(kRingBins, 0.0);
    std::size_t first_bin = kRingBins, last_bin = 0;
    for (double a : s.ringing_s) {
      const std::size_t b = clamp_bin(a, kRingBinS, kRingBins);
      ring_count_[b] += 1;
      first_bin = std::min(first_bin, b);
      last_bin = std::max(last_bin, b);
    }
    for (std::size_t b = first_bin; b <= last_bin && b < kRingBins; ++b) {
      const double count = ring_count_[b];
      if (count == 0) continue;
      const double* row = &ring_q_[b * k_];
      for (std::size_t j = 0; j < k_; ++j) {
        mu_x_[j] += count * row[j];
        var_x_[j] += count * row[j] * (1 - row[j]);
      }
    }
    if (opts_.foresight) use_foresight(opts_.foresight(), s.max_wait_s);
    for (std::size_t j = 0; j < k_; ++j) {
      const double fut = opts_.future_allowance * future_rate * p * fut_g_[j];
      fut_[j] = fut;
      mu_x_[j] += fut;
      var_x_[j] += fut;  // Poisson
    }
  }

  // Known counts replace the forecast ones: certain, so without variance.
  void use_foresight(const Foresight& f, double max_wait_s) {
    const auto count_by = [](const std::vector<double>& times, double t) {
      return static_cast<double>(
          std::count_if(times.begin(), times.end(), [t](double x) { return x <= t; }));
    };
    for (std::size_t j = 0; j < k_; ++j) {
      if (f.agents_free_in_s) {
        mu_a_[j] = count_by(*f.agents_free_in_s, horizon_t_[j] + max_wait_s);
        var_a_[j] = 0;
      }
      if (f.live_answers_in_s) {
        mu_x_[j] = count_by(*f.live_answers_in_s, horizon_t_[j]);
        var_x_[j] = 0;
      }
    }
  }

  std::size_t search_normal(double p, double theta, std::size_t max_n, double& predicted) const {
    std::size_t n = 0;
    predicted = 0;
    while (n < max_n) {
      double risk = 0;
      for (std::size_t j = 0; j < k_; ++j) {
        const double q = p * u_[j];
        const double others = static_cast<double>(n);
        const double mu = mu_x_[j] + others * q - mu_a_[j];
        const double var = var_x_[j] + var_a_[j] + others * q * (1 - q);
        risk += var > 1e-12 ? normal_cdf((mu + 0.5) / std::sqrt(var)) : (mu + 0.5 > 0 ? 1.0 : 0.0);
      }
      risk /= static_cast<double>(k_);
      if (risk > theta) break;
      predicted += risk;
      ++n;
    }
    return n;
  }

  std::size_t search_exact(const PacerSnapshot& s, double p, double theta, std::size_t max_n,
                           double& predicted) {
    const std::size_t agents = s.agents_working();
    const std::size_t cells = agents + 2;  // counts 0..agents, then "more"
    pmf_a_.resize(k_);
    pmf_x_.resize(k_);
    const std::size_t idle = std::min(s.idle_s.size(), cells - 1);
    const std::size_t waiting = std::min(s.waiting_s.size(), cells - 1);
    for (std::size_t j = 0; j < k_; ++j) {
      pmf_a_[j].assign(cells, 0.0);
      pmf_a_[j][idle] = 1;
      pmf_x_[j].assign(cells, 0.0);
      pmf_x_[j][waiting] = 1;
    }
    for (double e : s.talking_s) {
      const double* row = &talk_free_[talk_bin(e) * k_];
      for (std::size_t j = 0; j < k_; ++j) add_bernoulli(pmf_a_[j], row[j]);
    }
    for (double e : s.wrapup_s) {
      const double* row = &wrap_free_[clamp_bin(e, kWrapBinS, kWrapBins) * k_];
      for (std::size_t j = 0; j < k_; ++j) add_bernoulli(pmf_a_[j], row[j]);
    }
    for (double a : s.ringing_s) {
      const double* row = &ring_q_[clamp_bin(a, kRingBinS, kRingBins) * k_];
      for (std::size_t j = 0; j < k_; ++j) add_bernoulli(pmf_x_[j], row[j]);
    }
    for (std::size_t j = 0; j < k_; ++j) add_poisson(pmf_x_[j], fut_[j], scratch_a_, scratch_b_);

    std::size_t n = 0;
    predicted = 0;
    while (n < max_n) {
      double risk = 0;
      for (std::size_t j = 0; j < k_; ++j) {
        // P(X >= A) = sum over a of P(A = a) P(X >= a).
        const std::vector<double>& a = pmf_a_[j];
        const std::vector<double>& x = pmf_x_[j];
        double x_below = 0, r = 0;
        for (std::size_t v = 0; v < cells; ++v) {
          r += a[v] * (1 - x_below);
          x_below += x[v];
        }
        risk += std::clamp(r, 0.0, 1.0);
      }
      risk /= static_cast<double>(k_);
      if (risk > theta) break;
      predicted += risk;
      ++n;
      for (std::size_t j = 0; j < k_; ++j) add_bernoulli(pmf_x_[j], p * u_[j]);
    }
    return n;
  }

  // ---- the feedback loop and the guards ----

  void control(const PacerSnapshot& s) {
    next_control_s_ = now_ + opts_.control_period_s;
    double hour_answers = 0, hour_drops = 0;
    hour_.totals(now_, hour_answers, hour_drops);
    double target = cap_ * opts_.target_share;
    if (opts_.hour_breach_probability > 0) {
      target = std::min(
          target, rate_within_cap(std::max(hour_answers, opts_.hour_min_answers),
                                  cap_ * opts_.hour_cap_multiple, opts_.hour_breach_probability));
    }
    const double pred_answers = predicted_answers_recent_.value(now_, recent_half_life_s_);
    if (pred_answers < 1) return;  // nothing placed lately: nothing to learn from
    const double pred_drops = predicted_drops_recent_.value(now_, recent_half_life_s_);
    const double calibration =
        std::clamp((observed_drops_long_.value(now_, opts_.calibration_half_life_s) + 1) /
                       (predicted_drops_long_.value(now_, opts_.calibration_half_life_s) + 1),
                   0.3, 5.0);
    // The day's and 30 days' surplus of drops over the target is repaid over
    // about an hour of answers (and a deficit may be spent, up to the cap).
    const double per_hour = std::max(hour_answers, 20.0);
    const auto aim = [&](std::uint64_t answered, std::uint64_t dropped) {
      const double excess = static_cast<double>(dropped) - target * static_cast<double>(answered);
      return std::clamp(target - excess / per_hour, 0.0, cap_);
    };
    const double goal = std::min(aim(s.answered_today, s.dropped_today), aim(s.answered_30d, s.dropped_30d));
    const double predicted_rate = calibration * pred_drops / pred_answers;
    double error = std::log((goal + 1e-4) / (predicted_rate + 1e-4));
    // Anti-windup: while a guard holds the threshold down, the predicted rate
    // says nothing about theta itself; never raise theta then.
    if (error > 0 && guard_share(s) < 0.999) error = 0;
    double gain = opts_.control_gain;
    if (opts_.control_drops > 0) {
      const double drops_per_s = std::max(target * std::max(hour_answers, 1.0) / 3600, 1e-6);
      recent_half_life_s_ = std::clamp(opts_.control_drops / drops_per_s, opts_.recent_half_life_s,
                                       kLongestControlWindowS);
      gain *= opts_.recent_half_life_s / recent_half_life_s_;
    }
    theta_ = std::clamp(theta_ * std::exp(gain * std::clamp(error, -1.0, 1.0)), opts_.theta_min,
                        opts_.theta_max);
  }

  static double guard(double answered, double dropped, double cap, double min_answers, double low,
                      double high) {
    if (answered < min_answers) return 1.0;
    const double headroom = cap * answered - dropped;
    return std::clamp((headroom - low) / (high - low), 0.0, 1.0);
  }

  double effective_theta(const PacerSnapshot& s) const {
    return opts_.theta_min + (theta_ - opts_.theta_min) * guard_share(s);
  }

  /// How much of theta the guards let through: 1 with headroom under every
  /// window's cap, 0 with none.
  double guard_share(const PacerSnapshot& s) const {
    double hour_answers = 0, hour_drops = 0;
    hour_.totals(now_, hour_answers, hour_drops);
    return std::min(
        {guard(static_cast<double>(s.answered_today), static_cast<double>(s.dropped_today), cap_,
               opts_.guard_min_answers, opts_.guard_low, opts_.guard_high),
         guard(static_cast<double>(s.answered_30d), static_cast<double>(s.dropped_30d), cap_,
               opts_.guard_min_answers, opts_.guard_low, opts_.guard_high),
         guard(std::max(hour_answers, opts_.hour_min_answers), hour_drops,
               cap_ * opts_.hour_cap_multiple, 0, opts_.hour_guard_low, opts_.hour_guard_high)});
  }

  PredictiveOptions opts_;
  // The loop's window: opts_.recent_half_life_s or longer (control_drops).
  double recent_half_life_s_ = opts_.recent_half_life_s;
  std::size_t k_;
  double now_ = 0;
  double cap_ = 0.03;

  AnswerRateEstimator rate_;
  DurationHistogram ring_live_, ring_other_, talk_done_, wrap_done_;
  SurvivalCurve talk_surv_, wrap_surv_;
  double wraps_ = 0, breaks_ = 0;
  std::uint64_t placed_events_ = 0, live_events_ = 0;

  bool tables_ready_ = false;
  double table_p_ = 0;
  double next_refresh_s_ = 0;
  std::vector<double> horizon_t_, u_, fut_g_;
  std::vector<double> talk_free_, wrap_free_, ring_q_;

  std::vector<double> mu_a_, var_a_, mu_x_, var_x_;
  std::vector<double> fut_;
  std::vector<std::vector<double>> pmf_a_, pmf_x_;
  std::vector<double> ring_count_, scratch_a_, scratch_b_;

  double theta_;
  double next_control_s_ = 0;
  double brake_until_s_ = 0;
  DecayingSum placements_;
  DecayingSum predicted_drops_recent_, predicted_answers_recent_;
  DecayingSum predicted_drops_long_, observed_drops_long_;
  HourWindow hour_;
  std::deque<double> recent_drops_;
  std::uint64_t last_answered_today_ = 0, last_dropped_today_ = 0;
  std::size_t last_on_break_ = 0;
};

}  // namespace

std::unique_ptr<Pacer> make_predictive(const PredictiveOptions& options) {
  return std::make_unique<PredictivePacer>(options);
}
std::unique_ptr<Pacer> make_predictive() { return make_predictive(PredictiveOptions{}); }

}  // namespace dialer::pacing
