// dialer-sim: runs a scenario through the engine with a pacing policy, for
// several seeds, and prints the metrics of shared/scenarios/README.md — a
// table for people, or JSON (one object per seed and their median).
//
//   dialer-sim --scenario S1.json --policy predictive --seeds 5 [--json]
//
// Exit status: 0 on success, 2 on bad arguments or a bad scenario, 1 when a
// simulation fails.
#include <boost/json.hpp>

#include <algorithm>
#include <charconv>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <iostream>
#include <string>
#include <string_view>
#include <vector>

#include "dialer/sim/scenario.hpp"
#include "dialer/sim/simulation.hpp"

namespace {

namespace json = boost::json;
using dialer::sim::SimulationMetrics;

struct Args {
  std::string scenario;
  std::string policy = "predictive";
  std::uint64_t seeds = 1;
  std::uint64_t first_seed = 1;
  dialer::sim::SimulationOptions options;
  bool json = false;
};

void usage(std::ostream& out) {
  out << "usage: dialer-sim --scenario FILE [--policy NAME] [--seeds N] [--first-seed S]\n"
         "                  [--ring-timeout S] [--json]\n"
         "  --scenario FILE   a scenario in the shared/scenarios format\n"
         "  --policy NAME     pacing policy (default predictive):";
  for (const auto& p : dialer::sim::simulation_policies()) out << ' ' << p;
  out << "\n"
         "  --seeds N         seeds to run, 1..1000 (default 1)\n"
         "  --first-seed S    the first seed (default 1); runs S, S+1, ...\n"
         "  --ring-timeout S  the campaign's ring timeout, 1..300 s (default: the\n"
         "                    scenario's no_answer_timeout_s)\n"
         "  --json            JSON: {\"runs\": [one object per seed], \"median\": {...}}\n";
}

bool parse_count(std::string_view text, std::uint64_t& out) {
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
  return ec == std::errc{} && end == text.data() + text.size();
}

int bad_usage(const std::string& why) {
  std::cerr << "dialer-sim: " << why << "\n";
  usage(std::cerr);
  return 2;
}

double median(std::vector<double> v) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  const std::size_t mid = v.size() / 2;
  return v.size() % 2 == 1 ? v[mid] : (v[mid - 1] + v[mid]) / 2.0;
}

// Boost.JSON writes every double in exponent form ("1E0"); people read this
// output too, so numbers are written as integers when they are whole and in
// plain %.10g otherwise. Non-finite numbers become null.
void write(std::ostream& out, const json::value& v) {
  switch (v.kind()) {
    case json::kind::object: {
      out << '{';
      bool first = true;
      for (const auto& kv : v.get_object()) {
        if (!first) out << ',';
        first = false;
        out << json::serialize(json::string(kv.key())) << ':';
        write(out, kv.value());
      }
      out << '}';
      break;
    }
    case json::kind::array: {
      out << '[';
      bool first = true;
      for (const auto& item : v.get_array()) {
        if (!first) out << ',';
        first = false;
        write(out, item);
      }
      out << ']';
      break;
    }
    case json::kind::double_: {
      const double d = v.get_double();
      char buf[32];
      if (!std::isfinite(d)) {
        out << "null";
      } else if (d == std::floor(d) && std::fabs(d) < 9.0e15) {
        out << static_cast<long long>(d);
      } else {
        std::snprintf(buf, sizeof buf, "%.10g", d);
        out << buf;
      }
      break;
    }
    default: out << json::serialize(v); break;
  }
}

json::object to_json(const SimulationMetrics& m) {
  json::object o;
  o["seed"] = m.seed;
  for (const auto& [name, value] : dialer::sim::metric_values(m)) o[name] = value;
  if (!m.first_problem.empty()) o["first_problem"] = m.first_problem;
  return o;
}

// The wall-clock speed-up, by name (metric_values' order is fixed, but this
// keeps the table right if metrics are added).
double speedup(const std::vector<double>& values) {
  static const std::size_t index = [] {
    const auto names = dialer::sim::metric_values(SimulationMetrics{});
    for (std::size_t i = 0; i < names.size(); ++i) {
      if (names[i].first == "speedup") return i;
    }
    return std::size_t{0};
  }();
  return values.at(index);
}

void print_table(const std::vector<SimulationMetrics>& runs, const std::vector<double>& medians) {
  std::printf("%-8s %9s %9s %9s %9s %9s %9s %8s %8s %8s %7s %8s\n", "seed", "occupancy", "abandon",
              "max_1h", "idle/call", "placed/h", "conn/h", "placed", "answered", "connected",
              "dropped", "speedup");
  auto row = [](const std::string& label, const std::vector<double>& v) {
    // metric_values order: occupancy, abandon_rate, abandon_max_1h, idle_per_call_s,
    // placed_per_agent_hour, connected_per_agent_hour, utilisation, placed,
    // live_answered, connected, dropped, ...
    std::printf("%-8s %8.1f%% %8.2f%% %8.2f%% %9.1f %9.1f %9.2f %8.0f %8.0f %8.0f %7.0f %7.0fx\n",
                label.c_str(), v[0] * 100, v[1] * 100, v[2] * 100, v[3], v[4], v[5], v[7], v[8],
                v[9], v[10], speedup(v));
  };
  for (const auto& m : runs) {
    std::vector<double> v;
    for (const auto& kv : dialer::sim::metric_values(m)) v.push_back(kv.second);
    row(std::to_string(m.seed), v);
    if (!m.first_problem.empty()) std::printf("         problem: %s\n", m.first_problem.c_str());
  }
  if (runs.size() > 1) row("median", medians);
}

}  // namespace

int main(int argc, char** argv) {
  Args args;
  bool have_scenario = false;
  for (int i = 1; i < argc; ++i) {
    const std::string_view a = argv[i];
    auto value = [&](std::string_view name) -> const char* {
      if (i + 1 >= argc) return nullptr;
      (void)name;
      return argv[++i];
    };
    if (a == "--help" || a == "-h") {
      usage(std::cout);
      return 0;
    } else if (a == "--json") {
      args.json = true;
    } else if (a == "--scenario") {
      const char* v = value(a);
      if (v == nullptr) return bad_usage("--scenario needs a file");
      args.scenario = v;
      have_scenario = true;
    } else if (a == "--policy") {
      const char* v = value(a);
      if (v == nullptr) return bad_usage("--policy needs a name");
      args.policy = v;
    } else if (a == "--seeds") {
      const char* v = value(a);
      if (v == nullptr || !parse_count(v, args.seeds) || args.seeds < 1 || args.seeds > 1000) {
        return bad_usage("--seeds needs a number in 1..1000");
      }
    } else if (a == "--first-seed") {
      const char* v = value(a);
      if (v == nullptr || !parse_count(v, args.first_seed)) {
        return bad_usage("--first-seed needs a non-negative integer");
      }
    } else if (a == "--ring-timeout") {
      const char* v = value(a);
      std::uint64_t seconds = 0;
      if (v == nullptr || !parse_count(v, seconds) || seconds < 1 || seconds > 300) {
        return bad_usage("--ring-timeout needs whole seconds in 1..300");
      }
      args.options.ring_timeout = std::chrono::seconds{seconds};
    } else {
      return bad_usage("unknown argument \"" + std::string(a) + "\"");
    }
  }
  if (!have_scenario) return bad_usage("--scenario is required");
  const auto policies = dialer::sim::simulation_policies();
  const bool known = std::find(policies.begin(), policies.end(), args.policy) != policies.end() ||
                     args.policy.starts_with("ratio:");
  if (!known) return bad_usage("unknown policy \"" + args.policy + "\"");

  auto scenario = dialer::sim::load_scenario(args.scenario);
  if (!scenario) {
    std::cerr << "dialer-sim: " << scenario.error().detail << "\n";
    return 2;
  }

  std::vector<SimulationMetrics> runs;
  for (std::uint64_t s = 0; s < args.seeds; ++s) {
    auto m = dialer::sim::run_simulation(*scenario, args.policy, args.first_seed + s, args.options);
    if (!m) {
      const bool bad_input = m.error().code == dialer::Errc::invalid_argument;
      std::cerr << "dialer-sim: " << m.error().message() << "\n";
      return bad_input ? 2 : 1;
    }
    runs.push_back(std::move(*m));
  }

  // Medians, metric by metric.
  const auto names = dialer::sim::metric_values(runs.front());
  std::vector<double> medians;
  for (std::size_t k = 0; k < names.size(); ++k) {
    std::vector<double> column;
    for (const auto& r : runs) column.push_back(dialer::sim::metric_values(r)[k].second);
    medians.push_back(median(column));
  }

  if (args.json) {
    json::object doc;
    doc["scenario"] = scenario->name;
    doc["policy"] = args.policy;
    doc["agents"] = scenario->agents;
    doc["hours"] = scenario->hours;
    if (args.options.ring_timeout) doc["ring_timeout_s"] = args.options.ring_timeout->count();
    json::array out;
    for (const auto& r : runs) out.push_back(to_json(r));
    doc["runs"] = std::move(out);
    json::object med;
    for (std::size_t k = 0; k < names.size(); ++k) med[names[k].first] = medians[k];
    doc["median"] = std::move(med);
    write(std::cout, doc);
    std::cout << "\n";
  } else {
    std::printf("scenario %s (%zu agents, %.1f h), policy %s, %zu seed(s) from %llu",
                scenario->name.c_str(), scenario->agents, scenario->hours, args.policy.c_str(),
                runs.size(), static_cast<unsigned long long>(args.first_seed));
    if (args.options.ring_timeout) {
      std::printf(", ring timeout %lld s",
                  static_cast<long long>(args.options.ring_timeout->count()));
    }
    std::printf("\n");
    print_table(runs, medians);
  }
  return 0;
}
