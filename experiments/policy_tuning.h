#pragma once
// `tune:`: each policy at its best. For one policy entry, draws candidate settings of its tunable
// secondary parameters (ParamSpec::tune ranges, overridable per label in `tune.ranges`), solves every
// candidate's knob to the compute target on the tuning split (experiments/joint_solve.h), and keeps the
// candidate with the highest mean quality among those that reach the target. The entry as written is
// always candidate 0, so tuning never reports a policy worse than its defaults on the tuning split.
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include <yaml-cpp/yaml.h>

#include "experiments/experiment_spec.h"
#include "experiments/joint_solve.h"

namespace sparsesim {

struct TuningCandidate {
  YAML::Node parameters;  // the drawn tunable parameters (empty map for the entry as written)
  std::string status;     // the candidate's solver status on the tuning split
  double quality = 0;     // mean quality at its solved knob
  double knob = 0;
};

struct TuningOutcome {
  YAML::Node entry;        // the policy entry to evaluate: the written one with the best parameters set
  std::string parameters;  // the chosen tunable parameters as a YAML flow map, "{}" when none changed
  std::vector<TuningCandidate> candidates;
  bool improved = false;  // a drawn candidate beat the entry as written
  std::string note;       // e.g. no candidate reached the target
};

// Which of an entry's parameters are tunable, with their ranges (overrides from `tune.ranges` applied).
// Throws InputError for an override naming an unknown or untunable parameter, or an empty range.
std::vector<std::pair<std::string, TuneRange>> tunable_parameters(const PolicyEntry& entry,
                                                                  const TuneSpec& tune);

// The candidate settings, candidate 0 the entry as written; deterministic in (tune.seed, label).
std::vector<YAML::Node> tuning_candidates(const PolicyEntry& entry, const TuneSpec& tune);

// `policies_for(entry_node)` builds one prepared policy per tuning replication; `workloads` and
// `targets` are the tuning split's, one per tuning replication.
using PolicyFactory = std::function<std::vector<std::unique_ptr<BudgetPolicy>>(const YAML::Node&)>;
TuningOutcome tune_policy(const PolicyEntry& entry, const TuneSpec& tune, const Serving& serving,
                          const PolicyFactory& policies_for,
                          const std::vector<const std::vector<Request>*>& workloads,
                          const std::vector<double>& targets, const ComputeTargetSpec& compute);

// A YAML flow map of a node, e.g. "{cheap_prefill_keep: 0.31, rerun_prefill: true}".
std::string flow_text(const YAML::Node& node);

}  // namespace sparsesim
