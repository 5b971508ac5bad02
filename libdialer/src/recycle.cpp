#include "dialer/recycle.hpp"

namespace dialer {
namespace {

const RecycleRule* rule_for(const RecyclePolicy& p, CallOutcome outcome) {
  switch (outcome) {
    case CallOutcome::busy: return &p.busy;
    case CallOutcome::no_answer: return &p.no_answer;
    case CallOutcome::failed: return &p.failed;
    case CallOutcome::dropped: return &p.dropped;
    case CallOutcome::machine: return &p.machine;
    default: return nullptr;
  }
}

}  // namespace

Result<void> validate_recycle_policy(const RecyclePolicy& p) {
  for (const RecycleRule* r : {&p.busy, &p.no_answer, &p.failed, &p.dropped, &p.machine}) {
    if (r->delay.count() < 0) return Error{Errc::invalid_argument, "a recycle delay is negative"};
  }
  return ok();
}

std::optional<WallTime> recycle_at(const RecyclePolicy& policy, CallOutcome outcome,
                                   std::uint32_t attempts, WallTime now) {
  if (outcome == CallOutcome::cancelled || outcome == CallOutcome::lost) return now;
  const RecycleRule* rule = rule_for(policy, outcome);
  if (rule == nullptr || !rule->recycle) return std::nullopt;
  if (policy.max_attempts != 0 && attempts >= policy.max_attempts) return std::nullopt;
  if (rule->max_attempts != 0 && attempts >= rule->max_attempts) return std::nullopt;
  return now + rule->delay;
}

}  // namespace dialer
