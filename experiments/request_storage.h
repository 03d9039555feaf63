#pragma once

#include <cstdint>
#include <string>

namespace sparsesim {

// `results: {requests: all | none | {sample: N}}`: which per-request rows a run stores. Run summaries are
// always stored; for big sweeps per-request rows dominate the database. A sample keeps every k-th request
// in arrival order (k = ceil(requests / N)), so it is deterministic and spread over the whole trace.
struct RequestStorage {
  enum class Kind { all, none, sample } kind = Kind::all;
  std::int64_t sample = 0;       // rows kept at most, with Kind::sample
  std::string describe() const;  // "all", "none", "sample 1000"
};

}  // namespace sparsesim
