#include "sim/sparse_fallback.h"

#include <algorithm>
#include <numeric>

namespace sparsesim {
namespace {

// Attention time of a batch holding one item, ns (the part a phase's budget changes).
double attention_ns(const CostModel& cost_model, const BatchWork& batch) {
  StepCost cost;
  cost_model.step_cost(batch, cost);
  return std::accumulate(cost.item_attention_ns.begin(), cost.item_attention_ns.end(), 0.0);
}

}  // namespace

FallbackDecision drop_unprofitable_sparsity(const CostModel& cost_model, const Request& request,
                                            Budget budget) {
  FallbackDecision decision;
  const std::int32_t prompt = std::max<std::int32_t>(1, request.input_tokens);
  if (budget.prefill_density < 1.0) {
    BatchWork sparse, dense;
    sparse.prefills.push_back({prompt, 0, budget.prefill_density});
    dense.prefills.push_back({prompt, 0, 1.0});
    if (attention_ns(cost_model, sparse) >= attention_ns(cost_model, dense)) {
      budget.prefill_density = 1.0;
      decision.prefill_fell_back = true;
    }
  }
  if (budget.decode_kv_budget_tokens != Budget::kDenseKv && !budget.evicts_kv &&
      budget.decode_kv_budget_tokens < prompt) {
    BatchWork sparse, dense;
    sparse.decodes.push_back({prompt, budget.kv_tokens_read(prompt)});
    dense.decodes.push_back({prompt, prompt});
    if (attention_ns(cost_model, sparse) >= attention_ns(cost_model, dense)) {
      budget.decode_kv_budget_tokens = Budget::kDenseKv;
      decision.decode_fell_back = true;
    }
  }
  decision.budget = budget;
  return decision;
}

}  // namespace sparsesim
