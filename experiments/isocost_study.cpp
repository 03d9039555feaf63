#include "experiments/isocost_study.h"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <limits>
#include <memory>

#include "core/input_error.h"
#include "core/params.h"
#include "core/path_probe.h"
#include "core/yaml_file.h"
#include "cost/cost_model.h"
#include "experiments/yaml_fields.h"
#include "quality/curve_quality_model.h"

namespace sparsesim {
namespace {

namespace fs = std::filesystem;

std::string resolve_beside(const std::string& path, const std::string& source_path) {
  if (path_exists(path)) return path;
  const fs::path beside = fs::path(source_path).parent_path() / path;
  return path_exists(beside.string()) ? beside.string() : path;
}

std::unique_ptr<CostModel> build_study_cost_model(const IsocostSpec& spec, const ModelConfig& model,
                                                  bool with_methods) {
  const YAML::Node& node = spec.cost_model;
  std::string name = "roofline";
  YAML::Node parameters;
  if (yaml_present(node) && node.IsScalar()) {
    name = node.as<std::string>();
  } else if (yaml_present(node) && node.IsMap() && node["impl"]) {
    name = node["impl"].as<std::string>();
    parameters = node;
  } else if (yaml_present(node)) {
    throw InputError(yaml_where(node, "cost_model") + ": expected a cost model name or {impl: NAME, ...}");
  }
  const auto& entry = CostModelRegistry::instance().get_for_input(name, yaml_where(node, "cost_model"));
  const Params params(parameters, "cost_model", entry.params);
  CostModelContext context{spec.gpu, model, spec.tensor_parallel, nullptr, nullptr};
  if (with_methods) {
    context.prefill_method = spec.methods.prefill;
    context.decode_method = spec.methods.decode;
  }
  return entry.factory(params, context);
}

struct PhaseCosts {
  double paper = 0, priced = 0, seconds = 0;
};

// Prefill: one forward pass over the prompt. Decode: one step of `decode_batch` sequences at this context,
// divided per sequence (at batch 1 the whole weight read is charged to the one sequence).
PhaseCosts price_point(const CostModel& ideal, const CostModel& priced, StudyPhase phase, std::int64_t length,
                       double sparsity, int decode_batch) {
  BatchWork batch;
  double share = 1.0;
  if (phase == StudyPhase::prefill) {
    batch.prefills.push_back({static_cast<std::int32_t>(length), 0, 1.0 - sparsity});
  } else {
    const auto kept = std::max<std::int64_t>(1, std::llround((1.0 - sparsity) * static_cast<double>(length)));
    batch.decodes.assign(static_cast<std::size_t>(decode_batch), DecodeStepWork{length, kept});
    share = 1.0 / decode_batch;
  }
  StepCost ideal_cost, priced_cost;
  ideal.step_cost(batch, ideal_cost);
  priced.step_cost(batch, priced_cost);
  PhaseCosts costs;
  if (phase == StudyPhase::prefill) {
    costs.paper = ideal_cost.linear_flops + ideal_cost.attention_flops;
    costs.priced = priced_cost.linear_flops + priced_cost.attention_flops;
  } else {
    costs.paper = ideal_cost.memory_bytes * share;
    costs.priced = priced_cost.memory_bytes * share;
  }
  costs.seconds = static_cast<double>(priced_cost.duration_ns) * 1e-9 * share;
  return costs;
}

Budget budget_for(StudyPhase phase, std::int64_t length, double sparsity) {
  Budget budget;
  if (sparsity <= 0) return budget;
  if (phase == StudyPhase::prefill)
    budget.prefill_density = 1.0 - sparsity;
  else
    budget.decode_kv_budget_tokens =
        std::max<std::int64_t>(1, std::llround((1.0 - sparsity) * static_cast<double>(length)));
  return budget;
}

}  // namespace

const char* study_phase_name(StudyPhase phase) {
  return phase == StudyPhase::prefill ? "prefill" : "decode";
}

bool is_isocost_document(const YAML::Node& document) {
  return document.IsMap() && static_cast<bool>(document["isocost"]);
}

IsocostSpec parse_isocost_study(const YAML::Node& document, const std::string& source_path) {
  reject_duplicate_keys(document, source_path);
  require_keys_within(document, "", {"name", "cluster", "cost_model", "quality", "isocost"});
  IsocostSpec spec;
  spec.source_path = source_path;
  spec.name = yaml_value<std::string>(document, "", "name", fs::path(source_path).stem().string(), "a name");
  const YAML::Node cluster = document["cluster"];
  if (!cluster) throw InputError(source_path + ": missing required key 'cluster'");
  require_keys_within(cluster, "cluster", {"gpu", "tensor_parallel", "sparse_methods"});
  spec.gpu_name =
      yaml_required<std::string>(cluster, "cluster", "gpu", "a GPU name such as H100-SXM or a path");
  spec.gpu = load_gpu_spec(resolve_beside(spec.gpu_name, source_path));
  spec.tensor_parallel = yaml_in_range<int>(cluster, "cluster", "tensor_parallel", 1, 1, 1024);
  spec.methods = make_sparse_methods(cluster["sparse_methods"], "cluster.sparse_methods");
  if (document["cost_model"]) spec.cost_model = document["cost_model"];
  const YAML::Node quality = document["quality"];
  if (!quality)
    throw InputError(source_path + ": missing required key 'quality' (an iso-cost study compares quality)");
  spec.quality = YAML::Clone(quality);
  if (spec.quality.IsScalar())
    spec.quality = resolve_beside(spec.quality.as<std::string>(), source_path);
  else if (spec.quality.IsMap() && spec.quality["curves"])
    spec.quality["curves"] = resolve_beside(spec.quality["curves"].as<std::string>(), source_path);

  const YAML::Node study = document["isocost"];
  const std::string path = "isocost";
  require_keys_within(study, path, {"models", "seq_len_tokens", "sparsities", "task_family", "decode_batch"});
  const auto model_names =
      yaml_required<std::vector<std::string>>(study, path, "models", "a list of model names, smallest first");
  if (model_names.size() < 2)
    throw InputError(yaml_where(study["models"], path + ".models") + ": expected at least two models");
  std::int64_t shortest_context = std::numeric_limits<std::int64_t>::max();
  for (const auto& name : model_names) {
    spec.models.push_back(load_model_config(resolve_beside(name, source_path)));
    if (spec.models.size() > 1 &&
        !(spec.models.back().parameters > spec.models[spec.models.size() - 2].parameters))
      throw InputError(yaml_where(study["models"], path + ".models") +
                       ": expected models in increasing parameter count, got " + name + " after " +
                       spec.models[spec.models.size() - 2].name);
    const ModelConfig& model = spec.models.back();
    if (model.query_heads % spec.tensor_parallel != 0 || model.kv_heads % spec.tensor_parallel != 0)
      throw InputError(yaml_where(cluster, "cluster.tensor_parallel") + ": expected a divisor of " +
                       model.name + "'s query and KV heads");
    shortest_context = std::min(shortest_context, model.context_tokens);
  }
  spec.seq_len_tokens = yaml_required<std::vector<std::int64_t>>(study, path, "seq_len_tokens",
                                                                 "a list of sequence lengths in tokens");
  if (spec.seq_len_tokens.empty())
    throw InputError(yaml_where(study["seq_len_tokens"], path + ".seq_len_tokens") + ": expected a length");
  for (const auto length : spec.seq_len_tokens)
    if (length < 1 || length > shortest_context)
      throw InputError(yaml_where(study["seq_len_tokens"], path + ".seq_len_tokens") +
                       ": expected lengths in [1, " + std::to_string(shortest_context) +
                       "] (the smallest context of the models), got " + std::to_string(length));
  std::sort(spec.seq_len_tokens.begin(), spec.seq_len_tokens.end());
  spec.seq_len_tokens.erase(std::unique(spec.seq_len_tokens.begin(), spec.seq_len_tokens.end()),
                            spec.seq_len_tokens.end());
  spec.sparsities =
      yaml_required<std::vector<double>>(study, path, "sparsities", "a list of sparsities in [0, 1)");
  for (const double sparsity : spec.sparsities)
    if (!(sparsity >= 0 && sparsity < 1))
      throw InputError(yaml_where(study["sparsities"], path + ".sparsities") +
                       ": expected sparsities in [0, 1), got " + std::to_string(sparsity));
  spec.sparsities.push_back(0.0);  // dense is every model's reference point
  std::sort(spec.sparsities.begin(), spec.sparsities.end());
  spec.sparsities.erase(std::unique(spec.sparsities.begin(), spec.sparsities.end()), spec.sparsities.end());
  spec.decode_batch = yaml_in_range<int>(study, path, "decode_batch", 1, 1, 4096);
  const auto family = yaml_value<std::string>(study, path, "task_family", "mixed", "a task family name");
  if (family != "mixed") {
    try {
      spec.task_family = parse_task_family(family);
    } catch (const std::invalid_argument&) {
      throw InputError(yaml_where(study["task_family"], path + ".task_family") +
                       ": expected mixed, single_qa, multi_query_retrieval or high_scope, got '" + family +
                       "'");
    }
  }
  return spec;
}

void mark_pareto_frontier(std::vector<IsocostPoint*>& group, double IsocostPoint::*cost_of,
                          bool IsocostPoint::*mark) {
  for (IsocostPoint* point : group) {
    bool dominated = false;
    for (const IsocostPoint* other : group) {
      if (other == point) continue;
      const bool no_worse = other->*cost_of <= point->*cost_of && other->quality >= point->quality;
      const bool better = other->*cost_of < point->*cost_of || other->quality > point->quality;
      if (no_worse && better) {
        dominated = true;
        break;
      }
    }
    point->*mark = !dominated;
  }
}

IsocostResult run_isocost_study(const IsocostSpec& spec) {
  IsocostResult result;
  const QualityCurveMethods curve_methods{spec.methods.prefill->quality_curve_key(),
                                          spec.methods.decode->quality_curve_key()};
  for (const StudyPhase phase : {StudyPhase::prefill, StudyPhase::decode}) {
    for (const auto length : spec.seq_len_tokens) {
      const std::size_t first = result.points.size();
      for (const ModelConfig& model : spec.models) {
        const auto ideal = build_study_cost_model(spec, model, false);
        const auto priced = build_study_cost_model(spec, model, true);
        const auto quality = make_quality_model(spec.quality, "quality", model.name, curve_methods);
        if (result.cost_model_description.empty()) {
          result.cost_model_description = priced->describe();
          result.quality_description = quality->describe();
        }
        Request request;
        request.input_tokens = static_cast<std::int32_t>(length);
        request.output_tokens = 1;
        request.traits.task_family = spec.task_family;
        for (const double sparsity : spec.sparsities) {
          IsocostPoint point;
          point.model = model.name;
          point.parameters = model.parameters;
          point.phase = phase;
          point.seq_len_tokens = length;
          point.sparsity = sparsity;
          const PhaseCosts costs = price_point(*ideal, *priced, phase, length, sparsity, spec.decode_batch);
          point.paper_cost = costs.paper;
          point.priced_cost = costs.priced;
          point.gpu_seconds = costs.seconds;
          const QualityScore score = quality->score(request, budget_for(phase, length, sparsity));
          point.quality = score.expected_quality;
          point.retention = phase == StudyPhase::prefill ? score.prefill_retention : score.decode_retention;
          point.extrapolated = (phase == StudyPhase::prefill ? score.prefill_lookup : score.decode_lookup) ==
                               LookupKind::extrapolated;
          result.points.push_back(point);
        }
      }
      std::vector<IsocostPoint*> group;
      for (std::size_t i = first; i < result.points.size(); ++i) group.push_back(&result.points[i]);
      mark_pareto_frontier(group, &IsocostPoint::paper_cost, &IsocostPoint::frontier_paper);
      mark_pareto_frontier(group, &IsocostPoint::gpu_seconds, &IsocostPoint::frontier_gpu);
      // Crossings: each larger model against each smaller one served dense, on the paper's cost axis.
      for (std::size_t small = 0; small < spec.models.size(); ++small) {
        const IsocostPoint* dense_small = nullptr;
        for (const IsocostPoint* point : group)
          if (point->model == spec.models[small].name && point->sparsity == 0.0) dense_small = point;
        for (std::size_t large = small + 1; large < spec.models.size(); ++large) {
          IsocostCrossing crossing;
          crossing.phase = phase;
          crossing.seq_len_tokens = length;
          crossing.smaller = spec.models[small].name;
          crossing.larger = spec.models[large].name;
          crossing.smaller_dense_quality = dense_small->quality;
          for (const IsocostPoint* point : group) {
            if (point->model != crossing.larger || point->paper_cost > dense_small->paper_cost) continue;
            if (point->quality > crossing.larger_best_quality) {
              crossing.larger_best_quality = point->quality;
              crossing.larger_best_sparsity = point->sparsity;
            }
          }
          crossing.larger_sparse_wins = crossing.larger_best_sparsity >= 0 &&
                                        crossing.larger_best_quality > crossing.smaller_dense_quality;
          result.crossings.push_back(crossing);
        }
      }
    }
  }
  return result;
}

}  // namespace sparsesim
