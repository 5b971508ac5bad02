// ARI transport benchmarks (results in docs/ari.md):
//   BM_EventParseDispatch  every recorded event frame of shared/ari/captures,
//                          parsed and dispatched to a typed handler, in a loop;
//   BM_Rest/keep_alive     originate-sized POSTs over the keep-alive pool
//   BM_Rest/new_connection the same with one new TCP connection per request,
// both against the minimal HTTP responder of the tests, in the same process.
// client_cpu_us_per_req is the CPU time of the client's io thread only (the
// completion handlers, which also issue the next request, run there);
// responder_cpu_us_per_req that of the responder's thread.
#include <benchmark/benchmark.h>

#include <sys/resource.h>

#include <atomic>
#include <condition_variable>
#include <filesystem>
#include <fstream>
#include <future>
#include <mutex>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>

#include "dialer/ari/client.hpp"
#include "dialer/ari/events.hpp"
#include "mini_responder.hpp"

using namespace dialer::ari;

namespace {

std::vector<std::string> recorded_frames() {
  std::vector<std::string> frames;
  for (const auto& e : std::filesystem::directory_iterator(DIALER_ARI_SHARED_DIR "/captures")) {
    const std::string name = e.path().filename().string();
    if (e.path().extension() != ".jsonl" || name.find(".http.") != std::string::npos) continue;
    std::ifstream in(e.path());
    for (std::string line; std::getline(in, line);) {
      if (!line.empty()) frames.push_back(line);
    }
  }
  return frames;
}

// What a consumer does with each event: look its channel up and act on the
// types the dialer cares about.
struct Dispatch {
  std::unordered_map<std::string, int> channels;
  std::uint64_t acted = 0;
  void operator()(const Event& e) {
    if (const auto* d = std::get_if<ChannelDestroyed>(&e.body)) {
      acted += channels.count(d->channel.id) + static_cast<std::uint64_t>(d->cause);
    } else if (const auto* dial = std::get_if<Dial>(&e.body)) {
      acted += channels.count(dial->peer.id);
    } else if (const auto* s = std::get_if<StasisStart>(&e.body)) {
      acted += channels.count(s->channel.id);
    } else if (const auto* sc = std::get_if<ChannelStateChange>(&e.body)) {
      acted += channels.count(sc->channel.id);
    }
  }
};

void BM_EventParseDispatch(benchmark::State& state) {
  const auto frames = recorded_frames();
  std::size_t bytes = 0;
  for (const auto& f : frames) bytes += f.size();
  EventParser parser;
  Dispatch dispatch;
  for (int i = 0; i < 100; ++i) dispatch.channels.emplace("probe-cust-" + std::to_string(i), i);
  std::size_t i = 0;
  std::uint64_t failures = 0;
  for (auto _ : state) {
    auto e = parser.parse(frames[i]);
    if (e) {
      dispatch(*e);
    } else {
      ++failures;
    }
    if (++i == frames.size()) i = 0;
  }
  benchmark::DoNotOptimize(dispatch.acted);
  if (failures != 0) state.SkipWithError("a recorded frame did not parse");
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
  state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(bytes / frames.size()));
  state.counters["avg_frame_bytes"] = static_cast<double>(bytes) / static_cast<double>(frames.size());
}
BENCHMARK(BM_EventParseDispatch);

double thread_cpu_seconds() {
  rusage u{};
  getrusage(RUSAGE_THREAD, &u);
  return static_cast<double>(u.ru_utime.tv_sec + u.ru_stime.tv_sec) +
         static_cast<double>(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}

// An originate's answer, as Asterisk sends it (captures/answered.http.jsonl).
const char* kChannelJson =
    R"js({"id":"dialer-1","name":"Local/914155550100@customers-00000000;1","state":"Down","protocol_id":"",)js"
    R"js("caller":{"name":"Dialer","number":"5551000"},"connected":{"name":"Dialer","number":"5551000"},)js"
    R"js("accountcode":"","dialplan":{"context":"customers","exten":"914155550100","priority":1,)js"
    R"js("app_name":"AppDial2","app_data":"(Outgoing Line)"},"creationtime":"2026-11-21T22:37:58.935+0000",)js"
    R"js("language":"en","channelvars":{"DIALED":"","OUTCOME":"","AGENT":""}})js";

void BM_Rest(benchmark::State& state, bool keep_alive) {
  dialer::ari::test::MiniResponder server([](const auto&) {
    return dialer::ari::test::Reply{200, kChannelJson};
  });
  boost::asio::io_context io;
  auto work = boost::asio::make_work_guard(io);
  std::thread thread([&] { io.run(); });
  ClientOptions o;
  o.base_url = server.base_url();
  o.user = "dialer";
  o.password = "dialer";
  o.app = "bench";
  o.keep_alive = keep_alive;
  o.max_connections = 4;
  auto client = Client::create(io.get_executor(), o).value();
  const auto cpu_now = [&] {
    std::promise<double> p;
    boost::asio::post(io, [&] { p.set_value(thread_cpu_seconds()); });
    return p.get_future().get();
  };
  constexpr int kBatch = 200;       // requests per iteration
  constexpr int kInFlight = 32;     // kept outstanding
  std::uint64_t id = 0, failed = 0, done_total = 0;
  double cpu = 0, server_cpu = 0;
  for (auto _ : state) {
    const double cpu0 = cpu_now();
    const double server0 = server.thread_cpu_seconds();
    std::mutex m;
    std::condition_variable cv;
    int sent = 0, done = 0;
    std::function<void()> send_one;
    send_one = [&] {
      OriginateParams p{"Local/914155550100@customers", "dialer-" + std::to_string(++id), "customer,1",
                        "Dialer <5551000>", std::chrono::seconds(30), {{"DIALER_CALL", "1"}}};
      ++sent;
      client->originate(p, [&](dialer::Result<Channel> r) {
        std::lock_guard<std::mutex> lock(m);
        if (!r) ++failed;
        ++done;
        if (sent < kBatch) send_one();
        // Wake the waiting thread once per batch, not per request: a futex
        // wake and a context switch per answer would be counted as the
        // client's CPU and would steal one of the two cores.
        if (done == kBatch) cv.notify_one();
      });
    };
    {
      std::lock_guard<std::mutex> lock(m);
      for (int i = 0; i < kInFlight; ++i) send_one();
    }
    std::unique_lock<std::mutex> lock(m);
    cv.wait(lock, [&] { return done == kBatch; });
    lock.unlock();
    cpu += cpu_now() - cpu0;
    server_cpu += server.thread_cpu_seconds() - server0;
    done_total += kBatch;
  }
  if (failed != 0) state.SkipWithError("requests failed");
  state.SetItemsProcessed(static_cast<std::int64_t>(done_total));
  state.counters["req_per_s"] = benchmark::Counter(static_cast<double>(done_total), benchmark::Counter::kIsRate);
  state.counters["client_cpu_us_per_req"] = cpu * 1e6 / static_cast<double>(done_total);
  // The responder's thread, measured the same way: on a 2-core machine the
  // two share the cores, so req/s is bounded by 2 / (client + responder CPU).
  state.counters["responder_cpu_us_per_req"] = server_cpu * 1e6 / static_cast<double>(done_total);
  state.counters["connections"] = static_cast<double>(server.connections());
  client->stop();
  work.reset();
  io.stop();
  thread.join();
}
BENCHMARK_CAPTURE(BM_Rest, keep_alive, true)->UseRealTime()->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_Rest, new_connection, false)->UseRealTime()->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
