// round_half_up_ns against std::llround, its reference, over values where rounding is delicate.
#include <doctest/doctest.h>

#include <cmath>
#include <random>

#include "core/time.h"

using namespace sparsesim;

TEST_CASE("round_half_up_ns equals std::llround for non-negative durations") {
  for (double value : {0.0, 0.49999999999999994, 0.5, 1.5, 2.5, 1e7 + 0.5, 1e7 + 0.4999999,
                       4503599627370495.5, 4503599627370497.0, 9007199254740993.0, 1e18})
    CHECK(round_half_up_ns(value) == std::llround(value));
  std::mt19937_64 rng(1);
  std::uniform_real_distribution<double> unit(0, 1);
  for (int i = 0; i < 200000; ++i) {
    const double value = std::ldexp(unit(rng), static_cast<int>(rng() % 60));
    const double half = std::floor(value) + 0.5;  // exact halves, and their neighbours
    for (double probe : {value, half, std::nextafter(half, 0.0), std::nextafter(half, 1e300)})
      REQUIRE(round_half_up_ns(probe) == std::llround(probe));
  }
}
