#include <doctest/doctest.h>

#include "core/input_error.h"
#include "policies/budget_policy.h"

using namespace sparsesim;

TEST_CASE("fixed policy keeps the configured fraction and scales with its knob") {
  const PolicyContext context;
  auto policy = make_policy(YAML::Load("{impl: fixed, prefill_sparsity: 0.75, decode_sparsity: 0.9}"),
                            "policies[0]", context);
  Request request;
  request.input_tokens = 10000;
  Budget budget = policy->initial_budget(request, {});
  CHECK(budget.prefill_density == doctest::Approx(0.25));
  CHECK(budget.decode_kv_budget_tokens == 1000);
  policy->set_knob(policy->knob().max);
  CHECK(policy->initial_budget(request, {}).is_dense());
  policy->set_knob(0.5);
  CHECK(policy->initial_budget(request, {}).prefill_density == doctest::Approx(0.125));
}

TEST_CASE("fixed policy rejects unknown keys and bad sparsities, naming the YAML path") {
  const PolicyContext context;
  CHECK_THROWS_WITH_AS(make_policy(YAML::Load("{impl: fixed, sparsity: 0.5}"), "policies[1]", context),
                       doctest::Contains("policies[1].sparsity"), InputError);
  CHECK_THROWS_WITH_AS(
      make_policy(YAML::Load("{impl: fixed, prefill_sparsity: 1.5}"), "policies[1]", context),
      doctest::Contains("expected a sparsity in [0, 1)"), InputError);
  CHECK_THROWS_AS(make_policy(YAML::Load("nonexistent"), "policies[2]", context), InputError);
}

TEST_CASE("dense policy is dense") {
  const PolicyContext context;
  auto policy = make_policy(YAML::Load("dense"), "policies[0]", context);
  Request request;
  request.input_tokens = 500;
  CHECK(policy->initial_budget(request, {}).is_dense());
}
