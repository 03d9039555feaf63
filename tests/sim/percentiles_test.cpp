// percentile_in_place (selection) against its definition computed on a sorted copy: linear interpolation
// between closest ranks, numpy's default.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <memory>
#include <random>
#include <vector>

#include "sim/percentiles.h"

using namespace sparsesim;

namespace {

double sorted_reference(std::vector<double> values, double q) {
  std::sort(values.begin(), values.end());
  const double rank = q * static_cast<double>(values.size() - 1);
  const auto lower = static_cast<std::size_t>(std::floor(rank));
  const auto upper = std::min(lower + 1, values.size() - 1);
  return values[lower] + (rank - static_cast<double>(lower)) * (values[upper] - values[lower]);
}

}  // namespace

TEST_CASE("percentiles by selection equal the sorted definition, ties and tiny samples included") {
  CHECK(percentile_in_place(*std::make_unique<std::vector<double>>(), 0.5) == 0.0);
  std::vector<double> one = {3.5};
  CHECK(percentile_in_place(one, 0.99) == 3.5);
  std::vector<double> known = {4, 1, 3, 2};  // numpy: p50 = 2.5, p90 = 3.7
  CHECK(percentile_in_place(known, 0.5) == doctest::Approx(2.5));
  CHECK(percentile_in_place(known, 0.9) == doctest::Approx(3.7));
  std::mt19937_64 rng(9);
  for (int trial = 0; trial < 300; ++trial) {
    const std::size_t size = 1 + rng() % 2000;
    std::vector<double> values(size);
    for (double& value : values) value = static_cast<double>(rng() % (trial % 2 ? 10 : 1000000)) * 0.37;
    for (double q : {0.0, 0.5, 0.9, 0.99, 1.0}) {
      const double expected = sorted_reference(values, q);
      CHECK(percentile_in_place(values, q) == expected);  // the same arithmetic on the same two values
    }
  }
}
