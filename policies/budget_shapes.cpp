#include "policies/budget_shapes.h"

#include <algorithm>
#include <cmath>

namespace sparsesim {

double prefill_density_for_kept_tokens(double kept_tokens, std::int64_t input_tokens) {
  if (input_tokens <= 0) return 1.0;
  const std::int64_t total_blocks = (input_tokens + kPrefillBlockTokens - 1) / kPrefillBlockTokens;
  if (!(kept_tokens < static_cast<double>(input_tokens))) return 1.0;
  const auto kept_blocks = std::clamp<std::int64_t>(
      static_cast<std::int64_t>(std::ceil(std::max(0.0, kept_tokens) / kPrefillBlockTokens)), 1,
      total_blocks);
  return static_cast<double>(kept_blocks) / static_cast<double>(total_blocks);
}

std::int64_t decode_budget_for_kept_tokens(double kept_tokens, std::int64_t input_tokens,
                                           std::int64_t min_kv_tokens) {
  if (!(kept_tokens < static_cast<double>(input_tokens))) return Budget::kDenseKv;
  const auto kept = static_cast<std::int64_t>(std::ceil(std::max(0.0, kept_tokens)));
  return std::max(min_kv_tokens, kept);
}

Budget budget_from_kept_fractions(double prefill_kept_fraction, double decode_kept_fraction,
                                  std::int64_t input_tokens, std::int64_t min_kv_tokens) {
  const auto length = static_cast<double>(input_tokens);
  Budget budget;
  budget.prefill_density = prefill_density_for_kept_tokens(prefill_kept_fraction * length, input_tokens);
  budget.decode_kv_budget_tokens =
      decode_budget_for_kept_tokens(decode_kept_fraction * length, input_tokens, min_kv_tokens);
  return budget;
}

}  // namespace sparsesim
