#pragma once
// Seeded per-request traits: the task family, a latent difficulty, the draw that decides whether the
// request fails at a given budget, and the observable signals policies may use (a predicted task family,
// a predicted difficulty class, the noise of a decode-time uncertainty score).
//
// YAML keys read from the `workload:` map (all optional; other keys are left to the caller):
//   task_mix: see workloads/task_mix.h (default: the three families equally likely)
//   predictor_accuracy: 0.8            probability the task predictor is right; when wrong it names one of
//                                      the other families uniformly (default 1.0)
//   predictor_confusion: [[...], ...]  instead of predictor_accuracy, a full 3x3 matrix: row = true family,
//                                      column = predicted, order single_qa, multi_query_retrieval,
//                                      high_scope; rows sum to 1
//   difficulty_classes: 3              latent difficulty binned into this many equal-mass classes (default 3)
//   difficulty_predictor_accuracy: 0.8 as predictor_accuracy, for the difficulty class (default: the value
//                                      of predictor_accuracy)
//   difficulty_confusion: [[...], ...] a full classes x classes matrix instead
//   difficulty_failure_correlation: 0.5  correlation in [0, 1) between the latent difficulty and the
//                                      failure draw on the normal scale: harder requests fail more often at
//                                      every budget, while the failure draw stays exactly uniform (default
//                                      0.5)
//
// How each request is drawn (a generator seeded by mix_seeds(seed, request.id), so a request's traits do not
// depend on the order or thread in which requests are processed). In this fixed order:
//   1. u_task uniform               -> task_family = task mix bucket of input_tokens at u_task (a family
//                                      already set on the request, e.g. by a labelled trace, is kept)
//   2. (g, e) standard normal pair  -> latent_difficulty = Phi(g); difficulty_class = floor(classes *
//   Phi(g));
//                                      failure_draw = Phi(rho * g + sqrt(1 - rho^2) * e), uniform in (0, 1)
//   3. task_predictor_draw uniform  -> predicted_class = TaskFamily value (1..3) predicted by the confusion
//   row
//   4. difficulty_predictor_draw    -> predicted_difficulty_class (0..classes-1)
//   5. (z, unused) normal pair      -> uncertainty_noise = z
// Because failure_draw is uniform and independent of length and task family, a request with expected
// quality q at a budget fails with probability exactly 1 - q: averages of pass/fail equal the curves.
#include <cstdint>
#include <string>
#include <vector>

#include <yaml-cpp/yaml.h>

#include "workloads/request.h"
#include "workloads/task_mix.h"

namespace sparsesim {

// Row = true class, column = predicted class; each row sums to 1.
using ConfusionMatrix = std::vector<std::vector<double>>;

// Right with probability `accuracy`, otherwise one of the other classes uniformly.
ConfusionMatrix uniform_confusion(int classes, double accuracy);

// The predicted class for `true_class` given a uniform draw in [0, 1). The true class comes first in the
// cumulative order, then the others by index, so with a fixed draw a more accurate predictor is right on
// a superset of requests (predictions at two accuracies are coupled, not independent).
int predict_class(const ConfusionMatrix& confusion, int true_class, double uniform_draw);

struct RequestTraitsConfig {
  TaskMix task_mix = TaskMix::uniform();
  int difficulty_classes = 3;
  double difficulty_failure_correlation = 0.5;
  ConfusionMatrix task_confusion = uniform_confusion(3, 1.0);        // 3 x 3, families in TaskFamily order
  ConfusionMatrix difficulty_confusion = uniform_confusion(3, 1.0);  // classes x classes
};

// The YAML keys parse_request_traits_config reads, for callers that reject unknown keys.
const std::vector<std::string>& request_traits_yaml_keys();

// Reads the keys above from the workload map (null = all defaults); yaml_path names that map in errors
// (e.g. "experiment.yaml: workload"). Throws InputError naming the key, its line and what was expected.
RequestTraitsConfig parse_request_traits_config(const YAML::Node& workload_node,
                                                const std::string& yaml_path);

// Fills every request's traits (except uncertainty_score, which policies compute at decode time).
// Deterministic in (requests' ids and lengths, config, seed).
void assign_request_traits(std::vector<Request>& requests, const RequestTraitsConfig& config,
                           std::uint64_t seed);

}  // namespace sparsesim
