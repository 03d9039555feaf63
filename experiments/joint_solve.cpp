#include "experiments/joint_solve.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <numeric>
#include <sstream>

#include "experiments/iso_compute.h"
#include "experiments/run_aggregates.h"

namespace sparsesim {
namespace {

double mean_of(const std::vector<double>& values) {
  return std::accumulate(values.begin(), values.end(), 0.0) / static_cast<double>(values.size());
}

std::string percent(double value) {
  char text[32];
  std::snprintf(text, sizeof text, "%.2f%%", 100 * value);
  return text;
}

}  // namespace

SimulationResult simulate_at_knob(const Serving& serving, BudgetPolicy& policy,
                                  const std::vector<Request>& requests, double knob) {
  policy.set_knob(knob);
  return simulate(requests, serving.cluster, *serving.cost_model, policy, serving.quality_model.get());
}

JointSolution solve_jointly(const Serving& serving, const std::vector<BudgetPolicy*>& policies,
                            const std::vector<const std::vector<Request>*>& workloads,
                            const std::vector<double>& targets, const ComputeTargetSpec& compute) {
  const std::string metric = compute_metric_name(compute.metric);
  const double target = mean_of(targets);
  const KnobSpec knob = policies.front()->knob();
  JointSolution solution;
  std::vector<KnobEvaluation> evaluations;
  double best_error = INFINITY;
  std::vector<double> best_qualities;

  struct Evaluated {
    double compute = 0, quality = 0;
    std::vector<double> qualities;
    std::vector<SimulationResult> results;
  };
  auto run_all = [&](double value) {
    Evaluated evaluated;
    std::vector<double> computes;
    for (std::size_t r = 0; r < policies.size(); ++r) {
      evaluated.results.push_back(simulate_at_knob(serving, *policies[r], *workloads[r], value));
      computes.push_back(run_compute(evaluated.results.back().summary, metric));
      evaluated.qualities.push_back(evaluated.results.back().summary.mean_expected_quality);
    }
    evaluated.compute = mean_of(computes);
    evaluated.quality = mean_of(evaluated.qualities);
    evaluations.push_back({value, evaluated.compute, evaluated.quality});
    return evaluated;
  };
  auto evaluate = [&](double value) {
    Evaluated evaluated = run_all(value);
    // The solver returns the evaluated knob closest to the target; keep that knob's runs.
    if (std::abs(evaluated.compute - target) < best_error) {
      best_error = std::abs(evaluated.compute - target);
      solution.results = std::move(evaluated.results);
      best_qualities = evaluated.qualities;
    }
    return evaluated.compute;
  };
  const KnobSolution solved =
      solve_knob_for_target(evaluate, knob.min, knob.max, target, compute.tolerance, compute.max_iterations);
  solution.knob = solved.knob;
  SolverOutcome& outcome = solution.solver;
  outcome.status = solved.status;
  outcome.note = solved.note;
  outcome.iterations = solved.iterations;
  outcome.target = target;
  outcome.tolerance = compute.tolerance;
  outcome.achieved_mean = solved.achieved;
  outcome.range_min_compute = solved.range_min_compute;
  outcome.range_max_compute = solved.range_max_compute;
  const double quality_at_knob = mean_of(best_qualities);
  outcome.window_quality_low = outcome.window_quality_high = quality_at_knob;
  if (solved.status != "matched") return solution;

  // Conditioning: quality at both edges of the tolerance window, against the replication interval.
  const KnobWindow window = tolerance_window(evaluations, target, compute.tolerance, knob.min, knob.max);
  for (double edge : {window.low_knob, window.high_knob}) {
    const bool evaluated_already = std::any_of(evaluations.begin(), evaluations.end(),
                                               [&](const KnobEvaluation& e) { return e.knob == edge; });
    if (!evaluated_already) run_all(edge), ++outcome.iterations;
  }
  double low = quality_at_knob, high = quality_at_knob;
  for (const KnobEvaluation& e : evaluations)
    if ((e.knob >= window.low_knob && e.knob <= window.high_knob) ||
        std::abs(e.compute - target) <= compute.tolerance * target)
      low = std::min(low, e.quality), high = std::max(high, e.quality);
  outcome.window_quality_low = low;
  outcome.window_quality_high = high;
  const double interval = ci95_half_width(best_qualities);
  const double threshold = policies.size() > 1 ? interval : kQualityResolution;
  const double fall = largest_compute_fall(evaluations);
  std::ostringstream note;
  note.setf(std::ios::fixed);
  note.precision(4);
  if (high - low > std::max(threshold, 1e-12)) {
    note << "quality ranges " << low << "-" << high << " over the +/-" << percent(compute.tolerance)
         << " compute window (knob " << window.low_knob << " to " << window.high_knob << "), more than the "
         << (policies.size() > 1 ? "replication interval +/-" : "resolution ") << threshold
         << ": the target does not determine this policy's quality";
  }
  const bool ill_conditioned = note.tellp() > 0;
  // Non-monotone compute (batching noise) is reported; it decides the status only through the quality
  // spread above, because the window spans the outermost crossings of its edges.
  if (fall > compute.tolerance * target) {
    note << (ill_conditioned ? "; " : "") << "compute is not monotone in the knob: it falls by " << fall
         << " (" << percent(fall / target) << " of the target) between evaluated knobs";
  }
  if (ill_conditioned) outcome.status = "ill_conditioned";
  outcome.note = note.str();
  return solution;
}

}  // namespace sparsesim
