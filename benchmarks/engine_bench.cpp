// Engine benchmark: full call lifecycles through dialer::Engine with the
// in-memory store, a call control that accepts everything, and a sink that
// drops everything, so the figure is the engine's own cost.
//
// One lifecycle is seven engine inputs ("events"):
//   dial_lead, ChannelRinging, ChannelAnswered (customer),
//   ChannelAnswered (agent leg), ChannelHungUp (customer),
//   ChannelHungUp (agent leg), submit_disposition.
//
//   BM_call_lifecycle                  the headline: dial_lead, NullSink
//   BM_call_lifecycle_recording_sink   same, every event kept in a RecordingSink
//                                      (cleared after each lifecycle)
//   BM_call_lifecycle_dial_number      dial_number with a typed national number:
//                                      adds libphonenumber parsing and the
//                                      screen-pop lookup by the last ten digits
//   BM_memory                          heap bytes per live agent and per live
//                                      bridged call (counting operator new)
//
// Flags of this program, besides Google Benchmark's:
//   --agents=N          agents taking turns in the lifecycle benchmarks (1000)
//   --memory_agents=N   agents (and calls) created by BM_memory (10000)
//   --profile=KIND --lifecycles=N
//                       skip Google Benchmark and run N lifecycles of KIND
//                       (dial_lead, dial_number, recording_sink) in a plain
//                       loop, for perf / callgrind.
//
// Results are measured and written down in docs/performance.md; nothing here
// asserts a timing.
#include <benchmark/benchmark.h>
#include <malloc.h>

#include <array>
#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <new>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "dialer/engine.hpp"
#include "dialer/event_sink.hpp"
#include "dialer/phone_number.hpp"
#include "dialer/testing/manual_clock.hpp"
#include "dialer/testing/memory_store.hpp"
#include "dialer/testing/recording_sink.hpp"

// ---- Heap accounting ---------------------------------------------------------
//
// Every operator new / delete of the program (the engine, libstdc++,
// libphonenumber) goes through these. Counting is off except inside measured
// windows (BM_memory's, and the untimed allocation count after each lifecycle
// benchmark), so timed loops pay one predictable branch per allocation. Bytes are what glibc
// reserved for the block (malloc_usable_size); each block also costs glibc an
// 8-byte header, which the report adds as blocks * 8.

namespace {

std::atomic<bool> g_counting{false};
std::atomic<std::int64_t> g_live_bytes{0};
std::atomic<std::int64_t> g_live_blocks{0};
std::atomic<std::int64_t> g_allocations{0};

void note_alloc(void* p) {
  if (p != nullptr && g_counting.load(std::memory_order_relaxed)) {
    g_live_bytes.fetch_add(static_cast<std::int64_t>(malloc_usable_size(p)),
                           std::memory_order_relaxed);
    g_live_blocks.fetch_add(1, std::memory_order_relaxed);
    g_allocations.fetch_add(1, std::memory_order_relaxed);
  }
}

void note_free(void* p) {
  if (p != nullptr && g_counting.load(std::memory_order_relaxed)) {
    g_live_bytes.fetch_sub(static_cast<std::int64_t>(malloc_usable_size(p)),
                           std::memory_order_relaxed);
    g_live_blocks.fetch_sub(1, std::memory_order_relaxed);
  }
}

void* counted_alloc(std::size_t size, std::size_t align) {
  if (size == 0) size = 1;
  for (;;) {
    void* p = nullptr;
    if (align <= alignof(std::max_align_t)) {
      p = std::malloc(size);
    } else if (posix_memalign(&p, align, size) != 0) {
      p = nullptr;
    }
    if (p != nullptr) {
      note_alloc(p);
      return p;
    }
    std::new_handler handler = std::get_new_handler();
    if (handler == nullptr) return nullptr;
    handler();
  }
}

void* counted_alloc_or_throw(std::size_t size, std::size_t align) {
  void* p = counted_alloc(size, align);
  if (p == nullptr) throw std::bad_alloc();
  return p;
}

void counted_free(void* p) noexcept {
  note_free(p);
  std::free(p);
}

constexpr std::size_t kDefaultAlign = alignof(std::max_align_t);

}  // namespace

void* operator new(std::size_t n) {
  return counted_alloc_or_throw(n, kDefaultAlign);
}
void* operator new[](std::size_t n) {
  return counted_alloc_or_throw(n, kDefaultAlign);
}
void* operator new(std::size_t n, const std::nothrow_t&) noexcept {
  try {
    return counted_alloc(n, kDefaultAlign);
  } catch (...) {
    return nullptr;
  }
}
void* operator new[](std::size_t n, const std::nothrow_t&) noexcept {
  try {
    return counted_alloc(n, kDefaultAlign);
  } catch (...) {
    return nullptr;
  }
}
void* operator new(std::size_t n, std::align_val_t a) {
  return counted_alloc_or_throw(n, static_cast<std::size_t>(a));
}
void* operator new[](std::size_t n, std::align_val_t a) {
  return counted_alloc_or_throw(n, static_cast<std::size_t>(a));
}
void operator delete(void* p) noexcept {
  counted_free(p);
}
void operator delete[](void* p) noexcept {
  counted_free(p);
}
void operator delete(void* p, std::size_t) noexcept {
  counted_free(p);
}
void operator delete[](void* p, std::size_t) noexcept {
  counted_free(p);
}
void operator delete(void* p, std::align_val_t) noexcept {
  counted_free(p);
}
void operator delete[](void* p, std::align_val_t) noexcept {
  counted_free(p);
}
void operator delete(void* p, std::size_t, std::align_val_t) noexcept {
  counted_free(p);
}
void operator delete[](void* p, std::size_t, std::align_val_t) noexcept {
  counted_free(p);
}

namespace {

using namespace std::chrono_literals;
using dialer::AgentId;
using dialer::CallId;
using dialer::CampaignId;
using dialer::CarrierId;
using dialer::ChannelAnswered;
using dialer::ChannelHungUp;
using dialer::ChannelId;
using dialer::ChannelRinging;
using dialer::Engine;
using dialer::LeadId;

struct HeapWindow {
  std::int64_t bytes = 0;
  std::int64_t blocks = 0;
  /// Every allocation made in the window, freed or not.
  std::int64_t allocations = 0;
};

class HeapCounter {
 public:
  HeapCounter() {
    start_bytes_ = g_live_bytes.load();
    start_blocks_ = g_live_blocks.load();
    start_allocations_ = g_allocations.load();
    g_counting.store(true);
  }
  ~HeapCounter() { g_counting.store(false); }
  HeapCounter(const HeapCounter&) = delete;
  HeapCounter& operator=(const HeapCounter&) = delete;

  /// Net heap growth since construction.
  HeapWindow growth() const {
    return {g_live_bytes.load() - start_bytes_, g_live_blocks.load() - start_blocks_,
            g_allocations.load() - start_allocations_};
  }

 private:
  std::int64_t start_bytes_ = 0;
  std::int64_t start_blocks_ = 0;
  std::int64_t start_allocations_ = 0;
};

// ---- Program flags -------------------------------------------------------------

struct Flags {
  std::size_t agents = 1000;
  std::size_t memory_agents = 10000;
  std::string profile;
  std::size_t lifecycles = 0;
};

Flags g_flags;

// ---- Ports ---------------------------------------------------------------------

/// A CallControl that accepts every command and remembers only the channel ids
/// of the last originate of each leg, so the benchmark feeds back the ids the
/// engine chose instead of guessing them. Allocates nothing.
class CapturingCallControl final : public dialer::CallControl {
 public:
  dialer::Result<void> originate(const dialer::OriginateRequest& r) override {
    (r.leg == dialer::Leg::customer ? customer_ : agent_leg_) = r.channel;
    return dialer::ok();
  }
  dialer::Result<void> answer(ChannelId) override { return dialer::ok(); }
  dialer::Result<void> hang_up(ChannelId, int) override { return dialer::ok(); }
  dialer::Result<void> create_bridge(dialer::BridgeId) override { return dialer::ok(); }
  dialer::Result<void> add_to_bridge(dialer::BridgeId, ChannelId) override { return dialer::ok(); }
  dialer::Result<void> destroy_bridge(dialer::BridgeId) override { return dialer::ok(); }
  dialer::Result<void> play(ChannelId, std::string_view) override { return dialer::ok(); }

  ChannelId customer() const { return customer_; }
  ChannelId agent_leg() const { return agent_leg_; }

 private:
  ChannelId customer_;
  ChannelId agent_leg_;
};

// ---- The rig: one engine, one campaign, N agents and N leads ---------------------

constexpr CarrierId kCarrier{1};
constexpr CampaignId kCampaign{1};

// A script of realistic length: the LeadPop of every call carries a copy.
constexpr std::string_view kScript =
    "Hello, may I speak with {first_name}? My name is {agent_name} and I am calling from Acme "
    "Energy about your account {account}. We have a renewal offer that lowers your monthly rate. "
    "Do you have two minutes? If yes: read the offer terms. If no: offer a call back time and "
    "disposition CALLBK.";

// Area codes with exchanges 200-899: valid North American numbers in the
// numbering data, ten digits, none starting with the carrier prefix 9.
constexpr std::array<int, 5> kAreaCodes{212, 415, 617, 312, 206};

std::string national_number(std::size_t i) {
  const int area = kAreaCodes[i % kAreaCodes.size()];
  const auto line = static_cast<unsigned>(2000000 + (i * 7919) % 7000000);  // 2000000..8999999
  char buf[32];
  std::snprintf(buf, sizeof buf, "(%d) %03u-%04u", area, line / 10000, line % 10000);
  return buf;
}

[[noreturn]] void die(const std::string& what) {
  std::fprintf(stderr, "engine_bench: %s\n", what.c_str());
  std::exit(2);
}

template <class R>
void expect(const R& r, const char* what) {
  if (!r) die(std::string(what) + ": " + r.error().message());
}

struct Rig {
  dialer::testing::ManualClock clock;
  dialer::testing::MemoryStore store;
  CapturingCallControl call_control;
  dialer::NullSink null_sink;
  dialer::testing::RecordingSink recording_sink;
  Engine engine;
  dialer::NumberPlan plan;
  std::vector<AgentId> agents;
  std::vector<LeadId> leads;
  /// Per lead: the number as an agent would type it, "(212) 555-0123".
  std::vector<std::string> typed;
  dialer::Disposition disposition{"SALE", "", ""};
  std::size_t next = 0;

  explicit Rig(bool record_events)
      : engine(dialer::EnginePorts{clock, call_control, store, store,
                                   record_events ? static_cast<dialer::EventSink&>(recording_sink)
                                                 : static_cast<dialer::EventSink&>(null_sink)},
               dialer::EngineOptions{}) {
    store.keep_history(false);
    dialer::Carrier carrier;
    carrier.id = kCarrier;
    carrier.name = "trunk-a";
    carrier.dial_prefix = "9";
    carrier.dial_template = "PJSIP/{dial}@trunk";
    carrier.number_format = dialer::NumberFormat::e164;
    expect(engine.save_carrier(carrier), "save_carrier");

    dialer::Campaign campaign;
    campaign.id = kCampaign;
    campaign.name = "Spring renewals";
    campaign.dial_mode = dialer::DialMode::manual;
    campaign.carrier = kCarrier;
    campaign.caller_id = "Acme <2125550100>";
    campaign.script = std::string(kScript);
    plan = campaign.number_plan;
    expect(engine.save_campaign(campaign), "save_campaign");
  }

  /// Adds agents 1..n, saved and logged in, each with lead i (pre-normalised).
  void add_agents(std::size_t n) {
    agents.reserve(agents.size() + n);
    leads.reserve(leads.size() + n);
    typed.reserve(typed.size() + n);
    for (std::size_t i = agents.size(); i < n; ++i) {
      add_lead(i);
      add_agent(i);
    }
  }

  void add_lead(std::size_t i) {
    dialer::Lead lead;
    lead.id = LeadId{i + 1};
    lead.campaign = kCampaign;
    std::string number = national_number(i);
    auto phone = dialer::normalize_number(number, plan);
    expect(phone, "normalize_number");
    lead.phone = *phone;
    lead.time_zone = "America/New_York";
    lead.fields = {{"first_name", "Alexandra"},
                   {"last_name", "Montgomery-" + std::to_string(i)},
                   {"city", "Springfield"},
                   {"account", "ACC-" + std::to_string(1000000 + i)}};
    expect(store.add_lead(lead), "add_lead");
    leads.push_back(lead.id);
    typed.push_back(std::move(number));
  }

  void add_agent(std::size_t i) {
    const std::string n = std::to_string(10000 + i);
    dialer::Agent agent{AgentId{i + 1}, "agent" + n, "Agent Number " + n, "PJSIP/agent" + n};
    expect(engine.save_agent(agent), "save_agent");
    expect(engine.log_in(agent.id, kCampaign), "log_in");
    agents.push_back(agent.id);
  }

  // Virtual time moves 60 ms at each of five steps, 300 ms per lifecycle: a floor of
  // 1,000 agents with calls of about five minutes places a call every 0.3 s.
  // Wrap-up timers (120 s) then come due and are fired, and busy-reset timers
  // (10 min) pile up until the engine drops the stale ones, as in service.
  void tick() { clock.advance(60ms); }

  /// What a host does when the clock passes the engine's next deadline.
  void fire_due_timers() {
    if (auto due = engine.next_deadline(); due && *due <= clock.steady_now()) engine.on_timer();
  }

  /// Places a call for agent slot `i` and takes it to bridged: 4 inputs.
  template <bool kTyped>
  void dial_and_bridge(std::size_t i) {
    const AgentId agent = agents[i];
    dialer::Result<CallId> call =
        kTyped ? engine.dial_number(agent, typed[i]) : engine.dial_lead(agent, leads[i]);
    if (!call) die("dial: " + call.error().message());
    const ChannelId customer = call_control.customer();
    tick();
    engine.on_call_event(ChannelRinging{customer});
    tick();
    engine.on_call_event(ChannelAnswered{customer});
    const ChannelId leg = call_control.agent_leg();
    tick();
    engine.on_call_event(ChannelAnswered{leg});
  }

  /// One full lifecycle for the next agent in turn: 7 inputs.
  template <bool kTyped>
  void lifecycle() {
    const std::size_t i = next;
    next = next + 1 == agents.size() ? 0 : next + 1;
    dial_and_bridge<kTyped>(i);
    const ChannelId customer = call_control.customer();
    const ChannelId leg = call_control.agent_leg();
    tick();
    engine.on_call_event(
        ChannelHungUp{customer, dialer::q850::normal_clearing, dialer::DialStatus::answer});
    engine.on_call_event(
        ChannelHungUp{leg, dialer::q850::normal_clearing, dialer::DialStatus::answer});
    tick();
    if (auto done = engine.submit_disposition(agents[i], disposition); !done) {
      die("submit_disposition: " + done.error().message());
    }
    fire_due_timers();
  }

  /// After the runs: every call closed, every agent available, no event lost.
  void check_quiet() const {
    if (engine.live_call_count() != 0) die("calls left live after the run");
    if (engine.ignored_event_count() != 0) die("the engine ignored some events");
    for (AgentId a : agents) {
      auto view = engine.agent(a);
      if (!view || view->status.state != dialer::AgentState::available) {
        die("agent " + dialer::to_string(a) + " is not available after the run");
      }
    }
  }
};

constexpr std::int64_t kEventsPerLifecycle = 7;

enum class Kind { dial_lead, dial_number, recording_sink };

std::unique_ptr<Rig> make_rig(Kind kind, std::size_t agents) {
  auto rig = std::make_unique<Rig>(kind == Kind::recording_sink);
  rig->add_agents(agents);
  return rig;
}

void run_lifecycle(Rig& rig, Kind kind) {
  switch (kind) {
    case Kind::dial_lead: rig.lifecycle<false>(); break;
    case Kind::dial_number: rig.lifecycle<true>(); break;
    case Kind::recording_sink:
      rig.lifecycle<false>();
      rig.recording_sink.clear();
      break;
  }
}

void lifecycle_benchmark(benchmark::State& state, Kind kind) {
  auto rig = make_rig(kind, g_flags.agents);
  // Warm up: every agent once, so hash tables and the timer heap are at size.
  for (std::size_t i = 0; i < rig->agents.size(); ++i) run_lifecycle(*rig, kind);
  for (auto _ : state) run_lifecycle(*rig, kind);
  rig->check_quiet();
  // Outside the timed loop: heap allocations per lifecycle, and the heap left
  // behind (zero in a steady state).
  // The timer heap's capacity moves up and down by tens of KiB as stale timers
  // are dropped, so the window is long: 20 turns of every agent.
  const std::size_t counted = 20 * rig->agents.size();
  HeapWindow heap;
  {
    HeapCounter counter;
    for (std::size_t i = 0; i < counted; ++i) run_lifecycle(*rig, kind);
    heap = counter.growth();
  }
  const auto per_lifecycle = [&](std::int64_t v) {
    return static_cast<double>(v) / static_cast<double>(counted);
  };
  state.counters["allocs/lifecycle"] = per_lifecycle(heap.allocations);
  state.counters["heap_growth/lifecycle"] = per_lifecycle(heap.bytes);
  const auto lifecycles = static_cast<double>(state.iterations());
  state.SetItemsProcessed(state.iterations() * kEventsPerLifecycle);
  state.counters["lifecycles/s"] = benchmark::Counter(lifecycles, benchmark::Counter::kIsRate);
  // Seconds per event, printed with an SI prefix ("350n" is 350 ns).
  state.counters["s/event"] = benchmark::Counter(
      lifecycles * kEventsPerLifecycle, benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
  state.counters["agents"] = static_cast<double>(rig->agents.size());
}

void BM_call_lifecycle(benchmark::State& state) {
  lifecycle_benchmark(state, Kind::dial_lead);
}
void BM_call_lifecycle_recording_sink(benchmark::State& state) {
  lifecycle_benchmark(state, Kind::recording_sink);
}
void BM_call_lifecycle_dial_number(benchmark::State& state) {
  lifecycle_benchmark(state, Kind::dial_number);
}

BENCHMARK(BM_call_lifecycle);
BENCHMARK(BM_call_lifecycle_recording_sink);
BENCHMARK(BM_call_lifecycle_dial_number);

// ---- Memory --------------------------------------------------------------------
//
// Bytes per live agent: heap growth while N agents are saved and logged in
// (leads are added before the window). Bytes per live call: heap growth while
// each of those agents gets one call taken to bridged, all N live at once.
// Hash-table bucket arrays and the timer heap grow in steps, so N should be
// large (10,000) for a fair average.

void BM_memory(benchmark::State& state) {
  const std::size_t n = g_flags.memory_agents;
  HeapWindow agents_growth;
  HeapWindow calls_growth;
  for (auto _ : state) {
    auto rig = make_rig(Kind::dial_lead, 0);
    for (std::size_t i = 0; i < n; ++i) rig->add_lead(i);
    rig->agents.reserve(n);
    {
      HeapCounter counter;
      for (std::size_t i = 0; i < n; ++i) rig->add_agent(i);
      agents_growth = counter.growth();
    }
    {
      HeapCounter counter;
      for (std::size_t i = 0; i < n; ++i) rig->dial_and_bridge<false>(i);
      calls_growth = counter.growth();
    }
    if (rig->engine.live_call_count() != n) die("not every call is live");
    for (AgentId a : rig->agents) {
      if (rig->engine.agent(a)->status.state != dialer::AgentState::busy) die("agent not busy");
    }
  }
  const auto per = [n](std::int64_t v) { return static_cast<double>(v) / static_cast<double>(n); };
  state.counters["agents"] = static_cast<double>(n);
  state.counters["agent_bytes"] = per(agents_growth.bytes);
  state.counters["agent_blocks"] = per(agents_growth.blocks);
  state.counters["agent_bytes_malloc"] = per(agents_growth.bytes + 8 * agents_growth.blocks);
  state.counters["call_bytes"] = per(calls_growth.bytes);
  state.counters["call_blocks"] = per(calls_growth.blocks);
  state.counters["call_bytes_malloc"] = per(calls_growth.bytes + 8 * calls_growth.blocks);
}

BENCHMARK(BM_memory)->Iterations(1)->Unit(benchmark::kMillisecond);

// ---- main ------------------------------------------------------------------------

std::optional<std::size_t> size_flag(std::string_view arg, std::string_view name) {
  if (!arg.starts_with(name) || arg.size() <= name.size() || arg[name.size()] != '=') {
    return std::nullopt;
  }
  const std::string value(arg.substr(name.size() + 1));
  char* end = nullptr;
  const unsigned long long v = std::strtoull(value.c_str(), &end, 10);
  if (end == value.c_str() || *end != '\0' || v == 0) die("bad value in " + std::string(arg));
  return static_cast<std::size_t>(v);
}

/// Takes this program's own flags out of argv, leaving Google Benchmark's.
void parse_own_flags(int& argc, char** argv) {
  int out = 1;
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    if (auto v = size_flag(arg, "--agents")) {
      g_flags.agents = *v;
    } else if (auto m = size_flag(arg, "--memory_agents")) {
      g_flags.memory_agents = *m;
    } else if (auto l = size_flag(arg, "--lifecycles")) {
      g_flags.lifecycles = *l;
    } else if (arg.starts_with("--profile=")) {
      g_flags.profile = std::string(arg.substr(10));
    } else {
      argv[out++] = argv[i];
    }
  }
  argc = out;
}

int run_profile() {
  Kind kind = Kind::dial_lead;
  if (g_flags.profile == "dial_number") {
    kind = Kind::dial_number;
  } else if (g_flags.profile == "recording_sink") {
    kind = Kind::recording_sink;
  } else if (g_flags.profile != "dial_lead") {
    die("--profile must be dial_lead, dial_number or recording_sink");
  }
  auto rig = make_rig(kind, g_flags.agents);
  const auto start = std::chrono::steady_clock::now();
  for (std::size_t i = 0; i < g_flags.lifecycles; ++i) run_lifecycle(*rig, kind);
  const std::chrono::duration<double> took = std::chrono::steady_clock::now() - start;
  rig->check_quiet();
  const double events = static_cast<double>(g_flags.lifecycles) * kEventsPerLifecycle;
  std::printf("%s: %zu lifecycles, %.0f events in %.3f s: %.0f events/s\n", g_flags.profile.c_str(),
              g_flags.lifecycles, events, took.count(), events / took.count());
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  parse_own_flags(argc, argv);
  if (!g_flags.profile.empty()) return run_profile();
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
