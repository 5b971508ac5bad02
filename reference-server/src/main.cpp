// dialerd: the reference server. See docs/dialerd.md.
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <iostream>

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>

#include "api.hpp"
#include "config.hpp"
#include "demo.hpp"
#include "dialer_service.hpp"
#include "http_server.hpp"
#include "log.hpp"
#include "passwords.hpp"

namespace {

int run(int argc, char** argv) {
  using namespace dialerd;
  Config config;
  bool help = false;
  if (auto r = parse_args(argc, argv, config, help); !r) {
    std::cerr << "dialerd: " << r.error().detail << "\n" << usage();
    return 2;
  }
  if (help) {
    std::cout << usage();
    return 0;
  }
  set_log_level(config.log_level);
  if (config.web_dir.empty()) config.web_dir = DIALERD_WEB_DIR;
  auto hp = split_host_port(config.listen).value();

  boost::asio::io_context io{1};
  auto service = std::make_unique<Service>(io, config);
  if (auto r = service->start(); !r) {
    log(LogLevel::error, "start_failed", {{"error", r.error().message()}});
    return 1;
  }
  std::vector<DemoLogin> demo_logins;
  if (config.demo) {
    auto seeded = seed_demo(*service);
    if (!seeded) {
      log(LogLevel::error, "demo_seed_failed", {{"error", seeded.error().message()}});
      return 1;
    }
    demo_logins = *seeded;
  }
  if (!config.bootstrap_admin_login.empty()) {
    const char* pw = std::getenv(config.bootstrap_admin_password_env.c_str());
    if (pw == nullptr || std::string_view(pw).size() < 8) {
      log(LogLevel::error, "bootstrap_admin_failed",
          {{"detail", "environment variable " + config.bootstrap_admin_password_env + " must hold at least 8 characters"}});
      return 1;
    }
    auto existing = service->credentials().find(config.bootstrap_admin_login);
    if (existing && existing->role != Role::admin) {
      log(LogLevel::error, "bootstrap_admin_failed", {{"detail", "the login belongs to an agent"}});
      return 1;
    }
    if (!existing || !verify_password(existing->password_hash, pw)) {
      auto hash = hash_password(pw, config.password_hash);
      if (!hash || !service->credentials().save(Credential{config.bootstrap_admin_login, Role::admin, {}, *hash})) {
        log(LogLevel::error, "bootstrap_admin_failed", {{"detail", "cannot save the admin credential"}});
        return 1;
      }
      log(LogLevel::info, "bootstrap_admin_saved", {{"login", config.bootstrap_admin_login}});
    }
  }
  if (service->credentials().admin_count() == 0) {
    log(LogLevel::warn, "no_admin", {{"detail", "no admin login exists; set bootstrap_admin_login"}});
  }

  auto api = std::make_unique<Api>(*service, StaticFiles(config.web_dir));
  HttpServer server(io, *api, config.max_body_bytes);
  if (auto r = server.listen(hp.first, hp.second); !r) {
    log(LogLevel::error, "listen_failed", {{"error", r.error().detail}});
    return 1;
  }
  boost::asio::signal_set signals(io, SIGINT, SIGTERM);
  bool stopping = false;
  std::function<void()> wait_signal;
  wait_signal = [&] {
    signals.async_wait([&](const boost::system::error_code& ec, int sig) {
      if (ec) return;
      if (stopping) {
        log(LogLevel::warn, "forced_stop", {{"signal", std::to_string(sig)}});
        io.stop();
        return;
      }
      stopping = true;
      log(LogLevel::info, "signal", {{"signal", std::to_string(sig)}});
      server.stop_accepting();
      service->shutdown([&] {
        log(LogLevel::info, "stopped", {});
        io.stop();
      });
      wait_signal();
    });
  };
  wait_signal();
  // Printed once signals are handled, so a caller may stop us as soon as it reads this.
  auto ep = server.local_endpoint();
  std::string host = ep.address().is_v6() ? "[" + ep.address().to_string() + "]" : ep.address().to_string();
  std::cout << "dialerd listening on http://" << host << ":" << ep.port() << "/\n";
  if (config.demo) {
    std::cout << "demo data in " << service->config().data_dir << "\n";
    for (const auto& l : demo_logins) {
      std::cout << "demo login: " << l.login << " / " << l.password << " (" << l.role << ")\n";
    }
  }
  std::cout.flush();
  log(LogLevel::info, "started", {{"listen", host + ":" + std::to_string(ep.port())},
                                  {"demo", config.demo ? "true" : "false"}, {"web_dir", config.web_dir}});

  io.run();
  api.reset();
  service.reset();
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    return run(argc, argv);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "dialerd: fatal: %s\n", e.what());
    return 1;
  }
}
