// The REST API and the agent WebSocket's commands (docs/api.md), on top of
// the Service. Requests are authenticated here (bearer tokens, roles, agents
// acting only on themselves), routed, and answered with JSON; every refusal
// is a 4xx with {"error": {"code", "message"}} and changes nothing.
//
// REST and WebSocket commands share one implementation per command, so a
// status change behaves the same whichever way it arrives.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include <boost/asio/thread_pool.hpp>
#include <boost/beast/http.hpp>
#include <boost/json.hpp>

#include "agent_hub.hpp"
#include "credentials.hpp"
#include "dialer/error.hpp"
#include "dialer/lead_import.hpp"
#include "static_files.hpp"

namespace dialerd {

class Service;

using Request = boost::beast::http::request<boost::beast::http::string_body>;
using Response = boost::beast::http::response<boost::beast::http::string_body>;
using Respond = std::function<void(Response)>;

class Api {
 public:
  Api(Service& service, StaticFiles files);
  ~Api();

  /// Answers one request; `respond` may be called later (login hashes off-thread).
  void handle(Request request, Respond respond);

  /// The session of a WebSocket upgrade's token (query parameter), if valid
  /// and an agent's.
  std::optional<Session> websocket_session(std::string_view target);
  void on_panel_open(const std::shared_ptr<PanelConnection>& c, dialer::AgentId agent);
  void on_panel_message(PanelConnection& c, dialer::AgentId agent, std::string_view text);
  void on_panel_close(const PanelConnection* c, dialer::AgentId agent);

 struct Context;

 private:
  void route(Context& ctx);
  void login(Context& ctx);
  void agent_routes(Context& ctx, dialer::AgentId agent, std::string_view action);
  void admin_routes(Context& ctx);
  void campaigns(Context& ctx);
  void carriers(Context& ctx);
  void agents_admin(Context& ctx);
  void import_leads(Context& ctx, dialer::CampaignId campaign);
  void finish_import(Context& ctx, dialer::CampaignId campaign, const dialer::Result<dialer::ImportReport>& report);
  void search_leads(Context& ctx);

  Service& service_;
  StaticFiles files_;
  /// Argon2id runs here, never on the server's thread.
  boost::asio::thread_pool hash_pool_{1};
  /// CSV imports run here, one at a time, each on a store connection of its
  /// own, so a large upload never stalls the server's thread.
  boost::asio::thread_pool import_pool_{1};
  /// Lead searches run here, on a store connection of their own (opened at
  /// the first search, reopened after a storage error): a search that scans
  /// a large campaign never stalls the server's thread. Declared before the
  /// pool, so the pool's thread has stopped before the store goes.
  std::unique_ptr<dialer::LeadStore> search_store_;
  boost::asio::thread_pool search_pool_{1};
  /// A hash of a random password: unknown logins are verified against it so
  /// that they take as long as known ones.
  std::string dummy_hash_;
  /// The highest agent id handed out, including creations still hashing
  /// their password, so two concurrent creations never get the same id.
  std::uint64_t last_agent_id_ = 0;
};

/// The HTTP status for an error of the library.
unsigned http_status_for(const dialer::Error& e);

}  // namespace dialerd
