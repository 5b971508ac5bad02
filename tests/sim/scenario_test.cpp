#include <doctest/doctest.h>

#include <string>

#include "dialer/sim/scenario.hpp"

namespace dialer::sim {
namespace {

// Every key of the format, with values unlike the defaults so that a key read
// into the wrong field shows.
const char* const kFull = R"({
  "name": "T1", "description": "every key",
  "agents": 12, "hours": 6.5,
  "live_answer_rate": 0.2,
  "live_answer_rate_schedule": [[0, 0.3], [3600, 0.1], [7200.5, 0.25]],
  "ring_to_answer_s": {"mean": 9.0, "cv": 0.4},
  "no_answer_timeout_s": 22,
  "non_live_mix": {"fast_fail": 0.15, "machine": 0.35},
  "fast_fail_s": [0.5, 4],
  "machine_pickup_s": [9.0, 20.0],
  "amd_s": 2.5,
  "talk_s": {"mean": 150.0, "cv": 0.9},
  "wrapup_s": {"mean": 25.0, "cv": 0.6},
  "break_after_call_prob": 0.05,
  "break_s": {"mean": 240.0, "cv": 0.3},
  "max_wait_for_agent_s": 1.5,
  "abandon_cap": 0.025
})";

std::string without(std::string json, const std::string& key_and_value) {
  const auto at = json.find(key_and_value);
  REQUIRE(at != std::string::npos);
  json.erase(at, key_and_value.size());
  return json;
}

std::string replaced(std::string json, const std::string& from, const std::string& to) {
  const auto at = json.find(from);
  REQUIRE(at != std::string::npos);
  json.replace(at, from.size(), to);
  return json;
}

}  // namespace

TEST_SUITE("sim.scenario") {
  TEST_CASE("every key of the format is read into its field") {
    const Scenario s = parse_scenario(kFull).value();
    CHECK(s.name == "T1");
    CHECK(s.description == "every key");
    CHECK(s.agents == 12);
    CHECK(s.hours == 6.5);
    CHECK(s.live_answer_rate == 0.2);
    REQUIRE(s.live_answer_rate_schedule.size() == 3);
    CHECK(s.live_answer_rate_schedule[2].from_s == 7200.5);
    CHECK(s.live_answer_rate_schedule[2].rate == 0.25);
    CHECK(s.ring_to_answer.mean_s == 9.0);
    CHECK(s.ring_to_answer.cv == 0.4);
    CHECK(s.no_answer_timeout_s == 22);
    CHECK(s.fast_fail_share == 0.15);
    CHECK(s.machine_share == 0.35);
    CHECK(s.fast_fail.min_s == 0.5);
    CHECK(s.fast_fail.max_s == 4);
    CHECK(s.machine_pickup.min_s == 9.0);
    CHECK(s.machine_pickup.max_s == 20.0);
    CHECK(s.amd_s == 2.5);
    CHECK(s.talk.mean_s == 150.0);
    CHECK(s.talk.cv == 0.9);
    CHECK(s.wrapup.mean_s == 25.0);
    CHECK(s.wrapup.cv == 0.6);
    CHECK(s.break_after_call_prob == 0.05);
    CHECK(s.break_length.mean_s == 240.0);
    CHECK(s.break_length.cv == 0.3);
    CHECK(s.max_wait_for_agent_s == 1.5);
    CHECK(s.abandon_cap == 0.025);
    CHECK(s.day_s() == 6.5 * 3600);
  }

  TEST_CASE("the schedule overrides the base rate from each step's time on") {
    const Scenario s = parse_scenario(kFull).value();
    CHECK(s.live_rate_at(0) == 0.3);
    CHECK(s.live_rate_at(3599.9) == 0.3);
    CHECK(s.live_rate_at(3600) == 0.1);
    CHECK(s.live_rate_at(7200.4) == 0.1);
    CHECK(s.live_rate_at(7200.5) == 0.25);
    CHECK(s.live_rate_at(1e6) == 0.25);

    // A schedule that starts later leaves the base rate before it.
    const Scenario later = parse_scenario(replaced(kFull, "[[0, 0.3], ", "[[60, 0.3], ")).value();
    CHECK(later.live_rate_at(59) == 0.2);
    CHECK(later.live_rate_at(60) == 0.3);
  }

  TEST_CASE("a schedule from time 0 makes live_answer_rate optional") {
    const Scenario s = parse_scenario(without(kFull, R"("live_answer_rate": 0.2,)")).value();
    CHECK(s.live_rate_at(0) == 0.3);
    const auto e = parse_scenario(without(without(kFull, R"("live_answer_rate": 0.2,)"),
                                          R"("live_answer_rate_schedule": [[0, 0.3], [3600, 0.1], [7200.5, 0.25]],)"));
    REQUIRE_FALSE(e);
    CHECK(e.error().code == Errc::invalid_argument);
    CHECK(e.error().detail.find("\"live_answer_rate\"") != std::string::npos);
  }

  TEST_CASE("labels, the schedule and the break keys are optional") {
    std::string s = without(kFull, R"("name": "T1", "description": "every key",)");
    s = without(s, R"("live_answer_rate_schedule": [[0, 0.3], [3600, 0.1], [7200.5, 0.25]],)");
    s = without(s, R"("break_after_call_prob": 0.05,)");
    s = without(s, R"("break_s": {"mean": 240.0, "cv": 0.3},)");
    const Scenario parsed = parse_scenario(s).value();
    CHECK(parsed.name.empty());
    CHECK(parsed.live_answer_rate_schedule.empty());
    CHECK(parsed.live_rate_at(5000) == 0.2);
    CHECK(parsed.break_after_call_prob == 0);
  }

  TEST_CASE("break_s is required when agents take breaks") {
    const auto e = parse_scenario(without(kFull, R"("break_s": {"mean": 240.0, "cv": 0.3},)"));
    REQUIRE_FALSE(e);
    CHECK(e.error().detail.find("\"break_s\"") != std::string::npos);
  }

  TEST_CASE("a missing required key is named in the error") {
    const char* const keys[][2] = {
        {"agents", R"("agents": 12,)"},
        {"hours", R"("hours": 6.5,)"},
        {"ring_to_answer_s", R"("ring_to_answer_s": {"mean": 9.0, "cv": 0.4},)"},
        {"no_answer_timeout_s", R"("no_answer_timeout_s": 22,)"},
        {"non_live_mix", R"("non_live_mix": {"fast_fail": 0.15, "machine": 0.35},)"},
        {"fast_fail_s", R"("fast_fail_s": [0.5, 4],)"},
        {"machine_pickup_s", R"("machine_pickup_s": [9.0, 20.0],)"},
        {"amd_s", R"("amd_s": 2.5,)"},
        {"talk_s", R"("talk_s": {"mean": 150.0, "cv": 0.9},)"},
        {"wrapup_s", R"("wrapup_s": {"mean": 25.0, "cv": 0.6},)"},
        {"max_wait_for_agent_s", R"("max_wait_for_agent_s": 1.5,)"},
        {"abandon_cap", ",\n  \"abandon_cap\": 0.025"},
        {"non_live_mix.machine", R"(, "machine": 0.35)"},
        {"talk_s.cv", R"(, "cv": 0.9)"},
    };
    for (const auto& [key, text] : keys) {
      CAPTURE(key);
      const auto e = parse_scenario(without(kFull, text));
      REQUIRE_FALSE(e);
      CHECK(e.error().code == Errc::invalid_argument);
      CHECK(e.error().detail.find(std::string("\"") + key + "\"") != std::string::npos);
      CHECK(e.error().detail.find("missing") != std::string::npos);
    }
  }

  TEST_CASE("invalid values are refused with the key named") {
    const char* const cases[][3] = {
        {"agents", R"("agents": 12)", R"("agents": 0)"},
        {"agents", R"("agents": 12)", R"("agents": 2.5)"},
        {"agents", R"("agents": 12)", R"("agents": "12")"},
        {"hours", R"("hours": 6.5)", R"("hours": -1)"},
        {"live_answer_rate", R"("live_answer_rate": 0.2)", R"("live_answer_rate": 1.5)"},
        {"live_answer_rate_schedule", "[3600, 0.1]", "[3600, 1.1]"},
        {"live_answer_rate_schedule", "[3600, 0.1]", "[0, 0.1]"},
        {"live_answer_rate_schedule", "[3600, 0.1]", "[3600]"},
        {"ring_to_answer_s", R"("mean": 9.0)", R"("mean": 30.0)"},
        {"ring_to_answer_s.cv", R"("cv": 0.4)", R"("cv": "wide")"},
        {"no_answer_timeout_s", R"("no_answer_timeout_s": 22)", R"("no_answer_timeout_s": 0)"},
        {"non_live_mix", R"("machine": 0.35)", R"("machine": 0.9)"},
        {"fast_fail_s", "[0.5, 4]", "[4, 0.5]"},
        {"fast_fail_s", "[0.5, 4]", "[0.5]"},
        {"machine_pickup_s", "[9.0, 20.0]", "[-1, 20.0]"},
        {"talk_s", R"("mean": 150.0)", R"("mean": 0)"},
        {"wrapup_s", R"("cv": 0.6)", R"("cv": -0.1)"},
        {"break_after_call_prob", R"("break_after_call_prob": 0.05)", R"("break_after_call_prob": 2)"},
        {"abandon_cap", R"("abandon_cap": 0.025)", R"("abandon_cap": -0.1)"},
    };
    for (const auto& [key, from, to] : cases) {
      CAPTURE(key);
      CAPTURE(to);
      const auto e = parse_scenario(replaced(kFull, from, to));
      REQUIRE_FALSE(e);
      CHECK(e.error().code == Errc::invalid_argument);
      CHECK(e.error().detail.find(std::string("\"") + key + "\"") != std::string::npos);
    }
  }

  TEST_CASE("text that is not a JSON object is refused") {
    CHECK_FALSE(parse_scenario("{\"agents\": "));
    CHECK_FALSE(parse_scenario("[1, 2]"));
    CHECK(parse_scenario("").error().code == Errc::invalid_argument);
  }

  TEST_CASE("a file is read, and names the scenario after its stem when the file does not") {
    const auto s = load_scenario(std::string(DIALER_SIM_TEST_DATA) + "/short.json").value();
    CHECK(s.name == "short");
    CHECK(s.agents == 10);
    const auto missing = load_scenario(std::string(DIALER_SIM_TEST_DATA) + "/no-such.json");
    REQUIRE_FALSE(missing);
    CHECK(missing.error().code == Errc::not_found);
    const auto bad = load_scenario(std::string(DIALER_SIM_TEST_DATA) + "/bad_missing_talk.json");
    REQUIRE_FALSE(bad);
    CHECK(bad.error().detail.find("bad_missing_talk.json") != std::string::npos);
    CHECK(bad.error().detail.find("\"talk_s\"") != std::string::npos);
  }
}

}  // namespace dialer::sim
