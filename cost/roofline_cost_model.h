#pragma once
// The analytical roofline cost model (registered as `roofline`): spec-sheet peaks times documented,
// estimated efficiencies (data/gpus/*.yaml). Each part of an iteration costs max(compute time, memory
// time), with a per-kernel launch floor; see roofline_cost_model.cpp for every term and its assumptions.
#include <algorithm>
#include <functional>
#include <string>
#include <vector>

#include "core/params.h"
#include "cost/cost_model.h"
#include "cost/sparse_method.h"

namespace sparsesim {

// Achieved fractions of peak and the launch floor; defaults come from the GPU file, YAML may override.
struct RooflineEfficiencies {
  double gemm = 0.8;                // of peak bf16 FLOP/s, linear layers
  double prefill_attention = 0.35;  // of peak bf16 FLOP/s, attention score and value products
  double decode_bandwidth = 0.8;    // of HBM bandwidth, attention KV reads (decode and prefill)
  double memory_bandwidth = 0.8;    // of HBM bandwidth, weight streaming and elementwise kernels
  double launch_floor_us = 4.0;     // smallest time any kernel takes
  // Terms a pure roofline leaves out, from published measurements (data/gpus/*.yaml sources):
  double allreduce_latency_us = 6.0;         // fixed time per tensor-parallel all-reduce
  double decode_attention_fixed_us = 20.0;   // decode attention per layer at zero KV bytes
  double cpu_overhead_us_per_iteration = 0;  // serving-engine host work per iteration ...
  double cpu_overhead_us_per_sequence = 0;   // ... and per sequence in the batch
  bool cpu_overlapped = true;  // true: the iteration takes max(GPU, CPU) (engines that overlap scheduling
                               // with the GPU step); false: GPU + CPU (a synchronous engine loop)
  static RooflineEfficiencies from_gpu(const GpuSpec& gpu);
};

// Kernels per transformer layer that the launch floor counts (vLLM-style fused kernels):
// GEMMs: QKV projection, O projection, fused gate+up projection, down projection.
// Elementwise: fused residual-add + input RMSNorm, RoPE (+ KV-cache write), fused residual-add +
// post-attention RMSNorm, SiLU-and-multiply, final residual add. Attention: one kernel per layer for the
// prefill chunks and one for the decodes, when present, plus the sparse methods' selection kernels when a
// sparse item is present. Per iteration: final RMSNorm and sampling
// (elementwise), LM head (GEMM). Tensor parallel > 1: two all-reduces per layer (after the O projection and
// after the down projection).
constexpr int kRooflineGemmKernelsPerLayer = 4;
constexpr int kRooflineElementwiseKernelsPerLayer = 5;
constexpr int kRooflineElementwiseKernelsPerIteration = 2;
constexpr int kRooflineAllReducesPerLayer = 2;

// The roofline's parameters (efficiency and fixed-time overrides, `cpu_overhead`), shared by cost models
// built on it; and the efficiencies they select for `gpu`. Throws InputError on an out-of-range value.
std::vector<ParamSpec> roofline_param_specs();
RooflineEfficiencies roofline_efficiencies_from(const Params& params, const GpuSpec& gpu);

class RooflineCostModel final : public CostModel {
 public:
  // Throws InputError when tensor_parallel < 1 or does not divide the model's query and KV heads.
  // `context` supplies the sparse methods (null methods: sparse attention priced ideally).
  RooflineCostModel(const CostModelContext& context, const RooflineEfficiencies& efficiencies);
  RooflineCostModel(const GpuSpec& gpu, const ModelConfig& model, int tensor_parallel,
                    const RooflineEfficiencies& efficiencies)
      : RooflineCostModel(CostModelContext{gpu, model, tensor_parallel, nullptr, nullptr}, efficiencies) {}
  void step_cost(const BatchWork& batch, StepCost& out) const override;
  // Closed form (roofline_decode_run.cpp): O(items + steps) instead of O(items x steps); steps through
  // step_cost when a sparse method has no closed form for an item.
  void decode_run_cost(const DecodeRunInput& input, DecodeRunCost& out) const override;
  std::string describe() const override;

  const RooflineEfficiencies& efficiencies() const { return efficiencies_; }

  // Replaces the estimated non-attention layer terms (linear GEMMs, elementwise kernels, TP all-reduces)
  // with measured seconds for an iteration of `tokens` tokens (a Vidur profile, cost/vidur_profile.h);
  // attention, the LM head and the engine's CPU work stay priced here. `description` is prefixed to
  // describe().
  void replace_layer_terms(std::function<double(double tokens)> measured_seconds,
                           const std::string& description);

 private:
  // The parts of an iteration outside attention (linear layers, LM head, elementwise, all-reduce), for
  // `tokens` tokens and `logits_rows` logits rows: seconds, linear FLOPs and bytes.
  struct NonAttentionTerms {
    double seconds = 0, linear_flops = 0, bytes = 0;
  };
  NonAttentionTerms non_attention(double tokens, double logits_rows) const;
  // The decode class's fixed time and kernel floor (seconds), with or without a sparse item.
  struct DecodeClass {
    double fixed_s = 0, floor_s = 0;
  };
  DecodeClass decode_class(bool sparse) const;
  // The engine's host work for an iteration with `logits_rows` sequences, seconds.
  double host_seconds(double logits_rows) const;
  // The iteration's duration from its GPU time and host work (overlapped: the larger; serial: the sum).
  TimeNs iteration_ns(double gpu_s, double host_s) const {
    const double total_s = efficiencies_.cpu_overlapped ? std::max(gpu_s, host_s) : gpu_s + host_s;
    return std::max<TimeNs>(1, round_half_up_ns(total_s * 1e9));
  }
  bool decode_run_closed_form(const DecodeRunInput& input, DecodeRunCost& out) const;

  std::string description_;
  RooflineEfficiencies efficiencies_;
  std::function<double(double)> measured_layer_seconds_;  // empty: the roofline's own layer terms
  int tensor_parallel_;
  int layers_;
  // Per-call constants, precomputed so that step_cost does arithmetic only. "_s_per_" = seconds on one
  // tensor-parallel rank (FLOPs and bytes divided by TP) at the achieved rate.
  double layer_linear_flops_per_token_;  // 2 x linear weights of all layers
  double layer_weight_bytes_;            // weights of all layers' linear layers
  double lm_head_flops_per_row_;         // 2 x hidden x vocab
  double lm_head_weight_bytes_;
  double elementwise_bytes_per_token_;   // activation traffic of the elementwise kernels, all layers
  double attention_flops_per_key_;       // 4 x head_dim x query heads x layers
  double kv_bytes_per_token_;            // keys and values, all layers
  double query_output_bytes_per_token_;  // query read and attention output write, all layers
  double allreduce_bytes_per_token_;     // ring all-reduce traffic per rank per token, all layers
  double gemm_s_per_flop_;
  double attention_s_per_flop_;
  double weight_s_per_byte_;
  double kv_s_per_byte_;
  double interconnect_s_per_byte_;
  double launch_floor_s_;
  std::shared_ptr<const SparseMethod> prefill_method_;
  std::shared_ptr<const SparseMethod> decode_method_;
  AttentionShape attention_shape_;
  AttentionRates attention_rates_;
};

}  // namespace sparsesim
