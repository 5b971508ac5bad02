// Running an engine on virtual time: every timer fires at exactly its own
// deadline, in order, however far the clock is moved.
#pragma once

#include <chrono>

#include "dialer/engine.hpp"
#include "dialer/testing/manual_clock.hpp"

namespace dialer::testing {

/// Advances `clock` by `d`, stopping at each of the engine's deadlines on the
/// way to fire its timers. Requires: `clock` is the engine's clock.
inline void advance(Engine& engine, ManualClock& clock, std::chrono::nanoseconds d) {
  const SteadyTime target = clock.steady_now() + d;
  while (auto due = engine.next_deadline()) {
    if (*due > target) break;
    if (*due > clock.steady_now()) clock.advance_to(*due);
    engine.on_timer();
  }
  clock.advance_to(target);
  engine.on_timer();
}

}  // namespace dialer::testing
