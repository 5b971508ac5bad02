#include <doctest/doctest.h>

#include <algorithm>
#include <chrono>
#include <string>
#include <utility>
#include <vector>

#include "dialer/engine.hpp"
#include "dialer/sim/scenario.hpp"
#include "dialer/sim/simulated_agents.hpp"
#include "dialer/sim/simulated_pbx.hpp"
#include "dialer/sim/simulation.hpp"
#include "dialer/testing/manual_clock.hpp"

namespace dialer::sim {
namespace {

Scenario short_day() {
  return load_scenario(std::string(DIALER_SIM_TEST_DATA) + "/short.json").value();
}

// A small team with a high answer rate: where overdialling drops calls.
Scenario small_team() {
  Scenario s = short_day();
  s.name = "small-team";
  s.agents = 3;
  s.live_answer_rate = 0.4;
  s.talk = {60.0, 1.0};
  return s;
}

// Every metric but the wall-clock ones.
std::vector<std::pair<std::string, double>> simulated(const SimulationMetrics& m) {
  auto v = metric_values(m);
  std::erase_if(v, [](const auto& kv) {
    return kv.first == "wall_s" || kv.first == "speedup" || kv.first == "cpu_s" ||
           kv.first == "cpu_speedup";
  });
  return v;
}

void check_healthy(const SimulationMetrics& m) {
  CAPTURE(m.first_problem);
  CHECK(m.alarms == 0);
  CHECK(m.agent_commands_refused == 0);
  CHECK(m.ignored_events == 0);
  CHECK(m.connected + m.dropped <= m.live_answered);
  CHECK(m.engine_dropped == m.dropped);
  CHECK(m.occupancy > 0);
  CHECK(m.occupancy <= 1);
}

}  // namespace

TEST_SUITE("sim.simulation") {
  TEST_CASE("the same seed gives the same metrics; another seed gives others") {
    const Scenario s = short_day();
    const auto a = run_simulation(s, "progressive", 11).value();
    const auto b = run_simulation(s, "progressive", 11).value();
    const auto c = run_simulation(s, "progressive", 12).value();
    CHECK(simulated(a) == simulated(b));
    CHECK(simulated(a) != simulated(c));
    check_healthy(a);
  }

  TEST_CASE("a day's outcomes follow the scenario's rates, within wide bounds") {
    const auto m = run_simulation(short_day(), "progressive", 3).value();
    check_healthy(m);
    REQUIRE(m.placed > 200);
    const double placed = static_cast<double>(m.placed);
    CHECK(static_cast<double>(m.live_answered) / placed == doctest::Approx(0.25).epsilon(0.3));
    CHECK(static_cast<double>(m.machines) / placed == doctest::Approx(0.225).epsilon(0.3));
    CHECK(static_cast<double>(m.fast_failed) / placed == doctest::Approx(0.15).epsilon(0.35));
    CHECK(m.placed_per_agent_hour == doctest::Approx(placed / (10 * 1.0)));
    CHECK(m.connected_per_agent_hour == doctest::Approx(static_cast<double>(m.connected) / 10.0));
    CHECK(m.idle_per_call_s > 0);
  }

  TEST_CASE("progressive dialling never drops a call") {
    for (std::uint64_t seed = 1; seed <= 3; ++seed) {
      CAPTURE(seed);
      const auto m = run_simulation(small_team(), "progressive", seed).value();
      check_healthy(m);
      CHECK(m.connected > 0);
      CHECK(m.dropped == 0);
      CHECK(m.safe_harbour_playbacks == 0);
      CHECK(m.abandon_rate == 0);
    }
  }

  TEST_CASE("an aggressive ratio drops calls after the 2-second wait, each to the safe-harbour message") {
    const auto m = run_simulation(small_team(), "ratio:4", 5).value();
    check_healthy(m);
    CHECK(m.dropped > 0);
    CHECK(m.safe_harbour_playbacks == m.dropped);
    CHECK(m.abandon_rate > 0.03);
    CHECK(m.abandon_max_1h == doctest::Approx(m.abandon_rate));  // a one-hour day
    CHECK(m.longest_wait_before_drop_s >= 1.9);
    CHECK(m.longest_wait_before_drop_s <= 2.1);
  }

  TEST_CASE("the oracle never drops and keeps agents busier than progressive dialling") {
    const Scenario s = short_day();
    const auto oracle = run_simulation(s, "oracle", 2).value();
    const auto progressive = run_simulation(s, "progressive", 2).value();
    check_healthy(oracle);
    CHECK(oracle.dropped == 0);
    CHECK(oracle.occupancy > progressive.occupancy);
    CHECK(oracle.idle_per_call_s < progressive.idle_per_call_s);
  }

  TEST_CASE("the informed references run, and knowing the calls' outcomes keeps agents busier") {
    const auto policies = simulation_policies();
    for (const char* policy :
         {"predictive+agents", "predictive+calls", "predictive+agents+calls"}) {
      CAPTURE(policy);
      CHECK(std::find(policies.begin(), policies.end(), policy) != policies.end());
      CHECK(run_simulation(small_team(), policy, 4).has_value());
    }
    Scenario s = small_team();
    s.hours = 4;
    const auto blind = run_simulation(s, "predictive", 4).value();
    const auto told = run_simulation(s, "predictive+agents+calls", 4).value();
    check_healthy(told);
    MESSAGE("predictive ", blind.occupancy, ", told agents and calls ", told.occupancy);
    CHECK(told.occupancy > blind.occupancy + 0.02);
  }

  TEST_CASE("a shorter ring timeout than the scenario's ends calls sooner, losing late answers") {
    // short.json rings up to 25 s, live answers after 8 s on average: at 5 s
    // most live answers have not come yet, and those calls end unanswered.
    SimulationOptions options;
    options.ring_timeout = std::chrono::seconds{5};
    const auto scenario_s = run_simulation(short_day(), "progressive", 3).value();
    const auto five_s = run_simulation(short_day(), "progressive", 3, options).value();
    check_healthy(five_s);
    const auto live_share = [](const SimulationMetrics& m) {
      return static_cast<double>(m.live_answered) / static_cast<double>(m.placed);
    };
    MESSAGE("live share: ", live_share(scenario_s), " at the scenario's 25 s, ", live_share(five_s),
            " at 5 s");
    CHECK(live_share(scenario_s) > 0.18);
    CHECK(live_share(five_s) < 0.1);
    CHECK(five_s.placed > scenario_s.placed);  // calls end sooner, so more are placed

    for (long bad : {0L, 301L}) {
      options.ring_timeout = std::chrono::seconds{bad};
      CHECK(run_simulation(short_day(), "progressive", 3, options).error().code ==
            Errc::invalid_argument);
    }
  }

  TEST_CASE("no call is placed while no agent is logged in") {
    auto sim = Simulation::create(short_day(), "ratio:3", 1).value();
    REQUIRE(sim->run_until(600));
    CHECK(sim->pbx().counters().placed == 0);
    REQUIRE(sim->engine().log_in(AgentId{1}, CampaignId{Simulation::kCampaignId}));
    REQUIRE(sim->run_until(660));
    CHECK(sim->pbx().counters().placed > 0);
  }

  TEST_CASE("a live-answer schedule changes the answers during the day") {
    Scenario s = short_day();
    s.live_answer_rate_schedule = {{0, 0.6}, {1800, 0.05}};
    auto sim = Simulation::create(s, "progressive", 4).value();
    REQUIRE(sim->log_in_all());
    REQUIRE(sim->run_until(1800));
    const auto first = sim->pbx().counters();
    REQUIRE(sim->run_until(3600));
    const auto second = sim->pbx().counters();
    const double first_rate =
        static_cast<double>(first.live_answered) / static_cast<double>(first.placed);
    const double second_rate = static_cast<double>(second.live_answered - first.live_answered) /
                               static_cast<double>(second.placed - first.placed);
    CHECK(first_rate > 0.45);
    CHECK(second_rate < 0.15);
  }

  TEST_CASE("a simulated agent talks for the attempt's talk time, wraps up and disposes through the engine") {
    // A manual dial, so that only the agents' side is under test here.
    Scenario s = short_day();
    s.live_answer_rate = 1.0;
    s.break_after_call_prob = 1.0;
    auto sim = Simulation::create(s, "progressive", 9, SimulationOptions{}).value();
    Engine& engine = sim->engine();
    Campaign manual = *engine.find_campaign(CampaignId{Simulation::kCampaignId});
    manual.dial_mode = DialMode::manual;
    manual.manual_dial_allowed = true;
    REQUIRE(engine.save_campaign(manual));
    const AgentId agent{1};
    REQUIRE(engine.log_in(agent, manual.id));
    REQUIRE(sim->run_until(1));
    const CallId call = engine.dial_lead(agent, LeadId{1}).value();
    const Attempt attempt = sim->pbx().attempt_of(call).value();
    REQUIRE(attempt.outcome == AttemptOutcome::live);
    REQUIRE(attempt.break_after);
    const double placed_at = sim->now_s();
    REQUIRE(sim->run_until(placed_at + attempt.at_s + attempt.talk_s + 0.5));
    CHECK(sim->agents().stats().connects == 1);
    CHECK(sim->pbx().counters().customer_hangups == 1);
    CHECK(engine.agent(agent)->status.state == AgentState::wrapup);
    CHECK(sim->pbx().talk_seconds(sim->clock().steady_now()) ==
          doctest::Approx(attempt.talk_s).epsilon(0.01));
    REQUIRE(sim->run_until(sim->now_s() + attempt.wrapup_s + 0.5));
    CHECK(sim->agents().stats().dispositions == 1);
    CHECK(engine.agent(agent)->status.state == AgentState::on_break);
    REQUIRE(sim->run_until(sim->now_s() + attempt.break_s + 0.5));
    CHECK(engine.agent(agent)->status.state == AgentState::available);
    CHECK(sim->agents().stats().refused_commands == 0);
  }

  TEST_CASE("an unknown policy or an invalid scenario is refused before anything runs") {
    CHECK(run_simulation(short_day(), "clairvoyant", 1).error().code == Errc::invalid_argument);
    Scenario bad = short_day();
    bad.agents = 0;
    CHECK(run_simulation(bad, "progressive", 1).error().code == Errc::invalid_argument);
    CHECK(run_simulation(short_day(), "predictive+hunches", 1).error().code ==
          Errc::invalid_argument);
    const auto policies = simulation_policies();
    CHECK(std::count(policies.begin(), policies.end(), "oracle") == 1);
  }
}

}  // namespace dialer::sim
