#include "workloads/synthetic_draws.h"

#include <cmath>

#include "workloads/seeded_draws.h"

namespace sparsesim {

double uniform_open_zero(std::mt19937_64& generator) {
  return 1.0 - uniform_unit(generator);
}

double exponential_draw(std::mt19937_64& generator, double mean) {
  return -mean * std::log(uniform_open_zero(generator));
}

double gamma_draw(std::mt19937_64& generator, double shape, double scale) {
  if (shape < 1.0) {
    const double boosted = gamma_draw(generator, shape + 1.0, 1.0);
    return scale * boosted * std::pow(uniform_open_zero(generator), 1.0 / shape);
  }
  const double d = shape - 1.0 / 3.0;
  const double c = 1.0 / std::sqrt(9.0 * d);
  for (;;) {
    const double normal = standard_normal_pair(generator).first;
    const double root = 1.0 + c * normal;
    if (root <= 0.0) continue;
    const double v = root * root * root;
    const double u = uniform_open_zero(generator);
    // Squeeze test first (cheap), then the exact acceptance test.
    if (u < 1.0 - 0.0331 * normal * normal * normal * normal) return scale * d * v;
    if (std::log(u) < 0.5 * normal * normal + d * (1.0 - v + std::log(v))) return scale * d * v;
  }
}

double lognormal_draw(std::mt19937_64& generator, double median, double sigma) {
  return median * std::exp(sigma * standard_normal_pair(generator).first);
}

std::uint64_t uniform_index(std::mt19937_64& generator, std::uint64_t bound) {
  // 128-bit product through two 64-bit halves keeps this portable and -Wpedantic clean.
  const std::uint64_t threshold = (0 - bound) % bound;  // 2^64 mod bound
  for (;;) {
    const std::uint64_t x = generator();
    const std::uint64_t x_low = x & 0xFFFFFFFFull, x_high = x >> 32;
    const std::uint64_t b_low = bound & 0xFFFFFFFFull, b_high = bound >> 32;
    const std::uint64_t low_low = x_low * b_low;
    const std::uint64_t middle1 = x_high * b_low + (low_low >> 32);
    const std::uint64_t middle2 = x_low * b_high + (middle1 & 0xFFFFFFFFull);
    const std::uint64_t high = x_high * b_high + (middle1 >> 32) + (middle2 >> 32);
    const std::uint64_t low = (middle2 << 32) | (low_low & 0xFFFFFFFFull);
    if (low >= threshold) return high;
  }
}

}  // namespace sparsesim
