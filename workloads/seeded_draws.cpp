#include "workloads/seeded_draws.h"

#include <cmath>
#include <limits>
#include <numbers>

namespace sparsesim {

namespace {
std::uint64_t splitmix64_finalise(std::uint64_t value) {
  value += 0x9E3779B97F4A7C15ull;
  value = (value ^ (value >> 30)) * 0xBF58476D1CE4E5B9ull;
  value = (value ^ (value >> 27)) * 0x94D049BB133111EBull;
  return value ^ (value >> 31);
}
}  // namespace

std::uint64_t mix_seeds(std::uint64_t first, std::uint64_t second) {
  return splitmix64_finalise(splitmix64_finalise(first) ^ (second * 0xD1B54A32D192ED03ull + 1));
}

namespace {
template <class Generator>
double uniform_of(Generator& generator) {
  return static_cast<double>(generator() >> 11) * 0x1.0p-53;
}

template <class Generator>
std::pair<double, double> normal_pair_of(Generator& generator) {
  const double radius_uniform = 1.0 - uniform_of(generator);  // (0, 1]: log is finite
  const double angle = 2.0 * std::numbers::pi * uniform_of(generator);
  const double radius = std::sqrt(-2.0 * std::log(radius_uniform));
  return {radius * std::cos(angle), radius * std::sin(angle)};
}
}  // namespace

double uniform_unit(std::mt19937_64& generator) {
  return uniform_of(generator);
}
double uniform_unit(CounterDraws& generator) {
  return uniform_of(generator);
}
std::pair<double, double> standard_normal_pair(std::mt19937_64& generator) {
  return normal_pair_of(generator);
}
std::pair<double, double> standard_normal_pair(CounterDraws& generator) {
  return normal_pair_of(generator);
}

double standard_normal_cdf(double x) {
  return 0.5 * std::erfc(-x / std::numbers::sqrt2);
}

double standard_normal_quantile(double p) {
  if (!(p > 0.0)) return -std::numeric_limits<double>::infinity();
  if (!(p < 1.0)) return std::numeric_limits<double>::infinity();
  // Work in the lower tail for accuracy, then reflect.
  const bool upper = p > 0.5;
  const double tail = upper ? 1.0 - p : p;
  // Starting point: the classic rational approximation in t = sqrt(-2 ln tail) (error < 5e-4).
  const double t = std::sqrt(-2.0 * std::log(tail));
  double x = -(t - (2.515517 + 0.802853 * t + 0.010328 * t * t) /
                       (1.0 + 1.432788 * t + 0.189269 * t * t + 0.001308 * t * t * t));
  // Newton on Phi(x) = tail; Phi' is the normal density. Converges quadratically from there.
  for (int step = 0; step < 4; ++step) {
    const double density = std::exp(-0.5 * x * x) / std::sqrt(2.0 * std::numbers::pi);
    if (density <= 0.0) break;
    const double correction = (standard_normal_cdf(x) - tail) / density;
    x -= correction;
    if (std::fabs(correction) < 1e-15 * (1.0 + std::fabs(x))) break;
  }
  return upper ? -x : x;
}

}  // namespace sparsesim
