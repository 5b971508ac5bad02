#include "dialer/sim/scenario.hpp"

#include <boost/json.hpp>

#include <cmath>
#include <fstream>
#include <optional>
#include <sstream>

namespace dialer::sim {
namespace json = boost::json;
namespace {

Error bad(std::string_view key, std::string_view why) {
  return Error{Errc::invalid_argument, "scenario key \"" + std::string(key) + "\": " + std::string(why)};
}

// A JSON number of any representation as a double; nullopt for other types.
std::optional<double> as_number(const json::value& v) {
  if (v.is_double()) return v.get_double();
  if (v.is_int64()) return static_cast<double>(v.get_int64());
  if (v.is_uint64()) return static_cast<double>(v.get_uint64());
  return std::nullopt;
}

Result<double> number(const json::object& o, std::string_view key, std::string_view path) {
  const json::value* v = o.if_contains(key);
  if (v == nullptr) return bad(path, "missing");
  auto n = as_number(*v);
  if (!n || !std::isfinite(*n)) return bad(path, "must be a number");
  return *n;
}

Result<Lognormal> lognormal(const json::object& o, std::string_view key) {
  const json::value* v = o.if_contains(key);
  if (v == nullptr) return bad(key, "missing");
  if (!v->is_object()) return bad(key, "must be an object {\"mean\": ..., \"cv\": ...}");
  const std::string k(key);
  auto mean = number(v->get_object(), "mean", k + ".mean");
  if (!mean) return std::move(mean).error();
  auto cv = number(v->get_object(), "cv", k + ".cv");
  if (!cv) return std::move(cv).error();
  return Lognormal{*mean, *cv};
}

Result<UniformRange> range(const json::object& o, std::string_view key) {
  const json::value* v = o.if_contains(key);
  if (v == nullptr) return bad(key, "missing");
  if (!v->is_array() || v->get_array().size() != 2) return bad(key, "must be an array [min, max]");
  auto lo = as_number(v->get_array()[0]);
  auto hi = as_number(v->get_array()[1]);
  if (!lo || !hi) return bad(key, "must hold two numbers");
  return UniformRange{*lo, *hi};
}

Result<std::string> text(const json::object& o, std::string_view key) {
  const json::value* v = o.if_contains(key);
  if (v == nullptr) return std::string{};
  if (!v->is_string()) return bad(key, "must be a string");
  return std::string(v->get_string());
}

Result<std::vector<RateStep>> schedule(const json::object& o) {
  constexpr std::string_view key = "live_answer_rate_schedule";
  std::vector<RateStep> steps;
  const json::value* v = o.if_contains(key);
  if (v == nullptr || v->is_null()) return steps;
  if (!v->is_array()) return bad(key, "must be an array of [t_seconds, rate] pairs");
  for (const json::value& item : v->get_array()) {
    if (!item.is_array() || item.get_array().size() != 2) {
      return bad(key, "every step must be a pair [t_seconds, rate]");
    }
    auto t = as_number(item.get_array()[0]);
    auto rate = as_number(item.get_array()[1]);
    if (!t || !rate) return bad(key, "every step must hold two numbers");
    steps.push_back({*t, *rate});
  }
  return steps;
}

bool is_probability(double p) { return p >= 0.0 && p <= 1.0; }

Result<void> check_lognormal(const Lognormal& l, std::string_view key) {
  if (!(l.mean_s > 0) || !std::isfinite(l.mean_s)) return bad(key, "mean must be above 0");
  if (!(l.cv >= 0) || !std::isfinite(l.cv) || l.cv > 10) return bad(key, "cv must be in [0, 10]");
  return ok();
}

Result<void> check_range(const UniformRange& r, std::string_view key) {
  if (!(r.min_s >= 0) || !(r.max_s >= r.min_s) || !std::isfinite(r.max_s)) {
    return bad(key, "must be [min, max] with 0 <= min <= max");
  }
  return ok();
}

}  // namespace

double Scenario::live_rate_at(double t_s) const {
  double rate = live_answer_rate;
  for (const RateStep& step : live_answer_rate_schedule) {
    if (step.from_s > t_s) break;
    rate = step.rate;
  }
  return rate;
}

Result<void> validate_scenario(const Scenario& s) {
  if (s.agents < 1 || s.agents > 100000) return bad("agents", "must be an integer in [1, 100000]");
  if (!(s.hours > 0) || s.hours > 24 * 7) return bad("hours", "must be above 0 and at most 168");
  if (!is_probability(s.live_answer_rate)) return bad("live_answer_rate", "must be in [0, 1]");
  double previous = -1;
  for (const RateStep& step : s.live_answer_rate_schedule) {
    if (!(step.from_s >= 0) || step.from_s <= previous) {
      return bad("live_answer_rate_schedule", "times must be >= 0 and strictly increasing");
    }
    if (!is_probability(step.rate)) return bad("live_answer_rate_schedule", "rates must be in [0, 1]");
    previous = step.from_s;
  }
  if (!(s.no_answer_timeout_s >= 1) || s.no_answer_timeout_s > 300) {
    return bad("no_answer_timeout_s", "must be in [1, 300]");
  }
  if (auto v = check_lognormal(s.ring_to_answer, "ring_to_answer_s"); !v) return v;
  if (s.ring_to_answer.mean_s >= s.no_answer_timeout_s) {
    return bad("ring_to_answer_s", "mean must be below no_answer_timeout_s");
  }
  if (!is_probability(s.fast_fail_share)) return bad("non_live_mix.fast_fail", "must be in [0, 1]");
  if (!is_probability(s.machine_share)) return bad("non_live_mix.machine", "must be in [0, 1]");
  if (s.fast_fail_share + s.machine_share > 1.0 + 1e-9) {
    return bad("non_live_mix", "fast_fail + machine must be at most 1");
  }
  if (auto v = check_range(s.fast_fail, "fast_fail_s"); !v) return v;
  if (auto v = check_range(s.machine_pickup, "machine_pickup_s"); !v) return v;
  if (!(s.amd_s >= 0) || !std::isfinite(s.amd_s)) return bad("amd_s", "must be >= 0");
  if (auto v = check_lognormal(s.talk, "talk_s"); !v) return v;
  if (auto v = check_lognormal(s.wrapup, "wrapup_s"); !v) return v;
  if (!is_probability(s.break_after_call_prob)) return bad("break_after_call_prob", "must be in [0, 1]");
  if (auto v = check_lognormal(s.break_length, "break_s"); !v) return v;
  if (!(s.max_wait_for_agent_s >= 0) || s.max_wait_for_agent_s > 600) {
    return bad("max_wait_for_agent_s", "must be in [0, 600]");
  }
  if (!is_probability(s.abandon_cap)) return bad("abandon_cap", "must be in [0, 1]");
  return ok();
}

Result<Scenario> parse_scenario(std::string_view input) {
  boost::system::error_code ec;
  json::value doc = json::parse(input, ec);
  if (ec) return Error{Errc::invalid_argument, "scenario is not valid JSON: " + ec.message()};
  if (!doc.is_object()) return Error{Errc::invalid_argument, "scenario must be a JSON object"};
  const json::object& o = doc.get_object();
  Scenario s;

  auto name = text(o, "name");
  if (!name) return std::move(name).error();
  s.name = std::move(*name);
  auto description = text(o, "description");
  if (!description) return std::move(description).error();
  s.description = std::move(*description);

  const json::value* agents = o.if_contains("agents");
  if (agents == nullptr) return bad("agents", "missing");
  auto agent_count = as_number(*agents);
  if (!agent_count || *agent_count != std::floor(*agent_count) || *agent_count < 1 ||
      *agent_count > 100000) {
    return bad("agents", "must be an integer in [1, 100000]");
  }
  s.agents = static_cast<std::size_t>(*agent_count);

  auto hours = number(o, "hours", "hours");
  if (!hours) return std::move(hours).error();
  s.hours = *hours;

  auto steps = schedule(o);
  if (!steps) return std::move(steps).error();
  s.live_answer_rate_schedule = std::move(*steps);
  if (o.contains("live_answer_rate") || s.live_answer_rate_schedule.empty() ||
      s.live_answer_rate_schedule.front().from_s > 0) {
    auto rate = number(o, "live_answer_rate", "live_answer_rate");
    if (!rate) return std::move(rate).error();
    s.live_answer_rate = *rate;
  } else {
    s.live_answer_rate = s.live_answer_rate_schedule.front().rate;
  }

  auto ring = lognormal(o, "ring_to_answer_s");
  if (!ring) return std::move(ring).error();
  s.ring_to_answer = *ring;
  auto timeout = number(o, "no_answer_timeout_s", "no_answer_timeout_s");
  if (!timeout) return std::move(timeout).error();
  s.no_answer_timeout_s = *timeout;

  const json::value* mix = o.if_contains("non_live_mix");
  if (mix == nullptr) return bad("non_live_mix", "missing");
  if (!mix->is_object()) return bad("non_live_mix", "must be an object {\"fast_fail\": ..., \"machine\": ...}");
  auto fast = number(mix->get_object(), "fast_fail", "non_live_mix.fast_fail");
  if (!fast) return std::move(fast).error();
  auto machine = number(mix->get_object(), "machine", "non_live_mix.machine");
  if (!machine) return std::move(machine).error();
  s.fast_fail_share = *fast;
  s.machine_share = *machine;

  auto fast_fail = range(o, "fast_fail_s");
  if (!fast_fail) return std::move(fast_fail).error();
  s.fast_fail = *fast_fail;
  auto pickup = range(o, "machine_pickup_s");
  if (!pickup) return std::move(pickup).error();
  s.machine_pickup = *pickup;
  auto amd = number(o, "amd_s", "amd_s");
  if (!amd) return std::move(amd).error();
  s.amd_s = *amd;

  auto talk = lognormal(o, "talk_s");
  if (!talk) return std::move(talk).error();
  s.talk = *talk;
  auto wrapup = lognormal(o, "wrapup_s");
  if (!wrapup) return std::move(wrapup).error();
  s.wrapup = *wrapup;

  if (o.contains("break_after_call_prob")) {
    auto p = number(o, "break_after_call_prob", "break_after_call_prob");
    if (!p) return std::move(p).error();
    s.break_after_call_prob = *p;
  } else {
    s.break_after_call_prob = 0;
  }
  if (o.contains("break_s") || s.break_after_call_prob > 0) {
    auto length = lognormal(o, "break_s");
    if (!length) return std::move(length).error();
    s.break_length = *length;
  }

  auto wait = number(o, "max_wait_for_agent_s", "max_wait_for_agent_s");
  if (!wait) return std::move(wait).error();
  s.max_wait_for_agent_s = *wait;
  auto cap = number(o, "abandon_cap", "abandon_cap");
  if (!cap) return std::move(cap).error();
  s.abandon_cap = *cap;

  if (auto valid = validate_scenario(s); !valid) return std::move(valid).error();
  return s;
}

Result<Scenario> load_scenario(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) return Error{Errc::not_found, "cannot read scenario file " + file.string()};
  std::ostringstream contents;
  contents << in.rdbuf();
  auto s = parse_scenario(contents.str());
  if (!s) {
    Error e = std::move(s).error();
    e.detail = file.string() + ": " + e.detail;
    return e;
  }
  if (s->name.empty()) s->name = file.stem().string();
  return s;
}

}  // namespace dialer::sim
