// Calling hours in the lead's own time zone, recycling, and abandonment windows.
#include <doctest/doctest.h>

#include <chrono>
#include <string>
#include <vector>

#include "dialer/abandonment.hpp"
#include "dialer/calling_hours.hpp"
#include "dialer/recycle.hpp"

using namespace dialer;
using namespace std::chrono_literals;

namespace {

// A UTC instant from a calendar date and time.
WallTime utc(int y, unsigned m, unsigned d, int hh, int mm = 0, int ss = 0) {
  using namespace std::chrono;
  const sys_days date = year{y} / month{m} / day{d};
  return WallTime{date.time_since_epoch() + hours{hh} + minutes{mm} + seconds{ss}};
}

}  // namespace

TEST_SUITE("calling hours") {
  TEST_CASE("the window is 08:00 to 21:00 in the lead's own time zone") {
    const CallingHours hours;
    // 2026-01-05 13:00 UTC is 08:00 in New York (EST, UTC-5) and 05:00 in Los Angeles.
    const WallTime t = utc(2026, 1, 5, 13);
    CHECK(within_calling_hours("America/New_York", t, hours));
    CHECK_FALSE(within_calling_hours("America/Los_Angeles", t, hours));
    CHECK_FALSE(within_calling_hours("America/New_York", t - 1s, hours));
    // 21:00 is outside (the end is exclusive); 20:59:59 is inside.
    CHECK_FALSE(within_calling_hours("America/New_York", utc(2026, 1, 6, 2), hours));
    CHECK(within_calling_hours("America/New_York", utc(2026, 1, 6, 1, 59, 59), hours));
  }

  TEST_CASE("an unknown or empty time zone is never inside the window") {
    const CallingHours hours;
    const WallTime t = utc(2026, 1, 5, 15);
    CHECK_FALSE(within_calling_hours("", t, hours));
    CHECK_FALSE(within_calling_hours("Mars/Olympus_Mons", t, hours));
    CHECK_FALSE(within_calling_hours("America/New_York\n", t, hours));
    CHECK(next_calling_window("Mars/Olympus_Mons", t, hours).error().code ==
          Errc::invalid_argument);
    CHECK(is_known_time_zone("Europe/London"));
    CHECK_FALSE(is_known_time_zone("Europe/Londonn"));
  }

  TEST_CASE("the window follows daylight saving time changes") {
    const CallingHours hours;
    // US DST began 2026-03-08: New York is UTC-5 before, UTC-4 after.
    CHECK(within_calling_hours("America/New_York", utc(2026, 3, 7, 13), hours));   // 08:00 EST
    CHECK_FALSE(within_calling_hours("America/New_York", utc(2026, 3, 9, 11, 59), hours));  // 07:59 EDT
    CHECK(within_calling_hours("America/New_York", utc(2026, 3, 9, 12), hours));   // 08:00 EDT
    // DST ended 2026-11-01: 20:30 EST is 01:30 UTC the next day.
    CHECK(within_calling_hours("America/New_York", utc(2026, 11, 2, 1, 30), hours));
    CHECK_FALSE(within_calling_hours("America/New_York", utc(2026, 11, 2, 2), hours));
  }

  TEST_CASE("the next window opens at the next local 08:00") {
    const CallingHours hours;
    // 22:00 in New York on Jan 5 (03:00 UTC Jan 6): next is 08:00 EST Jan 6 = 13:00 UTC.
    CHECK(next_calling_window("America/New_York", utc(2026, 1, 6, 3), hours).value() ==
          utc(2026, 1, 6, 13));
    // 06:00 local: later the same day.
    CHECK(next_calling_window("America/New_York", utc(2026, 1, 6, 11), hours).value() ==
          utc(2026, 1, 6, 13));
    // Inside: now.
    CHECK(next_calling_window("America/New_York", utc(2026, 1, 6, 15), hours).value() ==
          utc(2026, 1, 6, 15));
    // Across the spring change: Saturday 22:00 EST → Sunday 08:00 EDT (12:00 UTC).
    CHECK(next_calling_window("America/New_York", utc(2026, 3, 8, 3), hours).value() ==
          utc(2026, 3, 8, 12));
    // Half-hour zones: 08:00 in Kolkata (UTC+5:30) is 02:30 UTC.
    CHECK(next_calling_window("Asia/Kolkata", utc(2026, 1, 5, 0), hours).value() ==
          utc(2026, 1, 5, 2, 30));
  }

  TEST_CASE("a window that opens inside a daylight saving gap opens when the gap ends") {
    // Europe/London jumps from 01:00 to 02:00 on 2026-03-29: a 01:30 opening
    // does not exist that day, so the window opens at 02:00 BST (01:00 UTC).
    const CallingHours night{std::chrono::minutes{90}, std::chrono::minutes{180}};
    CHECK(next_calling_window("Europe/London", utc(2026, 3, 28, 23), night).value() ==
          utc(2026, 3, 29, 1));
  }

  TEST_CASE("claims can be limited to the zones inside the window") {
    const std::vector<std::string> zones{"America/New_York", "America/Los_Angeles",
                                         "Europe/London", "", "Nowhere/At_All"};
    const auto inside = zones_within_calling_hours(zones, utc(2026, 1, 5, 14), CallingHours{});
    CHECK(inside == std::vector<std::string>{"America/New_York", "Europe/London"});
  }

  TEST_CASE("calling hours must be a non-empty window within one day") {
    CHECK(validate_calling_hours({}));
    CHECK(validate_calling_hours({0min, 24h}));
    CHECK_FALSE(validate_calling_hours({21h, 8h}));
    CHECK_FALSE(validate_calling_hours({8h, 8h}));
    CHECK_FALSE(validate_calling_hours({-1min, 8h}));
    CHECK_FALSE(validate_calling_hours({8h, 25h}));
  }
}

TEST_SUITE("recycle") {
  TEST_CASE("busy and no answer come back after 5 minutes by default") {
    const RecyclePolicy p;
    const WallTime now = utc(2026, 1, 5, 15);
    CHECK(recycle_at(p, CallOutcome::busy, 1, now) == now + 5min);
    CHECK(recycle_at(p, CallOutcome::no_answer, 1, now) == now + 5min);
    CHECK(recycle_at(p, CallOutcome::failed, 1, now) == now + 15min);
    CHECK(recycle_at(p, CallOutcome::dropped, 1, now) == now + 1h);
  }

  TEST_CASE("completed calls and invalid numbers are never recycled") {
    const RecyclePolicy p;
    const WallTime now = utc(2026, 1, 5, 15);
    CHECK_FALSE(recycle_at(p, CallOutcome::completed, 1, now));
    CHECK_FALSE(recycle_at(p, CallOutcome::invalid_number, 1, now));
  }

  TEST_CASE("cancelled and lost calls are ready again at once") {
    const WallTime now = utc(2026, 1, 5, 15);
    CHECK(recycle_at(RecyclePolicy{}, CallOutcome::cancelled, 9, now) == now);
    CHECK(recycle_at(RecyclePolicy{}, CallOutcome::lost, 9, now) == now);
  }

  TEST_CASE("the per-lead and per-outcome attempt caps stop recycling") {
    RecyclePolicy p;
    p.max_attempts = 3;
    p.busy.max_attempts = 2;
    const WallTime now = utc(2026, 1, 5, 15);
    CHECK(recycle_at(p, CallOutcome::no_answer, 2, now));
    CHECK_FALSE(recycle_at(p, CallOutcome::no_answer, 3, now));
    CHECK(recycle_at(p, CallOutcome::busy, 1, now));
    CHECK_FALSE(recycle_at(p, CallOutcome::busy, 2, now));
    p.no_answer.recycle = false;
    CHECK_FALSE(recycle_at(p, CallOutcome::no_answer, 1, now));
    p.max_attempts = 0;  // no lead cap
    CHECK(recycle_at(p, CallOutcome::failed, 100, now));
  }

  TEST_CASE("a negative delay is refused") {
    RecyclePolicy p;
    CHECK(validate_recycle_policy(p));
    p.failed.delay = -1s;
    CHECK(validate_recycle_policy(p).error().code == Errc::invalid_argument);
  }
}

TEST_SUITE("abandonment") {
  TEST_CASE("the day's rate counts abandoned calls over live answers of that day") {
    AbandonmentMeter m;
    const WallTime day1 = utc(2026, 1, 5, 10);
    for (int i = 0; i < 97; ++i) m.record(day1, false);
    for (int i = 0; i < 3; ++i) m.record(day1 + 1h, true);
    CHECK(m.today(day1 + 2h).answered == 100);
    CHECK(m.today(day1 + 2h).rate() == doctest::Approx(0.03));
    // The next day starts at zero.
    CHECK(m.today(utc(2026, 1, 6, 0)).answered == 0);
    CHECK(m.today(utc(2026, 1, 6, 0)).rate() == 0.0);
  }

  TEST_CASE("the rolling window spans whole days and forgets older ones") {
    AbandonmentMeter m;
    m.record(utc(2026, 1, 1, 12), true);  // day 1
    for (int i = 0; i < 9; ++i) m.record(utc(2026, 1, 20, 12), false);
    const WallTime jan30 = utc(2026, 1, 30, 12);
    CHECK(m.last_days(jan30, 30).answered == 10);
    CHECK(m.last_days(jan30, 30).abandoned == 1);
    CHECK(m.last_days(jan30, 30).rate() == doctest::Approx(0.1));
    // 30 days ending Jan 31 no longer include Jan 1.
    CHECK(m.last_days(utc(2026, 1, 31, 12), 30).abandoned == 0);
    // A month later the bucket of Jan 1 is reused for Feb 1, not added to.
    m.record(utc(2026, 2, 1, 12), false);
    CHECK(m.today(utc(2026, 2, 1, 13)).answered == 1);
    CHECK(m.today(utc(2026, 2, 1, 13)).abandoned == 0);
  }

  TEST_CASE("days follow the campaign's reporting offset") {
    AbandonmentMeter ny{-5h};
    ny.record(utc(2026, 1, 6, 3), true);  // 22:00 Jan 5 in New York
    CHECK(ny.today(utc(2026, 1, 5, 20)).abandoned == 1);
    CHECK(ny.today(utc(2026, 1, 6, 6)).abandoned == 0);
  }
}
