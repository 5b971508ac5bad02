// Time, injected. The core never reads the system clock itself: the engine asks
// its Clock once per input, so the same inputs at the same times give the same
// outputs, and a simulation can run a shift in milliseconds.
//
// Two readings, as in Envoy's TimeSource: monotonic time for timeouts (wrap-up,
// busy reset, pacing windows), wall time for what people read (call log
// timestamps, calling hours).
//
// Timers: the library owns no threads and never sleeps. Whatever is
// time-driven exposes its next deadline (`Engine::next_deadline()`); the host
// calls `Engine::on_timer()` when that deadline has passed — an Asio
// steady_timer in a server, a loop over testing::ManualClock in tests and
// simulations (see testing/virtual_time.hpp).
//
// Thread-safety: SystemClock is thread-safe. Implementations used by an engine
// are called only from that engine's thread.
#pragma once

#include <chrono>

namespace dialer {

using SteadyTime = std::chrono::steady_clock::time_point;
using WallTime = std::chrono::system_clock::time_point;
using Seconds = std::chrono::seconds;

class Clock {
 public:
  virtual ~Clock() = default;
  /// Monotonic time; never goes back.
  virtual SteadyTime steady_now() const noexcept = 0;
  /// Calendar time, for records and people.
  virtual WallTime wall_now() const noexcept = 0;
};

/// The real clocks of the machine.
class SystemClock final : public Clock {
 public:
  SteadyTime steady_now() const noexcept override { return std::chrono::steady_clock::now(); }
  WallTime wall_now() const noexcept override { return std::chrono::system_clock::now(); }
};

}  // namespace dialer
