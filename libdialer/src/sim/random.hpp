// Random numbers for the simulator, written out rather than taken from
// <random>: the standard's distributions may differ between library
// implementations, and a simulation must give the same numbers everywhere.
//
// Streams are counter-based: stream(seed, domain, k) depends only on its three
// keys, so the k-th customer attempt always gets the same draws whatever
// happened before it (common random numbers across pacing policies).
#pragma once

#include <cmath>
#include <cstdint>
#include <numbers>

#include "dialer/sim/scenario.hpp"

namespace dialer::sim::detail {

// SplitMix64's finaliser: a good 64-bit mixer.
constexpr std::uint64_t mix64(std::uint64_t z) {
  z += 0x9e3779b97f4a7c15ULL;
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

/// Which kind of thing a stream draws for (so two kinds never share draws).
enum class Domain : std::uint64_t { attempt = 1, agent = 2 };

class Stream {
 public:
  Stream(std::uint64_t seed, Domain domain, std::uint64_t key)
      : state_(mix64(mix64(seed) ^ mix64(static_cast<std::uint64_t>(domain) * 0x632be59bd9b4e019ULL) ^
                     mix64(key + 0x2545f4914f6cdd1dULL))) {}

  std::uint64_t next() {
    state_ += 0x9e3779b97f4a7c15ULL;
    std::uint64_t z = state_;
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }

  /// Uniform in the open interval (0, 1).
  double uniform() { return (static_cast<double>(next() >> 11) + 0.5) * 0x1.0p-53; }

  double uniform(const UniformRange& r) { return r.min_s + (r.max_s - r.min_s) * uniform(); }

  /// Standard normal (Box-Muller, one of the pair).
  double normal() {
    const double u1 = uniform();
    const double u2 = uniform();
    return std::sqrt(-2.0 * std::log(u1)) * std::cos(2.0 * std::numbers::pi * u2);
  }

  /// Lognormal with the given mean and coefficient of variation.
  double lognormal(const Lognormal& l) {
    const double z = normal();  // drawn even for cv 0, so the stream's layout never changes
    if (l.cv <= 0) return l.mean_s;
    const double sigma2 = std::log1p(l.cv * l.cv);
    const double mu = std::log(l.mean_s) - sigma2 / 2.0;
    return std::exp(mu + std::sqrt(sigma2) * z);
  }

  /// Lognormal conditioned to be below `limit` (rejection; after many misses,
  /// just under the limit, which only a degenerate distribution reaches).
  double lognormal_below(const Lognormal& l, double limit) {
    for (int i = 0; i < 64; ++i) {
      const double x = lognormal(l);
      if (x < limit) return x;
    }
    return limit * 0.999;
  }

 private:
  std::uint64_t state_;
};

}  // namespace dialer::sim::detail
