// The library's version, for embedders that check it at compile time.
#pragma once

#define DIALER_VERSION_MAJOR 0
#define DIALER_VERSION_MINOR 1
#define DIALER_VERSION_PATCH 0

namespace dialer {
inline constexpr const char* kVersion = "0.1.0";
}  // namespace dialer
