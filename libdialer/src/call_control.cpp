#include "dialer/call_control.hpp"

#include "internal/enum_names.hpp"

namespace dialer {
namespace {

constexpr internal::NameTable<Leg, 2> kLegNames{{{Leg::customer, "customer"}, {Leg::agent, "agent"}}};

}  // namespace

const char* to_string(Leg l) noexcept { return internal::name_of(kLegNames, l); }
bool from_string(std::string_view s, Leg& out) noexcept {
  return internal::parse_name(kLegNames, s, out);
}

}  // namespace dialer
