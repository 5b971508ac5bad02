// progressive: one call ringing or waiting per idle agent (DESIGN.md's
// autodial mode). An answered call then always finds its agent still idle,
// so the policy never drops while the team is stable; it also leaves agents
// idle for a whole ring cycle before every connect.
#include "policies.hpp"

namespace dialer::pacing {
namespace {

class ProgressivePacer final : public Pacer {
 public:
  std::string name() const override { return "progressive"; }
  std::size_t decide(const PacerSnapshot& s) override {
    if (s.agents_working() == 0) return 0;
    return top_up(s.idle_s.size(), s.ringing_s.size() + s.waiting_s.size());
  }
};

}  // namespace

std::unique_ptr<Pacer> make_progressive() { return std::make_unique<ProgressivePacer>(); }

}  // namespace dialer::pacing
