#include "dialer/event_sink.hpp"

#include "internal/enum_names.hpp"

namespace dialer {
namespace {

constexpr internal::NameTable<StatusReason, 6> kReasonNames{{
    {StatusReason::command, "command"},
    {StatusReason::call, "call"},
    {StatusReason::disposition, "disposition"},
    {StatusReason::wrapup_timeout, "wrapup_timeout"},
    {StatusReason::busy_reset, "busy_reset"},
    {StatusReason::phone_lost, "phone_lost"},
}};

}  // namespace

const char* to_string(StatusReason r) noexcept { return internal::name_of(kReasonNames, r); }
bool from_string(std::string_view s, StatusReason& out) noexcept {
  return internal::parse_name(kReasonNames, s, out);
}

}  // namespace dialer
