#include "dialer/calling_hours.hpp"

#include <date/tz.h>

#include <algorithm>
#include <exception>
#include <functional>
#include <string>
#include <unordered_map>

namespace dialer {
namespace {

using std::chrono::minutes;

// The zone, or nullptr when the database does not know the name: date's
// locate_zone throws for unknown names, and nothing may throw from here.
const date::time_zone* find_zone(std::string_view name) {
  if (name.empty()) return nullptr;
  try {
    return date::locate_zone(name);
  } catch (const std::exception&) {
    return nullptr;
  }
}

// A zone and its offset from UTC over the span of time the offset holds for.
struct ZoneSpan {
  const date::time_zone* zone = nullptr;
  date::sys_seconds begin, end;
  std::chrono::seconds offset{0};
};

struct NameHash {
  using is_transparent = void;
  std::size_t operator()(std::string_view s) const noexcept {
    return std::hash<std::string_view>{}(s);
  }
};

// Finding a zone by name and its offset at an instant are a search each, and
// the engine asks about the same zones at nearby instants: for every call it
// places, and for every zone at each hopper refill. So each thread remembers
// the zones it found, each with the last offset span it looked up. Unknown
// names are not remembered (nothing bounds them): they are looked up again
// each time, as before.
ZoneSpan* remembered_zone(std::string_view name) {
  thread_local std::unordered_map<std::string, ZoneSpan, NameHash, std::equal_to<>> known;
  // The gate asks twice per call (known? inside the hours?), mostly about one
  // zone: the last answer is compared before the name is hashed. (The map's
  // keys and values stay where they are.)
  thread_local std::string_view last_name;
  thread_local ZoneSpan* last = nullptr;
  if (last != nullptr && name == last_name) return last;
  auto it = known.find(name);
  if (it == known.end()) {
    const date::time_zone* zone = find_zone(name);
    if (zone == nullptr) return nullptr;
    it = known.emplace(std::string(name), ZoneSpan{zone, {}, {}, {}}).first;
  }
  last_name = it->first;
  last = &it->second;
  return last;
}

// The zone with its offset at `now` (what zone->get_info(now) gives), or
// nullptr for an unknown name.
const ZoneSpan* zone_at(std::string_view name, WallTime now) {
  ZoneSpan* z = remembered_zone(name);
  if (z == nullptr) return nullptr;
  const auto second = std::chrono::floor<std::chrono::seconds>(now);
  if (second < z->begin || second >= z->end) {
    const date::sys_info info = z->zone->get_info(second);
    z->begin = info.begin;
    z->end = info.end;
    z->offset = info.offset;
  }
  return z;
}

// Local midnight of the local day `day` plus `offset`, as a UTC instant. A
// local time that does not exist (inside a spring-forward gap) is moved to the
// first instant after the gap; an ambiguous one (fall back) takes the earlier.
WallTime instant_at(const date::time_zone& zone, date::local_days day, minutes offset) {
  const date::local_time<std::chrono::seconds> local{day + offset};
  const date::local_info info = zone.get_info(local);
  if (info.result == date::local_info::nonexistent) return info.second.begin;
  return std::chrono::time_point_cast<WallTime::duration>(zone.to_sys(local, date::choose::earliest));
}

}  // namespace

Result<void> validate_calling_hours(const CallingHours& hours) {
  if (hours.start < minutes{0} || hours.end > minutes{24 * 60} || hours.start >= hours.end) {
    return Error{Errc::invalid_argument,
                 "calling hours must satisfy 00:00 <= start < end <= 24:00"};
  }
  return ok();
}

bool is_known_time_zone(std::string_view time_zone) {
  return remembered_zone(time_zone) != nullptr;
}

bool within_calling_hours(std::string_view time_zone, WallTime now, const CallingHours& hours) {
  const ZoneSpan* zone = zone_at(time_zone, now);
  if (zone == nullptr) return false;
  // What zone->to_local(now) computes, with the offset remembered.
  const date::local_time<WallTime::duration> local{now.time_since_epoch() + zone->offset};
  const auto time_of_day = std::chrono::duration_cast<minutes>(local - date::floor<date::days>(local));
  return time_of_day >= hours.start && time_of_day < hours.end;
}

Result<WallTime> next_calling_window(std::string_view time_zone, WallTime now,
                                     const CallingHours& hours) {
  const date::time_zone* zone = find_zone(time_zone);
  if (zone == nullptr) {
    return Error{Errc::invalid_argument,
                 "unknown time zone \"" + std::string(time_zone.substr(0, 64)) + "\""};
  }
  if (within_calling_hours(time_zone, now, hours)) return now;
  const date::local_days today = date::floor<date::days>(zone->to_local(now));
  // Today's opening if it is still ahead, else tomorrow's (and the day after,
  // should a time change push tomorrow's opening back before now).
  for (int d = 0; d < 3; ++d) {
    const WallTime opening = instant_at(*zone, today + date::days{d}, hours.start);
    if (opening >= now) return opening;
  }
  return instant_at(*zone, today + date::days{3}, hours.start);
}

const std::vector<std::string>& all_time_zones() {
  static const std::vector<std::string> names = [] {
    std::vector<std::string> out;
    try {
      const date::tzdb& db = date::get_tzdb();
      for (const auto& zone : db.zones) out.emplace_back(zone.name());
    } catch (const std::exception&) {
      // No readable tz database: no zone is known, so nobody is callable.
    }
    std::sort(out.begin(), out.end());
    return out;
  }();
  return names;
}

std::vector<std::string> zones_within_calling_hours(std::span<const std::string> zones,
                                                    WallTime now, const CallingHours& hours) {
  std::vector<std::string> out;
  for (const std::string& z : zones) {
    if (within_calling_hours(z, now, hours)) out.push_back(z);
  }
  return out;
}

}  // namespace dialer
