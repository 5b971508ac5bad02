#include "dialer/abandonment.hpp"

#include <algorithm>

namespace dialer {

std::int64_t AbandonmentMeter::day_of(WallTime t, std::chrono::minutes day_offset) {
  return std::chrono::floor<std::chrono::days>((t + day_offset).time_since_epoch()).count();
}

AbandonmentMeter::Bucket& AbandonmentMeter::bucket_for(std::int64_t day) {
  return buckets_[static_cast<std::size_t>(((day % kDays) + kDays) % kDays)];
}

void AbandonmentMeter::record(WallTime at, bool abandoned) {
  const std::int64_t day = day_of(at);
  Bucket& b = bucket_for(day);
  // A bucket last used a month (or more) ago starts again.
  if (b.day != day) b = Bucket{day, {}};
  ++b.counts.answered;
  if (abandoned) ++b.counts.abandoned;
}

void AbandonmentMeter::set_day(std::int64_t day, Counts counts) {
  Bucket& b = bucket_for(day);
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
