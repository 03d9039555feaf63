#include "calibration/measurement_grid.h"

#include <algorithm>
#include <random>

namespace sparsesim {
namespace {

struct HeadShape {
  int query_heads;
  int kv_heads;
  int head_dim;
};

ModelConfig with_defaults(ModelConfig model) {
  if (model.query_heads <= 0 || model.kv_heads <= 0 || model.head_dim <= 0) {
    model.query_heads = 28;
    model.kv_heads = 4;
    model.head_dim = 128;
  }
  if (model.hidden_size <= 0) model.hidden_size = 3584;
  if (model.intermediate_size <= 0) model.intermediate_size = 18944;
  return model;
}

void add_attention(std::vector<KernelCase>& grid, KernelOp op, const std::vector<std::int64_t>& lengths,
                   const std::vector<double>& densities, const std::vector<int>& batches,
                   const std::vector<HeadShape>& heads, int block_tokens, std::int64_t max_tokens_in_batch) {
  for (auto length : lengths)
    for (double density : densities)
      for (int batch : batches)
        for (const auto& head : heads) {
          if (batch > 1 && batch * length > max_tokens_in_batch) continue;
          KernelCase kc;
          kc.op = op;
          kc.batch = batch;
          kc.query_heads = head.query_heads;
          kc.kv_heads = head.kv_heads;
          kc.head_dim = head.head_dim;
          kc.seq_tokens = length;
          kc.density = density;
          kc.block_tokens = block_tokens;
          grid.push_back(kc);
        }
}

void add_decode(std::vector<KernelCase>& grid, const std::vector<std::int64_t>& lengths,
                const std::vector<double>& densities, const std::vector<int>& batches,
                const std::vector<HeadShape>& heads, int page_tokens, std::int64_t max_tokens_in_batch) {
  for (KernelOp op : {KernelOp::kDecodeScore, KernelOp::kDecodeTopk, KernelOp::kDecodeAttention})
    add_attention(grid, op, lengths, densities, batches, heads, page_tokens, max_tokens_in_batch);
}

// The model's linear layers split over `divide_by` tensor-parallel ranks: QKV, attention output,
// gate+up, down.
void add_gemms(std::vector<KernelCase>& grid, const ModelConfig& model, const std::vector<std::int64_t>& rows,
               int divide_by) {
  const std::int64_t qkv = static_cast<std::int64_t>(model.query_heads + 2 * model.kv_heads) * model.head_dim;
  const std::int64_t attention_out = static_cast<std::int64_t>(model.query_heads) * model.head_dim;
  const std::int64_t inter = model.intermediate_size;
  const std::int64_t shapes[4][2] = {// {n, k}
                                     {qkv / divide_by, model.hidden_size},
                                     {model.hidden_size, attention_out / divide_by},
                                     {2 * inter / divide_by, model.hidden_size},
                                     {model.hidden_size, inter / divide_by}};
  for (auto m : rows)
    for (const auto& shape : shapes) {
      KernelCase kc;
      kc.op = KernelOp::kGemm;
      kc.gemm_m = m;
      kc.gemm_n = shape[0];
      kc.gemm_k = shape[1];
      grid.push_back(kc);
    }
}

}  // namespace

std::vector<KernelCase> make_calibration_grid(GridMode mode, const ModelConfig& given_model,
                                              std::uint64_t seed) {
  const ModelConfig model = with_defaults(given_model);
  const HeadShape model_heads{model.query_heads, model.kv_heads, model.head_dim};
  std::vector<KernelCase> grid;
  switch (mode) {
    case GridMode::kTiny: {
      // Shapes a single CPU core runs in milliseconds; 16-token blocks keep enough blocks per sequence for
      // the densities to mean something.
      const std::vector<HeadShape> heads{{2, 1, 32}, {4, 2, 64}};
      add_attention(grid, KernelOp::kPrefillAttention, {64, 128, 256}, {1.0, 0.5, 0.25, 0.1, 0.05}, {1},
                    heads, 16, 1 << 20);
      add_decode(grid, {256, 1024, 4096}, {1.0, 0.5, 0.25, 0.1, 0.05}, {1, 4}, heads, 16, 1 << 20);
      ModelConfig small = model;
      small.query_heads = 4;
      small.kv_heads = 2;
      small.head_dim = 32;
      small.hidden_size = 256;
      small.intermediate_size = 512;
      add_gemms(grid, small, {1, 8, 32, 64}, 1);
      break;
    }
    case GridMode::kQuick: {
      add_attention(grid, KernelOp::kPrefillAttention, {1024, 4096, 16384, 32768, 65536, 131072},
                    {1.0, 0.5, 0.2, 0.1, 0.05}, {1, 4}, {model_heads}, 64, 16384);
      add_decode(grid, {1024, 4096, 16384, 32768, 65536, 131072}, {1.0, 0.5, 0.2, 0.1, 0.05}, {1, 16},
                 {model_heads}, 16, 16 * 131072);
      // Without a second group size, bytes read and FLOPs of decode are proportional and cannot be told
      // apart; one kv head per query head (batch 1, to bound memory) separates them.
      add_decode(grid, {4096, 32768, 131072}, {1.0, 0.2, 0.05}, {1},
                 {{model.query_heads, model.query_heads, model.head_dim}}, 16, 131072);
      add_gemms(grid, model, {1, 16, 128, 1024, 4096, 16384}, 1);
      break;
    }
    case GridMode::kFull: {
      std::vector<HeadShape> heads{model_heads, {32, 8, 128}, {32, 32, 128}, {16, 4, 64}};
      add_attention(grid, KernelOp::kPrefillAttention, {1024, 2048, 4096, 8192, 16384, 32768, 65536, 131072},
                    {1.0, 0.9, 0.7, 0.5, 0.3, 0.2, 0.1, 0.05}, {1, 4}, heads, 64, 32768);
      add_decode(grid, {1024, 2048, 4096, 8192, 16384, 32768, 65536, 131072},
                 {1.0, 0.7, 0.5, 0.3, 0.2, 0.1, 0.05}, {1, 8, 32}, heads, 16, 32 * 32768);
      add_gemms(grid, model, {1, 8, 16, 64, 128, 512, 1024, 2048, 4096, 8192, 16384}, 1);
      add_gemms(grid, model, {1, 16, 128, 1024, 4096}, 2);
      break;
    }
  }
  // Seeded Fisher-Yates from raw mt19937_64 bits (identical on every standard library), and per-case
  // seeds from the shuffled position so inputs differ between cases.
  std::mt19937_64 rng(seed);
  for (std::size_t i = grid.size(); i > 1; --i) std::swap(grid[i - 1], grid[rng() % i]);
  for (std::size_t i = 0; i < grid.size(); ++i) grid[i].seed = seed * 1000003u + i * 7919u + 1;
  return grid;
}

}  // namespace sparsesim
