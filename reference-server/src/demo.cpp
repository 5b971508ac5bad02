#include "demo.hpp"

#include <array>

#include "dialer/phone_number.hpp"
#include "dialer_service.hpp"
#include "log.hpp"
#include "passwords.hpp"

namespace dialerd {
using dialer::Errc;
using dialer::Error;
using dialer::Result;

dialer::sim::Scenario demo_scenario(bool fast) {
  dialer::sim::Scenario s;
  s.name = "dialerd-demo";
  s.description = "S1-like day with short talks, for watching calls flow in the panel";
  s.agents = 2;
  s.hours = 24;
  s.live_answer_rate = 0.5;
  s.ring_to_answer = {5.0, 0.4};
  s.no_answer_timeout_s = 20;
  s.fast_fail_share = 0.3;
  s.machine_share = 0.2;
  s.fast_fail = {1.0, 4.0};
  s.machine_pickup = {6.0, 12.0};
  s.amd_s = 2.0;
  s.talk = {25.0, 0.4};
  s.wrapup = {10.0, 0.5};
  s.max_wait_for_agent_s = 2.0;
  s.abandon_cap = 0.03;
  if (fast) {
    s.live_answer_rate = 1.0;
    s.ring_to_answer = {1.0, 0.1};
    s.talk = {6.0, 0.1};
  }
  return s;
}

namespace {

constexpr const char* kScript =
    "Hello, this is {agent} calling from Acme Energy about your spring renewal.\n"
    "1. Confirm you are speaking with the account holder.\n"
    "2. Offer the 12-month fixed plan.\n"
    "3. If not interested, thank them and choose NI.";

dialer::Campaign base_campaign() {
  dialer::Campaign c;
  c.number_plan.region = "US";
  // The demo dials the 555-01xx fictional range: possible, never valid.
  c.number_plan.require_valid = false;
  // Any hour, so the demo works whenever it is started.
  c.compliance.calling_hours = {std::chrono::minutes{0}, std::chrono::minutes{24 * 60}};
  c.compliance.max_calls_per_number_per_day = 3;
  c.wrapup_timeout = std::chrono::seconds{120};
  c.hopper_size = 50;
  c.ring_timeout = std::chrono::seconds{25};
  c.caller_id = "Acme Energy <2125550100>";
  c.break_types = {"lunch", "coffee", "training"};
  c.script = kScript;
  c.recycle.no_answer.delay = std::chrono::seconds{120};
  c.recycle.busy.delay = std::chrono::seconds{120};
  return c;
}

Result<void> save_leads(Service& service, dialer::CampaignId campaign, int count, int area_offset) {
  static constexpr std::array<const char*, 10> first{"Ada", "Ben", "Chloe", "Dev", "Elena", "Femi", "Grace", "Hugo", "Iris", "Jon"};
  static constexpr std::array<const char*, 10> last{"Lovelace", "Okafor", "Nguyen", "Patel", "Rossi", "Adeyemi", "Hopper", "Larsen", "Moreau", "Snow"};
  static constexpr std::array<const char*, 4> areas{"212", "415", "312", "617"};
  static constexpr std::array<const char*, 4> zones{"America/New_York", "America/Los_Angeles", "America/Chicago", "America/New_York"};
  std::vector<dialer::Lead> leads;
  dialer::NumberPlan plan;
  plan.require_valid = false;
  for (int i = 0; i < count; ++i) {
    auto k = static_cast<std::size_t>(i + area_offset);
    std::string raw = std::string(areas[k % 4]) + "555" + std::to_string(100 + (i % 100)) ;
    raw = std::string(areas[k % 4]) + "55501" + (i % 100 < 10 ? "0" : "") + std::to_string(i % 100);
    auto number = dialer::normalize_number(raw, plan);
    if (!number) return std::move(number).error();
    dialer::Lead l;
    l.campaign = campaign;
    l.phone = *number;
    l.time_zone = zones[k % 4];
    l.fields = {{"first_name", first[k % first.size()]},
                {"last_name", last[(k / first.size()) % last.size()]},
                {"city", k % 4 == 0 ? "New York" : k % 4 == 1 ? "San Francisco" : k % 4 == 2 ? "Chicago" : "Boston"},
                {"plan", i % 3 == 0 ? "variable" : "fixed-12"}};
    leads.push_back(std::move(l));
  }
  auto r = service.leads().add_leads(leads, std::chrono::system_clock::now());
  if (!r) return std::move(r).error();
  return {};
}

}  // namespace

Result<std::vector<DemoLogin>> seed_demo(Service& service) {
  std::vector<DemoLogin> logins{{"alice", "alice-demo", "agent"}, {"bob", "bob-demo", "agent"}, {"admin", "admin-demo", "admin"}};
  auto existing = service.config_store().load_campaigns();
  if (!existing) return std::move(existing).error();
  if (!existing->empty()) {
    log(LogLevel::info, "demo_reused", {{"campaigns", std::to_string(existing->size())}});
    return logins;
  }
  auto& engine = service.engine();
  auto& store = service.config_store();
  auto save_carrier = [&](const dialer::Carrier& c) -> Result<void> {
    if (auto r = engine.save_carrier(c); !r) return r;
    return store.save_carrier(c);
  };
  auto save_campaign = [&](const dialer::Campaign& c) -> Result<void> {
    if (auto r = engine.save_campaign(c); !r) return r;
    return store.save_campaign(c);
  };
  dialer::Carrier a{dialer::CarrierId{1}, "trunk-a", "9", "PJSIP/{dial}@trunk-a", dialer::NumberFormat::e164};
  dialer::Carrier b{dialer::CarrierId{2}, "trunk-b", "7", "PJSIP/{dial}@trunk-b", dialer::NumberFormat::national};
  if (auto r = save_carrier(a); !r) return std::move(r).error();
  if (auto r = save_carrier(b); !r) return std::move(r).error();

  dialer::Campaign autodial = base_campaign();
  autodial.id = dialer::CampaignId{1};
  autodial.name = "Spring renewals (autodial)";
  autodial.dial_mode = dialer::DialMode::autodial;
  autodial.carrier = a.id;
  autodial.dial_prefix = "9";
  autodial.manual_dial_allowed = true;
  dialer::Campaign manual = base_campaign();
  manual.id = dialer::CampaignId{2};
  manual.name = "Callbacks (manual)";
  manual.dial_mode = dialer::DialMode::manual;
  manual.carrier = b.id;
  manual.dial_prefix = "";
  manual.script = "Callback: greet the customer by name and pick up where the last call left off.";
  if (auto r = save_campaign(autodial); !r) return std::move(r).error();
  if (auto r = save_campaign(manual); !r) return std::move(r).error();

  for (auto [id, login, name] : {std::tuple{1u, "alice", "Alice Martin"}, std::tuple{2u, "bob", "Bob Chen"}}) {
    dialer::Agent agent{dialer::AgentId{id}, login, name, std::string("PJSIP/") + login, false};
    if (auto r = engine.save_agent(agent); !r) return std::move(r).error();
    if (auto r = store.save_agent(agent); !r) return std::move(r).error();
    service.remember_agent(agent.id);
  }
  if (auto r = save_leads(service, autodial.id, 200, 0); !r) return std::move(r).error();
  if (auto r = save_leads(service, manual.id, 20, 1); !r) return std::move(r).error();

  for (const auto& l : logins) {
    auto hash = hash_password(l.password, service.config().password_hash);
    if (!hash) return std::move(hash).error();
    Credential c{l.login, l.role == "admin" ? Role::admin : Role::agent,
                 l.login == "alice" ? dialer::AgentId{1} : l.login == "bob" ? dialer::AgentId{2} : dialer::AgentId{},
                 *hash};
    if (auto r = service.credentials().save(c); !r) return std::move(r).error();
  }
  service.kick();
  log(LogLevel::info, "demo_seeded", {{"campaigns", "2"}, {"leads", "220"}, {"agents", "2"}});
  return logins;
}

}  // namespace dialerd
