#include <doctest/doctest.h>

#include <chrono>
#include <map>
#include <vector>

#include "dialer/sim/scenario.hpp"
#include "dialer/sim/simulated_pbx.hpp"
#include "dialer/testing/manual_clock.hpp"

namespace dialer::sim {
namespace {

using namespace std::chrono_literals;

Scenario s1_like() {
  Scenario s;  // the defaults are S1's model
  s.name = "pbx-test";
  s.agents = 20;
  s.live_answer_rate = 0.25;
  return s;
}

Scenario always(double live_rate) {
  Scenario s = s1_like();
  s.live_answer_rate = live_rate;
  s.fast_fail_share = 0;
  s.machine_share = 0;
  return s;
}

OriginateRequest customer(std::uint64_t n, std::chrono::seconds timeout = 25s) {
  return OriginateRequest{ChannelId{n}, CallId{n}, Leg::customer, "PJSIP/9121220000@sim", "", timeout};
}

struct Timed {
  double at_s;
  CallEvent event;
};

ChannelId channel_of(const CallEvent& e) {
  return std::visit([](const auto& v) { return v.channel; }, e);
}

// Moves the clock from deadline to deadline up to `until` (seconds of the
// day) and collects every event.
std::vector<Timed> run_until(SimulatedPbx& pbx, testing::ManualClock& clock, double until_s) {
  std::vector<Timed> out;
  while (auto due = pbx.next_deadline()) {
    if (pbx.seconds_at(*due) > until_s) break;
    if (*due > clock.steady_now()) clock.advance_to(*due);
    while (auto e = pbx.pop_due(clock.steady_now())) out.push_back({pbx.now_s(), *e});
  }
  return out;
}

}  // namespace

TEST_SUITE("sim.pbx") {
  TEST_CASE("nothing is delivered until the host asks, and ringing comes before the outcome") {
    testing::ManualClock clock;
    SimulatedPbx pbx(always(1.0), clock);
    REQUIRE(pbx.originate(customer(1)));
    CHECK(pbx.channel_count() == 1);
    REQUIRE(pbx.next_deadline());
    CHECK_FALSE(pbx.pop_due(clock.steady_now()));  // ringing is 0.5 s away
    const auto events = run_until(pbx, clock, 60);
    REQUIRE(events.size() == 2);
    CHECK(std::holds_alternative<ChannelRinging>(events[0].event));
    CHECK(events[0].at_s == doctest::Approx(0.5));
    CHECK(std::holds_alternative<ChannelAnswered>(events[1].event));
    CHECK_FALSE(std::get<ChannelAnswered>(events[1].event).machine);
    CHECK(events[1].at_s < 25.0);
  }

  TEST_CASE("attempts end as the scenario's rates and times say, within wide bounds") {
    testing::ManualClock clock;
    const Scenario s = s1_like();
    SimulatedPbx pbx(s, clock, PbxOptions{42, 0.5, 0});
    constexpr int kAttempts = 20000;
    for (int i = 1; i <= kAttempts; ++i) REQUIRE(pbx.originate(customer(static_cast<std::uint64_t>(i))));
    const auto events = run_until(pbx, clock, 60);

    int live = 0, machine = 0, busy = 0, congestion = 0, no_answer = 0, rings = 0;
    double ring_sum = 0;
    std::map<std::uint64_t, bool> rang;
    for (const auto& [at, e] : events) {
      if (std::holds_alternative<ChannelRinging>(e)) {
        ++rings;
        rang[channel_of(e).value] = true;
        continue;
      }
      CHECK(rang.contains(channel_of(e).value));  // ringing first
      if (const auto* a = std::get_if<ChannelAnswered>(&e)) {
        if (a->machine) {
          ++machine;
          CHECK(at >= s.machine_pickup.min_s + s.amd_s - 1e-6);
          CHECK(at <= s.machine_pickup.max_s + s.amd_s + 1e-6);
        } else {
          ++live;
          ring_sum += at;
          CHECK(at < s.no_answer_timeout_s);
        }
      } else if (const auto* h = std::get_if<ChannelHungUp>(&e)) {
        if (h->dial_status == DialStatus::noanswer) {
          ++no_answer;
          CHECK(h->cause == q850::no_answer);
          CHECK(at == doctest::Approx(25.0));
        } else if (h->dial_status == DialStatus::busy) {
          ++busy;
          CHECK(h->cause == q850::user_busy);
        } else {
          REQUIRE(h->dial_status == DialStatus::congestion);
          CHECK(h->cause == q850::no_circuit_available);
          ++congestion;
        }
        if (h->dial_status != DialStatus::noanswer) {
          CHECK(at >= s.fast_fail.min_s - 1e-6);
          CHECK(at <= s.fast_fail.max_s + 1e-6);
        }
      }
    }
    CHECK(rings == kAttempts);
    CHECK(live + machine + busy + congestion + no_answer == kAttempts);
    const double n = kAttempts;
    // Expected: live 25%; of the other 75%: 20% fast, 30% machine, 50% no answer.
    CHECK(live / n == doctest::Approx(0.25).epsilon(0.08));
    CHECK((busy + congestion) / n == doctest::Approx(0.15).epsilon(0.08));
    CHECK(machine / n == doctest::Approx(0.225).epsilon(0.08));
    CHECK(no_answer / n == doctest::Approx(0.375).epsilon(0.08));
    CHECK(busy > congestion / 2);
    CHECK(congestion > busy / 2);
    // Mean ring to a live answer: 8 s, a little less after truncation at 25 s.
    CHECK(ring_sum / live == doctest::Approx(8.0).epsilon(0.1));
    CHECK(pbx.counters().placed == static_cast<std::uint64_t>(kAttempts));
    CHECK(pbx.counters().live_answered == static_cast<std::uint64_t>(live));
  }

  TEST_CASE("an originate's shorter timeout turns later answers into no answers at that timeout") {
    testing::ManualClock clock;
    SimulatedPbx pbx(always(1.0), clock);
    for (std::uint64_t i = 1; i <= 500; ++i) REQUIRE(pbx.originate(customer(i, 5s)));
    int answered = 0, timed_out = 0;
    for (const auto& [at, e] : run_until(pbx, clock, 60)) {
      if (std::holds_alternative<ChannelAnswered>(e)) {
        ++answered;
        CHECK(at < 5.0);
      } else if (const auto* h = std::get_if<ChannelHungUp>(&e)) {
        ++timed_out;
        CHECK(h->dial_status == DialStatus::noanswer);
        CHECK(at == doctest::Approx(5.0));
      }
    }
    CHECK(answered > 0);
    CHECK(timed_out > 0);
    CHECK(answered + timed_out == 500);
  }

  TEST_CASE("the k-th attempt is the same in every run, and only its live decision depends on the time") {
    Scenario s = s1_like();
    s.live_answer_rate_schedule = {{0, 1.0}, {100, 0.0}};
    for (std::uint64_t k = 0; k < 50; ++k) {
      const Attempt early = draw_attempt(s, 7, k, 10);
      const Attempt again = draw_attempt(s, 7, k, 10);
      const Attempt late = draw_attempt(s, 7, k, 200);
      CHECK(early.outcome == AttemptOutcome::live);
      CHECK(late.outcome != AttemptOutcome::live);
      CHECK(early.at_s == again.at_s);
      CHECK(early.talk_s == late.talk_s);
      CHECK(early.wrapup_s == late.wrapup_s);
    }
    int differ = 0;
    for (std::uint64_t k = 0; k < 50; ++k) {
      if (draw_attempt(s, 7, k, 10).talk_s != draw_attempt(s, 8, k, 10).talk_s) ++differ;
    }
    CHECK(differ == 50);
  }

  TEST_CASE("agent legs answer at once") {
    testing::ManualClock clock;
    SimulatedPbx pbx(s1_like(), clock);
    REQUIRE(pbx.originate({ChannelId{5}, CallId{}, Leg::agent, "PJSIP/agent1", "", 30s}));
    const auto e = pbx.pop_due(clock.steady_now());
    REQUIRE(e);
    REQUIRE(std::holds_alternative<ChannelAnswered>(*e));
    CHECK(std::get<ChannelAnswered>(*e).channel == ChannelId{5});
    CHECK(pbx.counters().placed == 0);
    CHECK(pbx.counters().agent_legs == 1);
  }

  TEST_CASE("hang_up ends a channel at once with its cause, and nothing scheduled for it follows") {
    testing::ManualClock clock;
    SimulatedPbx pbx(always(1.0), clock);
    REQUIRE(pbx.originate(customer(1)));
    REQUIRE(pbx.hang_up(ChannelId{1}, q850::normal_clearing));
    const auto e = pbx.pop_due(clock.steady_now());
    REQUIRE(e);
    const auto* h = std::get_if<ChannelHungUp>(&*e);
    REQUIRE(h != nullptr);
    CHECK(h->cause == q850::normal_clearing);
    CHECK(h->dial_status == DialStatus::cancel);
    CHECK(run_until(pbx, clock, 60).empty());
    CHECK(pbx.channel_count() == 0);
    // Ending what is gone, or was never there, is success.
    CHECK(pbx.hang_up(ChannelId{1}, q850::normal_clearing));
    CHECK(pbx.hang_up(ChannelId{99}, q850::normal_clearing));
  }

  TEST_CASE("a customer bridged with an agent talks until the customer hangs up") {
    testing::ManualClock clock;
    SimulatedPbx pbx(always(1.0), clock);
    REQUIRE(pbx.originate({ChannelId{100}, CallId{}, Leg::agent, "PJSIP/agent1", "", 30s}));
    REQUIRE(pbx.create_bridge(BridgeId{200}));
    REQUIRE(pbx.originate(customer(1)));
    double answered_at = -1;
    for (const auto& [at, e] : run_until(pbx, clock, 30)) {
      if (const auto* a = std::get_if<ChannelAnswered>(&e); a && a->channel == ChannelId{1}) {
        answered_at = at;
        break;
      }
    }
    REQUIRE(answered_at > 0);
    REQUIRE(pbx.add_to_bridge(BridgeId{200}, ChannelId{100}));
    CHECK(pbx.pending_live_answers().size() == 1);  // answered, waiting
    REQUIRE(pbx.add_to_bridge(BridgeId{200}, ChannelId{1}));
    CHECK(pbx.counters().connected == 1);
    CHECK(pbx.pending_live_answers().empty());
    REQUIRE(pbx.attempt_of(CallId{1}));
    REQUIRE(pbx.customer_hangs_up(CallId{1}, clock.steady_now() + 60s));
    const auto events = run_until(pbx, clock, answered_at + 120);
    REQUIRE(events.size() == 1);
    const auto* h = std::get_if<ChannelHungUp>(&events[0].event);
    REQUIRE(h != nullptr);
    CHECK(h->channel == ChannelId{1});
    CHECK(h->cause == q850::normal_clearing);
    CHECK(events[0].at_s == doctest::Approx(answered_at + 60));
    CHECK(pbx.talk_seconds(clock.steady_now()) == doctest::Approx(60));
    CHECK(pbx.counters().customer_hangups == 1);
    CHECK(pbx.counters().abandoned == 0);
    CHECK_FALSE(pbx.attempt_of(CallId{1}));
  }

  TEST_CASE("a live answer that ends without an agent is abandoned; play lasts the message's length") {
    testing::ManualClock clock;
    SimulatedPbx pbx(always(1.0), clock, PbxOptions{1, 0.5, 3.0});
    REQUIRE(pbx.originate(customer(1)));
    run_until(pbx, clock, 30);
    REQUIRE(pbx.counters().live_answered == 1);
    const double t0 = pbx.now_s();
    REQUIRE(pbx.play(ChannelId{1}, "sound:safe-harbour"));
    const auto played = run_until(pbx, clock, t0 + 10);
    REQUIRE(played.size() == 1);
    CHECK(std::holds_alternative<PlaybackFinished>(played[0].event));
    CHECK(played[0].at_s == doctest::Approx(t0 + 3.0));
    REQUIRE(pbx.hang_up(ChannelId{1}, q850::normal_clearing));
    run_until(pbx, clock, t0 + 20);
    CHECK(pbx.counters().abandoned == 1);
    CHECK(pbx.abandoned_answer_times().size() == 1);
    CHECK(pbx.played_media() == std::vector<std::string>{"sound:safe-harbour"});
  }

  TEST_CASE("commands on unknown things fail as call control documents") {
    testing::ManualClock clock;
    SimulatedPbx pbx(s1_like(), clock);
    CHECK(pbx.add_to_bridge(BridgeId{1}, ChannelId{1}).error().code == Errc::not_found);
    REQUIRE(pbx.create_bridge(BridgeId{1}));
    CHECK(pbx.create_bridge(BridgeId{1}).error().code == Errc::conflict);
    CHECK(pbx.add_to_bridge(BridgeId{1}, ChannelId{1}).error().code == Errc::not_found);
    CHECK(pbx.play(ChannelId{1}, "sound:x").error().code == Errc::not_found);
    REQUIRE(pbx.originate(customer(1)));
    CHECK(pbx.originate(customer(1)).error().code == Errc::conflict);
    // Not answered yet: it cannot join a bridge.
    CHECK(pbx.add_to_bridge(BridgeId{1}, ChannelId{1}).error().code == Errc::invalid_transition);
    CHECK(pbx.destroy_bridge(BridgeId{1}));
    CHECK(pbx.destroy_bridge(BridgeId{1}));  // gone: success
    CHECK(pbx.customer_hangs_up(CallId{77}, clock.steady_now()).error().code == Errc::not_found);
  }

  TEST_CASE("a live attempt still ringing is expected at its answer time") {
    testing::ManualClock clock;
    Scenario s = always(1.0);
    SimulatedPbx pbx(s, clock, PbxOptions{3, 0.5, 0});
    clock.advance(10s);
    REQUIRE(pbx.originate(customer(1)));
    const Attempt a = draw_attempt(s, 3, 0, 10);
    const auto pending = pbx.pending_live_answers();
    REQUIRE(pending.size() == 1);
    CHECK(pending[0] == doctest::Approx(10 + a.at_s));
  }
}

}  // namespace dialer::sim
