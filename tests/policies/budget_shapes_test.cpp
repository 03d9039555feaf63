#include <doctest/doctest.h>

#include "policies/budget_shapes.h"
#include "policies/standalone_cost.h"
#include "policy_test_doubles.h"

using namespace sparsesim;

TEST_CASE("kept tokens round up to whole 64-token prefill blocks; covering the prompt is dense") {
  CHECK(prefill_density_for_kept_tokens(1, 6400) == doctest::Approx(1.0 / 100));
  CHECK(prefill_density_for_kept_tokens(64, 6400) == doctest::Approx(1.0 / 100));
  CHECK(prefill_density_for_kept_tokens(65, 6400) == doctest::Approx(2.0 / 100));
  CHECK(prefill_density_for_kept_tokens(0, 6400) == doctest::Approx(1.0 / 100));  // at least one block
  CHECK(prefill_density_for_kept_tokens(6400, 6400) == 1.0);
  CHECK(prefill_density_for_kept_tokens(6399.5, 6400) == 1.0);                   // 100 of 100 blocks
  CHECK(prefill_density_for_kept_tokens(100, 130) == doctest::Approx(2.0 / 3));  // 2 of 3 blocks
}

TEST_CASE("decode budgets: at least min_kv_tokens, dense once they cover the prompt") {
  CHECK(decode_budget_for_kept_tokens(999.2, 10000, 64) == 1000);
  CHECK(decode_budget_for_kept_tokens(10, 10000, 64) == 64);
  CHECK(decode_budget_for_kept_tokens(10000, 10000, 64) == Budget::kDenseKv);
  const Budget budget = budget_from_kept_fractions(0.25, 2.0, 6400, 64);
  CHECK(budget.prefill_density == doctest::Approx(0.25));
  CHECK(budget.decode_kv_budget_tokens == Budget::kDenseKv);
}

TEST_CASE("standalone cost: sampled decode matches the exact sum of single-request steps") {
  const testing::LinearCostModel cost_model;
  Request request;
  request.input_tokens = 5000;
  request.output_tokens = 1000;
  Budget budget;
  budget.decode_kv_budget_tokens = 3000;
  budget.prefill_density = 0.5;
  double exact = standalone_prefill_ns(cost_model, 5000, 0.5);
  for (int step = 0; step < 1000; ++step) {
    BatchWork batch;
    batch.decodes.push_back({5000 + step, std::min<std::int64_t>(5000 + step, 3000)});
    StepCost cost;
    cost_model.step_cost(batch, cost);
    exact += static_cast<double>(cost.duration_ns);
  }
  CHECK(standalone_cost_ns(cost_model, request, budget) == doctest::Approx(exact).epsilon(1e-3));
  CHECK(standalone_cost_ns(cost_model, request, Budget{}) > standalone_cost_ns(cost_model, request, budget));
}
