#include <doctest/doctest.h>

#include "core/input_error.h"
#include "policies/budget_policy.h"

using namespace sparsesim;

namespace {
Request request_of(std::int32_t input_tokens) {
  Request request;
  request.input_tokens = input_tokens;
  request.output_tokens = 100;
  return request;
}
}  // namespace

TEST_CASE("length_scaled keeps c * L^alpha tokens per phase") {
  const PolicyContext context;
  auto policy = make_policy(YAML::Load("{impl: length_scaled, c: 12.8, alpha: 0.5, decode_c_ratio: 0.5}"),
                            "policies[0]", context);
  // L = 16384: k = 12.8 * 128 = 1638.4 -> 26 of 256 blocks; decode keeps 819.2 -> 820 tokens.
  Budget budget = policy->initial_budget(request_of(16384), {});
  CHECK(budget.prefill_density == doctest::Approx(26.0 / 256));
  CHECK(budget.decode_kv_budget_tokens == 820);
  // L = 65536: k = 3276.8 -> 52 of 1024 blocks: four times the length, twice the tokens, half the density.
  budget = policy->initial_budget(request_of(65536), {});
  CHECK(budget.prefill_density == doctest::Approx(52.0 / 1024));
  CHECK(budget.decode_kv_budget_tokens == 1639);
  // Short prompts are dense: k is at least min_kept_tokens (128) >= L.
  CHECK(policy->initial_budget(request_of(100), {}).is_dense());
}

TEST_CASE("length_scaled knob: 0 keeps min_kept_tokens, max is dense at the model's context") {
  ModelConfig model;
  model.context_tokens = 131072;
  PolicyContext context;
  context.model = &model;
  auto policy = make_policy(YAML::Load("{impl: length_scaled, alpha: 0.6}"), "policies[0]", context);
  policy->set_knob(0.0);
  Budget budget = policy->initial_budget(request_of(64000), {});
  CHECK(budget.prefill_density == doctest::Approx(2.0 / 1000));
  CHECK(budget.decode_kv_budget_tokens == 128);
  policy->set_knob(policy->knob().max);
  CHECK(policy->initial_budget(request_of(131072), {}).is_dense());
  policy->set_knob(policy->knob().max * 0.5);
  CHECK_FALSE(policy->initial_budget(request_of(131072), {}).is_dense());
}

TEST_CASE("length_scaled validates its parameters") {
  const PolicyContext context;
  CHECK_THROWS_WITH_AS(make_policy(YAML::Load("{impl: length_scaled, alpha: 1.5}"), "policies[3]", context),
                       doctest::Contains("policies[3].alpha"), InputError);
  CHECK_THROWS_WITH_AS(make_policy(YAML::Load("{impl: length_scaled, c: 0}"), "policies[3]", context),
                       doctest::Contains("policies[3].c"), InputError);
  CHECK_THROWS_WITH_AS(make_policy(YAML::Load("{impl: length_scaled, beta: 1}"), "policies[3]", context),
                       doctest::Contains("policies[3].beta"), InputError);
}
