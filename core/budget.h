#pragma once
// An attention budget for one request, per phase. Policies produce it; the cost model prices it; the
// quality model scores it.
#include <algorithm>
#include <cstdint>
#include <limits>

namespace sparsesim {

struct Budget {
  // Prefill: fraction of causal key blocks each query block attends, in (0, 1]; sparsity = 1 - density.
  double prefill_density = 1.0;
  // Decode: KV tokens read per decode step (Quest-style top-k pages). kDenseKv = read the whole cache.
  static constexpr std::int64_t kDenseKv = std::numeric_limits<std::int64_t>::max();
  std::int64_t decode_kv_budget_tokens = kDenseKv;
  // Eviction-style methods also shrink KV memory to the budget; Quest-style selection keeps it all.
  bool evicts_kv = false;

  double prefill_sparsity() const { return 1.0 - prefill_density; }
  // Decode sparsity relative to a context of `context_tokens`: 1 - kept / context, in [0, 1).
  double decode_sparsity(std::int64_t context_tokens) const {
    if (context_tokens <= 0 || decode_kv_budget_tokens >= context_tokens) return 0.0;
    return 1.0 - static_cast<double>(decode_kv_budget_tokens) / static_cast<double>(context_tokens);
  }
  // KV tokens actually read at a step whose cache holds `context_tokens`.
  std::int64_t kv_tokens_read(std::int64_t context_tokens) const {
    return std::min(context_tokens, decode_kv_budget_tokens);
  }
  bool is_dense() const { return prefill_density >= 1.0 && decode_kv_budget_tokens == kDenseKv; }
};

}  // namespace sparsesim
