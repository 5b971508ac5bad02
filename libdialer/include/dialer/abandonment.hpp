// Abandonment: dropped calls over live answers, the figure regulators cap
// (3% of live answers per campaign: over 30 days in the US, over 24 hours in
// the UK). The meter keeps one bucket per day and reports the current day
// and any rolling window of whole days up to 31, so a pacer can steer by
// both.
//
// Days are UTC days shifted by `day_offset` (e.g. -5 h for a campaign that
// reports on New York days; the offset is fixed, so a daylight-saving change
// moves the day boundary by an hour — acceptable for a rate).
//
// Thread-safety: a value; use from one thread.
#pragma once

#include <array>
#include <chrono>
#include <cstdint>

#include "dialer/clock.hpp"

namespace dialer {

class AbandonmentMeter {
 public:
  static constexpr int kDays = 31;

  explicit AbandonmentMeter(std::chrono::minutes day_offset = std::chrono::minutes{0})
      : day_offset_(day_offset) {}

  /// A live answer at `at`; `abandoned` when no agent took it in time.
  void record(WallTime at, bool abandoned);

  struct Counts {
    std::uint64_t answered = 0;
    std::uint64_t abandoned = 0;
    /// abandoned / answered; 0 when nothing was answered.
    double rate() const {
      return answered == 0 ? 0.0 : static_cast<double>(abandoned) / static_cast<double>(answered);
    }
  };

  /// The day that contains `now`.
  Counts today(WallTime now) const { return last_days(now, 1); }
  /// The `days` days ending with the one that contains `now` (1..kDays).
  Counts last_days(WallTime now, int days) const;

  /// The meter's day of an instant: days since the epoch of t + day_offset.
  std::int64_t day_of(WallTime t) const { return day_of(t, day_offset_); }
  static std::int64_t day_of(WallTime t, std::chrono::minutes day_offset);
  /// Replaces one day's counts (a day older than the meter keeps is ignored
  /// once a newer one shares its bucket): for counts read back from a store.
  void set_day(std::int64_t day, Counts counts);

 private:
  struct Bucket {
    std::int64_t day = -1;
    Counts counts;
  };
  Bucket& bucket_for(std::int64_t day);

  std::chrono::minutes day_offset_;
  std::array<Bucket, kDays> buckets_{};
};

}  // namespace dialer
