#pragma once
// The fully resolved configuration of an experiment (every default filled in, GPU and model numbers
// included) as YAML text. It is stored with every run, and its hash together with the run's identity
// (policy, replication, sweep point) is the key that lets an interrupted experiment skip stored runs.
#include <string>

#include "experiments/experiment_spec.h"

namespace sparsesim {

std::string resolved_experiment_yaml(const ExperimentSpec& spec);

}  // namespace sparsesim
