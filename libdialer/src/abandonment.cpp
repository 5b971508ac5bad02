#include "dialer/abandonment.hpp"

#include <algorithm>

namespace dialer {

std::int64_t AbandonmentMeter::day_of(WallTime t) const {
  const auto shifted = t + day_offset_;
  return std::chrono::floor<std::chrono::days>(shifted.time_since_epoch()).count();
}

void AbandonmentMeter::record(WallTime at, bool abandoned) {
  const std::int64_t day = day_of(at);
  Bucket& b = buckets_[static_cast<std::size_t>(((day % kDays) + kDays) % kDays)];
  // A bucket last used a month (or more) ago starts again.
  if (b.day != day) b = Bucket{day, {}};
  ++b.counts.answered;
  if (abandoned) ++b.counts.abandoned;
}

void AbandonmentMeter::set_day(std::int64_t day, Counts counts) {
  Bucket& b = buckets_[static_cast<std::size_t>(((day % kDays) + kDays) % kDays)];
  if (b.day > day) return;
  b = Bucket{day, counts};
}

AbandonmentMeter::Counts AbandonmentMeter::last_days(WallTime now, int days) const {
  days = std::clamp(days, 1, kDays);
  const std::int64_t last = day_of(now);
  Counts total;
  for (const Bucket& b : buckets_) {
    if (b.day > last - days && b.day <= last) {
      total.answered += b.counts.answered;
      total.abandoned += b.counts.abandoned;
    }
  }
  return total;
}

}  // namespace dialer
