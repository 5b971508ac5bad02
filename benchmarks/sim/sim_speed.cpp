// How fast a simulated day runs: an 8-hour day of 100 agents (the S4 model,
// and the S1 model with 100 agents) through the engine, for several policies.
// Prints simulated seconds per wall second; results go in docs/simulation.md.
//
//   dialer_sim_speed [--hours H] [--seeds N] [--policy NAME ...]
//
// Times nothing in CTest: the smoke test only proves that it still runs.
#include <algorithm>
#include <charconv>
#include <chrono>
#include <cstdio>
#include <string>
#include <string_view>
#include <vector>

#include "dialer/sim/scenario.hpp"
#include "dialer/sim/simulation.hpp"

namespace {

using dialer::sim::Scenario;

// The S4 model of shared/scenarios: 100 agents, p = 0.08, 90-s talks.
Scenario s4() {
  Scenario s;
  s.name = "S4";
  s.agents = 100;
  s.hours = 8;
  s.live_answer_rate = 0.08;
  s.talk = {90.0, 1.0};
  return s;
}

// The S1 model (p = 0.25, 180-s talks) with a 100-agent team.
Scenario s1_100() {
  Scenario s;
  s.name = "S1x100";
  s.agents = 100;
  s.hours = 8;
  s.live_answer_rate = 0.25;
  s.talk = {180.0, 1.0};
  return s;
}

double parse_double(std::string_view text, double fallback) {
  double v = fallback;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  return ec == std::errc{} && end == text.data() + text.size() ? v : fallback;
}

}  // namespace

int main(int argc, char** argv) {
  double hours = 8;
  int seeds = 3;
  std::vector<std::string> policies;
  for (int i = 1; i < argc; ++i) {
    const std::string_view a = argv[i];
    if (a == "--hours" && i + 1 < argc) {
      hours = parse_double(argv[++i], 8);
    } else if (a == "--seeds" && i + 1 < argc) {
      seeds = std::max(1, static_cast<int>(parse_double(argv[++i], 3)));
    } else if (a == "--policy" && i + 1 < argc) {
      policies.emplace_back(argv[++i]);
    } else {
      std::fprintf(stderr, "usage: dialer_sim_speed [--hours H] [--seeds N] [--policy NAME ...]\n");
      return 2;
    }
  }
  if (policies.empty()) policies = {"progressive", "ratio:3", "oracle"};

  std::printf("%-8s %-18s %5s %8s %9s %8s %9s %9s %9s %10s\n", "scenario", "policy", "seed",
              "wall_s", "sim/wall", "cpu_s", "sim/cpu", "placed", "connected", "occupancy");
  int failures = 0;
  for (Scenario s : {s4(), s1_100()}) {
    s.hours = hours;
    for (const std::string& policy : policies) {
      for (int seed = 1; seed <= seeds; ++seed) {
        auto m = dialer::sim::run_simulation(s, policy, static_cast<std::uint64_t>(seed));
        if (!m) {
          std::fprintf(stderr, "%s %s: %s\n", s.name.c_str(), policy.c_str(),
                       m.error().message().c_str());
          ++failures;
          break;
        }
        std::printf("%-8s %-18s %5d %8.3f %9.0f %8.3f %9.0f %9llu %9llu %9.1f%%\n", s.name.c_str(),
                    policy.c_str(), seed, m->wall_s, m->speedup, m->cpu_s, m->cpu_speedup,
                    static_cast<unsigned long long>(m->placed),
                    static_cast<unsigned long long>(m->connected), m->occupancy * 100);
      }
    }
  }
  return failures == 0 ? 0 : 1;
}
