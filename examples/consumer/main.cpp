// Checks an installed libdialer from the outside: the headers, the link, and
// one refusal of the dial-prefix policy.
#include <cstdio>

#include <dialer/dialer.hpp>

int main() {
  dialer::DialPolicy policy;
  if (!policy.save_carrier({dialer::CarrierId{1}, "trunk", "9", "PJSIP/{dial}@trunk",
                            dialer::NumberFormat::e164})) {
    return 1;
  }
  const dialer::Route route{dialer::CarrierId{1}, "", {}};
  auto target = policy.plan_typed(route, "(415) 555-0100");
  auto refused = policy.plan_typed(route, "123&Local/999@other");
  if (!target || refused) return 1;
  std::printf("libdialer %s: %s\n", dialer::kVersion, target->dial_string.c_str());
  return 0;
}
