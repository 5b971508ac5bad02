// A private tuning harness for the pacing policies: a small discrete-event
// model of shared/scenarios/README.md (not the product's simulator, which runs
// the real engine: tools/sim/dialer-sim). Built on demand only
// (`ninja pacing_harness`), never part of the test suite.
//
//   pacing_harness POLICY AGENTS P TALK_MEAN [SEEDS] [HOURS] [BREAK_PROB] [SCHEDULE]
//   SCHEDULE: "t1:p1,t2:p2" (from t1 seconds on, the rate is p1, ...)
#include <algorithm>
#include <ctime>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <deque>
#include <queue>
#include <random>
#include <string>
#include <vector>

#include "dialer/pacer.hpp"
#include "pacer/predictive.hpp"

using namespace dialer;

namespace {

struct Params {
  std::string policy;
  int agents = 20;
  double p = 0.25, talk = 180, hours = 8, break_prob = 0;
  std::vector<std::pair<double, double>> schedule;
};

struct DayResult {
  double occ = 0, aband = 0, max1h = 0, placed_ah = 0, decide_us = 0;
  std::uint64_t lives = 0, drops = 0;
};

double lognormal(std::mt19937_64& g, double mean, double cv) {
  const double s2 = std::log(1 + cv * cv);
  std::normal_distribution<double> n(std::log(mean) - s2 / 2, std::sqrt(s2));
  return std::exp(n(g));
}

enum class Ev { resolve, drop_check, wrap_start, wrap_end, break_end };
struct Event {
  double t;
  Ev kind;
  std::uint64_t id;
  bool operator>(const Event& o) const { return t > o.t; }
};

DayResult run(const Params& prm, std::uint64_t seed) {
  std::mt19937_64 g(seed * 7919 + 17);
  std::uniform_real_distribution<double> uni(0, 1);
  std::unique_ptr<Pacer> pacer;
  if (prm.policy == "predictive-env") {
    // Options from the environment, for tuning: PT_<name>=value.
    pacing::PredictiveOptions o;
    auto env = [](const char* name, double& v) {
      if (const char* e = std::getenv(name)) v = std::atof(e);
    };
    env("PT_TARGET", o.target_share);
    env("PT_GL", o.guard_low);
    env("PT_GH", o.guard_high);
    env("PT_HGL", o.hour_guard_low);
    env("PT_HGH", o.hour_guard_high);
    env("PT_THMIN", o.theta_min);
    env("PT_GAIN", o.control_gain);
    env("PT_FUT", o.future_allowance);
    env("PT_RECENT", o.recent_half_life_s);
    env("PT_MINANS", o.guard_min_answers);
    env("PT_HOURCAP", o.hour_cap_multiple);
    double k = static_cast<double>(o.horizons);
    env("PT_K", k);
    double ex = static_cast<double>(o.exact_max_agents);
    env("PT_EXACT", ex);
    o.exact_max_agents = static_cast<std::size_t>(ex);
    o.horizons = static_cast<std::size_t>(k);
    pacer = pacing::make_predictive(o);
  } else {
    pacer = make_pacer(prm.policy).value();
  }
  const double day = prm.hours * 3600;
  enum class St { idle, talk, wrap, brk };
  struct Agent { St st = St::idle; double since = 0; std::uint64_t call = 0; };
  std::vector<Agent> ag(static_cast<std::size_t>(prm.agents));
  struct Call { double placed; double at; int outcome; double dur; };  // 0 live 1 machine 2 na 3 fail
  std::vector<Call> calls;
  calls.reserve(200000);
  std::vector<std::uint64_t> ringing;  // ids
  std::deque<std::pair<std::uint64_t, double>> waiting;
  std::priority_queue<Event, std::vector<Event>, std::greater<>> q;
  double talk_time = 0;
  std::uint64_t placed = 0, lives = 0, drops = 0;
  std::vector<double> min_ans(static_cast<std::size_t>(prm.hours * 60) + 2, 0), min_drop(min_ans.size(), 0);
  auto rate_at = [&](double t) {
    double r = prm.p;
    for (auto& [from, v] : prm.schedule) if (t >= from) r = v;
    return r;
  };
  auto emit = [&](PacerEventKind k, double t, std::uint64_t c, std::uint64_t a, double v) {
    pacer->observe({k, t, c, a, v});
  };
  auto start_talk = [&](std::size_t i, std::uint64_t c, double t, double waited) {
    ag[i] = {St::talk, t, c};
    const double len = lognormal(g, prm.talk, 1.0);
    q.push({t + len, Ev::wrap_start, i});
    calls[c].dur = len;
    emit(PacerEventKind::connected, t, c + 1, i + 1, waited);
  };
  auto free_agent = [&](std::size_t i, double t) {
    if (!waiting.empty()) {
      auto [c, at] = waiting.front();
      waiting.pop_front();
      start_talk(i, c, t, t - at);
    } else {
      ag[i] = {St::idle, t, 0};
    }
  };
  std::uint64_t answered_today = 0;
  double decide_s = 0;
  std::uint64_t decides = 0;
  for (double now = 0; now < day; now += 0.5) {
    while (!q.empty() && q.top().t <= now) {
      const Event e = q.top();
      q.pop();
      const double t = e.t;
      switch (e.kind) {
        case Ev::resolve: {
          Call& c = calls[e.id];
          ringing.erase(std::find(ringing.begin(), ringing.end(), e.id));
          if (c.outcome == 0) {
            ++lives;
            ++answered_today;
            if (t < day) min_ans[static_cast<std::size_t>(t / 60)] += 1;
            emit(PacerEventKind::live_answer, t, e.id + 1, 0, t - c.placed);
            std::size_t best = ag.size();
            for (std::size_t i = 0; i < ag.size(); ++i)
              if (ag[i].st == St::idle && (best == ag.size() || ag[i].since < ag[best].since)) best = i;
            if (best < ag.size()) start_talk(best, e.id, t, 0);
            else { waiting.push_back({e.id, t}); q.push({t + 2.0, Ev::drop_check, e.id}); }
          } else {
            emit(c.outcome == 1 ? PacerEventKind::machine : c.outcome == 2 ? PacerEventKind::no_answer : PacerEventKind::failed,
                 t, e.id + 1, 0, t - c.placed);
          }
          break;
        }
        case Ev::drop_check: {
          auto it = std::find_if(waiting.begin(), waiting.end(), [&](auto& w) { return w.first == e.id; });
          if (it != waiting.end()) {
            waiting.erase(it);
            ++drops;
            if (t < day) min_drop[static_cast<std::size_t>((t - 2) / 60)] += 1;
            emit(PacerEventKind::dropped, t, e.id + 1, 0, 2.0);
          }
          break;
        }
        case Ev::wrap_start: {
          Agent& a = ag[e.id];
          talk_time += std::min(t, day) - std::min(a.since, day);
          emit(PacerEventKind::talk_end, t, a.call + 1, e.id + 1, t - a.since);
          a.st = St::wrap;
          a.since = t;
          q.push({t + lognormal(g, 20, 0.5), Ev::wrap_end, e.id});
          break;
        }
        case Ev::wrap_end: {
          emit(PacerEventKind::wrapup_end, t, 0, e.id + 1, t - ag[e.id].since);
          if (uni(g) < prm.break_prob) {
            ag[e.id] = {St::brk, t, 0};
            q.push({t + lognormal(g, 300, 0.5), Ev::break_end, e.id});
          } else {
            free_agent(e.id, t);
          }
          break;
        }
        case Ev::break_end:
          emit(PacerEventKind::break_end, t, 0, e.id + 1, t - ag[e.id].since);
          free_agent(e.id, t);
          break;
      }
    }
    PacerSnapshot s;
    s.now_s = now;
    s.time_of_day_s = 9 * 3600 + now;
    for (auto& a : ag) {
      if (a.st == St::idle) s.idle_s.push_back(now - a.since);
      else if (a.st == St::talk) s.talking_s.push_back(now - a.since);
      else if (a.st == St::wrap) s.wrapup_s.push_back(now - a.since);
      else ++s.on_break;
    }
    for (auto id : ringing) s.ringing_s.push_back(now - calls[id].placed);
    for (auto& w : waiting) s.waiting_s.push_back(now - w.second);
    s.dialable = 100000;
    s.placed_today = placed;
    s.answered_today = s.answered_30d = answered_today;
    s.dropped_today = s.dropped_30d = drops;
    // CPU time, not wall time: the machine is shared.
    const std::clock_t t0 = std::clock();
    const std::size_t n = pacer->decide(s);
    decide_s += static_cast<double>(std::clock() - t0) / CLOCKS_PER_SEC;
    ++decides;
    for (std::size_t k = 0; k < n; ++k) {
      const std::uint64_t id = calls.size();
      Call c{now, 0, 0, 0};
      if (uni(g) < rate_at(now)) {
        double r;
        do r = lognormal(g, 8, 0.5); while (r >= 25);
        c.at = now + r;
      } else {
        const double u = uni(g);
        if (u < 0.2) { c.outcome = 3; c.at = now + 1 + 5 * uni(g); }
        else if (u < 0.5) { c.outcome = 1; c.at = now + 10 + 12 * uni(g) + 3; }
        else { c.outcome = 2; c.at = now + 25; }
      }
      calls.push_back(c);
      ringing.push_back(id);
      ++placed;
      emit(PacerEventKind::placed, now, id + 1, 0, 0);
      q.push({c.at, Ev::resolve, id});
    }
  }
  for (auto& a : ag) if (a.st == St::talk) talk_time += day - a.since;
  DayResult r;
  r.occ = talk_time / (prm.agents * day);
  r.aband = lives ? static_cast<double>(drops) / static_cast<double>(lives) : 0;
  r.lives = lives;
  r.drops = drops;
  r.decide_us = 1e6 * decide_s / static_cast<double>(decides);
  r.placed_ah = static_cast<double>(placed) / (prm.agents * prm.hours);
  const std::size_t mins = static_cast<std::size_t>(prm.hours * 60);
  for (std::size_t m = 0; m + 60 <= mins; ++m) {
    double a = 0, d = 0;
    for (std::size_t k = m; k < m + 60; ++k) a += min_ans[k], d += min_drop[k];
    if (a > 0) r.max1h = std::max(r.max1h, d / a);
  }
  return r;
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 5) {
    std::fprintf(stderr, "usage: %s POLICY AGENTS P TALK [SEEDS] [HOURS] [BREAK] [SCHEDULE]\n", argv[0]);
    return 2;
  }
  Params prm;
  prm.policy = argv[1];
  prm.agents = std::atoi(argv[2]);
  prm.p = std::atof(argv[3]);
  prm.talk = std::atof(argv[4]);
  const int seeds = argc > 5 ? std::atoi(argv[5]) : 5;
  if (argc > 6) prm.hours = std::atof(argv[6]);
  if (argc > 7) prm.break_prob = std::atof(argv[7]);
  if (argc > 8) {
    std::string s = argv[8];
    std::size_t pos = 0;
    while (pos < s.size()) {
      const std::size_t comma = s.find(',', pos);
      const std::string item = s.substr(pos, comma == std::string::npos ? std::string::npos : comma - pos);
      const std::size_t colon = item.find(':');
      prm.schedule.push_back({std::atof(item.substr(0, colon).c_str()), std::atof(item.substr(colon + 1).c_str())});
      if (comma == std::string::npos) break;
      pos = comma + 1;
    }
  }
  std::vector<double> occ, ab, mx, pl;
  for (int sd = 1; sd <= seeds; ++sd) {
    const DayResult r = run(prm, static_cast<std::uint64_t>(sd));
    std::printf("  seed %d: occ %.1f%% aband %.2f%% (%llu/%llu) max1h %.2f%% placed/ah %.1f decide %.2f us\n", sd, 100 * r.occ,
                100 * r.aband, static_cast<unsigned long long>(r.drops), static_cast<unsigned long long>(r.lives),
                100 * r.max1h, r.placed_ah, r.decide_us);
    occ.push_back(r.occ), ab.push_back(r.aband), mx.push_back(r.max1h), pl.push_back(r.placed_ah);
  }
  std::printf("%s N=%d p=%.2f talk=%.0f: median occ %.1f%% aband %.2f%% (max seed %.2f%%) max1h %.2f%%\n",
              prm.policy.c_str(), prm.agents, prm.p, prm.talk, 100 * median(occ), 100 * median(ab),
              100 * *std::max_element(ab.begin(), ab.end()), 100 * median(mx));
  return 0;
}
