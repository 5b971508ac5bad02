// sim/*.hpp, into the submodule dialer.sim: scenarios and simulated days
// through the real engine, for capacity planning and pacing experiments.
#include <algorithm>
#include <chrono>
#include <cstdint>
#include <optional>

#include "bindings.hpp"
#include "dialer/sim/scenario.hpp"
#include "dialer/sim/simulation.hpp"

namespace dialer::python {
namespace {

using sim::SimulationMetrics;

py::dict metrics_dict(const SimulationMetrics& m) {
  py::dict d;
  d["seed"] = m.seed;
  for (const auto& [name, value] : sim::metric_values(m)) d[py::str(name)] = value;
  if (!m.first_problem.empty()) d["first_problem"] = m.first_problem;
  return d;
}

double median_of(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  const std::size_t mid = v.size() / 2;
  return v.size() % 2 == 1 ? v[mid] : (v[mid - 1] + v[mid]) / 2.0;
}

}  // namespace

void bind_sim(py::module_& s) {
  ValueClass<sim::Lognormal>(s, "Lognormal", "A duration by its mean and coefficient of variation.")
      .field("mean_s", &sim::Lognormal::mean_s)
      .field("cv", &sim::Lognormal::cv, "Standard deviation / mean; 0 is a constant.")
      .done();
  ValueClass<sim::UniformRange>(s, "UniformRange", "A duration uniform between two bounds, in seconds.")
      .field("min_s", &sim::UniformRange::min_s)
      .field("max_s", &sim::UniformRange::max_s)
      .done();
  ValueClass<sim::RateStep>(s, "RateStep", "From from_s seconds into the day on, the live answer rate is rate.")
      .field("from_s", &sim::RateStep::from_s)
      .field("rate", &sim::RateStep::rate)
      .done();
  ValueClass<sim::Scenario>(s, "Scenario",
                            "One day of one campaign, as shared/scenarios/README.md describes it. Change "
                            "fields freely (agents, live_answer_rate, talk, ...) to plan capacity; run() "
                            "checks them.")
      .field("name", &sim::Scenario::name)
      .field("description", &sim::Scenario::description)
      .field("agents", &sim::Scenario::agents)
      .field("hours", &sim::Scenario::hours)
      .field("live_answer_rate", &sim::Scenario::live_answer_rate)
      .field("live_answer_rate_schedule", &sim::Scenario::live_answer_rate_schedule)
      .field("ring_to_answer", &sim::Scenario::ring_to_answer)
      .field("no_answer_timeout_s", &sim::Scenario::no_answer_timeout_s)
      .field("fast_fail_share", &sim::Scenario::fast_fail_share)
      .field("machine_share", &sim::Scenario::machine_share)
      .field("fast_fail", &sim::Scenario::fast_fail)
      .field("machine_pickup", &sim::Scenario::machine_pickup)
      .field("amd_s", &sim::Scenario::amd_s)
      .field("talk", &sim::Scenario::talk)
      .field("wrapup", &sim::Scenario::wrapup)
      .field("break_after_call_prob", &sim::Scenario::break_after_call_prob)
      .field("break_length", &sim::Scenario::break_length)
      .field("max_wait_for_agent_s", &sim::Scenario::max_wait_for_agent_s)
      .field("abandon_cap", &sim::Scenario::abandon_cap)
      .done();

  s.def(
      "parse_scenario", [](std::string_view text) { return unwrap(sim::parse_scenario(text)); },
      py::arg("text"), "A Scenario from the JSON format; InvalidArgument names the bad key.");
  s.def(
      "load_scenario", [](const std::string& path) { return unwrap(sim::load_scenario(path)); },
      py::arg("path"), "parse_scenario() of a file; NotFound when it cannot be read.");
  s.def(
      "validate_scenario", [](const sim::Scenario& sc) { unwrap(sim::validate_scenario(sc)); },
      py::arg("scenario"), "InvalidArgument naming the first field out of range.");
  s.def("policies", &sim::simulation_policies,
        "The policies run() accepts (and \"ratio:R\" for any R >= 1): make_pacer's, "
        "\"oracle\", and the informed references \"predictive+agents\", \"predictive+calls\" "
        "and \"predictive+agents+calls\".");

  py::class_<SimulationMetrics>(s, "Metrics",
                                "One simulated day's metrics (shared/scenarios/README.md); rates are "
                                "fractions (0.031 = 3.1%).")
      .def_readonly("scenario", &SimulationMetrics::scenario)
      .def_readonly("policy", &SimulationMetrics::policy)
      .def_readonly("seed", &SimulationMetrics::seed)
      .def_readonly("agents", &SimulationMetrics::agents)
      .def_readonly("hours", &SimulationMetrics::hours)
      .def_readonly("occupancy", &SimulationMetrics::occupancy)
      .def_readonly("utilisation", &SimulationMetrics::utilisation)
      .def_readonly("abandon_rate", &SimulationMetrics::abandon_rate)
      .def_readonly("abandon_max_1h", &SimulationMetrics::abandon_max_1h)
      .def_readonly("idle_per_call_s", &SimulationMetrics::idle_per_call_s)
      .def_readonly("placed_per_agent_hour", &SimulationMetrics::placed_per_agent_hour)
      .def_readonly("connected_per_agent_hour", &SimulationMetrics::connected_per_agent_hour)
      .def_readonly("placed", &SimulationMetrics::placed)
      .def_readonly("live_answered", &SimulationMetrics::live_answered)
      .def_readonly("connected", &SimulationMetrics::connected)
      .def_readonly("dropped", &SimulationMetrics::dropped)
      .def_readonly("first_problem", &SimulationMetrics::first_problem)
      .def("as_dict", &metrics_dict,
           "Every metric by the names dialer-sim --json prints, and the seed.")
      .def("__repr__", [](const SimulationMetrics& m) {
        return "Metrics(scenario=" + py::repr(py::str(m.scenario)).cast<std::string>() + ", policy=" +
               py::repr(py::str(m.policy)).cast<std::string>() + ", seed=" + std::to_string(m.seed) +
               ", occupancy=" + std::to_string(m.occupancy) + ", abandon_rate=" + std::to_string(m.abandon_rate) +
               ")";
      });

  // The campaign's ring timeout, when the caller gives one (SimulationOptions).
  const auto options_for = [](std::optional<std::int64_t> ring_timeout_s) {
    sim::SimulationOptions options;
    if (ring_timeout_s) options.ring_timeout = std::chrono::seconds{*ring_timeout_s};
    return options;
  };
  s.def(
      "run",
      [options_for](const sim::Scenario& scenario, const std::string& policy, std::uint64_t seed,
                    std::optional<std::int64_t> ring_timeout_s) {
        Result<SimulationMetrics> m = Error{Errc::invalid_argument, "not run"};
        {
          py::gil_scoped_release release;
          m = sim::run_simulation(scenario, policy, seed, options_for(ring_timeout_s));
        }
        return unwrap(std::move(m));
      },
      py::arg("scenario"), py::arg("policy") = "predictive", py::arg("seed") = 1,
      py::arg("ring_timeout_s") = py::none(),
      "One simulated day through the real engine; deterministic per seed. ring_timeout_s: the "
      "campaign's ring timeout (1..300; default the scenario's no_answer_timeout_s). "
      "InvalidArgument for a bad scenario, an unknown policy or a ring timeout out of range. "
      "Releases the GIL: run days on several threads at once.");
  s.def(
      "run_seeds",
      [options_for](const sim::Scenario& scenario, const std::string& policy, std::uint64_t seeds,
                    std::uint64_t first_seed, std::optional<std::int64_t> ring_timeout_s) {
        if (seeds == 0) throw py::value_error("seeds must be at least 1");
        const sim::SimulationOptions options = options_for(ring_timeout_s);
        std::vector<SimulationMetrics> runs;
        {
          py::gil_scoped_release release;
          for (std::uint64_t k = 0; k < seeds; ++k) {
            auto m = sim::run_simulation(scenario, policy, first_seed + k, options);
            if (!m) {
              py::gil_scoped_acquire acquire;
              unwrap(std::move(m));
            }
            runs.push_back(std::move(m).value());
          }
        }
        py::list out;
        for (const auto& r : runs) out.append(metrics_dict(r));
        py::dict median;
        const auto names = sim::metric_values(runs.front());
        for (std::size_t k = 0; k < names.size(); ++k) {
          std::vector<double> column;
          for (const auto& r : runs) column.push_back(sim::metric_values(r)[k].second);
          median[py::str(names[k].first)] = median_of(std::move(column));
        }
        py::dict doc;
        doc["scenario"] = scenario.name;
        doc["policy"] = policy;
        doc["agents"] = scenario.agents;
        doc["hours"] = scenario.hours;
        if (ring_timeout_s) doc["ring_timeout_s"] = *ring_timeout_s;
        doc["runs"] = out;
        doc["median"] = median;
        return doc;
      },
      py::arg("scenario"), py::arg("policy") = "predictive", py::arg("seeds") = 5,
      py::arg("first_seed") = 1, py::arg("ring_timeout_s") = py::none(),
      "Days with seeds first_seed, first_seed + 1, ...: the document dialer-sim --json prints "
      "({\"runs\": [...], \"median\": {...}, ...}).");
}

}  // namespace dialer::python
