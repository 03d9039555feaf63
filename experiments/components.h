#pragma once
// Builds the shared, read-only components of an experiment from their YAML subtrees: the cost model
// (`roofline`, `{profile: PATH}` or `{impl: NAME, ...}`) and the quality model (curves file or map).
#include <memory>
#include <string>

#include "cost/cost_model.h"
#include "experiments/experiment_spec.h"
#include "quality/quality_model.h"

namespace sparsesim {

std::unique_ptr<CostModel> build_cost_model(const ExperimentSpec& spec, int tensor_parallel);
// Null when the experiment names no quality model.
std::unique_ptr<QualityModel> build_quality_model(const ExperimentSpec& spec);

}  // namespace sparsesim
