#include "experiments/iso_compute.h"

#include <algorithm>
#include <cmath>
#include <sstream>

namespace sparsesim {
namespace {

void sort_by_knob(std::vector<KnobEvaluation>& evaluations) {
  std::stable_sort(evaluations.begin(), evaluations.end(),
                   [](const KnobEvaluation& a, const KnobEvaluation& b) { return a.knob < b.knob; });
}

}  // namespace

KnobSolution solve_knob_for_target(const std::function<double(double)>& evaluate, double knob_min,
                                   double knob_max, double target, double tolerance, int max_iterations) {
  KnobSolution best;
  std::vector<KnobEvaluation> seen;
  double best_error = INFINITY;
  auto relative_error = [&](double compute) { return std::abs(compute - target) / std::abs(target); };
  auto probe = [&](double knob) {
    const double compute = evaluate(knob);
    ++best.iterations;
    seen.push_back({knob, compute, 0});
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
  auto finish = [&](const char* status) {
    best.status = status;
    best.largest_compute_fall = largest_compute_fall(seen);
    return best;
  };

  // Both ends first: the reachable range is reported whatever the outcome.
  double low = knob_min, high = knob_max;
  best.range_min_compute = probe(low);
  best.range_max_compute = knob_max > knob_min ? probe(high) : best.range_min_compute;
  double f_low = best.range_min_compute - target, f_high = best.range_max_compute - target;
  if (relative_error(f_low + target) <= tolerance || relative_error(f_high + target) <= tolerance)
    return finish("matched");
  if (f_low > 0) {
    best.note = describe("target below the policy's cheapest setting", low, f_low + target);
    return finish("unreachable_low");
  }
  if (f_high < 0) {
    best.note = describe("target above the policy's most expensive setting", high, f_high + target);
    return finish("unreachable_high");
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
    if (relative_error(f + target) <= tolerance) return finish("matched");
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
  best.note = describe("closest setting found (compute may jump over the target)", best.knob, best.achieved);
  return finish("not_converged");
}

KnobWindow tolerance_window(std::vector<KnobEvaluation> evaluations, double target, double tolerance,
                            double knob_min, double knob_max) {
  sort_by_knob(evaluations);
  const double lower_level = target * (1 - tolerance), upper_level = target * (1 + tolerance);
  KnobWindow window{knob_min, knob_max};
  // Lower edge: the first crossing of the lower level from below; upper edge: the last crossing of the
  // upper level from below. Between two evaluations compute is taken as linear in the knob.
  auto crossing = [](const KnobEvaluation& a, const KnobEvaluation& b, double level) {
    if (b.compute == a.compute) return a.knob;
    return a.knob + (level - a.compute) * (b.knob - a.knob) / (b.compute - a.compute);
  };
  for (std::size_t i = 0; i + 1 < evaluations.size(); ++i) {
    const auto &a = evaluations[i], &b = evaluations[i + 1];
    if (a.compute < lower_level && b.compute >= lower_level) {
      window.low_knob = crossing(a, b, lower_level);
      break;
    }
  }
  for (std::size_t i = evaluations.size(); i-- > 1;) {
    const auto &a = evaluations[i - 1], &b = evaluations[i];
    if (a.compute <= upper_level && b.compute > upper_level) {
      window.high_knob = crossing(a, b, upper_level);
      break;
    }
  }
  window.low_knob = std::clamp(window.low_knob, knob_min, knob_max);
  window.high_knob = std::clamp(window.high_knob, window.low_knob, knob_max);
  return window;
}

double largest_compute_fall(std::vector<KnobEvaluation> evaluations) {
  sort_by_knob(evaluations);
  double largest = 0, running_max = -INFINITY;
  for (const auto& evaluation : evaluations) {
    largest = std::max(largest, running_max - evaluation.compute);
    running_max = std::max(running_max, evaluation.compute);
  }
  return largest;
}

}  // namespace sparsesim
