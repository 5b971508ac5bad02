#include "dialer/call_control.hpp"

#include "internal/enum_names.hpp"

namespace dialer {
namespace {

constexpr internal::NameTable<Leg, 2> kLegNames{{{Leg::customer, "customer"}, {Leg::agent, "agent"}}};
constexpr internal::NameTable<HangupSource, 2> kHangupSourceNames{
    {{HangupSource::reported, "reported"}, {HangupSource::lost_in_gap, "lost_in_gap"}}};

}  // namespace

const char* to_string(Leg l) noexcept { return internal::name_of(kLegNames, l); }
bool from_string(std::string_view s, Leg& out) noexcept {
  return internal::parse_name(kLegNames, s, out);
}

const char* to_string(HangupSource s) noexcept { return internal::name_of(kHangupSourceNames, s); }
bool from_string(std::string_view s, HangupSource& out) noexcept {
  return internal::parse_name(kHangupSourceNames, s, out);
}

}  // namespace dialer
