#pragma once
// The fully resolved configuration of an experiment (every default filled in, GPU and model numbers
// included) as YAML text. It is stored with every run, and its hash together with the run's identity
// (policy, replication, sweep point) is the key that lets an interrupted experiment skip stored runs.
// It includes a digest of every data file read (traces, quality curves, cost profile), so a changed file
// never matches runs stored from its old contents.
#include <string>

#include "experiments/experiment_spec.h"

namespace sparsesim {

std::string resolved_experiment_yaml(const ExperimentSpec& spec);

}  // namespace sparsesim
