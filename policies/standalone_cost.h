#pragma once
// A request's standalone GPU time: its prefill priced as one single-request batch (one chunk of the whole
// prompt) and each decode step as a single-request batch, with the given budget. This ignores batching
// (which shares weight reads across requests), so it is not what the simulator charges; it is a per-request
// price that ranks budgets, used by the oracle's Lagrangian and by tests of knob monotonicity.
//
// Decode is priced exactly for up to kDecodeSamples steps; longer decodes are priced at kDecodeSamples
// evenly spaced steps (midpoints of equal strata) scaled by the step count. A step's cost is close to
// affine in its context length, so the error is small and, being the same rule for every budget, it does
// not change rankings.
#include <cstdint>
#include <optional>

#include "core/budget.h"
#include "cost/cost_model.h"
#include "policies/budget_policy.h"
#include "quality/quality_model.h"
#include "workloads/request.h"

namespace sparsesim {

// Eight midpoints integrate an affine step cost exactly; more only cost the oracle's prepare() time.
constexpr int kDecodeSamples = 8;

// Prefill of `input_tokens` at `density`, in ns.
double standalone_prefill_ns(const CostModel& cost_model, std::int64_t input_tokens, double density);

// Decode steps [first_step, end_step) of a request with an `input_tokens` prompt (step i has a cache of
// input_tokens + i tokens) reading at most `kv_budget_tokens` per step, in ns.
double standalone_decode_ns(const CostModel& cost_model, std::int64_t input_tokens,
                            std::int64_t kv_budget_tokens, std::int64_t first_step, std::int64_t end_step);

// Prefill plus every decode step at one budget, in ns.
double standalone_cost_ns(const CostModel& cost_model, const Request& request, const Budget& budget);

// What a policy does to one request served alone: its initial budget, the revision (if any) after
// revision_after_tokens() decode tokens, and the rerun prefill when the escalation asks for one.
struct StandaloneOutcome {
  double cost_ns = 0;    // everything charged, including a rerun prefill
  Budget answer_budget;  // the budget that produced the answer (prefill density that built the cache in use,
                         // decode budget in force at the end)
  bool escalated = false;
};
StandaloneOutcome run_standalone(const BudgetPolicy& policy, const CostModel& cost_model,
                                 const Request& request);

}  // namespace sparsesim
