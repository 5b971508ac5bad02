// Properties of the pacing policies, through make_pacer(); the predictive
// pacer's foresight (a simulation-only option) and its answer-rate estimator
// through their private headers.
#include <doctest/doctest.h>

#include <algorithm>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "dialer/pacer.hpp"
#include "pacer/predictive.hpp"
#include "pacer/predictive_model.hpp"

using namespace dialer;

namespace {

std::unique_ptr<Pacer> pacer(const char* spec) {
  auto made = make_pacer(spec);
  REQUIRE(made.has_value());
  return std::move(made).value();
}

PacerSnapshot team(std::size_t idle, std::size_t talking = 0, std::size_t ringing = 0,
                   std::size_t waiting = 0) {
  PacerSnapshot s;
  s.idle_s.assign(idle, 5.0);
  s.talking_s.assign(talking, 60.0);
  s.ringing_s.assign(ringing, 3.0);
  s.waiting_s.assign(waiting, 0.5);
  s.dialable = 10000;
  s.time_of_day_s = 10 * 3600;
  return s;
}

const char* const kAllPolicies[] = {"progressive", "ratio:2.5", "vicidial-tapered", "predictive"};

}  // namespace

TEST_CASE("no policy places a call when no agent is logged in, or all are on a break") {
  for (const char* spec : kAllPolicies) {
    CAPTURE(spec);
    auto p = pacer(spec);
    for (int i = 0; i < 200; ++i) {
      PacerSnapshot s = team(0, 0, static_cast<std::size_t>(i % 3), 0);
      s.now_s = i * 0.5;
      s.on_break = static_cast<std::size_t>(i % 2) * 4;
      s.placed_today = static_cast<std::uint64_t>(i) * 10;
      CHECK(p->decide(s) == 0);
    }
  }
}

TEST_CASE("progressive keeps ringing plus waiting calls equal to idle agents") {
  auto p = pacer("progressive");
  CHECK(p->name() == "progressive");
  CHECK(p->decide(team(5, 3, 2, 1)) == 2);
  CHECK(p->decide(team(5, 0, 0, 0)) == 5);
  CHECK(p->decide(team(2, 4, 3, 0)) == 0);
  CHECK(p->decide(team(0, 6, 0, 0)) == 0);
}

TEST_CASE("ratio:R keeps ceil(R x idle agents) calls ringing or waiting") {
  auto p = pacer("ratio:2.5");
  CHECK(p->name() == "ratio:2.5");
  CHECK(p->decide(team(3, 0, 0, 0)) == 8);   // ceil(7.5)
  CHECK(p->decide(team(3, 2, 4, 1)) == 3);   // 8 - 5
  CHECK(p->decide(team(2, 0, 9, 0)) == 0);
  CHECK(p->decide(team(0, 5, 0, 0)) == 0);
  auto one = pacer("ratio:1");
  CHECK(one->decide(team(4, 0, 1, 0)) == 3);
  auto tenth = pacer("ratio:1.1");
  CHECK(tenth->decide(team(10, 0, 0, 0)) == 11);
}

TEST_CASE("make_pacer names what is wrong with a spec") {
  auto unknown = make_pacer("aggressive");
  REQUIRE_FALSE(unknown.has_value());
  CHECK(unknown.error().code == Errc::invalid_argument);
  CHECK(unknown.error().detail.find("unknown pacing policy \"aggressive\"") != std::string::npos);

  for (const char* bad : {"ratio:abc", "ratio:", "ratio:2x", "ratio:nan"}) {
    CAPTURE(bad);
    auto r = make_pacer(bad);
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().code == Errc::invalid_argument);
    CHECK(r.error().detail.find("must be a number") != std::string::npos);
  }
  for (const char* out : {"ratio:0.5", "ratio:50.5", "ratio:-2"}) {
    CAPTURE(out);
    auto r = make_pacer(out);
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().detail.find("between 1 and 50") != std::string::npos);
  }
  CHECK(make_pacer("ratio:50").has_value());
  CHECK(make_pacer("ratio:1").has_value());
}

TEST_CASE("pacer_policies lists every policy make_pacer builds") {
  const auto policies = pacer_policies();
  for (const char* spec : {"progressive", "ratio:R", "vicidial-tapered", "predictive"}) {
    CHECK(std::find(policies.begin(), policies.end(), spec) != policies.end());
  }
  for (const auto& spec : policies) {
    CAPTURE(spec);
    CHECK(make_pacer(spec == "ratio:R" ? "ratio:2" : spec).has_value());
  }
}

TEST_CASE("event kinds round-trip through their names") {
  for (auto k : {PacerEventKind::placed, PacerEventKind::live_answer, PacerEventKind::machine,
                 PacerEventKind::no_answer, PacerEventKind::failed, PacerEventKind::connected,
                 PacerEventKind::dropped, PacerEventKind::talk_end, PacerEventKind::wrapup_end,
                 PacerEventKind::break_end}) {
    PacerEventKind back{};
    REQUIRE(from_string(to_string(k), back));
    CHECK(back == k);
  }
  PacerEventKind out{};
  CHECK_FALSE(from_string("hangup", out));
}

// ---- vicidial-tapered: the dial level, read through the calls it places with
// 100 idle agents and nothing in flight (calls = round(level × 100)). ----

namespace {

struct Vici {
  std::unique_ptr<Pacer> p = pacer("vicidial-tapered");
  PacerSnapshot s = team(100);
  /// Runs decide() every 0.5 s up to `until` and returns the last dial loop's answer.
  std::size_t run_to(double until) {
    std::size_t last = 0;
    for (; s.now_s <= until + 1e-9; s.now_s += 0.5) {
      const std::size_t n = p->decide(s);
      if (n > 0) last = n;
    }
    return last;
  }
};

}  // namespace

TEST_CASE("vicidial-tapered dials every 2.5 s and places nothing in between") {
  Vici v;
  CHECK(v.p->decide(v.s) == 100);  // level 1.0 at once, as VICIdial starts
  for (double t : {0.5, 1.0, 1.5, 2.0}) {
    v.s.now_s = t;
    CHECK(v.p->decide(v.s) == 0);
  }
  v.s.now_s = 2.5;
  CHECK(v.p->decide(v.s) == 100);
}

TEST_CASE("vicidial-tapered raises its level by the share of idle agents every 15 s, up to 3.0") {
  Vici v;
  CHECK(v.run_to(14.5) == 100);
  CHECK(v.run_to(15.0) == 200);  // differential 100 of 100 agents: ×2
  CHECK(v.run_to(29.5) == 200);
  CHECK(v.run_to(30.0) == 300);  // ×2 again, capped at 3.0
  CHECK(v.run_to(60.0) == 300);
}

TEST_CASE("vicidial-tapered holds its level when no agent is idle") {
  Vici v;
  v.s = team(0, 100);
  v.s.now_s = 0;
  // goal = round(1.0 × 100 talking) − 100 connected = 0, every loop.
  for (; v.s.now_s < 120; v.s.now_s += 0.5) CHECK(v.p->decide(v.s) == 0);
  // With the agents idle again the level starts from 1.0, not higher.
  v.s.idle_s.assign(100, 1.0);
  v.s.talking_s.clear();
  // (the 15-sample average then holds one idle sample: 1.0 × (1 + 100/15/100))
  CHECK(v.run_to(122.5) == 107);
}

TEST_CASE("vicidial-tapered tapers its level by the time of day when today's drops pass 3%") {
  SUBCASE("at 13:00 the level is multiplied by 0.4") {
    Vici v;
    v.s.time_of_day_s = 13 * 3600;
    CHECK(v.run_to(59.5) == 300);
    v.s.placed_today = 3000;
    v.s.answered_today = 1000;
    v.s.dropped_today = 40;  // 4% of answers
    CHECK(v.run_to(60.0) == 120);  // 3.0 × (1700 − 1300) / 1000
  }
  SUBCASE("at 16:59 the taper would go under 1.0, which is the floor") {
    Vici v;
    v.s.time_of_day_s = 16 * 3600 + 59 * 60;
    CHECK(v.run_to(59.5) == 300);
    v.s.placed_today = 3000;
    v.s.answered_today = 1000;
    v.s.dropped_today = 40;
    CHECK(v.run_to(60.0) == 100);
  }
  SUBCASE("past 17:00 the level resets to 1.0") {
    Vici v;
    v.s.time_of_day_s = 17 * 3600 + 60;
    CHECK(v.run_to(59.5) == 300);
    v.s.placed_today = 3000;
    v.s.answered_today = 1000;
    v.s.dropped_today = 40;
    CHECK(v.run_to(60.0) == 100);
  }
  SUBCASE("at exactly 3% nothing happens") {
    Vici v;
    CHECK(v.run_to(59.5) == 300);
    v.s.placed_today = 3000;
    v.s.answered_today = 1000;
    v.s.dropped_today = 30;
    CHECK(v.run_to(60.0) == 300);
  }
  SUBCASE("not before 50 calls today") {
    Vici v;
    CHECK(v.run_to(59.5) == 300);
    v.s.placed_today = 50;
    v.s.answered_today = 20;
    v.s.dropped_today = 10;
    CHECK(v.run_to(60.0) == 300);
  }
}

TEST_CASE("vicidial-tapered halves its level when over half of the last minute's calls dropped") {
  Vici v;
  CHECK(v.run_to(59.5) == 300);
  v.s.placed_today = 30;     // > 20 calls in the last minute
  v.s.answered_today = 10000;
  v.s.dropped_today = 16;    // 53% of them, but 0.16% of today's answers
  CHECK(v.run_to(60.0) == 150);
  // 20 calls are not enough for the rule.
  Vici w;
  CHECK(w.run_to(59.5) == 300);
  w.s.placed_today = 20;
  w.s.answered_today = 10000;
  w.s.dropped_today = 15;
  CHECK(w.run_to(60.0) == 300);
}

// ---- predictive ----

namespace {

/// Feeds `calls` placements at 10 per second from `start_s`, a `live_share`
/// of them answered live after 8 s and the rest failing after 4 s, then a
/// talk and wrap-up for each live one.
void teach(Pacer& p, double start_s, int calls, double live_share) {
  std::uint64_t id = 1000;
  int live = 0;
  for (int i = 0; i < calls; ++i) {
    const double t = start_s + i * 0.1;
    p.observe({PacerEventKind::placed, t, ++id, 0, 0});
    const bool is_live = (i + 1) * live_share >= live + 1;
    if (is_live) {
      ++live;
      p.observe({PacerEventKind::live_answer, t, id, 0, 8});
      p.observe({PacerEventKind::talk_end, t, id, 1, 120});
      p.observe({PacerEventKind::wrapup_end, t, id, 1, 15});
    } else {
      p.observe({PacerEventKind::failed, t, id, 0, 4});
    }
  }
}

}  // namespace

TEST_CASE("after a fall in the answer rate, the estimate restarts no lower than half the old rate") {
  dialer::pacing::AnswerRateEstimator rate(dialer::pacing::AnswerRateEstimator::Options{});
  double t = 0;
  std::uint64_t call = 0;
  const auto place = [&](bool live) {
    rate.placed(++call, t);
    rate.resolved(call, live);
    t += 1;
    rate.mature(t);
  };
  for (int i = 0; i < 2000; ++i) place(i % 10 < 3);  // 30% live
  REQUIRE(rate.rate() == doctest::Approx(0.3).epsilon(0.05));
  const double before = rate.rate();
  // A run of failures: the fall detector fires on a segment with no live
  // answer at all, whose own rate (0) would have the pacer fill every line.
  while (rate.changes_detected() == 0 && call < 2300) place(false);
  REQUIRE(rate.changes_detected() == 1);
  CHECK(rate.rate() >= before / 2 * 0.9);
  CHECK(rate.rate() < before);
}

TEST_CASE("the drop rate that keeps an hour under its cap grows with the hour's answers") {
  using dialer::pacing::rate_within_cap;
  // 76 answers and a 5% cap: the 4th drop breaks it. P(Poisson(1.745) >= 4) = 0.1.
  CHECK(rate_within_cap(76, 0.05, 0.1) == doctest::Approx(1.7448 / 76).epsilon(1e-3));
  CHECK(rate_within_cap(76, 0.05, 0.1) < rate_within_cap(300, 0.05, 0.1));
  CHECK(rate_within_cap(300, 0.05, 0.1) < rate_within_cap(3000, 0.05, 0.1));
  CHECK(rate_within_cap(3000, 0.05, 0.1) > 0.045);  // a large team: near the cap itself
  CHECK(rate_within_cap(1e6, 0.05, 0.1) > 0.049);   // and no underflow on a huge one
  CHECK(rate_within_cap(1e6, 0.05, 0.1) < 0.05);
  CHECK(rate_within_cap(76, 0.05, 0.01) < rate_within_cap(76, 0.05, 0.1));
  CHECK(rate_within_cap(0, 0.05, 0.1) == 0.05);
}

TEST_CASE("predictive places more calls when more agents are idle") {
  auto few = pacer("predictive");
  auto many = pacer("predictive");
  teach(*few, 0, 400, 0.2);
  teach(*many, 0, 400, 0.2);
  PacerSnapshot s = team(3, 17);
  s.now_s = 100;
  const std::size_t n_few = few->decide(s);
  s = team(12, 8);
  s.now_s = 100;
  const std::size_t n_many = many->decide(s);
  CHECK(n_few >= 3);
  CHECK(n_many > n_few);
}

TEST_CASE("predictive places more calls per idle agent when the answer rate is low") {
  auto low = pacer("predictive");
  auto high = pacer("predictive");
  teach(*low, 0, 600, 0.08);
  teach(*high, 0, 600, 0.5);
  PacerSnapshot s = team(4, 16);
  s.now_s = 120;
  const std::size_t n_low = low->decide(s);
  const std::size_t n_high = high->decide(s);
  MESSAGE("8%: ", n_low, " calls, 50%: ", n_high);
  CHECK(n_high >= 4);  // never below progressive
  CHECK(n_low > n_high);
  CHECK(n_low > 4 * 3);  // at 8% live answers, several lines per idle agent
}

TEST_CASE("predictive backs off when the day's abandonment reaches the cap") {
  auto calm = pacer("predictive");
  auto over = pacer("predictive");
  teach(*calm, 0, 400, 0.2);
  teach(*over, 0, 400, 0.2);
  PacerSnapshot s = team(4, 16);
  s.now_s = 100;
  s.placed_today = 5000;
  s.answered_today = 1000;
  s.dropped_today = 10;
  const std::size_t n_calm = calm->decide(s);
  s.dropped_today = 30;  // 3.0%: no headroom left under the cap
  const std::size_t n_over = over->decide(s);
  MESSAGE("1%: ", n_calm, " calls, 3%: ", n_over);
  CHECK(n_over >= 4);  // still progressive
  CHECK(n_over < n_calm);
}

TEST_CASE("predictive backs off after a burst of observed drops") {
  auto calm = pacer("predictive");
  auto hit = pacer("predictive");
  teach(*calm, 0, 400, 0.2);
  teach(*hit, 0, 400, 0.2);
  // Six answered calls dropped within a minute, of 80 answers: far over 3%.
  for (int i = 0; i < 6; ++i) {
    hit->observe({PacerEventKind::dropped, 60.0 + i, static_cast<std::uint64_t>(9000 + i), 0, 2});
  }
  PacerSnapshot s = team(4, 16);
  s.now_s = 100;
  const std::size_t n_calm = calm->decide(s);
  const std::size_t n_hit = hit->decide(s);
  MESSAGE("no drops: ", n_calm, " calls, after the burst: ", n_hit);
  CHECK(n_hit >= 4);
  CHECK(n_hit < n_calm);
}

TEST_CASE("predictive's loop moves as slowly as the team's expected drops are few") {
  // The pace over 100 s of decisions, from the same start, with the loop's
  // window sized to the team's expected drops (the default) and at full
  // speed (a 10-min window for any team).
  const auto paces = [](const pacing::PredictiveOptions& options, int calls_taught) {
    auto p = pacing::make_predictive(options);
    teach(*p, 0, calls_taught, 0.2);
    std::vector<std::size_t> out;
    for (int t = 0; t <= 100; ++t) {
      PacerSnapshot s = team(4, 16);
      s.now_s = calls_taught * 0.1 + t;
      out.push_back(p->decide(s));
    }
    return out;
  };
  pacing::PredictiveOptions sized;
  pacing::PredictiveOptions full_speed;
  full_speed.control_drops = 0;
  // 80 answers in the hour, about two expected drops: the sized loop moves
  // the threshold a fraction as fast.
  const auto few_sized = paces(sized, 400);
  const auto few_full = paces(full_speed, 400);
  MESSAGE("80 answers, calls placed after 100 s: sized ", few_sized.back(), ", full speed ", few_full.back());
  CHECK(few_sized.front() == few_full.front());
  CHECK(few_sized.back() > few_sized.front());
  CHECK(few_sized.back() < few_full.back());
  // 1400 answers: dozens of expected drops in 10 minutes, the same loop.
  CHECK(paces(sized, 7000) == paces(full_speed, 7000));
}

TEST_CASE("predictive counts a break as an agent not coming back") {
  auto p = pacer("predictive");
  teach(*p, 0, 400, 0.2);
  PacerSnapshot s = team(0, 0);
  s.on_break = 5;
  s.now_s = 100;
  CHECK(p->decide(s) == 0);
  s.wrapup_s.assign(3, 1.0);  // only agents in wrap-up: calls may be placed ahead of them
  CHECK(p->decide(s) <= 3);
}

namespace {

/// A taught predictive pacer; told `foresight` at every decision, if given.
std::unique_ptr<Pacer> taught_predictive(std::optional<pacing::Foresight> foresight = {}) {
  pacing::PredictiveOptions options;
  if (foresight) options.foresight = [f = *foresight] { return f; };
  auto p = pacing::make_predictive(options);
  teach(*p, 0, 400, 0.2);
  return p;
}

}  // namespace

TEST_CASE("predictive told that busy agents are about to be free places calls ahead of them") {
  // Talks always last 120 s in teach(), so agents 10 s into one are not
  // expected back soon: without foresight nothing is placed for them.
  pacing::Foresight told;
  told.agents_free_in_s = std::vector<double>(6, 1.0);
  PacerSnapshot s = team(0, 6);
  s.talking_s.assign(6, 10.0);
  s.now_s = 100;
  const std::size_t n_blind = taught_predictive()->decide(s);
  const std::size_t n_informed = taught_predictive(told)->decide(s);
  MESSAGE("forecast: ", n_blind, " calls, told: ", n_informed);
  CHECK(n_blind == 0);
  CHECK(n_informed >= 6);
}

TEST_CASE("predictive told that every ringing call will be answered places nothing more") {
  // Four idle agents and four calls ringing: at a 20% answer rate the
  // forecast expects fewer than one answer and places more calls; told that
  // all four will be answered in 7 s, it places none (progressive is met).
  pacing::Foresight told;
  told.live_answers_in_s = std::vector<double>(4, 7.0);
  PacerSnapshot s = team(4, 0, 4);
  s.now_s = 100;
  const std::size_t n_blind = taught_predictive()->decide(s);
  const std::size_t n_informed = taught_predictive(told)->decide(s);
  MESSAGE("forecast: ", n_blind, " calls, told: ", n_informed);
  CHECK(n_blind > 0);
  CHECK(n_informed == 0);
}
