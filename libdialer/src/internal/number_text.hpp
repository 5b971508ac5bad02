// Number input screening and the quoting of user input in error details,
// shared by phone_number.cpp and dial_prefix.cpp. Never installed.
#pragma once

#include <string>
#include <string_view>

#include "dialer/error.hpp"

namespace dialer::internal {

/// The input's ASCII digits with separators removed, led by '+' if the input
/// was (after leading spaces). Refuses empty, overlong, digit-heavy input and
/// any character but digits, separators and one leading '+'.
Result<std::string> screen_number_input(std::string_view raw);

/// `text` in double quotes for an error detail: at most 40 bytes, then "...";
/// '"', '\\' and every byte outside printable ASCII escaped.
std::string quote_for_detail(std::string_view text);

}  // namespace dialer::internal
