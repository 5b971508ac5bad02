#include "config.hpp"

#include <charconv>
#include <fstream>
#include <sstream>
#include <string_view>

#include <boost/json.hpp>

namespace dialerd {
namespace json = boost::json;
using dialer::Errc;
using dialer::Error;
using dialer::Result;

namespace {

Result<std::string> get_string(const json::value& v, std::string_view key) {
  if (!v.is_string()) return Error{Errc::invalid_argument, std::string(key) + " must be a string"};
  return std::string(v.as_string());
}

Result<std::int64_t> get_int(const json::value& v, std::string_view key, std::int64_t min,
                             std::int64_t max) {
  if (!v.is_int64() && !v.is_uint64()) {
    return Error{Errc::invalid_argument, std::string(key) + " must be an integer"};
  }
  std::int64_t n = v.is_int64() ? v.as_int64() : static_cast<std::int64_t>(v.as_uint64());
  if (n < min || n > max) {
    return Error{Errc::invalid_argument, std::string(key) + " is out of range [" +
                                             std::to_string(min) + ", " + std::to_string(max) +
                                             "]"};
  }
  return n;
}

Result<void> set_hash_cost(std::string_view text, Config& c) {
  if (text == "interactive") c.password_hash = HashCost::interactive;
  else if (text == "moderate") c.password_hash = HashCost::moderate;
  else if (text == "minimal") c.password_hash = HashCost::minimal;
  else return Error{Errc::invalid_argument, "password_hash must be interactive, moderate or minimal"};
  return {};
}

Result<void> set_level(std::string_view text, Config& c) {
  if (!parse_log_level(text, c.log_level)) {
    return Error{Errc::invalid_argument, "log_level must be debug, info, warn or error"};
  }
  return {};
}

Result<AriServer> parse_ari(const json::value& v) {
  if (!v.is_object()) return Error{Errc::invalid_argument, "ari entries must be objects"};
  AriServer s;
  for (const auto& kv : v.as_object()) {
    std::string key = "ari." + std::string(kv.key());
    auto text = get_string(kv.value(), key);
    if (!text) return std::move(text).error();
    if (kv.key() == "url") s.url = *text;
    else if (kv.key() == "user") s.user = *text;
    else if (kv.key() == "password") s.password = *text;
    else if (kv.key() == "app") s.app = *text;
    else return Error{Errc::invalid_argument, "unknown key " + key};
  }
  if (s.url.empty()) return Error{Errc::invalid_argument, "ari.url is required"};
  return s;
}

}  // namespace

Result<void> load_config_file(const std::string& path, Config& c) {
  std::ifstream in(path);
  if (!in) return Error{Errc::not_found, "cannot read config file " + path};
  std::stringstream buffer;
  buffer << in.rdbuf();
  boost::system::error_code ec;
  json::value root = json::parse(buffer.str(), ec);
  if (ec) return Error{Errc::invalid_argument, path + ": not JSON: " + ec.message()};
  if (!root.is_object()) return Error{Errc::invalid_argument, path + ": must hold a JSON object"};
  for (const auto& kv : root.as_object()) {
    const std::string key(kv.key());
    const json::value& v = kv.value();
    Result<void> r;
    auto str = [&](std::string& field) -> Result<void> {
      auto s = get_string(v, key);
      if (!s) return std::move(s).error();
      field = *s;
      return {};
    };
    auto secs = [&](std::chrono::seconds& field, std::int64_t min, std::int64_t max) -> Result<void> {
      auto n = get_int(v, key, min, max);
      if (!n) return std::move(n).error();
      field = std::chrono::seconds{*n};
      return {};
    };
    if (key == "listen") r = str(c.listen);
    else if (key == "store") r = str(c.store);
    else if (key == "auth_db") r = str(c.auth_db);
    else if (key == "data_dir") r = str(c.data_dir);
    else if (key == "node") r = str(c.node);
    else if (key == "web_dir") r = str(c.web_dir);
    else if (key == "number_time_zones") r = str(c.number_time_zones);
    else if (key == "bootstrap_admin_login") r = str(c.bootstrap_admin_login);
    else if (key == "bootstrap_admin_password_env") r = str(c.bootstrap_admin_password_env);
    else if (key == "log_level") {
      auto s = get_string(v, key);
      r = s ? set_level(*s, c) : Result<void>(std::move(s).error());
    } else if (key == "password_hash") {
      auto s = get_string(v, key);
      r = s ? set_hash_cost(*s, c) : Result<void>(std::move(s).error());
    } else if (key == "token_ttl_s") r = secs(c.token_ttl, 60, 30LL * 24 * 3600);
    else if (key == "shutdown_grace_s") r = secs(c.shutdown_grace, 0, 3600);
    else if (key == "ari_failover_s") r = secs(c.ari_failover_after, 1, 3600);
    else if (key == "config_sync_s") r = secs(c.config_sync, 0, 3600);
    else if (key == "max_body_bytes") {
      auto n = get_int(v, key, 1024, 1LL << 32);
      if (n) c.max_body_bytes = static_cast<std::size_t>(*n);
      else r = std::move(n).error();
    } else if (key == "ari") {
      if (!v.is_array()) {
        r = Error{Errc::invalid_argument, "ari must be an array of servers"};
      } else {
        c.ari.clear();
        for (const auto& e : v.as_array()) {
          auto s = parse_ari(e);
          if (!s) return Error{Errc::invalid_argument, path + ": " + s.error().detail};
          c.ari.push_back(*s);
        }
      }
    } else {
      r = Error{Errc::invalid_argument, "unknown key " + key};
    }
    if (!r) return Error{Errc::invalid_argument, path + ": " + r.error().detail};
  }
  return {};
}

const char* usage() {
  return "usage: dialerd [--demo [--demo-fast]] [--config FILE] [--listen HOST:PORT] [--store PATH|URI]\n"
         "               [--auth-db PATH] [--data-dir DIR] [--node NAME] [--web-dir DIR]\n"
         "               [--number-time-zones FILE]\n"
         "               [--ari-url URL --ari-user USER --ari-password PASS --ari-app APP]\n"
         "               [--log-level debug|info|warn|error] [--password-hash interactive|moderate|minimal]\n"
         "               [--shutdown-grace SECONDS]\n"
         "See docs/dialerd.md.\n";
}

Result<void> parse_args(int argc, char** argv, Config& c, bool& help) {
  help = false;
  // The config file first, so flags override it wherever they appear.
  for (int i = 1; i + 1 < argc; ++i) {
    if (std::string_view(argv[i]) == "--config") {
      auto r = load_config_file(argv[i + 1], c);
      if (!r) return r;
    }
  }
  AriServer ari;
  bool ari_given = false;
  for (int i = 1; i < argc; ++i) {
    std::string_view flag = argv[i];
    if (flag == "--help" || flag == "-h") {
      help = true;
      continue;
    }
    if (flag == "--demo") {
      c.demo = true;
      continue;
    }
    if (flag == "--demo-fast") {
      c.demo_fast = true;
      continue;
    }
    if (i + 1 >= argc) return Error{Errc::invalid_argument, std::string(flag) + " needs a value"};
    std::string value = argv[++i];
    if (flag == "--config") continue;
    if (flag == "--listen") c.listen = value;
    else if (flag == "--store") c.store = value;
    else if (flag == "--auth-db") c.auth_db = value;
    else if (flag == "--data-dir") c.data_dir = value;
    else if (flag == "--node") c.node = value;
    else if (flag == "--number-time-zones") c.number_time_zones = value;
    else if (flag == "--web-dir") c.web_dir = value;
    else if (flag == "--ari-url") { ari.url = value; ari_given = true; }
    else if (flag == "--ari-user") { ari.user = value; ari_given = true; }
    else if (flag == "--ari-password") { ari.password = value; ari_given = true; }
    else if (flag == "--ari-app") { ari.app = value; ari_given = true; }
    else if (flag == "--log-level") {
      auto r = set_level(value, c);
      if (!r) return r;
    } else if (flag == "--password-hash") {
      auto r = set_hash_cost(value, c);
      if (!r) return r;
    } else if (flag == "--shutdown-grace") {
      int n = -1;
      auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), n);
      if (ec != std::errc{} || end != value.data() + value.size() || n < 0 || n > 3600) {
        return Error{Errc::invalid_argument, "--shutdown-grace must be 0..3600 seconds"};
      }
      c.shutdown_grace = std::chrono::seconds{n};
    } else {
      return Error{Errc::invalid_argument, "unknown flag " + std::string(flag)};
    }
  }
  if (c.demo_fast && !c.demo) return Error{Errc::invalid_argument, "--demo-fast needs --demo"};
  if (ari_given) {
    if (ari.url.empty()) return Error{Errc::invalid_argument, "--ari-url is required with --ari-*"};
    c.ari.assign(1, ari);
  }
  auto hp = split_host_port(c.listen);
  if (!hp) return std::move(hp).error();
  return {};
}

Result<std::pair<std::string, std::uint16_t>> split_host_port(const std::string& text) {
  auto colon = text.rfind(':');
  if (colon == std::string::npos || colon == 0) {
    return Error{Errc::invalid_argument, "listen address must be HOST:PORT, got '" + text + "'"};
  }
  std::string host = text.substr(0, colon);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  std::string_view port_text(text.data() + colon + 1, text.size() - colon - 1);
  unsigned port = 0;
  auto [end, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
  if (ec != std::errc{} || end != port_text.data() + port_text.size() || port > 65535) {
    return Error{Errc::invalid_argument, "listen port must be 0..65535, got '" + std::string(port_text) + "'"};
  }
  return std::pair{host, static_cast<std::uint16_t>(port)};
}

}  // namespace dialerd
