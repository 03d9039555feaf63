#include "calibration/fit_features.h"

#include <algorithm>
#include <cmath>

#include "calibration/kernels/reference_kernels.h"

namespace sparsesim {

const std::array<const char*, kCostTerms>& cost_term_names(KernelOp op) {
  static const std::array<const char*, kCostTerms> names[kKernelOpCount] = {
      {"launch_ns", "ns_per_flop", "ns_per_byte"},
      {"launch_ns", "ns_per_byte", "ns_per_flop"},
      {"launch_ns", "ns_per_candidate_page", "ns_per_selected_page"},
      {"launch_ns", "ns_per_byte", "ns_per_flop"},
      {"launch_ns", "ns_per_flop", "ns_per_byte"}};
  return names[static_cast<int>(op)];
}

CostFeatures prefill_features(double batch, double query_heads, double head_dim, double query_tokens,
                              double active_block_pairs, double block_tokens) {
  const double rows = batch * query_heads;
  const double flops = 4.0 * head_dim * active_block_pairs * block_tokens * block_tokens * rows;
  const double elements = head_dim * rows * (2.0 * query_tokens + 2.0 * active_block_pairs * block_tokens);
  return {1.0, flops, 2.0 * elements};
}

CostFeatures decode_score_features(double batch, double query_heads, double kv_heads, double head_dim,
                                   double pages) {
  return {1.0, 2.0 * 2.0 * batch * kv_heads * pages * head_dim, 4.0 * batch * query_heads * pages * head_dim};
}

CostFeatures decode_topk_features(double batch, double kv_heads, double pages, double selected_pages) {
  return {1.0, batch * kv_heads * pages, batch * kv_heads * selected_pages};
}

CostFeatures decode_attention_features(double batch, double query_heads, double kv_heads, double head_dim,
                                       double tokens_read) {
  return {1.0, 2.0 * 2.0 * batch * kv_heads * tokens_read * head_dim,
          4.0 * batch * query_heads * tokens_read * head_dim};
}

CostFeatures gemm_features(double m, double n, double k) {
  return {1.0, 2.0 * m * n * k, 2.0 * (m * k + k * n + m * n)};
}

std::int64_t decode_selected_pages(std::int64_t pages, double density) {
  const auto kept = static_cast<std::int64_t>(std::ceil(density * static_cast<double>(pages) - 1e-9));
  return std::clamp<std::int64_t>(kept, 1, std::max<std::int64_t>(1, pages));
}

CostFeatures case_features(const KernelCase& kc) {
  const double batch = kc.batch, heads = kc.query_heads, kv_heads = kc.kv_heads, dim = kc.head_dim;
  const std::int64_t pages = (kc.seq_tokens + kc.block_tokens - 1) / kc.block_tokens;
  switch (kc.op) {
    case KernelOp::kPrefillAttention: {
      const int query_blocks = static_cast<int>(kc.seq_tokens / kc.block_tokens);
      const auto pairs = kernels::causal_active_block_pairs(query_blocks, kc.density);
      return prefill_features(batch, heads, dim, static_cast<double>(kc.seq_tokens),
                              static_cast<double>(pairs), kc.block_tokens);
    }
    case KernelOp::kDecodeScore:
      return decode_score_features(batch, heads, kv_heads, dim, static_cast<double>(pages));
    case KernelOp::kDecodeTopk:
      return decode_topk_features(batch, kv_heads, static_cast<double>(pages),
                                  static_cast<double>(decode_selected_pages(pages, kc.density)));
    case KernelOp::kDecodeAttention: {
      // Tokens read: every token of the selected pages, the partly filled last page counted whole.
      const auto selected = decode_selected_pages(pages, kc.density);
      const double tokens = std::min<double>(static_cast<double>(selected * kc.block_tokens),
                                             static_cast<double>(kc.seq_tokens));
      return decode_attention_features(batch, heads, kv_heads, dim, tokens);
    }
    case KernelOp::kGemm:
      return gemm_features(static_cast<double>(kc.gemm_m), static_cast<double>(kc.gemm_n),
                           static_cast<double>(kc.gemm_k));
  }
  return {0, 0, 0};
}

}  // namespace sparsesim
