// libFuzzer target: the event parser's one-pass reader against its DOM path.
// Writing every `"type":"` as `"type": "` (whitespace between tokens, so the
// same JSON) hides the type from the parser's quick look, which sends known
// types through the DOM; both reads of an input must agree on success, the
// common fields and the typed body. Seed it like ari_event_fuzz.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "dialer/ari/events.hpp"

using namespace dialer::ari;

namespace {

bool same(const Channel& a, const Channel& b) {
  return a.id == b.id && a.name == b.name && a.state == b.state && a.context == b.context &&
         a.exten == b.exten && a.variables == b.variables;
}
bool same(const std::optional<Channel>& a, const std::optional<Channel>& b) {
  return a.has_value() == b.has_value() && (!a || same(*a, *b));
}

bool same_body(const EventBody& x, const EventBody& y) {
  if (x.index() != y.index()) return false;
  if (const auto* a = std::get_if<StasisStart>(&x)) {
    const auto& b = std::get<StasisStart>(y);
    return same(a->channel, b.channel) && a->args == b.args;
  }
  if (const auto* a = std::get_if<StasisEnd>(&x)) return same(a->channel, std::get<StasisEnd>(y).channel);
  if (const auto* a = std::get_if<ChannelStateChange>(&x)) {
    return same(a->channel, std::get<ChannelStateChange>(y).channel);
  }
  if (const auto* a = std::get_if<ChannelHangupRequest>(&x)) {
    const auto& b = std::get<ChannelHangupRequest>(y);
    return same(a->channel, b.channel) && a->cause == b.cause && a->soft == b.soft;
  }
  if (const auto* a = std::get_if<ChannelDestroyed>(&x)) {
    const auto& b = std::get<ChannelDestroyed>(y);
    return same(a->channel, b.channel) && a->cause == b.cause && a->cause_txt == b.cause_txt;
  }
  if (const auto* a = std::get_if<Dial>(&x)) {
    const auto& b = std::get<Dial>(y);
    return same(a->peer, b.peer) && same(a->caller, b.caller) && a->dialstatus == b.dialstatus &&
           a->dialstring == b.dialstring;
  }
  if (const auto* a = std::get_if<ChannelVarset>(&x)) {
    const auto& b = std::get<ChannelVarset>(y);
    return same(a->channel, b.channel) && a->variable == b.variable && a->value == b.value;
  }
  return true;  // the other bodies are read by the DOM either way
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  constexpr std::size_t kMax = 64 * 1024;
  if (size > kMax) return 0;
  static EventParser as_given(kMax);
  static EventParser hidden_type(2 * kMax);  // the rewrite may grow the frame
  const std::string_view frame(reinterpret_cast<const char*>(data), size);
  constexpr std::string_view kKey = R"("type":")";
  std::string rewritten;
  rewritten.reserve(size + 16);
  for (std::size_t i = 0; i < frame.size();) {
    if (frame.substr(i, kKey.size()) == kKey) {
      rewritten += R"("type": ")";
      i += kKey.size();
    } else {
      rewritten += frame[i++];
    }
  }
  const auto a = as_given.parse(frame);
  const auto b = hidden_type.parse(rewritten);
  if (a.has_value() != b.has_value()) __builtin_trap();
  if (!a) return 0;
  if (a->type != b->type || a->application != b->application || a->timestamp != b->timestamp ||
      a->asterisk_id != b->asterisk_id || !same_body(a->body, b->body)) {
    __builtin_trap();
  }
  return 0;
}
