// vicidial-tapered: VICIdial's ADAPT_TAPERED dial method, re-implemented from
// its source as /work/shared/PACING.md part A1 describes it, with VICIdial's
// defaults, as the comparator the predictive pacer must beat.
//
// VICIdial splits pacing between two processes that share one number, the
// campaign's dial level:
//   - the adapter (AST_VDadapt.pl) samples the campaign every second and
//     rewrites the level every 15 s from the 15-sample average of READY agents
//     minus calls waiting, and applies the drop rules from statistics it
//     refreshes every 60 s;
//   - the dialer (AST_VDauto_dial.pl) wakes every 2.5 s and tops the campaign
//     up to round(level × non-paused agents) lines.
// decide() is called more often than either (every 0.5 s by the engine), so
// both schedules run here on snapshot.now_s and decide() returns 0 between
// dial-loop runs.
//
// Mapping of VICIdial's notions onto the snapshot:
//   READY|DONE agents            -> idle agents
//   INCALL agents                -> talking agents
//   PAUSED agents                -> agents in wrap-up and on a break (VICIdial
//                                   pauses an agent from hang-up until the
//                                   disposition, PACING.md A1 (1))
//   LIVE auto-calls              -> calls waiting for an agent
//   SENT/RINGING/LIVE/XFER calls -> ringing + waiting + talking (one connected
//                                   call per talking agent)
//   "today" drop statistics      -> placed_today, answered_today, dropped_today
//   the last-minute statistics   -> the change of placed_today and
//                                   dropped_today since the previous 60-s run
//                                   (VICIdial counts calls by placement time;
//                                   the counts here are by event time)
//   server time HHMM             -> snapshot.time_of_day_s (the simulator's day
//                                   starts at 09:00, so an 8-hour day ends at
//                                   17:00 = adaptive_latest_server_time)
#include <cmath>
#include <cstdint>

#include "policies.hpp"

namespace dialer::pacing {
namespace {

// VICIdial's defaults and constants (PACING.md A1, table in B2.3).
constexpr double kAdaptPeriodS = 1.0;      // AST_VDadapt.pl --delay, line 268
constexpr std::size_t kStatSamples = 15;   // $stat_it, lines 89, 2686
constexpr int kLevelUpdateLoops = 15;      // diff_ratio_updater >= 15, line 645
constexpr int kDropStatsLoops = 60;        // drop_count_updater >= 60, line 639
constexpr double kDialLoopS = 2.5;         // $loop_delay = 2500 ms, lines 200, 224
constexpr double kMaxLevel = 3.0;          // adaptive_maximum_level, schema line 827
constexpr double kDropLimitPct = 3.0;      // adaptive_dropped_percentage, schema line 826
constexpr double kIntensity = 0.0;         // adaptive_intensity
constexpr double kDiffTarget = 0.0;        // adaptive_dl_diff_target (ADAPT_CALC_ONLY)
constexpr int kLatestServerTime = 1700;    // adaptive_latest_server_time, as the brief sets it

/// Perl's sprintf("%.Nf"): round to N decimals (half-even on exact ties, as
/// C's printf; the difference is immaterial at these magnitudes).
double round_to(double v, int decimals) {
  const double scale = std::pow(10.0, decimals);
  return std::nearbyint(v * scale) / scale;
}

class VicidialTaperedPacer final : public Pacer {
 public:
  std::string name() const override { return "vicidial-tapered"; }

  std::size_t decide(const PacerSnapshot& s) override {
    if (!started_) {
      started_ = true;
      next_adapt_s_ = s.now_s;
      next_dial_s_ = s.now_s;
    }
    // The adapter's 1-s loop; catch up on loops missed between calls.
    while (next_adapt_s_ <= s.now_s) {
      adapt_loop(s);
      next_adapt_s_ += kAdaptPeriodS;
    }
    if (s.now_s < next_dial_s_) return 0;
    while (next_dial_s_ <= s.now_s) next_dial_s_ += kDialLoopS;
    return dial_loop(s);
  }

  std::optional<double> wakeup_at(double now_s) const override {
    if (!started_) return std::nullopt;
    return next_dial_s_ > now_s ? next_dial_s_ : now_s;
  }

 private:
  // AST_VDauto_dial.pl: goal = sprintf("%.0f", level × agents) (lines 1206,
  // 1228) over non-paused agents (line 516); calls = goal − existing (line 1427)
  // where existing counts SENT, RINGING, LIVE and XFER calls (line 1397).
  std::size_t dial_loop(const PacerSnapshot& s) const {
    const std::size_t agents = s.idle_s.size() + s.talking_s.size();
    if (agents == 0) return 0;
    const double goal = std::nearbyint(level_ * static_cast<double>(agents));
    const std::size_t existing = s.ringing_s.size() + s.waiting_s.size() + s.talking_s.size();
    return top_up(static_cast<std::size_t>(goal), existing);
  }

  // AST_VDadapt.pl's master loop for one campaign: count_agents_lines, then
  // calculate_drops when its counter reaches 60 (it starts at 61, line 128, so
  // the first pass runs at once), then calculate_dial_level when its counter
  // reaches 15 — both only while the average agent count is positive.
  void adapt_loop(const PacerSnapshot& s) {
    count_agents_lines(s);
    if (total_avg_ > 0) {
      if (drop_count_updater_ >= kDropStatsLoops) {
        calculate_drops(s);
        drop_count_updater_ = 0;
      }
      if (diff_ratio_updater_ >= kLevelUpdateLoops) {
        calculate_dial_level(s);
        diff_ratio_updater_ = 0;
      }
    }
    ++drop_count_updater_;
    ++diff_ratio_updater_;
  }

  // One sample of READY agents, LIVE calls and all logged-in agents; the
  // averages run over the last 15 samples (fewer at start), line 2730.
  void count_agents_lines(const PacerSnapshot& s) {
    const std::size_t slot = samples_ % kStatSamples;
    ready_[slot] = static_cast<double>(s.idle_s.size());
    waiting_[slot] = static_cast<double>(s.waiting_s.size());
    total_[slot] = static_cast<double>(s.agents_working() + s.on_break);
    ++samples_;
    const std::size_t n = samples_ < kStatSamples ? samples_ : kStatSamples;
    double ready = 0, waiting = 0, total = 0;
    for (std::size_t i = 0; i < n; ++i) {
      ready += ready_[i];
      waiting += waiting_[i];
      total += total_[i];
    }
    const double count = static_cast<double>(n);
    differential_ = ready / count - waiting / count;
    total_avg_ = total / count;
  }

  // Today's drops over human answers (line 3927) and the last minute's drops
  // over calls (line 3104), each rounded to 2 decimals as VICIdial prints them.
  void calculate_drops(const PacerSnapshot& s) {
    calls_today_ = s.placed_today;
    drops_answers_today_pct_ = 0;
    if (s.dropped_today > 0) {
      const double answers = s.answered_today < 1 ? 1.0 : static_cast<double>(s.answered_today);
      drops_answers_today_pct_ = round_to(100.0 * static_cast<double>(s.dropped_today) / answers, 2);
    }
    calls_one_ = s.placed_today >= last_placed_ ? s.placed_today - last_placed_ : 0;
    const std::uint64_t drops_one =
        s.dropped_today >= last_dropped_ ? s.dropped_today - last_dropped_ : 0;
    drops_one_pct_ = 0;
    if (calls_one_ > 0 && drops_one > 0) {
      drops_one_pct_ =
          round_to(100.0 * static_cast<double>(drops_one) / static_cast<double>(calls_one_), 2);
    }
    last_placed_ = s.placed_today;
    last_dropped_ = s.dropped_today;
  }

  // calculate_dial_level (line 6777 on): scale the level by the differential
  // as a share of the agents, clamp to [1, max], then the drop rules, then the
  // final floor at 1.0.
  void calculate_dial_level(const PacerSnapshot& s) {
    const double target = differential_ + kDiffTarget;                // line 6889
    const double pct_raw = 100.0 * target / total_avg_;               // line 6892
    const double intensity = kIntensity / 100.0;                      // lines 6903-6912
    const double pct = pct_raw < 0 ? pct_raw * std::fabs(intensity - 1) : pct_raw * (intensity + 1);
    double level = round_to(level_ * (pct / 100.0 + 1.0), 3);         // lines 6919-6920
    if (level > kMaxLevel) level = kMaxLevel;                         // lines 6950-6959
    if (level < 1.0) level = 1.0;

    // The drop rules, lines 6968-6998.
    if (calls_one_ > 20 && drops_one_pct_ > 50) level /= 2;
    if (calls_today_ > 50 && drops_answers_today_pct_ > kDropLimitPct) {
      // tapered_rate = (latest server time − HHMM) / 1000, at most 1, on raw
      // HHMM integers (lines 6922-6929); past the latest time: back to 1.0.
      const int hours_left = kLatestServerTime - hhmm(s.time_of_day_s);
      const double tapered_rate = hours_left > 1000 ? 1.0 : hours_left / 1000.0;
      level = hours_left < 0 ? 1.0 : level * tapered_rate;
    }
    if (level < 1.0) level = 1.0;
    level_ = level;
  }

  static int hhmm(double time_of_day_s) {
    const auto secs = static_cast<std::int64_t>(std::floor(time_of_day_s)) % 86400;
    const auto s = secs < 0 ? secs + 86400 : secs;
    return static_cast<int>(s / 3600 * 100 + s % 3600 / 60);
  }

  bool started_ = false;
  double next_adapt_s_ = 0;
  double next_dial_s_ = 0;
  double level_ = 1.0;  // the campaign's auto_dial_level; VICIdial starts at 1.0

  double ready_[kStatSamples] = {};
  double waiting_[kStatSamples] = {};
  double total_[kStatSamples] = {};
  std::size_t samples_ = 0;
  double differential_ = 0;
  double total_avg_ = 0;

  int drop_count_updater_ = 61;
  int diff_ratio_updater_ = 0;
  std::uint64_t calls_today_ = 0;
  double drops_answers_today_pct_ = 0;
  std::uint64_t calls_one_ = 0;
  double drops_one_pct_ = 0;
  std::uint64_t last_placed_ = 0;
  std::uint64_t last_dropped_ = 0;
};

}  // namespace

std::unique_ptr<Pacer> make_vicidial_tapered() { return std::make_unique<VicidialTaperedPacer>(); }

}  // namespace dialer::pacing
