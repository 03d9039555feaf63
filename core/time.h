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

}  // namespace sparsesim
