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

// Uniform in [0, 1) with 53 random bits (one generator call).
double uniform_unit(std::mt19937_64& generator);

// Two independent standard normals by the Box-Muller transform (two generator calls). Magnitudes are
// bounded by sqrt(2 * 53 * ln 2) ~= 8.57 because the uniforms have 53 bits.
std::pair<double, double> standard_normal_pair(std::mt19937_64& generator);

// Phi(x): the standard normal cumulative distribution function.
double standard_normal_cdf(double x);

// Phi^-1(p) for p in (0, 1): a rational starting point refined by Newton steps on Phi; absolute error
// below 1e-12 for p in [1e-300, 1 - 1e-16]. Returns -inf / +inf at p <= 0 / p >= 1.
double standard_normal_quantile(double p);

}  // namespace sparsesim
