// The pacing policies behind make_pacer(), one factory per file. Private to
// the library; tests reach the policies through make_pacer() only.
#pragma once

#include <memory>

#include "dialer/pacer.hpp"

namespace dialer::pacing {

/// progressive.cpp: ringing + waiting calls = idle agents.
std::unique_ptr<Pacer> make_progressive();
/// ratio.cpp: ceil(ratio × idle agents) calls ringing or waiting.
/// Requires: 1 <= ratio <= 50 (make_pacer checks).
std::unique_ptr<Pacer> make_ratio(double ratio);
/// vicidial_tapered.cpp: VICIdial's ADAPT_TAPERED level and 2.5-s dial loop.
std::unique_ptr<Pacer> make_vicidial_tapered();
/// predictive.cpp: the model-based pacer.
std::unique_ptr<Pacer> make_predictive();

/// Calls needed to bring `in_flight` (ringing + waiting) up to `want`; 0 when
/// already there.
inline std::size_t top_up(std::size_t want, std::size_t in_flight) {
  return want > in_flight ? want - in_flight : 0;
}

}  // namespace dialer::pacing
