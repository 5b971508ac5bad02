#include "web_phone.hpp"

#include <algorithm>
#include <cctype>
#include <string_view>

#include <boost/url/parse.hpp>

namespace dialerd {
namespace json = boost::json;
using dialer::Errc;
using dialer::Error;
using dialer::Result;

namespace {

Error bad(std::string_view field, std::string_view what) {
  return Error{Errc::invalid_argument, "field 'web_phone." + std::string(field) + "' " + std::string(what)};
}

bool has_control_characters(std::string_view s) {
  return std::any_of(s.begin(), s.end(), [](char c) { return static_cast<unsigned char>(c) < 0x20 || c == 0x7f; });
}

// JsSIP opens exactly this URL; credentials in it would end up in the
// browser's history and the PBX's logs, so they are refused.
bool valid_ws_uri(std::string_view s) {
  auto u = boost::urls::parse_absolute_uri(s);
  if (!u) return false;
  return (u->scheme() == "ws" || u->scheme() == "wss") && !u->encoded_host().empty() && !u->has_userinfo();
}

// sip:user@host[:port] or sips:… — the account an Asterisk endpoint
// registers as. Parameters and headers (";", "?") are not an account.
bool valid_sip_uri(std::string_view s) {
  std::string_view rest;
  if (s.starts_with("sip:")) rest = s.substr(4);
  else if (s.starts_with("sips:")) rest = s.substr(5);
  else return false;
  const auto at = rest.rfind('@');
  if (at == std::string_view::npos || at == 0) return false;
  const std::string_view user = rest.substr(0, at);
  std::string_view host = rest.substr(at + 1);
  const auto user_char = [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || std::string_view("-_.!~*'()&=+$,%").find(c) != std::string_view::npos;
  };
  if (!std::all_of(user.begin(), user.end(), user_char)) return false;
  if (host.starts_with('[')) {
    const auto close = host.find(']');
    if (close == std::string_view::npos || close == 1) return false;
    host = host.substr(close + 1);
    if (host.empty()) return true;
    if (!host.starts_with(':')) return false;
    host = host.substr(1);
    return !host.empty() && host.size() <= 5 && std::all_of(host.begin(), host.end(), [](char c) { return std::isdigit(static_cast<unsigned char>(c)); });
  }
  const auto colon = host.find(':');
  const std::string_view name = host.substr(0, colon);
  if (name.empty() || !std::all_of(name.begin(), name.end(), [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '.';
      })) {
    return false;
  }
  if (colon == std::string_view::npos) return true;
  const std::string_view port = host.substr(colon + 1);
  return !port.empty() && port.size() <= 5 &&
         std::all_of(port.begin(), port.end(), [](char c) { return std::isdigit(static_cast<unsigned char>(c)); });
}

Result<std::string> text(const json::value& v, std::string_view field, std::size_t max) {
  if (!v.is_string()) return bad(field, "must be a string");
  std::string_view s = v.as_string();
  if (s.size() > max) return bad(field, "must have at most " + std::to_string(max) + " characters");
  if (has_control_characters(s)) return bad(field, "must not contain control characters");
  return std::string(s);
}

}  // namespace

Result<std::optional<WebPhone>> read_web_phone(const json::value& in, const std::optional<WebPhone>& current) {
  if (in.is_null()) return std::optional<WebPhone>{};
  if (!in.is_object()) {
    return Error{Errc::invalid_argument, "field 'web_phone' must be an object or null"};
  }
  WebPhone phone = current.value_or(WebPhone{});
  for (const auto& kv : in.as_object()) {
    const std::string_view key = kv.key();
    std::string* target = nullptr;
    std::size_t max = 0;
    if (key == "ws_uri") target = &phone.ws_uri, max = 2048;
    else if (key == "sip_uri") target = &phone.sip_uri, max = 512;
    else if (key == "password") target = &phone.password, max = 256;
    else if (key == "display_name") target = &phone.display_name, max = 128;
    else if (key == "password_set") continue;  // what a GET shows; echoing it back is harmless
    else return bad(key, "is not a known field");
    auto value = text(kv.value(), key, max);
    if (!value) return std::move(value).error();
    *target = std::move(*value);
  }
  if (!valid_ws_uri(phone.ws_uri)) return bad("ws_uri", "must be a ws:// or wss:// URL with a host and no user or password");
  if (!valid_sip_uri(phone.sip_uri)) return bad("sip_uri", "must be a SIP account such as sip:alice@pbx.example.com");
  if (phone.password.empty()) return bad("password", "is required (the SIP password of the account)");
  return std::optional<WebPhone>{std::move(phone)};
}

json::value web_phone_admin_json(const std::optional<WebPhone>& phone) {
  if (!phone) return nullptr;
  return json::object{{"ws_uri", phone->ws_uri},
                      {"sip_uri", phone->sip_uri},
                      {"display_name", phone->display_name},
                      {"password_set", !phone->password.empty()}};
}

json::value web_phone_agent_json(const std::optional<WebPhone>& phone) {
  if (!phone) return nullptr;
  return json::object{{"ws_uri", phone->ws_uri},
                      {"sip_uri", phone->sip_uri},
                      {"display_name", phone->display_name},
                      {"password", phone->password}};
}

}  // namespace dialerd
