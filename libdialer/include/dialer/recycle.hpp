// Recycling: when a lead whose call ended without a conversation may be called
// again. Busy and no-answer come back after 5 minutes by default (the
// product's seed); every outcome has its own delay and its own cap on the
// lead's attempts; invalid numbers and completed calls never come back.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>

#include "dialer/call.hpp"
#include "dialer/clock.hpp"
#include "dialer/error.hpp"

namespace dialer {

/// How one outcome is recycled.
struct RecycleRule {
  /// Not recycled at all when false.
  bool recycle = true;
  /// Wait this long before the lead may be claimed again.
  std::chrono::seconds delay{300};
  /// Recycled only while the lead has had fewer attempts than this; 0: only
  /// the campaign's max_attempts applies.
  std::uint32_t max_attempts = 0;
};

struct RecyclePolicy {
  RecycleRule busy{true, std::chrono::seconds{300}, 0};
  RecycleRule no_answer{true, std::chrono::seconds{300}, 0};
  /// Congestion and failed originates: the network's fault, retried later.
  RecycleRule failed{true, std::chrono::seconds{900}, 0};
  /// Answered with no agent free: the person was abandoned once already; call
  /// back later rather than soon.
  RecycleRule dropped{true, std::chrono::seconds{3600}, 2};
  /// An answering machine: try again at another time of day.
  RecycleRule machine{true, std::chrono::seconds{7200}, 0};
  /// Attempts allowed per lead over its whole life, whatever the outcomes. 0: no cap.
  std::uint32_t max_attempts = 5;
};

/// Errors: Errc::invalid_argument (a negative delay).
Result<void> validate_recycle_policy(const RecyclePolicy& policy);

/// When a lead may be claimed again after a call that ended with `outcome`,
/// `attempts` calls having been placed to it (this one included); nullopt
/// when the outcome is final for it. Completed and invalid-number calls are
/// always final; cancelled and lost calls were never really attempted and are
/// ready at once.
std::optional<WallTime> recycle_at(const RecyclePolicy& policy, CallOutcome outcome,
                                   std::uint32_t attempts, WallTime now);

}  // namespace dialer
