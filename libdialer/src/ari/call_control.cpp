#include "dialer/ari/call_control.hpp"

#include <atomic>
#include <deque>
#include <mutex>
#include <unordered_map>
#include <unordered_set>

#include <boost/asio/post.hpp>

namespace dialer::ari {

namespace asio = boost::asio;

namespace {

struct Counter {
  std::atomic<std::uint64_t> n{0};
  void operator++() { n.fetch_add(1, std::memory_order_relaxed); }
  void add(std::uint64_t k) { n.fetch_add(k, std::memory_order_relaxed); }
  std::uint64_t get() const { return n.load(std::memory_order_relaxed); }
};

// A channel the engine originated, by its ARI id.
struct Tracked {
  ChannelId id;
  Leg leg = Leg::customer;
  // The last final Dial status (BUSY, NOANSWER, ...): classifies the hangup
  // before the cause does (README point 10).
  DialStatus last_dial = DialStatus::none;
  bool ringing = false;
  bool answered = false;
  // The originate's answer has not come back yet: resync cannot judge it.
  bool originating = true;
};

}  // namespace

struct AriCallControl::Impl : std::enable_shared_from_this<Impl> {
  using Step = std::function<void(std::function<void()> next)>;

  AriCallControlOptions options;
  std::shared_ptr<Client> client;
  asio::any_io_executor strand;

  // Strand only.
  std::unordered_map<std::string, Tracked> channels;
  std::unordered_set<std::string> bridges;
  std::unordered_map<std::string, std::deque<Step>> lanes;
  std::uint64_t epoch = 0;  // incremented whenever the stream goes down
  bool down = false;
  std::chrono::steady_clock::time_point down_since{};
  std::uint64_t playbacks = 0;

  std::atomic<bool> ready{false};
  std::atomic<bool> stopped{false};
  std::mutex queue_mutex;
  std::vector<CallEvent> queue;

  Counter gaps, vanished, originates_sent, refused_unavailable, ignored, failed, orphans;

  std::string channel_name(ChannelId c) const { return options.id_prefix + to_string(c); }
  std::string bridge_name(BridgeId b) const { return options.id_prefix + "b" + to_string(b); }

  void emit(CallEvent event) {
    if (stopped) return;
    if (options.deliver) {
      asio::post(options.deliver_executor,
                 [deliver = options.deliver, event = std::move(event)] { deliver(event); });
      return;
    }
    std::lock_guard<std::mutex> lock(queue_mutex);
    queue.push_back(std::move(event));
  }

  void log(LogLevel level, const std::string& line) {
    if (options.client.log) options.client.log(level, line);
  }

  // Runs `step` after every earlier step with the same key has finished, so
  // that commands on one channel or bridge reach Asterisk in the engine's order.
  void in_lane(const std::string& key, Step step) {
    auto& lane = lanes[key];
    lane.push_back(std::move(step));
    if (lane.size() == 1) run_front(key);
  }

  void run_front(const std::string& key) {
    auto it = lanes.find(key);
    if (it == lanes.end() || it->second.empty()) return;
    it->second.front()([w = weak_from_this(), key] {
      auto self = w.lock();
      if (!self) return;
      auto lane = self->lanes.find(key);
      if (lane == self->lanes.end()) return;
      lane->second.pop_front();
      if (lane->second.empty()) {
        self->lanes.erase(lane);
      } else {
        self->run_front(key);
      }
    });
  }

  // Runs `f(self)` on the client's strand.
  template <class F>
  void on_strand(F f) {
    asio::post(strand, [w = weak_from_this(), f = std::move(f)]() mutable {
      if (auto self = w.lock(); self && !self->stopped) f(*self);
    });
  }

  void command_failed(const std::string& what, const Error& e) {
    ++failed;
    log(LogLevel::warning, "ARI " + what + " failed: " + e.message());
  }

  // Ends a channel whose command failed after it was accepted, so that the
  // engine hears ChannelHungUp and nothing waits forever.
  void hang_up_after_failure(const std::string& name) {
    in_lane(name, [w = weak_from_this(), name](std::function<void()> next) {
      auto self = w.lock();
      if (!self) return;
      self->client->hang_up(name, q850::temporary_failure, [w, name, next](Result<void> r) {
        if (auto s = w.lock(); s && !r) s->command_failed("hangup of " + name, r.error());
        next();
      });
    });
  }

  // ---- Commands (strand) ----

  void send_originate(const OriginateRequest& request) {
    const std::string name = channel_name(request.channel);
    Tracked t;
    t.id = request.channel;
    t.leg = request.leg;
    channels.insert_or_assign(name, t);
    OriginateParams p;
    p.endpoint = request.endpoint;
    p.channel_id = name;
    p.app_args = std::string(to_string(request.leg)) + "," + to_string(request.call);
    p.caller_id = request.caller_id;
    p.timeout = request.timeout;
    // The attempt's ids ride along for CDR/CEL audit.
    p.variables = {{"DIALER_CALL", to_string(request.call)}, {"DIALER_LEG", to_string(request.leg)}};
    const std::uint64_t sent_in = epoch;
    ++originates_sent;
    in_lane(name, [w = weak_from_this(), p = std::move(p), name, sent_in](std::function<void()> next) {
      auto self = w.lock();
      if (!self) return;
      self->client->originate(p, [w, name, sent_in, next](Result<Channel> r) {
        next();
        auto s = w.lock();
        if (!s) return;
        auto it = s->channels.find(name);
        if (it == s->channels.end()) return;  // already destroyed: its events came first
        if (!r) {
          const ChannelId id = it->second.id;
          s->channels.erase(it);
          s->emit(OriginateFailed{id, r.error()});
          return;
        }
        it->second.originating = false;
        // The stream dropped while this request was out: the channel may have
        // ended unseen, and the resync could not judge it then.
        if (sent_in != s->epoch) s->verify_exists(name);
      });
    });
  }

  void verify_exists(const std::string& name) {
    client->send(Request{Operation::get_channel, {name}, {}, {}, true},
                 [w = weak_from_this(), name](Result<Response> r) {
                   auto s = w.lock();
                   if (!s || !r || r->status != 404) return;
                   s->vanish(name);
                 });
  }

  // Reports a tracked channel that is gone without a ChannelDestroyed.
  bool vanish(const std::string& name) {
    auto it = channels.find(name);
    if (it == channels.end()) return false;
    const Tracked t = it->second;
    channels.erase(it);
    ++vanished;
    emit(ChannelHungUp{t.id, q850::unknown, t.last_dial, HangupSource::lost_in_gap});
    return true;
  }

  // ---- Events (strand) ----

  Tracked* find(const std::string& id) {
    auto it = channels.find(id);
    if (it == channels.end()) {
      ++ignored;
      return nullptr;
    }
    return &it->second;
  }

  void ringing(Tracked& t) {
    if (t.ringing || t.answered) return;
    t.ringing = true;
    emit(ChannelRinging{t.id});
  }

  void on_event(const Event& e) {
    const EventBody& b = e.body;
    if (const auto* ss = std::get_if<StasisStart>(&b)) return on_stasis_start(*ss);
    if (const auto* sc = std::get_if<ChannelStateChange>(&b)) {
      Tracked* t = find(sc->channel.id);
      if (t != nullptr && sc->channel.state == "Ringing") ringing(*t);
      return;
    }
    if (const auto* d = std::get_if<Dial>(&b)) return on_dial(*d);
    if (const auto* cd = std::get_if<ChannelDestroyed>(&b)) return on_destroyed(*cd);
    if (const auto* pf = std::get_if<ari::PlaybackFinished>(&b)) return on_playback_finished(*pf);
    if (const auto* bd = std::get_if<BridgeDestroyed>(&b)) bridges.erase(bd->bridge.id);
  }

  void on_dial(const Dial& ev) {
    Tracked* t = find(ev.peer.id);
    if (t == nullptr) return;
    if (ev.dialstatus == "RINGING") return ringing(*t);
    DialStatus status = DialStatus::none;
    if (from_string(ev.dialstatus, status) && status != DialStatus::none) t->last_dial = status;
  }

  void on_destroyed(const ChannelDestroyed& ev) {
    auto it = channels.find(ev.channel.id);
    if (it == channels.end()) {
      ++ignored;
      return;
    }
    const Tracked t = it->second;
    channels.erase(it);
    emit(ChannelHungUp{t.id, ev.cause, t.last_dial, HangupSource::reported});
  }

  void on_playback_finished(const ari::PlaybackFinished& ev) {
    constexpr std::string_view kChannel = "channel:";
    const std::string_view target = ev.playback.target_uri;
    if (target.substr(0, kChannel.size()) != kChannel) return;
    Tracked* t = find(std::string(target.substr(kChannel.size())));
    if (t != nullptr) emit(dialer::PlaybackFinished{t->id});
  }

  void on_stasis_start(const StasisStart& ev) {
    auto it = channels.find(ev.channel.id);
    if (it == channels.end()) {
      // One of ours that the engine no longer knows (its originate was given
      // up for lost): an answered customer nobody will serve. End it.
      const std::string& id = ev.channel.id;
      if (id.rfind(options.id_prefix, 0) == 0 && id.find(';') == std::string::npos) {
        ++orphans;
        hang_up_after_failure(id);
      } else {
        ++ignored;
      }
      return;
    }
    Tracked& t = it->second;
    if (t.answered) return;
    t.answered = true;
    bool machine = false;
    if (!options.amd_variable.empty()) {
      const std::string* v = ev.channel.variable(options.amd_variable);
      machine = v != nullptr && *v == "MACHINE";
    }
    emit(ChannelAnswered{t.id, machine});
  }

  // ---- Stream state (strand) ----

  void on_connected() { resync(); }

  void on_disconnected(const Error&, bool) {
    ready = false;
    ++epoch;
    if (!down) {
      down = true;
      down_since = std::chrono::steady_clock::now();
    }
  }

  // After every (re)connect: what Asterisk has now decides which channels the
  // engine still has; the others ended while nobody listened.
  void resync() {
    client->list_channels([w = weak_from_this()](Result<std::vector<Channel>> live) {
      auto s = w.lock();
      if (!s) return;
      if (!live) {
        s->log(LogLevel::warning, "ARI resync failed: " + live.error().message());
        s->client->drop_stream();  // try again through the reconnect path
        return;
      }
      std::unordered_set<std::string> ids;
      for (const Channel& c : *live) ids.insert(c.id);
      std::vector<std::string> gone;
      for (const auto& [name, t] : s->channels) {
        if (!t.originating && ids.count(name) == 0) gone.push_back(name);
      }
      std::size_t vanished_channels = 0;
      for (const std::string& name : gone) {
        if (s->vanish(name)) ++vanished_channels;
      }
      s->client->list_bridges([w, vanished_channels](Result<std::vector<Bridge>> live_bridges) {
        auto s2 = w.lock();
        if (!s2) return;
        std::size_t vanished_bridges = 0;
        if (live_bridges) {
          std::unordered_set<std::string> bids;
          for (const Bridge& b : *live_bridges) bids.insert(b.id);
          for (auto it = s2->bridges.begin(); it != s2->bridges.end();) {
            if (bids.count(*it) == 0) {
              it = s2->bridges.erase(it);
              ++vanished_bridges;
            } else {
              ++it;
            }
          }
        }
        s2->resynced(vanished_channels, vanished_bridges);
      });
    });
  }

  void resynced(std::size_t vanished_channels, std::size_t vanished_bridges) {
    // The gap is accounted for before originates open again, so whoever sees
    // ready() also sees the gap.
    if (down) {
      down = false;
      ++gaps;
      GapReport report;
      report.duration = std::chrono::duration_cast<std::chrono::milliseconds>(
          std::chrono::steady_clock::now() - down_since);
      report.vanished_channels = vanished_channels;
      report.vanished_bridges = vanished_bridges;
      log(LogLevel::info, "ARI resynchronised after a gap of " +
                              std::to_string(report.duration.count()) + " ms; " +
                              std::to_string(vanished_channels) + " channel(s) vanished");
      if (options.on_gap) options.on_gap(report);
    }
    ready = true;
  }
};

AriCallControl::AriCallControl(std::shared_ptr<Impl> impl) : impl_(std::move(impl)) {}

AriCallControl::~AriCallControl() { stop(); }

Result<std::unique_ptr<AriCallControl>> AriCallControl::create(asio::any_io_executor io,
                                                               AriCallControlOptions options) {
  if (options.id_prefix.empty()) {
    return Error{Errc::invalid_argument, "ARI id_prefix must not be empty"};
  }
  if (static_cast<bool>(options.deliver) != static_cast<bool>(options.deliver_executor)) {
    return Error{Errc::invalid_argument, "deliver and deliver_executor go together"};
  }
  auto client = Client::create(std::move(io), options.client);
  if (!client) return std::move(client).error();
  auto impl = std::make_shared<Impl>();
  impl->options = std::move(options);
  impl->client = std::move(*client);
  impl->strand = impl->client->executor();
  return std::unique_ptr<AriCallControl>(new AriCallControl(std::move(impl)));
}

void AriCallControl::start() {
  std::weak_ptr<Impl> w = impl_;
  StreamHandlers h;
  h.on_event = [w](const Event& e) {
    if (auto s = w.lock()) s->on_event(e);
  };
  h.on_connected = [w] {
    if (auto s = w.lock()) s->on_connected();
  };
  h.on_disconnected = [w](const Error& why, bool final) {
    if (auto s = w.lock()) s->on_disconnected(why, final);
  };
  impl_->client->start(std::move(h));
}

void AriCallControl::stop() {
  impl_->stopped = true;
  impl_->ready = false;
  impl_->client->stop();
}

Result<void> AriCallControl::originate(const OriginateRequest& request) {
  if (!request.channel.valid() || request.endpoint.empty()) {
    return Error{Errc::invalid_argument, "originate needs a channel id and an endpoint"};
  }
  if (!impl_->ready) {
    ++impl_->refused_unavailable;
    return Error{Errc::unavailable, "ARI event stream of app " + impl_->options.client.app +
                                        " is not up: no originate until it is"};
  }
  impl_->on_strand([request](Impl& s) { s.send_originate(request); });
  return ok();
}

Result<void> AriCallControl::answer(ChannelId channel) {
  if (!channel.valid()) return Error{Errc::invalid_argument, "answer needs a channel id"};
  impl_->on_strand([channel](Impl& s) {
    const std::string name = s.channel_name(channel);
    s.in_lane(name, [w = s.weak_from_this(), name](std::function<void()> next) {
      auto self = w.lock();
      if (!self) return;
      self->client->answer(name, [w, name, next](Result<void> r) {
        next();
        auto s2 = w.lock();
        if (!s2 || r) return;
        s2->command_failed("answer of " + name, r.error());
        s2->hang_up_after_failure(name);
      });
    });
  });
  return ok();
}

Result<void> AriCallControl::hang_up(ChannelId channel, int cause) {
  if (!channel.valid()) return Error{Errc::invalid_argument, "hang_up needs a channel id"};
  impl_->on_strand([channel, cause](Impl& s) {
    const std::string name = s.channel_name(channel);
    s.in_lane(name, [w = s.weak_from_this(), name, cause](std::function<void()> next) {
      auto self = w.lock();
      if (!self) return;
      self->client->hang_up(name, cause, [w, name, next](Result<void> r) {
        next();
        auto s2 = w.lock();
        if (s2 && !r) s2->command_failed("hangup of " + name, r.error());
      });
    });
  });
  return ok();
}

Result<void> AriCallControl::create_bridge(BridgeId bridge) {
  if (!bridge.valid()) return Error{Errc::invalid_argument, "create_bridge needs a bridge id"};
  impl_->on_strand([bridge](Impl& s) {
    const std::string name = s.bridge_name(bridge);
    s.in_lane(name, [w = s.weak_from_this(), name](std::function<void()> next) {
      auto self = w.lock();
      if (!self) return;
      self->client->create_bridge(name, [w, name, next](Result<Bridge> r) {
        next();
        auto s2 = w.lock();
        if (!s2) return;
        if (r) {
          s2->bridges.insert(name);
        } else {
          // The add_to_bridge that follows fails too and ends its channel.
          s2->command_failed("bridge creation of " + name, r.error());
        }
      });
    });
  });
  return ok();
}

Result<void> AriCallControl::add_to_bridge(BridgeId bridge, ChannelId channel) {
  if (!bridge.valid() || !channel.valid()) {
    return Error{Errc::invalid_argument, "add_to_bridge needs a bridge and a channel id"};
  }
  impl_->on_strand([bridge, channel](Impl& s) {
    const std::string bname = s.bridge_name(bridge);
    const std::string cname = s.channel_name(channel);
    s.in_lane(bname, [w = s.weak_from_this(), bname, cname](std::function<void()> next) {
      auto self = w.lock();
      if (!self) return;
      self->client->add_channel(bname, cname, [w, cname, next](Result<void> r) {
        next();
        auto s2 = w.lock();
        if (!s2 || r) return;
        s2->command_failed("bridging of " + cname, r.error());
        s2->hang_up_after_failure(cname);
      });
    });
  });
  return ok();
}

Result<void> AriCallControl::destroy_bridge(BridgeId bridge) {
  if (!bridge.valid()) return Error{Errc::invalid_argument, "destroy_bridge needs a bridge id"};
  impl_->on_strand([bridge](Impl& s) {
    const std::string name = s.bridge_name(bridge);
    s.in_lane(name, [w = s.weak_from_this(), name](std::function<void()> next) {
      auto self = w.lock();
      if (!self) return;
      self->client->destroy_bridge(name, [w, name, next](Result<void> r) {
        next();
        auto s2 = w.lock();
        if (!s2) return;
        s2->bridges.erase(name);
        if (!r) s2->command_failed("bridge destruction of " + name, r.error());
      });
    });
  });
  return ok();
}

Result<void> AriCallControl::play(ChannelId channel, std::string_view media) {
  if (!channel.valid() || media.empty()) {
    return Error{Errc::invalid_argument, "play needs a channel id and a media URI"};
  }
  impl_->on_strand([channel, m = std::string(media)](Impl& s) {
    const std::string name = s.channel_name(channel);
    const std::string playback = name + "-pb" + std::to_string(++s.playbacks);
    s.in_lane(name, [w = s.weak_from_this(), name, m, playback](std::function<void()> next) {
      auto self = w.lock();
      if (!self) return;
      self->client->play(name, m, playback, [w, name, next](Result<Playback> r) {
        next();
        auto s2 = w.lock();
        if (!s2 || r) return;
        s2->command_failed("playback on " + name, r.error());
        // Nothing will play: say so, so that whoever waits for it goes on.
        auto it = s2->channels.find(name);
        if (it != s2->channels.end()) s2->emit(dialer::PlaybackFinished{it->second.id});
      });
    });
  });
  return ok();
}

std::size_t AriCallControl::drain(std::vector<CallEvent>& out) {
  std::lock_guard<std::mutex> lock(impl_->queue_mutex);
  const std::size_t n = impl_->queue.size();
  for (auto& e : impl_->queue) out.push_back(std::move(e));
  impl_->queue.clear();
  return n;
}

bool AriCallControl::ready() const noexcept { return impl_->ready.load(); }
std::string AriCallControl::channel_name(ChannelId channel) const {
  return impl_->channel_name(channel);
}
std::string AriCallControl::bridge_name(BridgeId bridge) const {
  return impl_->bridge_name(bridge);
}

CallControlStats AriCallControl::stats() const {
  const Impl& i = *impl_;
  return CallControlStats{i.gaps.get(),    i.vanished.get(), i.originates_sent.get(),
                          i.refused_unavailable.get(), i.ignored.get(), i.failed.get(),
                          i.orphans.get()};
}

Client& AriCallControl::client() { return *impl_->client; }

}  // namespace dialer::ari
