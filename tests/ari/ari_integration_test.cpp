// The ARI transport end to end: the real Engine dials through AriCallControl
// against the loopback ARI server — or, unchanged, against a real Asterisk
// configured with shared/ari/asterisk-etc when DIALER_TEST_ARI_URL,
// DIALER_TEST_ARI_USER, DIALER_TEST_ARI_PASSWORD and DIALER_TEST_ARI_APP are
// set. Customers are Local/<prefix+number>@customers (the number's last digit
// picks the outcome), agents Local/<ext>@agents.
//
// Waits poll with a generous limit that only guards against a hang; no test
// asserts how long anything took.
#include <doctest/doctest.h>

#include <algorithm>
#include <cstdlib>
#include <functional>
#include <future>
#include <memory>
#include <thread>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>

#include "dialer/ari/call_control.hpp"
#include "dialer/ari/failover.hpp"
#include "dialer/engine.hpp"
#include "dialer/lead_import.hpp"
#include "dialer/testing/manual_clock.hpp"
#include "dialer/testing/memory_store.hpp"
#include "dialer/testing/recording_sink.hpp"
#include "loopback_ari.hpp"

using namespace dialer;
using namespace dialer::ari;
using namespace std::chrono_literals;
using dialer::testing::ari::LoopbackAri;
using dialer::testing::ari::LoopbackAriOptions;

namespace {

constexpr CarrierId kCustomers{1};
constexpr CampaignId kCampaign{1};
constexpr AgentId kAgent101{1};
constexpr AgentId kAgent102{2};

const char* env(const char* name) {
  const char* v = std::getenv(name);
  return v != nullptr && *v != '\0' ? v : nullptr;
}

// Where the tests dial: a real Asterisk from the environment, else a loopback
// server of our own on a shortened clock.
struct Asterisk {
  std::unique_ptr<LoopbackAri> loopback;
  std::string url, user, password, app;

  explicit Asterisk(std::string app_name = "dialer-test") {
    if (const char* u = env("DIALER_TEST_ARI_URL")) {
      url = u;
      user = env("DIALER_TEST_ARI_USER") ? env("DIALER_TEST_ARI_USER") : "dialer";
      password = env("DIALER_TEST_ARI_PASSWORD") ? env("DIALER_TEST_ARI_PASSWORD") : "dialer";
      app = env("DIALER_TEST_ARI_APP") ? env("DIALER_TEST_ARI_APP") : "dialer-test";
      return;
    }
    LoopbackAriOptions o;
    o.app = std::move(app_name);
    o.time_scale = 0.1;  // a 20 s talk lasts 2 s
    loopback = std::make_unique<LoopbackAri>(o);
    url = loopback->base_url();
    user = o.user;
    password = o.password;
    app = o.app;
  }
  bool real() const { return loopback == nullptr; }
  // Longest any wait may take before the test gives up (a hang, not a timing).
  std::chrono::milliseconds guard() const { return real() ? 120s : 20s; }
};

struct IoThread {
  boost::asio::io_context io;
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work{io.get_executor()};
  std::thread thread{[this] { io.run(); }};
  // Lets the transport finish closing its sockets, then stops.
  ~IoThread() {
    work.reset();
    const auto limit = std::chrono::steady_clock::now() + std::chrono::seconds(5);
    while (!io.stopped() && std::chrono::steady_clock::now() < limit) {
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    io.stop();
    thread.join();
  }
};

AriCallControlOptions control_options(const Asterisk& a, std::string prefix = "dialer-it-") {
  AriCallControlOptions o;
  o.client.base_url = a.url;
  o.client.user = a.user;
  o.client.password = a.password;
  o.client.app = a.app;
  o.client.reconnect_initial = 20ms;
  o.client.reconnect_max = 200ms;
  o.client.ping_interval = 1000ms;
  // Unique per run, so a real Asterisk never sees an id twice.
  o.id_prefix = prefix + std::to_string(std::chrono::steady_clock::now().time_since_epoch().count()) + "-";
  return o;
}

// The real engine on a manual clock (inside calling hours), a memory store,
// and an ARI transport (one server's, or the failover control over several);
// events are drained from the control's queue on this thread, as a host's
// loop does.
template <class Control>
struct BasicWorld {
  IoThread io;
  std::unique_ptr<Control> control;
  std::chrono::milliseconds guard;
  testing::ManualClock clock;
  testing::MemoryStore store;
  testing::RecordingSink sink;
  std::unique_ptr<Engine> engine;

  BasicWorld(const std::function<std::unique_ptr<Control>(boost::asio::any_io_executor)>& make,
             std::chrono::milliseconds guard_limit, std::chrono::seconds ring_timeout, DialMode mode)
      : control(make(io.io.get_executor())), guard(guard_limit) {
    EngineOptions eo;
    eo.number_time_zones = std::make_shared<NumberTimeZoneMap>(
        NumberTimeZoneMap::parse("1415|America/Los_Angeles\n").value());
    engine = std::make_unique<Engine>(EnginePorts{clock, *control, store, store, sink}, eo);
    REQUIRE(engine->save_carrier({kCustomers, "customers", "9", "Local/{dial}@customers", NumberFormat::national}));
    Campaign c;
    c.id = kCampaign;
    c.name = "ARI";
    c.carrier = kCustomers;
    c.caller_id = "Dialer Test <5551000>";
    c.ring_timeout = ring_timeout;
    c.dial_mode = mode;
    REQUIRE(engine->save_campaign(c));
    REQUIRE(engine->save_agent({kAgent101, "a101", "Agent 101", "Local/101@agents"}));
    REQUIRE(engine->save_agent({kAgent102, "a102", "Agent 102", "Local/102@agents"}));
  }
  ~BasicWorld() { control->stop(); }

  // Every ChannelHungUp the engine was given, in order.
  std::vector<ChannelHungUp> hangups;
  std::size_t hangups_from(HangupSource source) const {
    return static_cast<std::size_t>(std::count_if(
        hangups.begin(), hangups.end(), [&](const ChannelHungUp& h) { return h.source == source; }));
  }

  // Feeds queued events to the engine until `done` holds; false on the guard.
  bool pump_until(const std::function<bool()>& done) {
    const auto limit = std::chrono::steady_clock::now() + guard;
    std::vector<CallEvent> events;
    while (!done()) {
      if (std::chrono::steady_clock::now() > limit) return false;
      events.clear();
      control->drain(events);
      for (const CallEvent& e : events) {
        if (const auto* h = std::get_if<ChannelHungUp>(&e)) hangups.push_back(*h);
        engine->on_call_event(e);
      }
      if (events.empty()) std::this_thread::sleep_for(2ms);
    }
    return true;
  }

  void start() {
    control->start();
    REQUIRE(pump_until([&] { return control->ready(); }));
    REQUIRE(engine->log_in(kAgent101, kCampaign));
  }

  const CallRecord* call(CallId id) const { return engine->find_call(id); }
  CallState state(CallId id) const {
    const CallRecord* r = call(id);
    return r != nullptr ? r->state : CallState::ended;
  }
  AgentState agent_state(AgentId a = kAgent101) const { return engine->agent(a)->status.state; }
  bool wrapped_up(CallId id, AgentId agent = kAgent101) const {
    return store.call(id).has_value() && agent_state(agent) == AgentState::wrapup;
  }
  CallRecord final_record(CallId id) const { return store.call(id).value(); }
};

struct World : BasicWorld<AriCallControl> {
  Asterisk& asterisk;

  explicit World(Asterisk& a, std::chrono::seconds ring_timeout = 30s,
                 std::function<void(AriCallControlOptions&)> tweak = {},
                 DialMode mode = DialMode::manual)
      : BasicWorld(
            [&](boost::asio::any_io_executor executor) {
              auto o = control_options(a);
              if (tweak) tweak(o);
              return AriCallControl::create(executor, o).value();
            },
            a.guard(), ring_timeout, mode),
        asterisk(a) {}

  // The id of the live ;1 channel whose name starts with `name_prefix`
  // ("Local/94155550109@customers"), read over REST (which works while the
  // event stream is down); empty if none.
  std::string channel_named(const std::string& name_prefix) {
    std::promise<std::string> found;
    control->client().list_channels([&](Result<std::vector<Channel>> chans) {
      std::string id;
      if (chans) {
        for (const Channel& c : *chans) {
          if (c.name.rfind(name_prefix, 0) == 0 && c.name.find(";1") != std::string::npos) id = c.id;
        }
      }
      found.set_value(id);
    });
    auto f = found.get_future();
    REQUIRE(f.wait_for(asterisk.guard()) == std::future_status::ready);
    return f.get();
  }
};

// The engine over two ARI servers through the failover control.
struct FailoverWorld : BasicWorld<FailoverCallControl> {
  FailoverWorld(Asterisk& a, Asterisk& b, std::chrono::milliseconds failover_after)
      : BasicWorld(
            [&](boost::asio::any_io_executor executor) {
              FailoverOptions o;
              o.servers = {control_options(a), control_options(b)};
              o.failover_after = failover_after;
              return FailoverCallControl::create(executor, o).value();
            },
            a.guard(), 30s, DialMode::manual) {}
};

// Number of the test dialplan whose last digit picks the outcome.
std::string number(char last) { return std::string("415555010") + last; }

}  // namespace

TEST_SUITE("ari") {
  TEST_CASE("an answered call is bridged to the agent and the customer's hangup puts the agent in wrap-up") {
    Asterisk a;
    World w(a);
    w.start();
    const CallId id = w.engine->dial_number(kAgent101, number('0')).value();
    REQUIRE(w.pump_until([&] { return w.state(id) == CallState::bridged; }));
    CHECK(w.call(id)->ringing_at != WallTime{});
    REQUIRE(w.pump_until([&] { return w.agent_state() == AgentState::wrapup; }));
    const CallRecord r = w.final_record(id);
    CHECK(r.outcome == CallOutcome::completed);
    CHECK(r.hangup_cause == q850::normal_clearing);
    CHECK(r.hung_up_by == HangupSide::customer);
    CHECK(r.dial_string == "Local/94155550100@customers");
    if (a.loopback) {
      // The agent's leg and the bridge were ended by the engine.
      REQUIRE(w.pump_until([&] { return a.loopback->live_channel_count() == 0; }));
      CHECK(a.loopback->originated_endpoints() ==
            std::vector<std::string>{"Local/94155550100@customers", "Local/101@agents"});
    }
    CHECK(w.control->stats().commands_failed == 0);
  }

  TEST_CASE("the dial prefix is visible in the dialled number (DIALED) and an agent hangup ends both legs") {
    Asterisk a;
    World w(a);
    w.start();
    const CallId id = w.engine->dial_number(kAgent101, number('9')).value();
    REQUIRE(w.pump_until([&] { return w.state(id) == CallState::bridged; }));
    // The customer leg's DIALED variable, set by the customers dialplan.
    const std::string customer = w.channel_named("Local/94155550109@customers");
    REQUIRE_FALSE(customer.empty());
    // Its ARI id is the engine's channel id under the control's prefix.
    const std::string one = w.control->channel_name(ChannelId{1});
    CHECK(customer.rfind(one.substr(0, one.size() - 1), 0) == 0);
    std::promise<Result<std::string>> dialed;
    w.control->client().get_variable(customer, "DIALED",
                                     [&](Result<std::string> v) { dialed.set_value(std::move(v)); });
    auto f = dialed.get_future();
    REQUIRE(f.wait_for(a.guard()) == std::future_status::ready);
    auto v = f.get();
    REQUIRE(v);
    CHECK(*v == "94155550109");
    REQUIRE(w.engine->hang_up(kAgent101));
    REQUIRE(w.pump_until([&] { return w.agent_state() == AgentState::wrapup; }));
    const CallRecord r = w.final_record(id);
    CHECK(r.outcome == CallOutcome::completed);
    CHECK(r.hung_up_by == HangupSide::agent);
    CHECK(r.dialled == "94155550109");
    if (a.loopback) REQUIRE(w.pump_until([&] { return a.loopback->live_channel_count() == 0; }));
  }

  TEST_CASE("a busy number ends as busy with cause 17") {
    Asterisk a;
    World w(a);
    w.start();
    const CallId id = w.engine->dial_number(kAgent101, number('5')).value();
    REQUIRE(w.pump_until([&] { return w.wrapped_up(id); }));
    const CallRecord r = w.final_record(id);
    CHECK(r.outcome == CallOutcome::busy);
    CHECK(r.hangup_cause == q850::user_busy);
    CHECK(r.answered_at == WallTime{});
  }

  TEST_CASE("congestion ends as failed with cause 34") {
    Asterisk a;
    World w(a);
    w.start();
    const CallId id = w.engine->dial_number(kAgent101, number('6')).value();
    REQUIRE(w.pump_until([&] { return w.wrapped_up(id); }));
    const CallRecord r = w.final_record(id);
    CHECK(r.outcome == CallOutcome::failed);
    CHECK(r.hangup_cause == q850::no_circuit_available);
  }

  TEST_CASE("a number that never answers ends as no answer at the ring timeout, cause 19") {
    Asterisk a;
    World w(a, 2s);
    w.start();
    const CallId id = w.engine->dial_number(kAgent101, number('7')).value();
    REQUIRE(w.pump_until([&] { return w.state(id) == CallState::ringing; }));
    REQUIRE(w.pump_until([&] { return w.wrapped_up(id); }));
    const CallRecord r = w.final_record(id);
    CHECK(r.outcome == CallOutcome::no_answer);
    CHECK(r.hangup_cause == q850::no_answer);
    CHECK(r.ringing_at != WallTime{});
  }

  TEST_CASE("a short call that the customer ends puts the agent in wrap-up") {
    Asterisk a;
    World w(a);
    w.start();
    const CallId id = w.engine->dial_number(kAgent101, number('8')).value();
    REQUIRE(w.pump_until([&] { return w.wrapped_up(id); }));
    const CallRecord r = w.final_record(id);
    CHECK(r.answered_at != WallTime{});
    CHECK(r.hangup_cause == q850::normal_clearing);
    CHECK(r.hung_up_by == HangupSide::customer);
    // Completed when the agent joined before the customer left, else dropped.
    CHECK((r.outcome == CallOutcome::completed || r.outcome == CallOutcome::dropped));
  }

  TEST_CASE("an originate while the event stream is down fails fast and sends nothing") {
    Asterisk a;
    World w(a);
    // Never started: no stream, so no originate may leave.
    REQUIRE(w.engine->log_in(kAgent101, kCampaign));
    auto r = w.engine->dial_number(kAgent101, number('0'));
    REQUIRE_FALSE(r);
    CHECK(r.error().code == make_error_code(Errc::unavailable));
    CHECK(w.control->client().stats().requests_sent == 0);
    CHECK(w.control->stats().originates_refused_unavailable == 1);
    CHECK(w.agent_state() == AgentState::available);
    if (a.loopback) CHECK(a.loopback->originate_count() == 0);
  }

  TEST_CASE("after a dropped WebSocket the control reconnects, resyncs and ends the calls that vanished") {
    Asterisk a;
    std::vector<GapReport> gaps;
    std::mutex m;
    World w(a, 30s, [&](AriCallControlOptions& o) {
      o.on_gap = [&](const GapReport& g) {
        std::lock_guard<std::mutex> lock(m);
        gaps.push_back(g);
      };
    });
    w.start();
    const CallId id = w.engine->dial_number(kAgent101, number('9')).value();
    REQUIRE(w.pump_until([&] { return w.state(id) == CallState::bridged; }));
    const std::string customer = w.channel_named("Local/94155550109@customers");
    REQUIRE_FALSE(customer.empty());
    if (a.loopback) {
      // The stream goes and stays away while the customer hangs up: that
      // ChannelDestroyed is never delivered.
      a.loopback->refuse_connections(true);
      a.loopback->drop_websockets();
      REQUIRE(w.pump_until([&] { return !w.control->ready(); }));
      // Originates fail fast meanwhile (agent 102 is free).
      REQUIRE(w.engine->log_in(kAgent102, kCampaign));
      auto refused = w.engine->dial_number(kAgent102, number('0'));
      REQUIRE_FALSE(refused);
      CHECK(refused.error().code == make_error_code(Errc::unavailable));
      a.loopback->hang_up_channel(customer, 16);
      a.loopback->refuse_connections(false);
    } else {
      w.control->client().drop_stream();
    }
    REQUIRE(w.pump_until([&] { return w.control->ready(); }));
    if (a.loopback) {
      REQUIRE(w.pump_until([&] { return w.agent_state() == AgentState::wrapup; }));
      const CallRecord r = w.final_record(id);
      CHECK(r.outcome == CallOutcome::completed);
      std::lock_guard<std::mutex> lock(m);
      REQUIRE(gaps.size() == 1);
      CHECK(gaps[0].vanished_channels >= 1);
      CHECK(w.control->stats().gaps == 1);
      CHECK(a.loopback->originate_count() == 2);  // customer and agent: nothing sent twice
    } else {
      // A real Asterisk keeps the call; it goes on after the gap.
      CHECK(w.state(id) == CallState::bridged);
      REQUIRE(w.engine->hang_up(kAgent101));
      REQUIRE(w.pump_until([&] { return w.agent_state() == AgentState::wrapup; }));
    }
  }

  // ---- Faults only the loopback server can produce ----

  TEST_CASE("events that overtake the originate's answer are not lost") {
    Asterisk a;
    if (a.real()) return;
    World w(a);
    w.start();
    // Every REST answer comes late, so the busy call's Dial and
    // ChannelDestroyed arrive before the originate's 200.
    a.loopback->set_response_delay(300ms);
    const CallId id = w.engine->dial_number(kAgent101, number('5')).value();
    REQUIRE(w.pump_until([&] { return w.wrapped_up(id); }));
    CHECK(w.final_record(id).outcome == CallOutcome::busy);
    CHECK(w.final_record(id).hangup_cause == q850::user_busy);
    CHECK(w.control->stats().commands_failed == 0);
    // Seen ending: ChannelDestroyed, not a guess after a gap.
    CHECK(w.hangups_from(HangupSource::reported) >= 1);
    CHECK(w.hangups_from(HangupSource::lost_in_gap) == 0);
  }

  TEST_CASE("an originate that Asterisk refuses reaches the engine as OriginateFailed") {
    Asterisk a;
    if (a.real()) return;
    World w(a);
    w.start();
    a.loopback->fail_next("POST", "/ari/channels", 500);
    const CallId id = w.engine->dial_number(kAgent101, number('0')).value();
    REQUIRE(w.pump_until([&] { return w.wrapped_up(id); }));
    const CallRecord r = w.final_record(id);
    CHECK(r.outcome == CallOutcome::failed);
    CHECK(r.hangup_reason.find("originate failed") != std::string::npos);
    CHECK(a.loopback->originate_count() == 0);
  }

  TEST_CASE("a bridge command that fails ends the call instead of leaving it stuck") {
    Asterisk a;
    if (a.real()) return;
    World w(a);
    w.start();
    a.loopback->fail_next("POST", "/ari/bridges", 500);
    const CallId id = w.engine->dial_number(kAgent101, number('9')).value();
    REQUIRE(w.pump_until([&] { return w.wrapped_up(id); }));
    CHECK(w.final_record(id).answered_at != WallTime{});
    CHECK(w.control->stats().commands_failed >= 1);
    REQUIRE(w.pump_until([&] { return a.loopback->live_channel_count() == 0; }));
  }

  TEST_CASE("an Asterisk restart ends every call the engine knew, found by the resync") {
    Asterisk a;
    if (a.real()) return;
    World w(a);
    w.start();
    REQUIRE(w.engine->log_in(kAgent102, kCampaign));
    const CallId bridged = w.engine->dial_number(kAgent101, number('9')).value();
    const CallId ringing = [&] {
      // Agent 102's call rings for a long time (7: never answers).
      return w.engine->dial_number(kAgent102, number('7')).value();
    }();
    REQUIRE(w.pump_until([&] { return w.state(bridged) == CallState::bridged && w.state(ringing) == CallState::ringing; }));
    a.loopback->restart_asterisk();
    REQUIRE(w.pump_until([&] { return w.wrapped_up(bridged, kAgent101) && w.wrapped_up(ringing, kAgent102); }));
    CHECK(w.final_record(bridged).outcome == CallOutcome::completed);
    // Nobody saw how the ringing call ended: lost (its lead is tried again), not failed.
    CHECK(w.final_record(ringing).outcome == CallOutcome::lost);
    CHECK(w.final_record(ringing).hangup_reason == "lost while the telephony link was down");
    // The gap is counted once the bridges are resynchronised too.
    REQUIRE(w.pump_until([&] { return w.control->stats().gaps == 1; }));
    CHECK(w.control->stats().vanished_channels == 3);  // two customers and an agent leg
    // Each of them reaches the engine marked as lost in the gap, so the engine
    // can tell an unseen end from a reported cause 0.
    CHECK(w.hangups_from(HangupSource::lost_in_gap) == 3);
    for (const ChannelHungUp& h : w.hangups) {
      if (h.source == HangupSource::lost_in_gap) CHECK(h.cause == q850::unknown);
    }
  }

  TEST_CASE("two Asterisk servers at once, each with its own connection and app") {
    Asterisk a("dialer-a");
    if (a.real()) return;
    Asterisk b("dialer-b");
    World wa(a);
    World wb(b);
    wa.start();
    wb.start();
    const CallId ca = wa.engine->dial_number(kAgent101, number('5')).value();
    const CallId cb = wb.engine->dial_number(kAgent101, number('6')).value();
    REQUIRE(wa.pump_until([&] { return wa.wrapped_up(ca); }));
    REQUIRE(wb.pump_until([&] { return wb.wrapped_up(cb); }));
    CHECK(wa.final_record(ca).outcome == CallOutcome::busy);
    CHECK(wb.final_record(cb).outcome == CallOutcome::failed);
    CHECK(a.loopback->originated_endpoints() == std::vector<std::string>{"Local/94155550105@customers"});
    CHECK(b.loopback->originated_endpoints() == std::vector<std::string>{"Local/94155550106@customers"});
  }

  TEST_CASE("wrong credentials keep the stream down and never reach the logs") {
    Asterisk a;
    if (a.real()) return;
    std::mutex m;
    std::vector<std::string> logs;
    World w(a, 30s, [&](AriCallControlOptions& o) {
      o.client.password = "wrong-Secret-42";
      o.client.log = [&](LogLevel, std::string_view line) {
        std::lock_guard<std::mutex> lock(m);
        logs.emplace_back(line);
      };
    });
    w.control->start();
    REQUIRE(w.pump_until([&] { return w.control->client().stats().stream_failures >= 2; }));
    CHECK_FALSE(w.control->ready());
    w.control->stop();
    std::lock_guard<std::mutex> lock(m);
    REQUIRE_FALSE(logs.empty());
    bool said_credentials = false;
    for (const auto& line : logs) {
      CAPTURE(line);
      CHECK(line.find("wrong-Secret-42") == std::string::npos);
      said_credentials = said_credentials || line.find("401") != std::string::npos;
    }
    CHECK(said_credentials);
  }

  TEST_CASE("events can be posted to the engine's own executor instead of queued") {
    Asterisk a;
    if (a.real()) return;
    boost::asio::io_context engine_io;  // the host's engine loop, run on this thread
    std::vector<CallEvent> delivered;
    World w(a, 30s, [&](AriCallControlOptions& o) {
      o.deliver_executor = engine_io.get_executor();
      o.deliver = [&](const CallEvent& e) { delivered.push_back(e); };
    });
    w.start();
    const CallId id = w.engine->dial_number(kAgent101, number('5')).value();
    const auto limit = std::chrono::steady_clock::now() + a.guard();
    while (!w.wrapped_up(id) && std::chrono::steady_clock::now() < limit) {
      engine_io.restart();
      engine_io.run_for(5ms);
      for (const CallEvent& e : delivered) w.engine->on_call_event(e);
      delivered.clear();
    }
    REQUIRE(w.wrapped_up(id));
    CHECK(w.final_record(id).outcome == CallOutcome::busy);
    std::vector<CallEvent> queued;
    CHECK(w.control->drain(queued) == 0);
  }

  TEST_CASE("autodial of a small lead list with two agents lands every outcome in the queue and the call log") {
    Asterisk a;
    World w(a, 2s, {}, DialMode::autodial);
    const std::vector<std::pair<char, CallOutcome>> plan = {
        {'0', CallOutcome::completed}, {'5', CallOutcome::busy}, {'6', CallOutcome::failed},
        {'7', CallOutcome::no_answer}, {'1', CallOutcome::completed}, {'5', CallOutcome::busy}};
    for (std::size_t i = 0; i < plan.size(); ++i) {
      // Distinct numbers with the wanted last digit: 41555501<i><digit>.
      const std::string digits = "41555501" + std::to_string(i) + plan[i].first;
      REQUIRE(w.store.add_lead({LeadId{i + 1}, kCampaign,
                                normalize_number(digits, NumberPlan{}).value(),
                                "America/Los_Angeles", {{"first_name", "Lead"}}}));
    }
    w.control->start();
    REQUIRE(w.pump_until([&] { return w.control->ready(); }));
    REQUIRE(w.engine->log_in(kAgent101, kCampaign));
    REQUIRE(w.engine->log_in(kAgent102, kCampaign));
    // The host loop: telephony events, the engine's timers on its clock, and
    // agents closing each call at once.
    auto all_logged = [&] {
      std::size_t n = 0;
      for (const CallRecord& r : w.store.calls()) n += r.outcome != CallOutcome::none ? 1 : 0;
      return n >= plan.size();
    };
    REQUIRE(w.pump_until([&] {
      w.clock.advance(100ms);
      w.engine->on_timer();
      for (AgentId agent : {kAgent101, kAgent102}) {
        if (w.agent_state(agent) == AgentState::wrapup) {
          REQUIRE(w.engine->submit_disposition(agent, {"NA", "", ""}));
        }
      }
      return all_logged();
    }));
    for (std::size_t i = 0; i < plan.size(); ++i) {
      CAPTURE(i);
      CallOutcome got = CallOutcome::none;
      for (const CallRecord& r : w.store.calls()) {
        if (r.lead == LeadId{i + 1}) got = r.outcome;
      }
      CHECK(got == plan[i].second);
      CHECK(w.store.queue_status(LeadId{i + 1}).has_value());
    }
  }

  // ---- Several servers: the failover control (loopback only: it needs two) ----

  TEST_CASE("with two ARI servers every leg of a call is placed on the first while it is up") {
    Asterisk a("dialer-a");
    if (a.real()) return;
    Asterisk b("dialer-b");
    FailoverWorld w(a, b, 10s);
    w.start();
    const CallId id = w.engine->dial_number(kAgent101, number('0')).value();
    REQUIRE(w.pump_until([&] { return w.wrapped_up(id); }));
    CHECK(w.final_record(id).outcome == CallOutcome::completed);
    CHECK(a.loopback->originated_endpoints() ==
          std::vector<std::string>{"Local/94155550100@customers", "Local/101@agents"});
    CHECK(b.loopback->originate_count() == 0);
    CHECK(w.control->active() == 0);
    CHECK(w.control->failovers() == 0);
  }

  TEST_CASE("when the active server stays down, its calls end as lost and new calls go to the next server for good") {
    Asterisk a("dialer-a");
    if (a.real()) return;
    Asterisk b("dialer-b");
    FailoverWorld w(a, b, 2s);
    w.start();
    const CallId lost = w.engine->dial_number(kAgent101, number('9')).value();
    REQUIRE(w.pump_until([&] { return w.state(lost) == CallState::bridged; }));

    a.loopback->refuse_connections(true);
    a.loopback->drop_websockets();
    REQUIRE(w.pump_until([&] { return !w.control->server(0).ready(); }));
    // A short interruption is ridden out: no call moves to the other server
    // yet (failover_after is far longer than this step takes).
    REQUIRE(w.engine->log_in(kAgent102, kCampaign));
    auto refused = w.engine->dial_number(kAgent102, number('0'));
    REQUIRE_FALSE(refused);
    CHECK(refused.error().code == make_error_code(Errc::unavailable));
    CHECK(w.control->active() == 0);

    // Past failover_after the second server takes over; the first's calls
    // can no longer be controlled and reach the engine as lost in a gap.
    REQUIRE(w.pump_until([&] { return w.control->active() == 1; }));
    REQUIRE(w.pump_until([&] { return w.wrapped_up(lost); }));
    CHECK(w.hangups_from(HangupSource::lost_in_gap) == 2);  // the customer and the agent leg
    CHECK(w.control->failovers() == 1);
    REQUIRE(w.engine->submit_disposition(kAgent101, {"NA", "", ""}));

    const CallId moved = w.engine->dial_number(kAgent101, number('0')).value();
    REQUIRE(w.pump_until([&] { return w.wrapped_up(moved); }));
    CHECK(w.final_record(moved).outcome == CallOutcome::completed);
    CHECK(b.loopback->originated_endpoints() ==
          std::vector<std::string>{"Local/94155550100@customers", "Local/101@agents"});

    // The first server comes back: the calls given up there are hung up, and
    // new calls stay on the second (no failback).
    a.loopback->refuse_connections(false);
    REQUIRE(w.pump_until([&] { return w.control->server(0).ready(); }));
    REQUIRE(w.pump_until([&] { return a.loopback->live_channel_count() == 0; }));
    REQUIRE(w.engine->submit_disposition(kAgent101, {"NA", "", ""}));
    const CallId stays = w.engine->dial_number(kAgent101, number('5')).value();
    REQUIRE(w.pump_until([&] { return w.wrapped_up(stays); }));
    CHECK(w.final_record(stays).outcome == CallOutcome::busy);
    CHECK(b.loopback->originate_count() == 3);
    CHECK(a.loopback->originate_count() == 2);
    CHECK(w.control->active() == 1);
    // What the first server said afterwards of the given-up channels (their
    // hangups) never reached the engine: it heard of each end once.
    for (const ChannelHungUp& given_up : w.hangups) {
      if (given_up.source != HangupSource::lost_in_gap) continue;
      CHECK(std::count_if(w.hangups.begin(), w.hangups.end(),
                          [&](const ChannelHungUp& h) { return h.channel == given_up.channel; }) == 1);
    }
  }

  TEST_CASE("with no ARI server up, originates are refused and bridging needs a channel the control placed") {
    Asterisk a("dialer-a");
    if (a.real()) return;
    Asterisk b("dialer-b");
    FailoverWorld w(a, b, 10s);
    // Never started.
    CHECK_FALSE(w.control->ready());
    REQUIRE(w.engine->log_in(kAgent101, kCampaign));
    auto refused = w.engine->dial_number(kAgent101, number('0'));
    REQUIRE_FALSE(refused);
    CHECK(refused.error().code == make_error_code(Errc::unavailable));
    REQUIRE(w.control->create_bridge(BridgeId{7}));
    CHECK(w.control->create_bridge(BridgeId{7}).error().code == make_error_code(Errc::conflict));
    CHECK(w.control->add_to_bridge(BridgeId{7}, ChannelId{99}).error().code ==
          make_error_code(Errc::not_found));
    CHECK(w.control->destroy_bridge(BridgeId{7}));
    CHECK(w.control->hang_up(ChannelId{99}));  // never placed: already gone
    CHECK(a.loopback->originate_count() + b.loopback->originate_count() == 0);

    boost::asio::io_context io;
    CHECK(FailoverCallControl::create(io.get_executor(), FailoverOptions{}).error().code ==
          make_error_code(Errc::invalid_argument));
    FailoverOptions own_deliver;
    own_deliver.servers = {control_options(a)};
    own_deliver.servers[0].deliver_executor = io.get_executor();
    own_deliver.servers[0].deliver = [](const CallEvent&) {};
    CHECK(FailoverCallControl::create(io.get_executor(), own_deliver).error().code ==
          make_error_code(Errc::invalid_argument));
  }
}
