// The Asterisk that the loopback ARI server fronts: channels, bridges, Stasis
// apps, the test dialplan, and the REST resources. It knows nothing about
// sockets: requests come in as RestRequest, events leave through EventSink.
// Everything here runs on the server's io thread only.
#pragma once

#include "loopback_ari.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/json.hpp>

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace dialer::testing::ari::detail {

// Where an app's events go: one event WebSocket.
class EventSink {
 public:
  virtual ~EventSink() = default;
  virtual void send(std::string text) = 0;
};

struct RestRequest {
  std::string method;                          // "GET", "POST", ...
  std::vector<std::string> segments;           // decoded path segments after /ari
  std::map<std::string, std::string> params;   // query string, form body and JSON body scalars
  boost::json::object body;                    // the JSON body, when there is one
};

struct RestResponse {
  int status = 200;
  std::optional<boost::json::value> body;      // nullopt: no body (204)
  std::vector<std::pair<std::string, std::string>> headers;
};

RestResponse error_response(int status, std::string message);

class EmulatedAsterisk {
 public:
  EmulatedAsterisk(boost::asio::io_context& io, const LoopbackAriOptions& options);
  ~EmulatedAsterisk();
  EmulatedAsterisk(const EmulatedAsterisk&) = delete;
  EmulatedAsterisk& operator=(const EmulatedAsterisk&) = delete;

  RestResponse handle(const RestRequest& request);

  // An event WebSocket for `apps` opened / closed. A second socket for an app
  // replaces the first, which gets ApplicationReplaced and then nothing.
  void attach(const std::shared_ptr<EventSink>& sink, const std::vector<std::string>& apps,
              bool subscribe_all);
  void detach(const EventSink* sink);

  bool send_raw(const std::string& app, std::string text);  // to the socket holding `app`
  void restart();                                      // everything vanishes, no events
  void far_end_hangup(const std::string& channel_id, int cause);

  std::vector<std::string> originated_endpoints() const { return originated_endpoints_; }
  std::vector<std::string> live_originated_ids() const;
  std::size_t originate_count() const { return originated_endpoints_.size(); }
  std::string startup_time() const { return startup_time_; }
  std::string now_timestamp() const;

 private:
  struct Channel;
  struct Bridge;
  struct Playback;
  struct App;
  using Handler = RestResponse (EmulatedAsterisk::*)(const RestRequest&, const std::vector<std::string>&);
  struct Route {
    std::string method;
    std::vector<std::string> pattern;  // "{x}" segments are path variables
    Handler handler;                   // nullptr: in the spec but not emulated (501)
  };

  // REST resources
  RestResponse asterisk_info(const RestRequest&, const std::vector<std::string>&);
  RestResponse asterisk_ping(const RestRequest&, const std::vector<std::string>&);
  RestResponse channels_list(const RestRequest&, const std::vector<std::string>&);
  RestResponse channels_originate(const RestRequest&, const std::vector<std::string>&);
  RestResponse channels_get(const RestRequest&, const std::vector<std::string>&);
  RestResponse channels_hangup(const RestRequest&, const std::vector<std::string>&);
  RestResponse channels_answer(const RestRequest&, const std::vector<std::string>&);
  RestResponse channels_play(const RestRequest&, const std::vector<std::string>&);
  RestResponse channels_get_var(const RestRequest&, const std::vector<std::string>&);
  RestResponse channels_set_var(const RestRequest&, const std::vector<std::string>&);
  RestResponse bridges_list(const RestRequest&, const std::vector<std::string>&);
  RestResponse bridges_create(const RestRequest&, const std::vector<std::string>&);
  RestResponse bridges_get(const RestRequest&, const std::vector<std::string>&);
  RestResponse bridges_destroy(const RestRequest&, const std::vector<std::string>&);
  RestResponse bridges_add(const RestRequest&, const std::vector<std::string>&);
  RestResponse bridges_remove(const RestRequest&, const std::vector<std::string>&);
  RestResponse applications_list(const RestRequest&, const std::vector<std::string>&);
  RestResponse applications_get(const RestRequest&, const std::vector<std::string>&);
  RestResponse playbacks_get(const RestRequest&, const std::vector<std::string>&);
  RestResponse playbacks_stop(const RestRequest&, const std::vector<std::string>&);

  // The dialplan, step by step
  void begin_dial(Channel& c1);
  void ring(Channel& c1);
  void answer(Channel& c1);
  void reject(Channel& c1, int cause, const std::string& dialstatus, bool in_band);
  void originate_timeout(Channel& c1);
  void remote_hangup(Channel& c1, int cause);
  void dialer_hangup(Channel& ch, int cause);
  void leave_bridge(Channel& ch);
  void end_stasis(Channel& ch);
  void finish_playbacks(Channel& ch);
  void destroy(Channel& ch, int cause);
  void schedule(Channel& ch, double seconds, std::function<void(Channel&)> step);

  static std::vector<std::string> split_path(const std::string& path);
  std::optional<RestResponse> stasis_channels(const RestRequest& r, std::vector<Channel*>& out);

  // State helpers
  Channel* find_channel(const std::string& id);
  Bridge* find_bridge(const std::string& id);
  App* find_app(const std::string& name);
  bool app_active(const std::string& name);
  void set_var(Channel& ch, const std::string& name, const std::string& value, bool publish = true);
  void set_state(Channel& ch, const std::string& state);
  void enter_bridge(Channel& ch, Bridge& bridge);
  void update_bridge_peers(Bridge& bridge);
  void cleanup_apps();

  // JSON
  boost::json::object channel_json(const Channel& ch) const;
  boost::json::object bridge_json(const Bridge& b) const;
  boost::json::object playback_json(const Playback& p) const;
  boost::json::object app_json(const App& app) const;
  boost::json::object event(const char* type) const;
  void publish(boost::json::object ev, const std::vector<std::string>& channels,
               const std::string& bridge = {});
  void publish_channel(const char* type, Channel& ch, boost::json::object fields = {});
  void dial_event(Channel& c1, const std::string& status);
  void hangup_request(Channel& ch, int cause, bool soft);

  std::string new_uniqueid();
  std::string new_uuid();

  boost::asio::io_context& io_;
  LoopbackAriOptions options_;
  std::vector<Route> routes_;
  std::string asterisk_id_ = "02:00:00:00:4c:42";
  std::string startup_time_;
  std::string last_reload_time_;
  std::map<std::string, std::unique_ptr<Channel>> channels_;
  std::map<std::string, std::unique_ptr<Bridge>> bridges_;
  std::map<std::string, std::unique_ptr<Playback>> playbacks_;
  std::map<std::string, std::unique_ptr<App>> apps_;
  std::vector<std::string> originated_endpoints_;
  std::uint64_t next_serial_ = 1;
  std::uint32_t next_local_ = 0;
  std::uint64_t next_unique_ = 0;
  std::uint64_t rng_state_;
};

}  // namespace dialer::testing::ari::detail
