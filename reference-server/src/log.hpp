// Structured logging: one line per event, `ts=... level=... event=... k=v ...`,
// so that grep and log shippers can read it without a parser. Values with
// spaces or quotes are quoted. Callers never pass passwords or tokens: the
// field list is explicit at every call site, nothing is dumped wholesale.
#pragma once

#include <initializer_list>
#include <string>
#include <string_view>
#include <utility>

namespace dialerd {

enum class LogLevel { debug, info, warn, error };

bool parse_log_level(std::string_view text, LogLevel& out) noexcept;
const char* to_string(LogLevel level) noexcept;

/// Lines below this level are dropped. Default info.
void set_log_level(LogLevel level) noexcept;

using LogField = std::pair<std::string_view, std::string>;

/// Writes one line to stderr (thread-safe).
void log(LogLevel level, std::string_view event, std::initializer_list<LogField> fields = {});

}  // namespace dialerd
