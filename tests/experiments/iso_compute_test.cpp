#include <doctest/doctest.h>

#include <cmath>

#include "experiments/iso_compute.h"

using namespace sparsesim;

TEST_CASE("iso-compute solver matches a smooth monotone compute curve within tolerance") {
  auto compute = [](double knob) { return 10.0 + 90.0 * std::pow(knob, 3.0); };
  const KnobSolution solution = solve_knob_for_target(compute, 0.0, 1.0, 40.0, 0.005, 40);
  CHECK(solution.status == "matched");
  CHECK(std::abs(solution.achieved - 40.0) / 40.0 <= 0.005);
  CHECK(solution.achieved == doctest::Approx(compute(solution.knob)));
  CHECK(solution.iterations < 20);
}

TEST_CASE("iso-compute solver reports unreachable targets with the reason") {
  auto compute = [](double knob) { return 10.0 + knob; };
  const KnobSolution too_low = solve_knob_for_target(compute, 0.0, 1.0, 5.0, 0.005, 40);
  CHECK(too_low.status == "unreachable_low");
  CHECK(too_low.knob == 0.0);
  CHECK(too_low.note.find("cheapest") != std::string::npos);
  const KnobSolution too_high = solve_knob_for_target(compute, 0.0, 1.0, 50.0, 0.005, 40);
  CHECK(too_high.status == "unreachable_high");
  CHECK(too_high.knob == 1.0);
}

TEST_CASE("iso-compute solver returns the closest point when compute jumps over the target") {
  auto step = [](double knob) { return knob < 0.5 ? 10.0 : 20.0; };
  const KnobSolution solution = solve_knob_for_target(step, 0.0, 1.0, 15.0, 0.005, 40);
  CHECK(solution.status == "not_converged");
  CHECK((solution.achieved == 10.0 || solution.achieved == 20.0));
  CHECK(solution.iterations <= 40);
}
