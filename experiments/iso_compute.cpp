#include "experiments/iso_compute.h"

#include <cmath>
#include <sstream>

namespace sparsesim {

KnobSolution solve_knob_for_target(const std::function<double(double)>& evaluate, double knob_min,
                                   double knob_max, double target, double tolerance, int max_iterations) {
  KnobSolution best;
  double best_error = INFINITY;
  auto relative_error = [&](double compute) { return std::abs(compute - target) / std::abs(target); };
  auto probe = [&](double knob) {
    const double compute = evaluate(knob);
    ++best.iterations;
    if (relative_error(compute) < best_error) {
      best_error = relative_error(compute);
      best.knob = knob;
      best.achieved = compute;
    }
    return compute;
  };
  auto describe = [&](const char* what, double knob, double compute) {
    std::ostringstream note;
    note << what << ": compute at knob " << knob << " is " << compute << " against a target of " << target;
    return note.str();
  };

  double low = knob_min, high = knob_max;
  double f_low = probe(low) - target;
  if (relative_error(f_low + target) <= tolerance) return best.status = "matched", best;
  if (f_low > 0) {
    best.status = "unreachable_low";
    best.note = describe("target below the policy's cheapest setting", low, f_low + target);
    return best;
  }
  double f_high = probe(high) - target;
  if (relative_error(f_high + target) <= tolerance) return best.status = "matched", best;
  if (f_high < 0) {
    best.status = "unreachable_high";
    best.note = describe("target above the policy's most expensive setting", high, f_high + target);
    return best;
  }
  // Illinois false position: halve the weight of an endpoint retained twice in a row, which keeps the
  // convergence superlinear on the curved compute-vs-knob relations policies have. Every third step is
  // a plain bisection so that a flat or stepped region cannot stall the search.
  int retained_side = 0;
  for (int step = 0; best.iterations < max_iterations; ++step) {
    double knob = (step % 3 == 2 || f_high == f_low) ? 0.5 * (low + high)
                                                     : (low * f_high - high * f_low) / (f_high - f_low);
    if (!(knob > low && knob < high)) knob = 0.5 * (low + high);
    if (high - low <= 1e-12 * std::max(1.0, std::abs(knob_max - knob_min))) break;
    const double f = probe(knob) - target;
    if (relative_error(f + target) <= tolerance) return best.status = "matched", best;
    if (f < 0) {
      low = knob, f_low = f;
      if (retained_side == +1) f_high *= 0.5;
      retained_side = +1;
    } else {
      high = knob, f_high = f;
      if (retained_side == -1) f_low *= 0.5;
      retained_side = -1;
    }
  }
  best.status = "not_converged";
  best.note = describe("closest setting found (compute may jump over the target)", best.knob, best.achieved);
  return best;
}

}  // namespace sparsesim
