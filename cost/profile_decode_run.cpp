// The profile cost model's closed form for a run of decode-only iterations (cost_model.h,
// DecodeRunInput). Its decode terms are linear in the fitted features: attention in the tokens read,
// Quest-style scoring and top-k in the page count, launch floors shared equally. With no prefill the
// GEMMs, elementwise kernels, LM head and all-reduces are the same at every step. So each sequence's
// per-layer time is base + slope x k + per_page x pages, summed by DecodeRunSums in O(1) per step; the
// form ends only where a dense read would pass its budget (it turns sparse: another set of terms).
#include <algorithm>
#include <cmath>
#include <limits>

#include "calibration/fit_features.h"
#include "cost/decode_run_sums.h"
#include "cost/profile_cost_model.h"

namespace sparsesim {

void ProfileCostModel::decode_run_cost(const DecodeRunInput& input, DecodeRunCost& out) const {
  const std::vector<DecodeStepWork>& decodes = input.first->decodes;
  const std::size_t items = decodes.size();
  if (items == 0 || !input.first->prefills.empty() || page_tokens_ != std::floor(page_tokens_)) {
    decode_run_by_steps(input, out);
    return;
  }
  const auto& score_c = coefficients_[static_cast<int>(KernelOp::kDecodeScore)];
  const auto& topk_c = coefficients_[static_cast<int>(KernelOp::kDecodeTopk)];
  const auto& attention_c = coefficients_[static_cast<int>(KernelOp::kDecodeAttention)];
  std::int64_t steps = std::max<std::int64_t>(1, input.max_steps);
  std::size_t sparse_count = 0;
  for (const DecodeStepWork& work : decodes)
    sparse_count += work.kv_tokens_read < work.context_tokens ? 1 : 0;
  for (std::size_t i = 0; i < items; ++i)
    steps = steps_before_turning_sparse(decodes[i], input.kv_budget_tokens[i], steps);

  const auto page_tokens = static_cast<std::int64_t>(page_tokens_);
  out.start_closed_form(items, page_tokens);
  DecodeRunSums sums(page_tokens);
  // Features per token read and per page (decode_attention_features and decode_score_features at batch 1).
  const double bytes_per_read = 4.0 * kv_heads_ * head_dim_, flops_per_read = 4.0 * query_heads_ * head_dim_;
  const double floor_share = attention_c[0] / static_cast<double>(items);
  const double sparse_floor_share =
      sparse_count ? (score_c[0] + topk_c[0]) / static_cast<double>(sparse_count) : 0.0;
  for (std::size_t i = 0; i < items; ++i) {
    const DecodeStepWork& work = decodes[i];
    const bool sparse = work.kv_tokens_read < work.context_tokens;
    const double read0 = static_cast<double>(std::min(work.kv_tokens_read, work.context_tokens));
    const double read_slope = sparse ? 0.0 : 1.0;
    DecodeItemTerms item;
    item.base_s =
        attention_c[1] * bytes_per_read * read0 + attention_c[2] * flops_per_read * read0 + floor_share;
    item.slope_s = (attention_c[1] * bytes_per_read + attention_c[2] * flops_per_read) * read_slope;
    item.base_flops = flops_per_read * read0;
    item.slope_flops = flops_per_read * read_slope;
    item.base_bytes = bytes_per_read * read0;
    item.slope_bytes = bytes_per_read * read_slope;
    if (sparse) {
      // Selected pages: ceil(read / page) throughout (the context only grows past the budget).
      const double selected = std::ceil(read0 / page_tokens_);
      item.base_s += topk_c[2] * kv_heads_ * selected + sparse_floor_share;
      item.per_page_s = score_c[1] * 4.0 * kv_heads_ * head_dim_ +
                        score_c[2] * 4.0 * query_heads_ * head_dim_ + topk_c[1] * kv_heads_;
      item.per_page_bytes = 4.0 * kv_heads_ * head_dim_;
    }
    item.page_tokens = page_tokens;
    sums.add(work.context_tokens, item);
    out.base_s[i] = item.base_s;
    out.slope_s[i] = item.slope_s;
    out.per_page_s[i] = item.per_page_s;
    out.page_origin[i] = work.context_tokens;
  }

  const NonAttention rest = non_attention(static_cast<double>(items), static_cast<double>(items));
  TimeNs elapsed_ns = 0;
  for (std::int64_t step = 0; step < steps; ++step) {
    const double k = static_cast<double>(step);
    DecodeRunStep priced;
    priced.attention_ns = layers_ * sums.time(k);
    priced.linear_ns = rest.linear_ns;
    priced.duration_ns = std::max<TimeNs>(1, round_half_up_ns(priced.attention_ns + rest.linear_ns));
    priced.linear_flops = rest.linear_flops;
    priced.attention_flops = sums.flops(k) * layers_ * tensor_parallel_;
    priced.memory_bytes = (sums.bytes(k) + rest.gemm_bytes) * layers_ * tensor_parallel_ + rest.other_bytes;
    out.steps.push_back(priced);
    out.ns_per_s.push_back(layers_);
    elapsed_ns += priced.duration_ns;
    if (elapsed_ns >= input.time_budget_ns) break;
    sums.advance();
  }
}

}  // namespace sparsesim
