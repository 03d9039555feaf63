#pragma once
// The curve-based quality model: expected quality of a request = dense accuracy (model, task family,
// input length) x combine(prefill retention, decode retention), each retention looked up in the curve
// file at the request's input length and task family, on the curve of the phase's sparse method (its
// `method` rows, else the pooled "*" rows), phase-specific curves before "both" (quality/quality_curves.h):
//   prefill sparsity = budget.prefill_sparsity(), decode sparsity = budget.decode_sparsity(input_tokens).
// combine (`phase_combine`): `product` (default) treats the two phases' losses as independent, each phase
// curve being measured with the other phase dense (The Sparse Frontier sparsifies one phase at a time; no
// published figure measures both together), so a request sparse in both phases loses both; `worse` takes
// the smaller retention (the losses overlap fully: an optimistic bound). A policy sparse in one phase only
// gets exactly that phase's curve under either rule.
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
// `model_name` selects the model's rows (or the "*" rows); `methods` the curve keys of the cluster's sparse
// methods (SparseMethod::quality_curve_key). Map keys also: phase_combine: product | worse. Throws
// InputError.
struct QualityCurveMethods {
  std::string prefill = "*";
  std::string decode = "*";
};
std::unique_ptr<QualityModel> make_quality_model(const YAML::Node& node, const std::string& yaml_path,
                                                 const std::string& model_name,
                                                 const QualityCurveMethods& methods = {});

}  // namespace sparsesim
