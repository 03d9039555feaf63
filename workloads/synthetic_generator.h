#pragma once
// Synthetic workloads: seeded arrival processes and length distributions, to stress one factor at a time.
//
// YAML schema (the `workload.generator` subtree; unknown keys are errors naming the path):
//   generator:
//     count: 1000                 # number of requests; or instead
//     duration_s: 600             #   generate arrivals until this time (exactly one of the two)
//     arrival: {process: poisson, rate_per_s: 5}
//              # process: poisson (exponential gaps, CV 1) | gamma (needs cv > 0; cv > 1 is burstier)
//              #          | constant (evenly spaced)
//              # {process: gamma, rate_per_s: 5, cv: 2}
//     input_tokens: {dist: lognormal, median: 4000, sigma: 1.0, min: 1, max: 131072}
//     output_tokens: {dist: fixed, value: 256}
//              # dist: fixed {value} | lognormal {median, sigma, min, max} | uniform {min, max}
//              #       | empirical {trace: PATH, format: "" (sniffed), field: input|output, min, max}
//              #       | empirical {values: [..]}  (resampled uniformly with replacement)
// The first request arrives at 0 ns; later arrivals add integer-ns gaps (each gap rounded to ns).
// Lengths are rounded to the nearest token and clamped to [min, max] (defaults 1 and 2^31-1).
// Arrivals, input lengths and output lengths use independent generator streams derived from the seed,
// so changing one part of the spec leaves the other draws unchanged. Requests have ids 0..n-1, no session.
#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include <yaml-cpp/yaml.h>

#include "workloads/request.h"

namespace sparsesim {

struct ArrivalSpec {
  enum class Process { poisson, gamma, constant } process = Process::poisson;
  double rate_per_s = 1.0;  // mean arrival rate, > 0
  double cv = 1.0;          // coefficient of variation of inter-arrival gaps (gamma only), > 0
};

struct LengthSpec {
  enum class Dist { fixed, lognormal, uniform, empirical } dist = Dist::fixed;
  double value = 1.0;    // fixed
  double median = 1.0;   // lognormal
  double sigma = 0.0;    // lognormal, log-space standard deviation
  std::int32_t min = 1;  // clamp (uniform: lower bound, inclusive)
  std::int32_t max = 2147483647;
  std::vector<std::int32_t> empirical_values;  // empirical: the sample to resample from
};

struct GeneratorSpec {
  std::int64_t count = -1;  // requests, or -1 when duration_s is used
  double duration_s = 0.0;  // when count is -1
  ArrivalSpec arrival;
  LengthSpec input_tokens;
  LengthSpec output_tokens;
};

// Parses the schema above; empirical traces are read here. Throws InputError naming yaml_path.
GeneratorSpec parse_generator_spec(const YAML::Node& node,
                                   const std::string& yaml_path = "workload.generator");

// The arrival and length maps of the schema above on their own, for other generators that reuse them
// (e.g. workloads/workflow_templates.h). Throw InputError naming yaml_path.
ArrivalSpec parse_arrival_spec(const YAML::Node& node, const std::string& yaml_path);
LengthSpec parse_length_spec(const YAML::Node& node, const std::string& yaml_path);

// Deterministic for (spec, seed): same values on every platform up to libm rounding.
std::vector<Request> generate_requests(const GeneratorSpec& spec, std::uint64_t seed);
std::vector<Request> generate_requests(const YAML::Node& node, std::uint64_t seed,
                                       const std::string& yaml_path = "workload.generator");

// Arrival times only (ns, non-decreasing, first at 0): `count` of them, or all before duration when
// count < 0. Exposed for tests and for callers that bring their own lengths.
std::vector<TimeNs> generate_arrivals(const ArrivalSpec& spec, std::int64_t count, double duration_s,
                                      std::uint64_t seed);

// One length draw per call, from the stream `generator`.
std::int32_t draw_length(const LengthSpec& spec, std::mt19937_64& generator);

// Scales load: arrival_ns /= multiplier (rounded to ns), so 2.0 doubles the arrival rate. Think times
// (closed-loop session turns) are user behaviour and are left unchanged. Throws std::invalid_argument
// unless multiplier is finite and > 0.
void apply_rate_multiplier(std::vector<Request>& requests, double multiplier);

}  // namespace sparsesim
