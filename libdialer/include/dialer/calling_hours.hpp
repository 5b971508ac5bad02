// Calling hours: the window of the called person's own local time in which a
// dialer may call them (8:00 to 21:00 by default, as US rules put it). Local
// time comes from the system's time-zone database (IANA names such as
// "America/New_York") through Howard Hinnant's date/tz library, so daylight
// saving changes are handled by the data, not by hand-written offsets.
//
// A lead whose time zone is unknown is never inside calling hours.
//
// Thread-safety: free functions, safe from any thread.
#pragma once

#include <chrono>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "dialer/clock.hpp"
#include "dialer/error.hpp"

namespace dialer {

struct CallingHours {
  /// Local time of day the window opens (inclusive). Default 08:00.
  std::chrono::minutes start{8 * 60};
  /// Local time of day the window closes (exclusive). Default 21:00.
  std::chrono::minutes end{21 * 60};
};

/// Errors: Errc::invalid_argument unless 0 <= start < end <= 24:00.
Result<void> validate_calling_hours(const CallingHours& hours);

/// Whether `time_zone` names a zone of the time-zone database.
bool is_known_time_zone(std::string_view time_zone);

/// Whether `now` falls inside the window in `time_zone`. An empty or unknown
/// zone is outside. Errors: none (unknown zones are simply outside).
bool within_calling_hours(std::string_view time_zone, WallTime now, const CallingHours& hours);

/// The first instant at or after `now` inside the window in `time_zone`: `now`
/// itself when inside. Errors: Errc::invalid_argument for an empty or unknown zone.
Result<WallTime> next_calling_window(std::string_view time_zone, WallTime now,
                                     const CallingHours& hours);

/// Every zone name of the time-zone database, sorted (read once, then cached).
const std::vector<std::string>& all_time_zones();

/// The zones of `zones` inside the window now (for ClaimRequest::time_zones).
std::vector<std::string> zones_within_calling_hours(std::span<const std::string> zones,
                                                    WallTime now, const CallingHours& hours);

}  // namespace dialer
