#pragma once
// Think times of closed-loop session turns drawn from a configurable distribution, for traces that carry
// no usable gap between turns. Seconds-valued (think times are user behaviour, not token counts), seeded
// per request so the draws do not depend on processing order or thread count.
//
// YAML schema (the `workload.sessions.think_time` map; unknown keys are errors naming the path):
//   think_time: {dist: fixed, value_s: 5}
//             | {dist: uniform, min_s: 1, max_s: 10}
//             | {dist: exponential, mean_s: 5, min_s: 0, max_s: .inf}
//             | {dist: lognormal, median_s: 4, sigma: 0.8, min_s: 0, max_s: .inf}
// Exponential and lognormal draws are clamped to [min_s, max_s]. All values are finite seconds >= 0
// (max_s may be .inf).
#include <cstdint>
#include <string>

#include <yaml-cpp/yaml.h>

#include "core/time.h"

namespace sparsesim {

struct ThinkTimeSpec {
  enum class Dist { fixed, uniform, exponential, lognormal } dist = Dist::fixed;
  double value_s = 5.0;   // fixed
  double mean_s = 5.0;    // exponential
  double median_s = 5.0;  // lognormal
  double sigma = 0.0;     // lognormal, standard deviation of ln(think time)
  double min_s = 0.0;     // uniform bounds (inclusive) / clamp of exponential and lognormal
  double max_s = 1e9;     // .inf in YAML is stored as 1e9 s (~31 years), the largest think time kept
};

// A fixed think time of `value_s` seconds (the `think_time_s:` shorthand).
ThinkTimeSpec fixed_think_time(double value_s);

// Parses the schema above; throws InputError naming yaml_path (and the node's line) on bad input.
ThinkTimeSpec parse_think_time_spec(const YAML::Node& node, const std::string& yaml_path);

// One think time in integer ns for `request_id`: a generator seeded with mix_seeds(mix_seeds(seed, stream),
// request_id), so each request's draw depends only on (spec, seed, request id). Fixed draws ignore the seed.
TimeNs draw_think_time_ns(const ThinkTimeSpec& spec, std::uint64_t seed, std::uint64_t request_id);

}  // namespace sparsesim
