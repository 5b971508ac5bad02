// The ARI REST operations the dialer uses, exactly as Asterisk's spec names
// them (shared/ari/api-docs/*.json), and how their answers become values or
// typed errors.
//
// The operation table is the single source of what the client sends: requests
// are built from it and refused when they carry a parameter it does not list,
// and a test checks every row against the spec files. Error mapping is per
// operation because Asterisk's status codes are: "channel missing" is 404 on
// /channels/* but 400 on addChannel (README §2.2).
//
// Threading: pure functions and constant tables; thread-safe.
#pragma once

#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "dialer/ari/events.hpp"
#include "dialer/error.hpp"

namespace dialer::ari {

enum class Operation {
  originate,
  hangup,
  answer,
  create_bridge,
  destroy_bridge,
  add_channel,
  remove_channel,
  play,
  list_channels,
  get_channel,
  list_bridges,
  get_bridge,
  asterisk_info,
  get_variable,
  set_variable,
  get_application,
  event_websocket,
};

const char* to_string(Operation op) noexcept;
bool from_string(std::string_view s, Operation& out) noexcept;

/// One row of the operation table.
struct OperationSpec {
  Operation op;
  /// "GET", "POST", "DELETE".
  std::string_view method;
  /// The spec's path, below /ari: "/channels/{channelId}".
  std::string_view path;
  /// Query parameters the client may send.
  std::span<const std::string_view> query;
  /// Body parameters the client may send (a JSON object with these keys).
  std::span<const std::string_view> body;
};

std::span<const OperationSpec> operations();
const OperationSpec& spec_of(Operation op);

/// One REST request before it is put on the wire.
struct Request {
  Operation op = Operation::list_channels;
  /// Values for the path's {placeholders}, in order; percent-encoded on build.
  std::vector<std::string> path_args;
  /// Query parameters, percent-encoded on build.
  std::vector<std::pair<std::string, std::string>> query;
  /// JSON body, or empty.
  std::string body;
  /// May be sent again after a transport failure (a GET, a DELETE, or an
  /// originate with a caller-chosen id, which Asterisk refuses with 409 if the
  /// first attempt got through).
  bool retry_safe = false;
};

/// The request target: base_path + "/ari" + path with arguments filled in +
/// "?query". Errors: Errc::invalid_argument (wrong number of path arguments,
/// a parameter the operation's row does not list, an empty path argument).
Result<std::string> build_target(const Request& request, std::string_view base_path = {});

/// An HTTP answer.
struct Response {
  int status = 0;
  std::string body;
  /// The request was sent more than once (after a transport failure).
  bool retried = false;
};

/// The error text of an ARI error body: {"message": ...} or {"error": ...};
/// the raw body (cut to 200 bytes) otherwise.
std::string error_text(std::string_view body);

/// Maps an answer of `op` to success or a typed error:
/// 2xx → success; hangup or destroy_bridge 404 and remove_channel 422 →
/// success (already gone); 400 → invalid_argument (add_channel: not_found);
/// 404 → not_found; 409 → conflict; 412 and 422 → invalid_transition;
/// 401/403 → unavailable (credentials; the detail says so); 500/503 →
/// unavailable; anything else → protocol_error.
Result<void> check_status(Operation op, const Response& response);

/// Response body parsers. Errors: Errc::protocol_error.
Result<Channel> parse_channel(std::string_view body);
Result<std::vector<Channel>> parse_channels(std::string_view body);
Result<Bridge> parse_bridge(std::string_view body);
Result<std::vector<Bridge>> parse_bridges(std::string_view body);
Result<Playback> parse_playback(std::string_view body);
/// {"value": "..."} of GET /channels/{id}/variable.
Result<std::string> parse_variable(std::string_view body);

/// The parts of GET /asterisk/info the client uses: who the server is and
/// when it started (a changed startup time means Asterisk restarted).
struct AsteriskInfo {
  std::string entity_id;
  std::string version;
  std::string startup_time;
};
Result<AsteriskInfo> parse_asterisk_info(std::string_view body);

/// Channel ids of GET /applications/{app}.
Result<std::vector<std::string>> parse_application_channels(std::string_view body);

}  // namespace dialer::ari
