#include "dialer/pacer.hpp"

#include <algorithm>

#include "internal/enum_names.hpp"

namespace dialer {
namespace {

constexpr internal::NameTable<PacerEventKind, 10> kEventNames{{
    {PacerEventKind::placed, "placed"},
    {PacerEventKind::live_answer, "live_answer"},
    {PacerEventKind::machine, "machine"},
    {PacerEventKind::no_answer, "no_answer"},
    {PacerEventKind::failed, "failed"},
    {PacerEventKind::connected, "connected"},
    {PacerEventKind::dropped, "dropped"},
    {PacerEventKind::talk_end, "talk_end"},
    {PacerEventKind::wrapup_end, "wrapup_end"},
    {PacerEventKind::break_end, "break_end"},
}};

/// One call ringing or waiting per idle agent.
class ProgressivePacer final : public Pacer {
 public:
  std::string name() const override { return "progressive"; }
  std::size_t decide(const PacerSnapshot& s) override {
    const std::size_t in_flight = s.ringing_s.size() + s.waiting_s.size();
    return s.idle_s.size() > in_flight ? s.idle_s.size() - in_flight : 0;
  }
};

}  // namespace

const char* to_string(PacerEventKind k) noexcept { return internal::name_of(kEventNames, k); }
bool from_string(std::string_view s, PacerEventKind& out) noexcept {
  return internal::parse_name(kEventNames, s, out);
}

Result<std::unique_ptr<Pacer>> make_pacer(std::string_view spec) {
  if (spec == "progressive") return std::unique_ptr<Pacer>(std::make_unique<ProgressivePacer>());
  return Error{Errc::invalid_argument, "unknown pacing policy \"" + std::string(spec) + "\""};
}

std::vector<std::string> pacer_policies() { return {"progressive"}; }

}  // namespace dialer
