// The clairvoyant pacer ("oracle"): the upper reference a real pacer is
// measured against (shared/PACING.md, part B2.5). It works only inside a
// simulation, because it reads what no dialer can know: the outcome and ring
// time of every attempt before it is placed (SimulatedPbx's pre-drawn stream)
// and the moment each agent will be free again (SimulatedAgents).
//
// It dials the list in order: an attempt that will not be answered live is
// placed at once; a live one only when its answer can be matched to an agent
// free by then — every answer already expected keeps its own agent — so it
// never drops a call. Its only waste is the pacing tick and the first rings
// of the day.
//
// Threading: one thread, the engine's.
#pragma once

#include <cstddef>
#include <optional>
#include <string>

#include "dialer/pacer.hpp"

namespace dialer::sim {

class SimulatedPbx;
class SimulatedAgents;

class OraclePacer final : public Pacer {
 public:
  /// `originate_timeout_s`: the campaign's ring timeout. Requires: `pbx` and
  /// `agents` outlive the pacer.
  OraclePacer(const SimulatedPbx& pbx, const SimulatedAgents& agents, double originate_timeout_s);

  std::string name() const override { return "oracle"; }
  std::size_t decide(const PacerSnapshot& snapshot) override;
  std::optional<double> wakeup_at(double now_s) const override;

 private:
  const SimulatedPbx& pbx_;
  const SimulatedAgents& agents_;
  double timeout_s_;
  /// On the snapshot's clock: when the live attempt that blocked the last
  /// decision could be placed; nullopt when nothing is blocked.
  std::optional<double> wakeup_;
};

}  // namespace dialer::sim
