// A carrier: one outbound route to the telephone network (a SIP trunk, or a
// Local channel into a dialplan context). Its dial prefix selects the route;
// its dial-string template says how Asterisk reaches it.
#pragma once

#include <string>
#include <string_view>

#include "dialer/ids.hpp"
#include "dialer/phone_number.hpp"

namespace dialer {

struct Carrier {
  CarrierId id;
  /// Unique, human-readable ("trunk-a").
  std::string name;
  /// Digits, '*' and '#' only; at most kMaxDialPrefixLength; unique among
  /// carriers and never the leading part of another carrier's prefix.
  std::string dial_prefix;
  /// Asterisk endpoint with exactly one "{dial}" placeholder, replaced by the
  /// prefix and the number: "PJSIP/{dial}@trunk", "Local/{dial}@customers".
  std::string dial_template = "PJSIP/{dial}@trunk";
  NumberFormat number_format = NumberFormat::e164;
};

}  // namespace dialer
