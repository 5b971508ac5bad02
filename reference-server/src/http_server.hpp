// The network side: a TCP listener, HTTP/1.1 sessions (keep-alive, one
// request at a time, bodies up to Config::max_body_bytes) and the agents'
// WebSocket sessions, on Boost.Beast. Everything runs on the one io_context
// thread, so handlers may use the Service and the Engine directly.
#pragma once

#include <memory>
#include <string>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>

#include "dialer/error.hpp"

namespace dialerd {

class Api;

class HttpServer {
 public:
  HttpServer(boost::asio::io_context& io, Api& api, std::size_t max_body_bytes);
  /// Binds and starts accepting. Errors: Errc::unavailable (cannot bind), naming the address.
  dialer::Result<void> listen(const std::string& host, std::uint16_t port);
  /// The bound endpoint (the real port when 0 was asked).
  boost::asio::ip::tcp::endpoint local_endpoint() const;
  /// Stops accepting new connections.
  void stop_accepting();

 private:
  void accept();
  boost::asio::io_context& io_;
  Api& api_;
  std::size_t max_body_bytes_;
  boost::asio::ip::tcp::acceptor acceptor_;
};

}  // namespace dialerd
