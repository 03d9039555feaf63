#include "policies/standalone_cost.h"

#include <algorithm>

namespace sparsesim {

double standalone_prefill_ns(const CostModel& cost_model, std::int64_t input_tokens, double density) {
  BatchWork batch;
  batch.prefills.push_back({static_cast<std::int32_t>(input_tokens), 0, density});
  StepCost cost;
  cost_model.step_cost(batch, cost);
  return static_cast<double>(cost.duration_ns);
}

double standalone_decode_ns(const CostModel& cost_model, std::int64_t input_tokens,
                            std::int64_t kv_budget_tokens, std::int64_t first_step, std::int64_t end_step) {
  const std::int64_t steps = end_step - first_step;
  if (steps <= 0) return 0.0;
  BatchWork batch;
  batch.decodes.resize(1);
  StepCost cost;
  auto step_ns = [&](std::int64_t step) {
    const std::int64_t context = input_tokens + step;
    batch.decodes[0] = {context, std::min(context, kv_budget_tokens)};
    cost_model.step_cost(batch, cost);
    return static_cast<double>(cost.duration_ns);
  };
  double total = 0.0;
  if (steps <= kDecodeSamples) {
    for (std::int64_t step = first_step; step < end_step; ++step) total += step_ns(step);
    return total;
  }
  for (int sample = 0; sample < kDecodeSamples; ++sample) {
    // Midpoint of the sample-th of kDecodeSamples equal strata of [first_step, end_step).
    const std::int64_t step = first_step + (steps * (2 * sample + 1)) / (2 * kDecodeSamples);
    total += step_ns(step);
  }
  return total * static_cast<double>(steps) / kDecodeSamples;
}

double standalone_cost_ns(const CostModel& cost_model, const Request& request, const Budget& budget) {
  return standalone_prefill_ns(cost_model, request.input_tokens, budget.prefill_density) +
         standalone_decode_ns(cost_model, request.input_tokens, budget.decode_kv_budget_tokens, 0,
                              request.output_tokens);
}

StandaloneOutcome run_standalone(const BudgetPolicy& policy, const CostModel& cost_model,
                                 const Request& request) {
  StandaloneOutcome outcome;
  const Budget initial = policy.initial_budget(request, SystemLoad{});
  outcome.answer_budget = initial;
  const int revise_after = policy.revision_after_tokens();
  if (revise_after < 0 || revise_after >= request.output_tokens) {
    outcome.cost_ns = standalone_cost_ns(cost_model, request, initial);
    return outcome;
  }
  outcome.cost_ns = standalone_prefill_ns(cost_model, request.input_tokens, initial.prefill_density) +
                    standalone_decode_ns(cost_model, request.input_tokens, initial.decode_kv_budget_tokens, 0,
                                         revise_after);
  Budget rest = initial;
  if (const auto escalation = policy.revise(request, initial)) {
    outcome.escalated = true;
    rest = escalation->budget;
    if (escalation->rerun_prefill) {
      outcome.cost_ns += standalone_prefill_ns(cost_model, request.input_tokens, rest.prefill_density);
    } else {
      rest.prefill_density = initial.prefill_density;  // the cache in use was built at the old density
    }
  }
  outcome.cost_ns += standalone_decode_ns(cost_model, request.input_tokens, rest.decode_kv_budget_tokens,
                                          revise_after, request.output_tokens);
  outcome.answer_budget = rest;
  return outcome;
}

}  // namespace sparsesim
