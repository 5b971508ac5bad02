// libFuzzer target: the REST response parsers and the status mapping on
// arbitrary bodies. The first two bytes pick the HTTP status; the rest is the
// body. Seed it with the recorded answers (seed_corpus.sh).
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "dialer/ari/rest.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace dialer::ari;
  if (size < 2) return 0;
  const int status = 100 + (data[0] << 8 | data[1]) % 500;
  const std::string body(reinterpret_cast<const char*>(data + 2), size - 2);
  std::size_t n = 0;
  for (const OperationSpec& op : operations()) {
    auto r = check_status(op.op, Response{status, body, false});
    if (!r) n += r.error().detail.size();
  }
  n += error_text(body).size();
  if (auto c = parse_channel(body)) n += c->id.size() + c->variables.size();
  if (auto cs = parse_channels(body)) n += cs->size();
  if (auto b = parse_bridge(body)) n += b->channels.size();
  if (auto bs = parse_bridges(body)) n += bs->size();
  if (auto p = parse_playback(body)) n += p->target_uri.size();
  if (auto v = parse_variable(body)) n += v->size();
  if (auto i = parse_asterisk_info(body)) n += i->startup_time.size();
  if (auto a = parse_application_channels(body)) n += a->size();
  return n == static_cast<std::size_t>(-1) ? 1 : 0;
}
