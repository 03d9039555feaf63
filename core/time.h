#pragma once
// Simulated time. All simulator clocks are integer nanoseconds so that event ordering is exact and
// results are byte-identical across machines and thread counts.
#include <cstdint>

namespace sparsesim {

using TimeNs = std::int64_t;

constexpr TimeNs kNsPerUs = 1'000;
constexpr TimeNs kNsPerMs = 1'000'000;
constexpr TimeNs kNsPerSecond = 1'000'000'000;

inline double ns_to_seconds(TimeNs ns) {
  return static_cast<double>(ns) / 1e9;
}
inline double ns_to_ms(TimeNs ns) {
  return static_cast<double>(ns) / 1e6;
}

// A non-negative duration in ns rounded to the nearest integer, halves away from zero: std::llround's
// result for 0 <= ns < 2^63, inline (llround is a library call on the simulator's hottest path). Exact:
// below 2^52 the fraction ns - trunc(ns) is computed without rounding; above, every double is whole.
inline TimeNs round_half_up_ns(double ns) {
  const auto whole = static_cast<TimeNs>(ns);
  return whole + (ns - static_cast<double>(whole) >= 0.5 ? 1 : 0);
}

}  // namespace sparsesim
