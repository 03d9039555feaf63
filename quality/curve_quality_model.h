#pragma once
// The curve-based quality model: expected quality of a request = dense accuracy (model, task family,
// input length) x prefill retention x decode retention, each retention looked up in the curve file at
// the request's input length and task family (quality/quality_curves.h):
//   prefill sparsity = budget.prefill_sparsity(), decode sparsity = budget.decode_sparsity(input_tokens).
// A request whose task family is unknown (no task mix) is scored with the "mixed" (task-averaged) curve:
// more conservative than the single-QA curve, which tolerates 0.95 sparsity almost for free. A family
// with no curve of its own also falls back to "mixed", and the description says so.
#include <memory>
#include <string>

#include <yaml-cpp/yaml.h>

#include "quality/quality_model.h"

namespace sparsesim {

// `node` is a scalar path to the curve CSV, or a map
//   {curves: PATH, dense_accuracy: PATH, below_shortest_length: {rule: trend|clamp|floor, floor_retention:
//   X}}
// dense_accuracy defaults to dense_accuracy.csv beside the curve file (when it exists; else accuracy 1,
// i.e. scores are retentions, and describe() says so). A relative dense_accuracy path is tried as given,
// then beside the curve file. `yaml_path` names the node in errors ("quality"); unknown keys are errors.
// `model_name` selects the model's rows (or the "*" rows). Throws InputError.
std::unique_ptr<QualityModel> make_quality_model(const YAML::Node& node, const std::string& yaml_path,
                                                 const std::string& model_name);

}  // namespace sparsesim
