// ratio:R: ceil(R × idle agents) calls ringing or waiting. The classic fixed
// over-dial; right only for the answer rate it was tuned for (PACING.md,
// finding 7), so it is here as a baseline, not a recommendation.
#include <cmath>
#include <sstream>

#include "policies.hpp"

namespace dialer::pacing {
namespace {

class RatioPacer final : public Pacer {
 public:
  explicit RatioPacer(double ratio) : ratio_(ratio) {}

  std::string name() const override {
    std::ostringstream out;
    out << "ratio:" << ratio_;
    return out.str();
  }

  std::size_t decide(const PacerSnapshot& s) override {
    if (s.agents_working() == 0 || s.idle_s.empty()) return 0;
    // The small epsilon keeps 1.1 × 10 at 11 despite binary rounding.
    const double want = std::ceil(ratio_ * static_cast<double>(s.idle_s.size()) - 1e-9);
    return top_up(static_cast<std::size_t>(want), s.ringing_s.size() + s.waiting_s.size());
  }

 private:
  double ratio_;
};

}  // namespace

std::unique_ptr<Pacer> make_ratio(double ratio) { return std::make_unique<RatioPacer>(ratio); }

}  // namespace dialer::pacing
