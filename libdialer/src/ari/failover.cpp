#include "dialer/ari/failover.hpp"

#include <atomic>
#include <optional>
#include <unordered_map>

#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>

namespace dialer::ari {

namespace asio = boost::asio;

namespace {
constexpr std::size_t kNoServer = static_cast<std::size_t>(-1);
}  // namespace

struct FailoverCallControl::Impl : std::enable_shared_from_this<Impl> {
  FailoverOptions options;
  std::vector<std::unique_ptr<AriCallControl>> servers;

  std::atomic<std::size_t> active{0};
  std::atomic<std::size_t> failovers{0};
  /// When the active server was first seen down (steady ns since epoch); 0: up.
  std::atomic<std::int64_t> down_since{0};

  // Engine thread / strand only.
  struct ChannelPlace {
    std::size_t server;
    CallId call;
  };
  std::unordered_map<ChannelId, ChannelPlace> channels;
  std::unordered_map<CallId, std::pair<std::size_t, std::size_t>> calls;  // server, live channels
  /// Bridges created lazily: kNoServer until their first channel is added.
  std::unordered_map<BridgeId, std::size_t> bridges;
  /// Channels given up at a failover: what their old server still says of
  /// them is not passed on (the engine has already heard they ended), and
  /// they are hung up there once it is reachable again.
  struct GivenUp {
    std::size_t server;
    bool hung_up = false;
  };
  std::unordered_map<ChannelId, GivenUp> given_up;
  std::vector<CallEvent> queue;  // drain mode
  std::optional<asio::steady_timer> timer;
  std::atomic<bool> stopped{false};

  static std::int64_t now_ns() {
    return std::chrono::steady_clock::now().time_since_epoch() / std::chrono::nanoseconds(1);
  }

  /// The server that takes over now, if the active one has been down for
  /// failover_after and another is up.
  std::optional<std::size_t> standby_due() const {
    const std::int64_t since = down_since.load();
    if (since == 0 || now_ns() - since < options.failover_after / std::chrono::nanoseconds(1)) {
      return std::nullopt;
    }
    const std::size_t current = active.load();
    for (std::size_t i = 0; i < servers.size(); ++i) {
      if (i != current && servers[i]->ready()) return i;
    }
    return std::nullopt;
  }

  /// Notes whether the active server is up, and fails over when it has been
  /// down long enough and another is up. Engine thread only (it ends calls).
  void check_active() {
    hang_up_given_up();
    const std::size_t current = active.load();
    if (servers[current]->ready()) {
      down_since.store(0);
      return;
    }
    std::int64_t expected = 0;
    down_since.compare_exchange_strong(expected, now_ns());
    const auto next = standby_due();
    if (!next) return;
    active.store(*next);
    down_since.store(0);
    ++failovers;
    give_up_calls_on(current);
    if (options.on_failover) options.on_failover(current, *next);
  }

  /// The old server's channels can no longer be controlled: the engine hears
  /// they ended (unseen, as after a gap), and the old server is asked to hang
  /// them up in case it is only cut off from us, not from the customers.
  void give_up_calls_on(std::size_t server) {
    std::vector<ChannelId> lost;
    for (const auto& [channel, place] : channels) {
      if (place.server == server) lost.push_back(channel);
    }
    for (ChannelId channel : lost) {
      given_up.emplace(channel, GivenUp{server});
      forget(channel);
      emit(ChannelHungUp{channel, q850::unknown, DialStatus::none, HangupSource::lost_in_gap});
    }
    for (auto it = bridges.begin(); it != bridges.end();) {
      it = it->second == server ? bridges.erase(it) : std::next(it);
    }
  }

  /// The old server keeps the given-up channels until told: once its stream
  /// is back, they are hung up (once; a failure is logged by that server).
  void hang_up_given_up() {
    for (auto& [channel, g] : given_up) {
      if (!g.hung_up && servers[g.server]->ready()) {
        g.hung_up = true;
        (void)servers[g.server]->hang_up(channel, q850::normal_clearing);
      }
    }
  }

  void forget(ChannelId channel) {
    auto it = channels.find(channel);
    if (it == channels.end()) return;
    if (it->second.call.valid()) {
      auto c = calls.find(it->second.call);
      if (c != calls.end() && --c->second.second == 0) calls.erase(c);
    }
    channels.erase(it);
  }

  void emit(CallEvent event) {
    if (options.deliver) {
      asio::post(options.deliver_executor,
                 [deliver = options.deliver, event = std::move(event)] { deliver(event); });
    } else {
      queue.push_back(std::move(event));
    }
  }

  /// Every event from a server passes here (on the engine's thread) before
  /// the engine sees it: the maps follow the channels' ends. False: swallow.
  bool observe(const CallEvent& event) {
    const auto final_of = [](const CallEvent& e) -> std::optional<ChannelId> {
      if (const auto* h = std::get_if<ChannelHungUp>(&e)) return h->channel;
      if (const auto* f = std::get_if<OriginateFailed>(&e)) return f->channel;
      return std::nullopt;
    };
    const ChannelId channel = std::visit([](const auto& e) { return e.channel; }, event);
    if (given_up.contains(channel)) {
      if (final_of(event)) given_up.erase(channel);
      return false;
    }
    if (final_of(event)) forget(channel);
    return true;
  }

  AriCallControl* server_of(ChannelId channel) {
    auto it = channels.find(channel);
    return it == channels.end() ? nullptr : servers[it->second.server].get();
  }

  void arm_timer() {
    if (!timer || stopped) return;
    timer->expires_after(std::min<std::chrono::milliseconds>(options.failover_after / 4 + std::chrono::milliseconds(1),
                                                             std::chrono::seconds(1)));
    timer->async_wait([w = weak_from_this()](const boost::system::error_code& ec) {
      auto self = w.lock();
      if (ec || !self || self->stopped) return;
      self->check_active();
      self->arm_timer();
    });
  }
};

Result<std::unique_ptr<FailoverCallControl>> FailoverCallControl::create(asio::any_io_executor io,
                                                                         FailoverOptions options) {
  if (options.servers.empty()) return Error{Errc::invalid_argument, "failover needs at least one ARI server"};
  if (static_cast<bool>(options.deliver) != static_cast<bool>(options.deliver_executor)) {
    return Error{Errc::invalid_argument, "deliver and deliver_executor go together"};
  }
  auto impl = std::make_shared<Impl>();
  std::weak_ptr<Impl> weak = impl;
  for (std::size_t i = 0; i < options.servers.size(); ++i) {
    AriCallControlOptions o = options.servers[i];
    if (o.deliver || o.deliver_executor) {
      return Error{Errc::invalid_argument,
                   "ARI server " + std::to_string(i) + ": the failover control sets deliver itself"};
    }
    if (options.deliver) {
      o.deliver_executor = options.deliver_executor;
      // Events already posted when the control goes away find it gone.
      o.deliver = [weak](const CallEvent& e) {
        auto self = weak.lock();
        if (self && !self->stopped && self->observe(e)) self->options.deliver(e);
      };
    }
    auto server = AriCallControl::create(io, std::move(o));
    if (!server) return std::move(server).error();
    impl->servers.push_back(std::move(server).value());
  }
  if (options.deliver) impl->timer.emplace(options.deliver_executor);
  impl->options = std::move(options);
  return std::unique_ptr<FailoverCallControl>(new FailoverCallControl(std::move(impl)));
}

FailoverCallControl::FailoverCallControl(std::shared_ptr<Impl> impl) : impl_(std::move(impl)) {}

FailoverCallControl::~FailoverCallControl() { stop(); }

void FailoverCallControl::start() {
  for (auto& s : impl_->servers) s->start();
  if (impl_->timer) {
    asio::post(impl_->options.deliver_executor, [w = std::weak_ptr<Impl>(impl_)] {
      if (auto self = w.lock()) self->arm_timer();
    });
  }
}

void FailoverCallControl::stop() {
  for (auto& s : impl_->servers) s->stop();
  // The timer lives on the engine's executor and may only be touched there;
  // its handler sees the flag, and holds the state only weakly.
  if (!impl_->stopped.exchange(true) && impl_->timer) {
    asio::post(impl_->options.deliver_executor, [self = impl_] { self->timer->cancel(); });
  }
}

Result<void> FailoverCallControl::originate(const OriginateRequest& request) {
  Impl& s = *impl_;
  std::size_t server = kNoServer;
  if (request.call.valid()) {
    if (auto it = s.calls.find(request.call); it != s.calls.end()) server = it->second.first;
  }
  if (server == kNoServer) {
    s.check_active();
    server = s.active.load();
  }
  if (auto sent = s.servers[server]->originate(request); !sent) return sent;
  s.channels[request.channel] = Impl::ChannelPlace{server, request.call};
  if (request.call.valid()) {
    auto& c = s.calls.try_emplace(request.call, server, 0).first->second;
    ++c.second;
  }
  return ok();
}

Result<void> FailoverCallControl::answer(ChannelId channel) {
  AriCallControl* server = impl_->server_of(channel);
  return (server != nullptr ? server : impl_->servers[impl_->active.load()].get())->answer(channel);
}

Result<void> FailoverCallControl::hang_up(ChannelId channel, int cause) {
  AriCallControl* server = impl_->server_of(channel);
  if (server == nullptr) return ok();  // never ours, or given up: already gone
  return server->hang_up(channel, cause);
}

Result<void> FailoverCallControl::create_bridge(BridgeId bridge) {
  if (!bridge.valid()) return Error{Errc::invalid_argument, "create_bridge needs a bridge id"};
  if (impl_->bridges.contains(bridge)) return Error{Errc::conflict, "bridge " + to_string(bridge) + " exists"};
  impl_->bridges.emplace(bridge, kNoServer);
  return ok();
}

Result<void> FailoverCallControl::add_to_bridge(BridgeId bridge, ChannelId channel) {
  Impl& s = *impl_;
  auto ch = s.channels.find(channel);
  if (ch == s.channels.end()) {
    return Error{Errc::not_found, "channel " + to_string(channel) + " is on no ARI server"};
  }
  auto br = s.bridges.find(bridge);
  if (br == s.bridges.end()) return Error{Errc::not_found, "bridge " + to_string(bridge) + " was never created"};
  const std::size_t server = ch->second.server;
  if (br->second == kNoServer) {
    if (auto made = s.servers[server]->create_bridge(bridge); !made) return made;
    br->second = server;
  } else if (br->second != server) {
    return Error{Errc::conflict, "channel " + to_string(channel) + " is on ARI server " + std::to_string(server) +
                                     " and bridge " + to_string(bridge) + " on " + std::to_string(br->second) +
                                     ": Asterisk cannot bridge across servers"};
  }
  return s.servers[server]->add_to_bridge(bridge, channel);
}

Result<void> FailoverCallControl::destroy_bridge(BridgeId bridge) {
  auto br = impl_->bridges.find(bridge);
  if (br == impl_->bridges.end()) return ok();
  const std::size_t server = br->second;
  impl_->bridges.erase(br);
  return server == kNoServer ? ok() : impl_->servers[server]->destroy_bridge(bridge);
}

Result<void> FailoverCallControl::play(ChannelId channel, std::string_view media) {
  AriCallControl* server = impl_->server_of(channel);
  if (server == nullptr) return Error{Errc::not_found, "channel " + to_string(channel) + " is on no ARI server"};
  return server->play(channel, media);
}

std::size_t FailoverCallControl::drain(std::vector<CallEvent>& out) {
  Impl& s = *impl_;
  s.check_active();
  const std::size_t before = out.size();
  for (auto& e : s.queue) out.push_back(std::move(e));
  s.queue.clear();
  std::vector<CallEvent> events;
  for (auto& server : s.servers) {
    events.clear();
    server->drain(events);
    for (auto& e : events) {
      if (s.observe(e)) out.push_back(std::move(e));
    }
  }
  return out.size() - before;
}

bool FailoverCallControl::ready() const noexcept {
  return impl_->servers[impl_->active.load()]->ready() || impl_->standby_due().has_value();
}

std::size_t FailoverCallControl::active() const noexcept { return impl_->active.load(); }
std::size_t FailoverCallControl::failovers() const noexcept { return impl_->failovers.load(); }
std::size_t FailoverCallControl::size() const noexcept { return impl_->servers.size(); }
AriCallControl& FailoverCallControl::server(std::size_t index) { return *impl_->servers.at(index); }
const AriCallControl& FailoverCallControl::server(std::size_t index) const { return *impl_->servers.at(index); }

}  // namespace dialer::ari
