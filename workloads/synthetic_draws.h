#pragma once
// Random draws for the synthetic workload generators, from raw std::mt19937_64 bits (whose output the C++
// standard fixes) through our own transforms, never std::*_distribution (implementation-defined), so a
// seed gives the same workload with every compiler. libm's log/exp/sqrt/cos/pow are the remaining
// platform dependence (accurate to an ulp or two; see seeded_draws.h).
#include <cstdint>
#include <random>

namespace sparsesim {

// Uniform in (0, 1]: never 0, so its logarithm is finite.
double uniform_open_zero(std::mt19937_64& generator);

// Exponential with the given mean (inverse CDF: -mean * ln U).
double exponential_draw(std::mt19937_64& generator, double mean);

// Gamma(shape, scale) by Marsaglia and Tsang (2000); for shape < 1 the boost
// Gamma(shape) = Gamma(shape + 1) * U^(1/shape). Mean shape * scale, CV 1/sqrt(shape).
double gamma_draw(std::mt19937_64& generator, double shape, double scale);

// Lognormal with the given median and log-space standard deviation sigma (Box-Muller normal).
double lognormal_draw(std::mt19937_64& generator, double median, double sigma);

// Uniform integer in [0, bound) without modulo bias (Lemire's multiply-shift with rejection). bound > 0.
std::uint64_t uniform_index(std::mt19937_64& generator, std::uint64_t bound);

}  // namespace sparsesim
