#pragma once
// The iso-compute solver: finds the value of a policy's scale knob at which a run's total compute equals
// a target, so that policies are compared at equal compute. Compute must be non-decreasing in the knob
// (every policy documents this). Both ends of the knob range are measured first, so the reachable compute
// range is always known; then safeguarded false position (Illinois) with bisection fallback.
//
// After a match, the conditioning of the answer is assessed: the knob interval whose compute lies inside
// the tolerance window is located from the evaluations, and quality is read at both of its edges. When
// quality over the window varies more than the randomness between replications (the 95% interval), the
// target does not determine the quality reported: the solve is "ill_conditioned".
#include <functional>
#include <string>
#include <vector>

namespace sparsesim {

struct KnobSolution {
  double knob = 0;      // always a knob value that was evaluated
  double achieved = 0;  // compute at that knob
  int iterations = 0;   // evaluations made
  // "matched" (within tolerance), "unreachable_low" (even the knob's minimum costs more than the target),
  // "unreachable_high" (even the maximum costs less), "not_converged" (compute jumps over the target,
  // e.g. a step function, or the iteration cap was hit; the closest value is returned).
  std::string status;
  std::string note;                 // human-readable reason for anything but "matched"
  double range_min_compute = 0;     // compute at the knob's minimum
  double range_max_compute = 0;     // compute at the knob's maximum
  double largest_compute_fall = 0;  // the largest drop of compute between two evaluated knobs (0 if monotone)
};

// evaluate(knob) -> compute. `tolerance` is relative to `target`.
KnobSolution solve_knob_for_target(const std::function<double(double)>& evaluate, double knob_min,
                                   double knob_max, double target, double tolerance, int max_iterations);

// One evaluated knob: its compute and mean quality.
struct KnobEvaluation {
  double knob = 0, compute = 0, quality = 0;
};

// The knobs at which compute crosses target * (1 - tolerance) and target * (1 + tolerance), by linear
// interpolation between evaluated neighbours (the outermost crossings when compute is not monotone);
// a level beyond the evaluated compute range maps to the end of the knob range on that side.
struct KnobWindow {
  double low_knob = 0, high_knob = 0;
};
KnobWindow tolerance_window(std::vector<KnobEvaluation> evaluations, double target, double tolerance,
                            double knob_min, double knob_max);

// The largest amount by which compute falls from a smaller to a larger evaluated knob (0 when monotone).
double largest_compute_fall(std::vector<KnobEvaluation> evaluations);

// Smallest quality difference treated as ill-conditioning when there is no replication interval (one
// replication): below it, quality is reported to four decimals and the difference is invisible.
constexpr double kQualityResolution = 0.002;

}  // namespace sparsesim
