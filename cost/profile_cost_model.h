#pragma once
// The `profile` cost model: prices a BatchWork with the fitted cost forms of a calibration profile
// (profile_store.h). Per transformer layer, on one tensor-parallel rank (heads, and GEMM widths divided by
// TP):
//   prefill attention  one launch for all chunks + fitted FLOP and byte terms of their active tiles, with
//                      active block pairs = density x causal block pairs (cached blocks included), at least
//                      one per query block, at the profile's block size;
//   decode             dense steps (kv_tokens_read >= context) run attention only; sparse steps add page
//                      scoring and top-k selection; one launch per stage present;
//   linear layers      four GEMMs at m = batch tokens (QKV, O, gate+up, down), fitted gemm cost form;
//   elementwise        norms, RoPE, SiLU-and-multiply, residual adds: their activation bytes at the measured
//                      decode-attention bandwidth (ns_per_byte), one decode-attention launch floor each
//                      (not measured directly: a documented proxy);
// times the layer count; plus the LM head GEMM (one logits row per item) and, for TP > 1, two ring
// all-reduces per layer over the context GPU's interconnect bandwidth (not calibrated).
#include <array>
#include <string>

#include "calibration/profile_store.h"
#include "cost/cost_model.h"

namespace sparsesim {

class ProfileCostModel final : public CostModel {
 public:
  // Throws InputError when the profile lacks an op, or TP does not divide the model's heads.
  ProfileCostModel(const Profile& profile, const std::string& path, const CostModelContext& context);
  void step_cost(const BatchWork& batch, StepCost& out) const override;
  // Closed form (profile_decode_run.cpp): every decode term is linear in tokens read or pages.
  void decode_run_cost(const DecodeRunInput& input, DecodeRunCost& out) const override;
  std::string describe() const override { return description_; }

 private:
  // The iteration outside attention for `tokens` tokens and `logits_rows` LM-head rows: GEMMs,
  // elementwise kernels, LM head and all-reduces (ns), linear FLOPs, GEMM bytes per layer and per rank,
  // and the other bytes (LM head and elementwise, all ranks).
  struct NonAttention {
    double linear_ns = 0, linear_flops = 0, gemm_bytes = 0, other_bytes = 0;
  };
  NonAttention non_attention(double tokens, double logits_rows) const;

  std::string description_;
  std::array<std::array<double, kCostTerms>, kKernelOpCount> coefficients_{};
  double layers_ = 0;
  double query_heads_ = 0;  // per rank
  double kv_heads_ = 0;     // per rank
  double head_dim_ = 0;
  double tensor_parallel_ = 1;
  double block_tokens_ = 64;
  double page_tokens_ = 16;
  // GEMM shapes per rank {n, k} of one layer, and the LM head.
  std::array<std::array<double, 2>, 4> layer_gemms_{};
  std::array<double, 2> lm_head_{};
  double linear_weights_per_layer_ = 0;  // whole model (all ranks)
  double elementwise_bytes_per_token_ = 0;
  double elementwise_kernels_per_layer_ = 5;
  double allreduce_ns_per_token_ = 0;  // all layers
};

}  // namespace sparsesim
