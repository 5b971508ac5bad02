// The loopback ARI server (tests/ari/loopback) as a process, so that dialerd's
// Python tests can point a real dialerd at it. Prints
// "loopback ari listening on http://127.0.0.1:<port>" once it serves, then
// answers one command per stdin line with one stdout line:
//   endpoints  -> the originated endpoints in order, as a JSON array
//   live       -> how many originated channels are still alive
//   requests   -> every REST request as a JSON array of "METHOD path status"
// and exits when stdin closes.
//
// usage: dialerd_loopback_ari [time_scale]   (default 0.05: a 20 s talk lasts 1 s)
#include <cstdlib>
#include <iostream>
#include <string>

#include <boost/json.hpp>

#include "loopback_ari.hpp"

int main(int argc, char** argv) {
  dialer::testing::ari::LoopbackAriOptions options;
  options.time_scale = argc > 1 ? std::strtod(argv[1], nullptr) : 0.05;
  if (!(options.time_scale > 0.0)) {
    std::cerr << "usage: dialerd_loopback_ari [time_scale > 0]\n";
    return 2;
  }
  dialer::testing::ari::LoopbackAri server(options);
  std::cout << "loopback ari listening on " << server.base_url() << std::endl;
  std::string line;
  while (std::getline(std::cin, line)) {
    if (line == "endpoints") {
      boost::json::array out;
      for (const auto& e : server.originated_endpoints()) out.emplace_back(e);
      std::cout << boost::json::serialize(out) << std::endl;
    } else if (line == "live") {
      std::cout << server.live_channel_count() << std::endl;
    } else if (line == "requests") {
      boost::json::array out;
      for (const auto& r : server.requests()) {
        out.emplace_back(r.method + " " + r.path + " " + std::to_string(r.status));
      }
      std::cout << boost::json::serialize(out) << std::endl;
    } else {
      std::cout << "error: unknown command" << std::endl;
    }
  }
  return 0;
}
