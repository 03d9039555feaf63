#pragma once
// The Sparse Frontier's iso-cost analysis (arXiv 2504.17768, Sec. 4.1): single requests at batch 1, each
// (model, sequence length, phase, sparsity) point priced and scored, and the cost-quality Pareto frontier
// found per length and phase. The paper's accounting is the default: prefill cost = FLOPs of one forward
// pass over the prompt, decode cost = HBM bytes of one decode step at that context, sparsity removing only
// the attention terms (selection free). sparsesim's own accounting (the cluster's sparse methods priced
// with their selection and kernel overheads, and the step's GPU time) is computed beside it, so where the
// two disagree the study shows it.
//
// YAML (experiments/sparse_frontier_isocost.yaml; unknown keys are errors):
//   name: NAME
//   cluster: {gpu: H100-SXM, tensor_parallel: 1, sparse_methods: {prefill: vertical_slash, decode: quest}}
//   cost_model: roofline               (optional; any registered cost model)
//   quality: CURVES.csv or {curves: ..., ...}   (required: the study compares quality)
//   isocost:
//     models: [Qwen2.5-7B, Qwen2.5-14B]       smallest first (>= 2)
//     seq_len_tokens: [16384, 32768]          each in [1, the smallest context of the models]
//     sparsities: [0, 0.8, 0.9, 0.95]         each in [0, 1); 0 (dense) is added when missing
//     task_family: mixed                      mixed (task-averaged) | single_qa | multi_query_retrieval |
//                                             high_scope
//     decode_batch: 1                         sequences of the same length decoding together, sharing one
//                                             weight read per step, in [1, 4096]; decode cost is per
//                                             sequence. 1 = the paper's batch-1 setting
#include <cstdint>
#include <string>
#include <vector>

#include <yaml-cpp/yaml.h>

#include "core/hardware.h"
#include "cost/sparse_method.h"
#include "workloads/request.h"

namespace sparsesim {

struct IsocostSpec {
  std::string name;
  std::string source_path;
  std::string gpu_name;
  GpuSpec gpu;
  int tensor_parallel = 1;
  SparseMethods methods;
  YAML::Node cost_model;  // as in an experiment
  YAML::Node quality;     // as in an experiment
  std::vector<ModelConfig> models;
  std::vector<std::int64_t> seq_len_tokens;
  std::vector<double> sparsities;                // ascending, starting at 0
  TaskFamily task_family = TaskFamily::unknown;  // unknown = the task-averaged ("mixed") curve
  int decode_batch = 1;
};

// True when the document is an iso-cost study (it has a top-level `isocost:` key).
bool is_isocost_document(const YAML::Node& document);
// Throws InputError naming the file, YAML path and expectation.
IsocostSpec parse_isocost_study(const YAML::Node& document, const std::string& source_path);

enum class StudyPhase { prefill, decode };
const char* study_phase_name(StudyPhase phase);

struct IsocostPoint {
  std::string model;
  double parameters = 0;
  StudyPhase phase = StudyPhase::prefill;
  std::int64_t seq_len_tokens = 0;
  double sparsity = 0;
  double paper_cost = 0;   // FLOPs (prefill) or bytes (decode), the paper's accounting
  double priced_cost = 0;  // the same quantity with the cluster's sparse method's selection work added
  double gpu_seconds = 0;  // the cost model's time for the forward pass (prefill) or one decode step
  double quality = 0;      // dense accuracy x this phase's retention (the other phase dense)
  double retention = 0;
  bool extrapolated = false;    // the retention lookup lay outside the measured curves
  bool frontier_paper = false;  // Pareto-optimal on (paper_cost, quality) among the models at this length
  bool frontier_gpu = false;    // Pareto-optimal on (gpu_seconds, quality)
};

// Does a larger model, sparse, beat a smaller model, dense, at no more cost? Per (phase, length, pair).
struct IsocostCrossing {
  StudyPhase phase = StudyPhase::prefill;
  std::int64_t seq_len_tokens = 0;
  std::string smaller, larger;
  double smaller_dense_quality = 0;
  double larger_best_quality = -1;   // best quality of the larger model with paper_cost <= smaller dense's;
  double larger_best_sparsity = -1;  // -1 when no sparsity of the larger model is that cheap
  bool larger_sparse_wins = false;
};

struct IsocostResult {
  std::vector<IsocostPoint> points;  // phase, length, model, sparsity order
  std::vector<IsocostCrossing> crossings;
  std::string cost_model_description;
  std::string quality_description;
};

IsocostResult run_isocost_study(const IsocostSpec& spec);

// Marks the Pareto-optimal points of one group: no other point costs no more and scores no less, with one
// of the two strict. `cost_of` picks the cost axis.
void mark_pareto_frontier(std::vector<IsocostPoint*>& group, double IsocostPoint::*cost_of,
                          bool IsocostPoint::*mark);

// Text report: the frontier sparsities per model at each (phase, length), the crossings, and (with
// all_points) every point.
std::string format_isocost_report(const IsocostSpec& spec, const IsocostResult& result, bool all_points);

}  // namespace sparsesim
