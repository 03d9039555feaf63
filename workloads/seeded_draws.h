#pragma once
// Deterministic random draws built from raw 64-bit generator output, so that the same seed gives the same
// numbers with every compiler and standard library (std:: distributions are implementation-defined).
// The transcendental functions used (log, sqrt, cos, erfc) come from libm; they are accurate to an ulp or
// two everywhere we build, which is the documented limit of "byte-identical across platforms" here.
#include <cstdint>
#include <random>
#include <utility>

namespace sparsesim {

// A well-mixed 64-bit seed from two inputs (e.g. an experiment seed and a request id), by splitmix64
// finalisation. Seeding each request's generator this way makes its draws independent of the order and
// thread on which requests are processed.
std::uint64_t mix_seeds(std::uint64_t first, std::uint64_t second);

// A counter-based generator: draw i of a stream is splitmix64(key + i x golden ratio), where the key
// mixes the seed and the stream's identity (e.g. a request id). Nothing to seed or warm up (a
// mt19937_64 initialises 312 words per request), and draw i never depends on how many draws another
// stream made. A UniformRandomBitGenerator, so the draws below accept it.
class CounterDraws {
 public:
  using result_type = std::uint64_t;
  explicit CounterDraws(std::uint64_t key) : state_(key) {}
  static constexpr result_type min() { return 0; }
  static constexpr result_type max() { return ~result_type{0}; }
  result_type operator()() {
    std::uint64_t value = (state_ += 0x9E3779B97F4A7C15ull);
    value = (value ^ (value >> 30)) * 0xBF58476D1CE4E5B9ull;
    value = (value ^ (value >> 27)) * 0x94D049BB133111EBull;
    return value ^ (value >> 31);
  }

 private:
  std::uint64_t state_;
};

// Uniform in [0, 1) with 53 random bits (one generator call).
double uniform_unit(std::mt19937_64& generator);
double uniform_unit(CounterDraws& generator);

// Two independent standard normals by the Box-Muller transform (two generator calls). Magnitudes are
// bounded by sqrt(2 * 53 * ln 2) ~= 8.57 because the uniforms have 53 bits.
std::pair<double, double> standard_normal_pair(std::mt19937_64& generator);
std::pair<double, double> standard_normal_pair(CounterDraws& generator);

// Phi(x): the standard normal cumulative distribution function.
double standard_normal_cdf(double x);

// Phi^-1(p) for p in (0, 1): a rational starting point refined by Newton steps on Phi; absolute error
// below 1e-12 for p in [1e-300, 1 - 1e-16]. Returns -inf / +inf at p <= 0 / p >= 1.
double standard_normal_quantile(double p);

}  // namespace sparsesim
