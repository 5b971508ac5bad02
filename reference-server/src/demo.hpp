// The embedded demo world of `dialerd --demo`: carriers with prefixes, an
// autodial campaign with leads and a manual one, dispositions, scripts,
// break types, two agents and an admin, and the simulated PBX's scenario
// (S1-like, with short talks so calls are seen flowing). The PBX plays the
// customers only; the agents are the people using the panel.
#pragma once

#include <string>
#include <vector>

#include "dialer/error.hpp"
#include "dialer/sim/scenario.hpp"

namespace dialerd {

class Service;

struct DemoLogin {
  std::string login;
  std::string password;
  std::string role;
};

/// The PBX's scenario for the demo. `fast` (--demo-fast): every customer
/// answers, after about 1 s, and talks about 6 s.
dialer::sim::Scenario demo_scenario(bool fast = false);

/// Saves the demo configuration, leads and logins into a fresh store (does
/// nothing to one that already has campaigns) and returns the logins.
dialer::Result<std::vector<DemoLogin>> seed_demo(Service& service);

}  // namespace dialerd
