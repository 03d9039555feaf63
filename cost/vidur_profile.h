#pragma once
// Measured operator profiles in Vidur's published CSV format (github.com/microsoft/vidur,
// data/profiling; MIT; format notes in data/profiles/vidur/PROVENANCE.md), read so that users who
// profiled for Vidur can reuse their data here.
//
// mlp.csv: one row per (num_tokens, num_tensor_parallel_workers) for one model shape; columns
//   time_stats.<op>.median in milliseconds, the kernel time of one layer on one tensor-parallel rank, for
//   the ops input_layernorm, attn_pre_proj (QKV), attn_rope, attn_post_proj (O), post_attention_layernorm
//   (optional: absent for parallel-block models), mlp_up_proj, mlp_act, mlp_down_proj, add; and the shape
//   columns n_head, n_kv_head, n_embd, n_expanded_embd. Only the median columns are used (as Vidur does).
// all_reduce.csv: time_stats.all_reduce.median (ms) per message `size` (bytes) and process group
//   (num_workers, devices_per_node); the rows with num_workers == devices_per_node == TP are used.
//
// Lookup follows Vidur: a batch's token count is rounded up to a multiple of 8 and the per-op medians are
// interpolated linearly between profiled token counts (duplicates averaged); beyond the largest profiled
// count time is scaled in proportion to tokens (GEMMs are compute-bound there); describe() names the range.
// Each layer runs two all-reduces of tokens x hidden x 2 bytes when TP > 1, each plus Vidur's NCCL launch
// overhead (0.02 ms, its `nccl_cpu_launch_overhead_ms` default).
#include <string>
#include <utility>
#include <vector>

#include "core/hardware.h"

namespace sparsesim {

// A piecewise-linear table y(x) over increasing x, proportional beyond the last point.
class ProfileCurve {
 public:
  // `points` need not be sorted; equal x values are averaged. Requires at least one point with x > 0.
  explicit ProfileCurve(std::vector<std::pair<double, double>> points);
  double at(double x) const;
  double max_x() const { return x_.back(); }
  double min_x() const { return x_.front(); }

 private:
  std::vector<double> x_, y_;
};

class VidurLayerProfile {
 public:
  // Reads mlp.csv rows matching the model's shape and `tensor_parallel`, and (when TP > 1) all_reduce.csv
  // rows for that group size. Throws InputError naming the file, line and column, or listing the shapes and
  // TP degrees the file holds when none match.
  VidurLayerProfile(const std::string& mlp_csv, const std::string& all_reduce_csv, const ModelConfig& model,
                    int tensor_parallel);
  // Seconds of every layer's non-attention work (linear layers, norms, RoPE, activation, residual add and
  // the TP all-reduces) for an iteration of `tokens` tokens.
  double seconds(double tokens) const;
  std::string describe() const;

 private:
  ProfileCurve layer_ms_;                    // per layer, summed over the ops
  std::vector<ProfileCurve> all_reduce_ms_;  // empty at TP 1; else the one curve over bytes
  int layers_;
  double hidden_;
  int tensor_parallel_;
  std::string description_;
};

}  // namespace sparsesim
