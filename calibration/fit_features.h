#pragma once
// The cost form of each op: time_ns = c0 * 1 + c1 * f1 + c2 * f2, linear in non-negative coefficients c.
// The same feature functions serve the fit (from measured cases) and the `profile` cost model (from a
// BatchWork), so what is fitted is exactly what is priced. Feature units are in the term names.
//
//   prefill_attention  launch_ns, ns_per_flop (active-tile FLOPs: 4 * head_dim per attended token pair,
//                      whole tiles), ns_per_byte (Q read + O written once, K and V read once per active tile)
//   decode_score       launch_ns, ns_per_byte (page min/max metadata read), ns_per_flop (bound evaluation)
//   decode_topk        launch_ns, ns_per_candidate_page, ns_per_selected_page
//   decode_attention   launch_ns, ns_per_byte (K and V of the selected tokens), ns_per_flop
//   gemm               launch_ns, ns_per_flop (2 m n k), ns_per_byte (a, b read and c written once)
// bf16 operands: 2 bytes per element.
#include <array>
#include <cstdint>

#include "calibration/measurement.h"

namespace sparsesim {

constexpr int kCostTerms = 3;
using CostFeatures = std::array<double, kCostTerms>;

// Term names of an op's cost form, in coefficient order.
const std::array<const char*, kCostTerms>& cost_term_names(KernelOp op);

CostFeatures prefill_features(double batch, double query_heads, double head_dim, double query_tokens,
                              double active_block_pairs, double block_tokens);
CostFeatures decode_score_features(double batch, double query_heads, double kv_heads, double head_dim,
                                   double pages);
CostFeatures decode_topk_features(double batch, double kv_heads, double pages, double selected_pages);
CostFeatures decode_attention_features(double batch, double query_heads, double kv_heads, double head_dim,
                                       double tokens_read);
CostFeatures gemm_features(double m, double n, double k);

// Features of a measured case, using the exact active-block count of its layout and its page counts.
CostFeatures case_features(const KernelCase& kernel_case);

// Pages a decode case keeps: ceil(density * pages), clamped to [1, pages].
std::int64_t decode_selected_pages(std::int64_t pages, double density);

inline double predict_ns(const std::array<double, kCostTerms>& coefficients, const CostFeatures& features) {
  return coefficients[0] * features[0] + coefficients[1] * features[1] + coefficients[2] * features[2];
}

}  // namespace sparsesim
