#include "dialer/error.hpp"

#include "dialer/compliance.hpp"
#include "dialer/dial_prefix.hpp"

namespace dialer {
namespace {

class DialerCategory final : public std::error_category {
 public:
  const char* name() const noexcept override { return "dialer"; }
  std::string message(int ev) const override { return to_string(static_cast<Errc>(ev)); }
};

}  // namespace

const char* to_string(Errc e) noexcept {
  switch (e) {
    case Errc::invalid_transition: return "invalid_transition";
    case Errc::not_found: return "not_found";
    case Errc::conflict: return "conflict";
    case Errc::unavailable: return "unavailable";
    case Errc::timeout: return "timeout";
    case Errc::invalid_argument: return "invalid_argument";
    case Errc::protocol_error: return "protocol_error";
    case Errc::storage_error: return "storage_error";
    case Errc::refused_by_policy: return "refused_by_policy";
  }
  return "unknown";
}

bool from_string(std::string_view s, Errc& out) noexcept {
  for (int v = static_cast<int>(Errc::invalid_transition);
       v <= static_cast<int>(Errc::refused_by_policy); ++v) {
    if (s == to_string(static_cast<Errc>(v))) {
      out = static_cast<Errc>(v);
      return true;
    }
  }
  return false;
}

const std::error_category& dialer_category() noexcept {
  static const DialerCategory category;
  return category;
}

std::error_code make_error_code(Errc e) noexcept { return {static_cast<int>(e), dialer_category()}; }

std::error_condition make_error_condition(Errc e) noexcept {
  return {static_cast<int>(e), dialer_category()};
}

bool is_policy_refusal(const std::error_code& code) noexcept {
  return code == Errc::refused_by_policy || code.category() == dial_rule_category() ||
         code.category() == compliance_category();
}

std::string Error::message() const {
  if (detail.empty()) return code.message();
  return code.message() + ": " + detail;
}

}  // namespace dialer
