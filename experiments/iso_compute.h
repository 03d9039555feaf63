#pragma once
// The iso-compute solver: finds the value of a policy's scale knob at which a run's total compute equals
// a target, so that policies are compared at equal compute. Compute must be non-decreasing in the knob
// (every policy documents this). Safeguarded false position (Illinois) with bisection fallback.
#include <functional>
#include <string>

namespace sparsesim {

struct KnobSolution {
  double knob = 0;      // always a knob value that was evaluated
  double achieved = 0;  // compute at that knob
  int iterations = 0;   // evaluations made
  // "matched" (within tolerance), "unreachable_low" (even the knob's minimum costs more than the target),
  // "unreachable_high" (even the maximum costs less), "not_converged" (compute jumps over the target,
  // e.g. a step function, or the iteration cap was hit; the closest value is returned).
  std::string status;
  std::string note;  // human-readable reason for anything but "matched"
};

// evaluate(knob) -> compute. `tolerance` is relative to `target`.
KnobSolution solve_knob_for_target(const std::function<double(double)>& evaluate, double knob_min,
                                   double knob_max, double target, double tolerance, int max_iterations);

}  // namespace sparsesim
