#pragma once
// Turning "keep k tokens of an L-token prompt" into a Budget, the same way for every policy.
// Prefill is block-sparse: a query block attends whole key blocks of kPrefillBlockTokens tokens, so the
// kept count is rounded UP to whole blocks: density = ceil(k / 64) / ceil(L / 64), at least one block and
// at most 1. Decode reads max(min_kv_tokens, ceil(k)) KV tokens per step; a budget that covers the whole
// prompt (k >= L) is dense (Budget::kDenseKv: the growing cache is read in full).
#include <cstdint>

#include "core/budget.h"

namespace sparsesim {

constexpr std::int64_t kPrefillBlockTokens = 64;

// Density in (0, 1] for keeping `kept_tokens` of `input_tokens` (> 0) in prefill.
double prefill_density_for_kept_tokens(double kept_tokens, std::int64_t input_tokens);

// Decode KV budget in tokens for keeping `kept_tokens` of an `input_tokens` prompt.
std::int64_t decode_budget_for_kept_tokens(double kept_tokens, std::int64_t input_tokens,
                                           std::int64_t min_kv_tokens);

// Both phases from kept fractions of the prompt (values above 1 mean dense).
Budget budget_from_kept_fractions(double prefill_kept_fraction, double decode_kept_fraction,
                                  std::int64_t input_tokens, std::int64_t min_kv_tokens);

}  // namespace sparsesim
