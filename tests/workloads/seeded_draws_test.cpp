// The counter-based per-request generator: its uniforms pass a chi-square test over 100 bins, its
// normals have mean 0 and variance 1, consecutive draws are uncorrelated, and a stream's draws do not
// depend on any other stream.
#include <doctest/doctest.h>

#include <cmath>
#include <vector>

#include "workloads/seeded_draws.h"

namespace sparsesim {

TEST_CASE("counter draws are uniform, normal where asked, uncorrelated and independent per stream") {
  constexpr int kDraws = 1000000, kBins = 100;
  std::vector<int> bins(kBins, 0);
  double sum_xy = 0, sum_x = 0, sum_x2 = 0, previous = 0;
  CounterDraws draws(mix_seeds(7, 42));
  for (int i = 0; i < kDraws; ++i) {
    const double u = uniform_unit(draws);
    REQUIRE(u >= 0.0);
    REQUIRE(u < 1.0);
    ++bins[static_cast<int>(u * kBins)];
    if (i > 0) sum_xy += u * previous;
    sum_x += u, sum_x2 += u * u, previous = u;
  }
  double chi_square = 0;
  const double expected = static_cast<double>(kDraws) / kBins;
  for (int count : bins) chi_square += (count - expected) * (count - expected) / expected;
  // 99 degrees of freedom: the 99.9th percentile is about 148.2.
  CHECK(chi_square < 148.2);
  const double mean = sum_x / kDraws, variance = sum_x2 / kDraws - mean * mean;
  const double lag_one = (sum_xy / (kDraws - 1) - mean * mean) / variance;
  CHECK(std::abs(lag_one) < 0.005);  // 5 standard errors of a zero correlation at 1e6 draws

  double normal_sum = 0, normal_sum2 = 0;
  CounterDraws normals(mix_seeds(7, 43));
  for (int i = 0; i < kDraws / 2; ++i) {
    const auto [a, b] = standard_normal_pair(normals);
    normal_sum += a + b, normal_sum2 += a * a + b * b;
  }
  CHECK(std::abs(normal_sum / kDraws) < 0.005);
  CHECK(std::abs(normal_sum2 / kDraws - 1.0) < 0.01);

  // A stream is its key alone: the same key gives the same draws whatever ran before.
  CounterDraws first(mix_seeds(1, 5)), other(mix_seeds(1, 6)), again(mix_seeds(1, 5));
  for (int i = 0; i < 10; ++i) other();
  for (int i = 0; i < 10; ++i) CHECK(first() == again());
}

}  // namespace sparsesim
