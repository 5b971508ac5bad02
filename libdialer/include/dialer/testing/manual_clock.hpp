// A clock that moves only when told to, for tests and simulations.
#pragma once

#include <chrono>

#include "dialer/clock.hpp"

namespace dialer::testing {

class ManualClock final : public Clock {
 public:
  /// Starts at `wall` (default: Monday 2026-01-05 17:00:00 UTC — noon in New
  /// York, 09:00 in Los Angeles: inside calling hours across the US) and at a
  /// monotonic time of one hour past the steady epoch.
  explicit ManualClock(WallTime wall = WallTime{std::chrono::seconds{1767632400}})
      : wall_(wall) {}

  SteadyTime steady_now() const noexcept override { return steady_; }
  WallTime wall_now() const noexcept override { return wall_; }

  /// Moves both readings forward. Requires: d >= 0.
  void advance(std::chrono::nanoseconds d) {
    steady_ += d;
    wall_ += std::chrono::duration_cast<WallTime::duration>(d);
  }
  /// Moves both readings forward to a monotonic instant. Requires: t >= steady_now().
  void advance_to(SteadyTime t) { advance(t - steady_); }

 private:
  SteadyTime steady_ = SteadyTime{std::chrono::hours{1}};
  WallTime wall_;
};

}  // namespace dialer::testing
