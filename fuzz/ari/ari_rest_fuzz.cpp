// libFuzzer target: the REST response parsers and the status mapping on
// arbitrary bodies. The first byte picks the HTTP status, the second the
// parser; the rest is the body. Seed it with the recorded answers
// (seed_corpus.sh).
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "dialer/ari/rest.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace dialer::ari;
  if (size < 2) return 0;
  static constexpr int kStatuses[] = {200, 201, 204, 400, 401, 403, 404, 409, 412, 422, 500, 503, 418};
  const int status = kStatuses[data[0] % (sizeof kStatuses / sizeof kStatuses[0])];
  const std::string body(reinterpret_cast<const char*>(data + 2), size - 2);
  const auto ops = operations();
  const OperationSpec& op = ops[data[1] % ops.size()];
  std::size_t n = 0;
  if (auto r = check_status(op.op, Response{status, body, false}); !r) n += r.error().detail.size();
  switch (data[1] % 9) {
    case 0: if (auto c = parse_channel(body)) n += c->id.size() + c->variables.size(); break;
    case 1: if (auto cs = parse_channels(body)) n += cs->size(); break;
    case 2: if (auto b = parse_bridge(body)) n += b->channels.size(); break;
    case 3: if (auto bs = parse_bridges(body)) n += bs->size(); break;
    case 4: if (auto p = parse_playback(body)) n += p->target_uri.size(); break;
    case 5: if (auto v = parse_variable(body)) n += v->size(); break;
    case 6: if (auto i = parse_asterisk_info(body)) n += i->startup_time.size(); break;
    case 7: if (auto a = parse_application_channels(body)) n += a->size(); break;
    default: n += error_text(body).size(); break;
  }
  return n == static_cast<std::size_t>(-1) ? 1 : 0;
}
