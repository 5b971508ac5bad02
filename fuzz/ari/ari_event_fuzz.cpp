// libFuzzer target: the ARI event parser on arbitrary frames. It must return
// an event or an error for every input — never crash, hang, leak or abort.
// Seed it with the recorded events (seed_corpus.sh).
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "dialer/ari/events.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  // One parser reused across inputs, as the event stream does, with a small
  // frame limit so the oversize path is exercised too.
  static dialer::ari::EventParser parser(64 * 1024);
  const std::string_view frame(reinterpret_cast<const char*>(data), size);
  auto event = parser.parse(frame);
  if (event) {
    // Touch what a consumer reads, so sanitizers see every field.
    std::size_t n = event->type.size() + event->application.size();
    if (const auto* s = std::get_if<dialer::ari::StasisStart>(&event->body)) {
      n += s->args.size() + s->channel.variables.size();
      if (s->channel.variable("AMDSTATUS") != nullptr) ++n;
    }
    if (const auto* u = std::get_if<dialer::ari::UnknownEvent>(&event->body)) n += u->raw.size();
    if (n == static_cast<std::size_t>(-1)) return 1;  // keeps `n` alive
  } else if (event.error().detail.empty()) {
    __builtin_trap();  // every refusal says why
  }
  return 0;
}
