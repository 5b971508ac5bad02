// An agent's browser phone: the SIP account the agent panel registers, with
// JsSIP, over a WebSocket to Asterisk (a chan_pjsip endpoint with
// webrtc=yes, docs/dialerd.md). The engine still just calls the agent's
// endpoint; what answers it is this page. So the account lives with dialerd,
// beside the agent's login (CredentialRows), not in the library's Agent.
//
// The SIP password must reach the browser, which answers the digest
// challenge itself; only the agent's own session reads it, and admin views
// say only whether one is set.
#pragma once

#include <optional>
#include <string>

#include <boost/json.hpp>

#include "dialer/error.hpp"

namespace dialerd {

struct WebPhone {
  /// Asterisk's SIP-over-WebSocket address: "wss://pbx.example.com:8089/ws".
  std::string ws_uri;
  /// The account to register: "sip:alice@pbx.example.com".
  std::string sip_uri;
  std::string password;
  /// Shown to the PBX as the caller name; may be empty.
  std::string display_name;

  bool operator==(const WebPhone&) const = default;
};

/// Reads the admin API's "web_phone" value onto `current` (the stored phone,
/// if any): null removes it; an object sets the keys it has, and a new phone
/// needs "ws_uri", "sip_uri" and "password". Errors: Errc::invalid_argument
/// naming the field ("web_phone.ws_uri must be a ws:// or wss:// URL").
dialer::Result<std::optional<WebPhone>> read_web_phone(const boost::json::value& in,
                                                       const std::optional<WebPhone>& current);

/// For admins: everything but the password, and whether one is set.
boost::json::value web_phone_admin_json(const std::optional<WebPhone>& phone);
/// For the agent's own panel: everything, password included.
boost::json::value web_phone_agent_json(const std::optional<WebPhone>& phone);

}  // namespace dialerd
