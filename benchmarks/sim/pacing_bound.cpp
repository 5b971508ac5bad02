// How well could any pacer do on a small team? A Markov model of the team,
// solved exactly, gives the best possible occupancy at a given abandonment;
// docs/pacing.md ("A bound from a Markov model") has the results.
//
//   dialer_pacing_bound [--agents N] [--answer-rate P] [--talk S] [--wrap S]
//                       [--step S] [--delay STEPS] [--resolve H]
//                       [--max-calls K] [--max-pool M]
//                       [--lambda L ...] [--theta T ...] [--check]
//
// The model moves in steps of --step seconds (2 s: the longest an answered
// customer waits for an agent):
// - an agent talks (exponential, mean --talk s), then wraps up (exponential,
//   mean --wrap s), then is free;
// - each step the dialer places k new calls (0..--max-calls), knowing how many
//   agents talk, wrap up and are free, and every call's age;
// - a placed call gives no news for --delay - 1 steps; from its --delay-th step
//   on, it resolves with probability --resolve per step, as a live answer with
//   probability --answer-rate, else as a failure. Live and failed calls resolve
//   at the same rate, so all calls past the silent steps are alike and the
//   model keeps only their count (the pool, at most --max-pool);
// - the answers of a step go to the agents free at its end; the rest are
//   dropped (abandoned).
//
// With --resolve 1 every live call answers exactly --delay steps after it was
// placed, and every other call is known dead then: a dialer that knows when
// each live call would answer and learns at once which calls are dead, which
// no real dialer does. The answer rate and the time distributions are known
// exactly and the cap holds only on average over an endless day. All of this
// favours the model's dialer over a real one; its agents, being memoryless,
// say nothing about when they will be free, which favours the real one.
//
// For each --lambda it finds the policy with the most connects - lambda x
// drops per step (relative value iteration) and reports its occupancy (the
// share of agent time in talk) and abandonment. Sweeping lambda traces the
// best occupancy at each abandonment. It also reports, for comparison,
// progressive dialing and (with --resolve 1) the threshold rule the
// predictive pacer uses: place the largest n whose n-th call, if answered,
// finds no agent with probability at most --theta.
//
// --check also verifies the model: every transition's probabilities sum to 1,
// and no other policy scores more than the optimal one. Exits 1 if not.
#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <string>
#include <string_view>
#include <vector>

namespace {

struct Model {
  int agents = 8;
  double answer_rate = 0.12;
  double talk_s = 90;
  double wrap_s = 20;
  double step_s = 2;
  int delay = 4;
  double resolve = 1;
  int max_calls = 16;
  int max_pool = 0;
};

std::vector<double> binomial(int n, double q) {
  std::vector<double> pmf{1.0};
  for (int i = 0; i < n; ++i) {
    std::vector<double> next(pmf.size() + 1, 0.0);
    for (std::size_t k = 0; k < pmf.size(); ++k) {
      next[k] += pmf[k] * (1 - q);
      next[k + 1] += pmf[k] * q;
    }
    pmf.swap(next);
  }
  return pmf;
}

// Probabilities below this are left out of the transition tables; --check
// bounds what that loses.
constexpr double kNegligible = 1e-12;

class TeamModel {
 public:
  explicit TeamModel(const Model& m)
      : m_(m),
        end_talk_(1 - std::exp(-m.step_s / m.talk_s)),
        end_wrap_(1 - std::exp(-m.step_s / m.wrap_s)) {
    // Within the delay, a wrap-up must end; a talk must end and its wrap-up
    // after it.
    wrap_free_in_delay_ = 1 - std::pow(1 - end_wrap_, m.delay);
    for (int j = 1; j <= m.delay; ++j) {
      talk_free_in_delay_ +=
          std::pow(1 - end_talk_, j - 1) * end_talk_ * (1 - std::pow(1 - end_wrap_, m.delay - j));
    }
    const int n = m.agents;
    team_index_.assign(static_cast<std::size_t>((n + 1) * (n + 1)), -1);
    for (int talking = 0; talking <= n; ++talking) {
      for (int wrapping = 0; talking + wrapping <= n; ++wrapping) {
        team_index_[static_cast<std::size_t>(talking * (n + 1) + wrapping)] =
            static_cast<int>(talking_.size());
        talking_.push_back(talking);
        wrapping_.push_back(wrapping);
      }
    }
    teams_ = static_cast<int>(talking_.size());
    cohort_values_ = m.max_calls + 1;
    for (int i = 0; i < m.delay - 1; ++i) pipes_ *= cohort_values_;
    pools_ = m.max_pool + 1;
    build_resolutions();
    build_team_moves();
  }

  int states() const { return teams_ * pipes_ * pools_; }
  int actions() const { return cohort_values_; }

  struct Outcome {
    double connects = 0, drops = 0, answers = 0;
  };

  // Visits (next state, probability) of placing `k` calls in `state`, and
  // returns the step's expected connects, drops and answers.
  template <class Visit>
  Outcome step(int state, int k, Visit&& visit) const {
    const auto [team, pipe, pool] = unpack(state);
    const int at_risk = std::min(pool + maturing(pipe, k), max_at_risk());
    const int next = next_pipe(pipe, k);
    Outcome out;
    for (const Resolution& r : resolutions_[static_cast<std::size_t>(at_risk)]) {
      const TeamMove& move =
          moves_[static_cast<std::size_t>(team * (answers_max_ + 1) + r.answers)];
      out.connects += r.probability * move.connects;
      out.drops += r.probability * move.drops;
      out.answers += r.probability * r.answers;
      for (const auto& [next_team, p] : move.next)
        visit(pack(next_team, next, r.pool_left), r.probability * p);
    }
    return out;
  }

  double talking_share(int state) const {
    return static_cast<double>(talking_[static_cast<std::size_t>(unpack(state).team)]) / m_.agents;
  }

  int progressive(int state) const {
    const auto [team, pipe, pool] = unpack(state);
    const int idle = m_.agents - talking_[static_cast<std::size_t>(team)] -
                     wrapping_[static_cast<std::size_t>(team)];
    return std::clamp(idle - in_pipe(pipe) - pool, 0, m_.max_calls);
  }

  // The predictive pacer's rule, in this model (--resolve 1 only): the n-th
  // new call answers with the calls already placed, after agents have had
  // --delay steps to come free.
  int threshold(int state, double theta) const {
    const auto [team, pipe, pool] = unpack(state);
    const int talking = talking_[static_cast<std::size_t>(team)];
    const int wrapping = wrapping_[static_cast<std::size_t>(team)];
    const int idle = m_.agents - talking - wrapping;
    const std::vector<double> freed =
        convolve(binomial(wrapping, wrap_free_in_delay_), binomial(talking, talk_free_in_delay_));
    const int placed = in_pipe(pipe);
    int n = std::max(0, idle - placed);
    for (int candidate = n + 1; candidate <= m_.max_calls; ++candidate) {
      const std::vector<double> ahead = binomial(placed + candidate - 1, m_.answer_rate);
      double risk = 0;
      for (std::size_t f = 0; f < freed.size(); ++f)
        for (std::size_t a = static_cast<std::size_t>(idle) + f; a < ahead.size(); ++a)
          risk += freed[f] * ahead[a];
      if (risk > theta) break;
      n = candidate;
    }
    return n;
  }

  // Largest total probability lost to kNegligible over any (state, action).
  double worst_leak() const {
    double worst = 0;
    for (int s = 0; s < states(); ++s) {
      for (int k = 0; k < actions(); ++k) {
        double total = 0;
        step(s, k, [&](int, double p) { total += p; });
        worst = std::max(worst, std::fabs(1 - total));
      }
    }
    return worst;
  }

 private:
  struct Resolution {
    int answers, pool_left;
    double probability;
  };
  struct TeamMove {
    double connects = 0, drops = 0;
    std::vector<std::pair<int, double>> next;
  };
  struct Unpacked {
    int team, pipe, pool;
  };

  static std::vector<double> convolve(const std::vector<double>& a, const std::vector<double>& b) {
    std::vector<double> c(a.size() + b.size() - 1, 0.0);
    for (std::size_t i = 0; i < a.size(); ++i)
      for (std::size_t j = 0; j < b.size(); ++j) c[i + j] += a[i] * b[j];
    return c;
  }

  Unpacked unpack(int state) const {
    return {state / (pipes_ * pools_), state / pools_ % pipes_, state % pools_};
  }
  int pack(int team, int pipe, int pool) const { return (team * pipes_ + pipe) * pools_ + pool; }
  int max_at_risk() const { return m_.max_pool + m_.max_calls; }

  // The pipe holds the calls placed in the last delay - 1 steps, oldest first
  // (most significant digit): the oldest cohort comes due this step.
  int maturing(int pipe, int k) const { return pipes_ == 1 ? k : pipe / (pipes_ / cohort_values_); }
  int next_pipe(int pipe, int k) const {
    return pipes_ == 1 ? 0 : pipe % (pipes_ / cohort_values_) * cohort_values_ + k;
  }
  int in_pipe(int pipe) const {
    int total = 0;
    for (int i = 1; i < pipes_; i *= cohort_values_) {
      total += pipe % cohort_values_;
      pipe /= cohort_values_;
    }
    return total;
  }

  void build_resolutions() {
    resolutions_.resize(static_cast<std::size_t>(max_at_risk() + 1));
    for (int at_risk = 0; at_risk <= max_at_risk(); ++at_risk) {
      const std::vector<double> resolved = binomial(at_risk, m_.resolve);
      for (int r = 0; r <= at_risk; ++r) {
        const std::vector<double> live = binomial(r, m_.answer_rate);
        for (int a = 0; a <= r; ++a) {
          const double p =
              resolved[static_cast<std::size_t>(r)] * live[static_cast<std::size_t>(a)];
          if (p < kNegligible) continue;
          resolutions_[static_cast<std::size_t>(at_risk)].push_back(
              {a, std::min(at_risk - r, m_.max_pool), p});
          answers_max_ = std::max(answers_max_, a);
        }
      }
    }
  }

  void build_team_moves() {
    const int n = m_.agents;
    moves_.resize(static_cast<std::size_t>(teams_ * (answers_max_ + 1)));
    for (int team = 0; team < teams_; ++team) {
      const int talking = talking_[static_cast<std::size_t>(team)];
      const int wrapping = wrapping_[static_cast<std::size_t>(team)];
      const int idle = n - talking - wrapping;
      const std::vector<double> talks_end = binomial(talking, end_talk_);
      const std::vector<double> wraps_end = binomial(wrapping, end_wrap_);
      for (int answers = 0; answers <= answers_max_; ++answers) {
        TeamMove& move = moves_[static_cast<std::size_t>(team * (answers_max_ + 1) + answers)];
        std::vector<double> next(static_cast<std::size_t>(teams_), 0.0);
        for (int t = 0; t <= talking; ++t) {
          for (int w = 0; w <= wrapping; ++w) {
            const double p =
                talks_end[static_cast<std::size_t>(t)] * wraps_end[static_cast<std::size_t>(w)];
            const int connects = std::min(answers, idle + w);
            move.connects += p * connects;
            move.drops += p * (answers - connects);
            next[static_cast<std::size_t>(team_index_[static_cast<std::size_t>(
                (talking - t + connects) * (n + 1) + wrapping + t - w)])] += p;
          }
        }
        for (int t = 0; t < teams_; ++t)
          if (next[static_cast<std::size_t>(t)] >= kNegligible)
            move.next.emplace_back(t, next[static_cast<std::size_t>(t)]);
      }
    }
  }

  Model m_;
  double end_talk_, end_wrap_;  // per step
  double wrap_free_in_delay_ = 0, talk_free_in_delay_ = 0;
  int teams_ = 0, cohort_values_ = 0, pipes_ = 1, pools_ = 1, answers_max_ = 0;
  std::vector<int> talking_, wrapping_, team_index_;
  std::vector<std::vector<Resolution>> resolutions_;  // by calls at risk
  std::vector<TeamMove> moves_;                       // by team and answers
};

using Policy = std::vector<int>;

Policy optimal_policy(const TeamModel& model, double lambda) {
  const auto n = static_cast<std::size_t>(model.states());
  std::vector<double> value(n, 0.0), next(n, 0.0);
  Policy policy(n, 0);
  for (int iteration = 0; iteration < 20000; ++iteration) {
    for (int s = 0; s < model.states(); ++s) {
      double best = -1e300;
      for (int k = 0; k < model.actions(); ++k) {
        double future = 0;
        const auto out = model.step(
            s, k, [&](int to, double p) { future += p * value[static_cast<std::size_t>(to)]; });
        const double q = out.connects - lambda * out.drops + future;
        if (q > best + 1e-12) {
          best = q;
          policy[static_cast<std::size_t>(s)] = k;
        }
      }
      next[static_cast<std::size_t>(s)] = best;
    }
    // Relative values: subtract state 0's so they stay bounded; the span of
    // the change bounds the error in the gain.
    double low = 1e300, high = -1e300;
    for (std::size_t s = 0; s < n; ++s) {
      low = std::min(low, next[s] - value[s]);
      high = std::max(high, next[s] - value[s]);
    }
    const double anchor = next[0];
    for (std::size_t s = 0; s < n; ++s) value[s] = next[s] - anchor;
    if (high - low < 1e-9) return policy;
  }
  std::fprintf(stderr, "lambda %g: value iteration did not converge\n", lambda);
  return policy;
}

struct Result {
  double occupancy = 0, connects = 0, drops = 0, answers = 0;
  double score(double lambda) const { return connects - lambda * drops; }
};

// Long-run averages of a policy, from its stationary distribution.
Result evaluate(const TeamModel& model, const Policy& policy) {
  const auto n = static_cast<std::size_t>(model.states());
  std::vector<double> share(n, 0.0), next(n, 0.0);
  share[0] = 1;
  for (int iteration = 0; iteration < 100000; ++iteration) {
    std::fill(next.begin(), next.end(), 0.0);
    for (int s = 0; s < model.states(); ++s) {
      const double w = share[static_cast<std::size_t>(s)];
      if (w == 0) continue;
      model.step(s, policy[static_cast<std::size_t>(s)],
                 [&](int to, double p) { next[static_cast<std::size_t>(to)] += w * p; });
    }
    double change = 0;
    for (std::size_t s = 0; s < n; ++s) change += std::fabs(next[s] - share[s]);
    share.swap(next);
    if (change < 1e-12) break;
  }
  Result r;
  for (int s = 0; s < model.states(); ++s) {
    const double w = share[static_cast<std::size_t>(s)];
    if (w == 0) continue;
    const auto out = model.step(s, policy[static_cast<std::size_t>(s)], [](int, double) {});
    r.occupancy += w * model.talking_share(s);
    r.connects += w * out.connects;
    r.drops += w * out.drops;
    r.answers += w * out.answers;
  }
  return r;
}

bool parse(std::string_view text, double& out) {
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
  return ec == std::errc{} && end == text.data() + text.size();
}

}  // namespace

int main(int argc, char** argv) {
  Model m;
  std::vector<double> lambdas, thetas;
  bool check = false;
  for (int i = 1; i < argc; ++i) {
    const std::string_view flag = argv[i];
    if (flag == "--check") {
      check = true;
      continue;
    }
    double v = 0;
    if (i + 1 >= argc || !parse(argv[i + 1], v)) {
      std::fprintf(stderr, "%s needs a number\n", argv[i]);
      return 2;
    }
    ++i;
    if (flag == "--agents")
      m.agents = static_cast<int>(v);
    else if (flag == "--answer-rate")
      m.answer_rate = v;
    else if (flag == "--talk")
      m.talk_s = v;
    else if (flag == "--wrap")
      m.wrap_s = v;
    else if (flag == "--step")
      m.step_s = v;
    else if (flag == "--delay")
      m.delay = static_cast<int>(v);
    else if (flag == "--resolve")
      m.resolve = v;
    else if (flag == "--max-calls")
      m.max_calls = static_cast<int>(v);
    else if (flag == "--max-pool")
      m.max_pool = static_cast<int>(v);
    else if (flag == "--lambda")
      lambdas.push_back(v);
    else if (flag == "--theta")
      thetas.push_back(v);
    else {
      std::fprintf(stderr, "unknown option %s\n", argv[i - 1]);
      return 2;
    }
  }
  if (m.agents < 1 || m.agents > 12 || m.answer_rate <= 0 || m.answer_rate > 1 || m.talk_s <= 0 ||
      m.wrap_s <= 0 || m.step_s <= 0 || m.delay < 1 || m.delay > 5 || m.resolve <= 0 ||
      m.resolve > 1 || m.max_calls < 1 || m.max_pool < 0 || (m.resolve < 1 && m.max_pool < 1)) {
    std::fprintf(stderr,
                 "model out of range: 1-12 agents, delay 1-5 steps, 0 < answer rate, resolve <= 1, "
                 "a pool (--max-pool) when --resolve < 1\n");
    return 2;
  }
  if (!thetas.empty() && m.resolve < 1) {
    std::fprintf(stderr, "--theta needs --resolve 1\n");
    return 2;
  }

  const TeamModel model(m);
  const double ceiling = m.talk_s / (m.talk_s + m.wrap_s);
  std::printf(
      "# %d agents, answer rate %g, talk %g s, wrap-up %g s, step %g s, delay %d, resolve %g: %d "
      "states\n",
      m.agents, m.answer_rate, m.talk_s, m.wrap_s, m.step_s, m.delay, m.resolve, model.states());
  const auto report = [&](const std::string& name, const Result& r) {
    std::printf(
        "%-18s occupancy %.4f (%.1f%% of talk/(talk+wrap) %.4f)  abandonment %.4f  "
        "connects/agent-h %.2f\n",
        name.c_str(), r.occupancy, 100 * r.occupancy / ceiling, ceiling,
        r.drops / std::max(r.answers, 1e-12), r.connects / m.agents * 3600 / m.step_s);
    std::fflush(stdout);
  };

  const auto policy_of = [&](auto rule) {
    Policy p(static_cast<std::size_t>(model.states()));
    for (int s = 0; s < model.states(); ++s) p[static_cast<std::size_t>(s)] = rule(s);
    return p;
  };
  std::vector<Result> others{
      evaluate(model, policy_of([&](int s) { return model.progressive(s); }))};
  report("progressive", others.back());
  for (double theta : thetas) {
    others.push_back(evaluate(model, policy_of([&](int s) { return model.threshold(s, theta); })));
    report("threshold " + std::to_string(theta).substr(0, 6), others.back());
  }

  bool ok = true;
  if (check) {
    const double leak = model.worst_leak();
    std::printf("# check: transition probabilities sum to 1 within %.1e\n", leak);
    ok = leak < 1e-6;
  }
  for (double lambda : lambdas) {
    const Result best = evaluate(model, optimal_policy(model, lambda));
    report("optimal lambda " + std::to_string(lambda).substr(0, 5), best);
    for (const Result& other : others) {
      if (check && other.score(lambda) > best.score(lambda) + 1e-7) {
        std::printf("# check FAILED: a policy scores %.8f > optimal %.8f at lambda %g\n",
                    other.score(lambda), best.score(lambda), lambda);
        ok = false;
      }
    }
  }
  return ok ? 0 : 1;
}
