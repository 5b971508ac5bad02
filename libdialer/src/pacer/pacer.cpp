// make_pacer(): the policy names, their parsing, and the event names.
#include "dialer/pacer.hpp"

#include <charconv>
#include <cmath>
#include <string>

#include "internal/enum_names.hpp"
#include "policies.hpp"

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

constexpr std::string_view kRatioPrefix = "ratio:";
constexpr double kMinRatio = 1.0;
constexpr double kMaxRatio = 50.0;

Result<std::unique_ptr<Pacer>> parse_ratio(std::string_view spec) {
  const std::string_view text = spec.substr(kRatioPrefix.size());
  double ratio = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), ratio);
  if (text.empty() || ec != std::errc{} || end != text.data() + text.size() ||
      !std::isfinite(ratio)) {
    return Error{Errc::invalid_argument,
                 "pacing policy \"" + std::string(spec) + "\": the ratio must be a number"};
  }
  if (ratio < kMinRatio || ratio > kMaxRatio) {
    return Error{Errc::invalid_argument, "pacing policy \"" + std::string(spec) +
                                             "\": the ratio must be between 1 and 50"};
  }
  return pacing::make_ratio(ratio);
}

}  // namespace

const char* to_string(PacerEventKind k) noexcept { return internal::name_of(kEventNames, k); }
bool from_string(std::string_view s, PacerEventKind& out) noexcept {
  return internal::parse_name(kEventNames, s, out);
}

Result<std::unique_ptr<Pacer>> make_pacer(std::string_view spec) {
  if (spec == "progressive") return pacing::make_progressive();
  if (spec == "vicidial-tapered") return pacing::make_vicidial_tapered();
  if (spec == "predictive") return pacing::make_predictive();
  if (spec.starts_with(kRatioPrefix)) return parse_ratio(spec);
  return Error{Errc::invalid_argument,
               "unknown pacing policy \"" + std::string(spec) +
                   "\" (known: progressive, ratio:R, vicidial-tapered, predictive)"};
}

std::vector<std::string> pacer_policies() {
  return {"progressive", "ratio:R", "vicidial-tapered", "predictive"};
}

}  // namespace dialer
