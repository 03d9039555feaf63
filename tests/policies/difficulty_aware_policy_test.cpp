#include <doctest/doctest.h>

#include "core/input_error.h"
#include "policies/budget_policy.h"

using namespace sparsesim;

namespace {
Request request_of(std::int32_t input_tokens, TaskFamily truth, TaskFamily predicted) {
  Request request;
  request.input_tokens = input_tokens;
  request.output_tokens = 100;
  request.traits.task_family = truth;
  request.traits.predicted_class = static_cast<int>(predicted);
  return request;
}
}  // namespace

TEST_CASE("difficulty_aware: the predicted task family picks the multiplier on c * L^alpha") {
  const PolicyContext context;
  auto policy =
      make_policy(YAML::Load("{impl: difficulty_aware, c: 10, alpha: 0.5, min_kept_tokens: 16,"
                             " multipliers: {single_qa: 0.5, multi_query_retrieval: 1, high_scope: 4}}"),
                  "policies[0]", context);
  // L = 40000 -> L^0.5 = 200, base k = 2000 tokens.
  const auto easy =
      policy->initial_budget(request_of(40000, TaskFamily::high_scope, TaskFamily::single_qa), {});
  CHECK(easy.decode_kv_budget_tokens == 1000);
  const auto hard =
      policy->initial_budget(request_of(40000, TaskFamily::single_qa, TaskFamily::high_scope), {});
  CHECK(hard.decode_kv_budget_tokens == 8000);  // a misprediction costs compute, as in production
  CHECK(hard.prefill_density == doctest::Approx(125.0 / 625));
  policy->set_knob(0.25);
  CHECK(policy->initial_budget(request_of(40000, TaskFamily::high_scope, TaskFamily::high_scope), {})
            .decode_kv_budget_tokens == 2000);
}

TEST_CASE("difficulty_aware: difficulty-class keys and a policy-side predictor accuracy") {
  const PolicyContext context;
  auto by_difficulty = make_policy(
      YAML::Load("{impl: difficulty_aware, c: 10, alpha: 0.5, multipliers: {0: 0.5, 1: 1, 2: 2}}"), "p",
      context);
  Request request = request_of(40000, TaskFamily::single_qa, TaskFamily::single_qa);
  request.traits.difficulty_class = 0;
  request.traits.predicted_difficulty_class = 2;
  CHECK(by_difficulty->initial_budget(request, {}).decode_kv_budget_tokens == 4000);

  // accuracy 1: always the truth, whatever the workload's prediction said.
  auto perfect = make_policy(
      YAML::Load("{impl: difficulty_aware, c: 10, alpha: 0.5, predictor_accuracy: 1.0}"), "p", context);
  Request wrong = request_of(40000, TaskFamily::high_scope, TaskFamily::single_qa);
  wrong.traits.task_predictor_draw = 0.99;
  CHECK(perfect->initial_budget(wrong, {}).decode_kv_budget_tokens == 4000);  // high_scope x2 by default
  auto useless = make_policy(
      YAML::Load("{impl: difficulty_aware, c: 10, alpha: 0.5, predictor_accuracy: 0.0}"), "p", context);
  CHECK(useless->initial_budget(wrong, {}).decode_kv_budget_tokens != 4000);
}

TEST_CASE("difficulty_aware: table errors name the path") {
  const PolicyContext context;
  CHECK_THROWS_WITH_AS(
      make_policy(YAML::Load("{impl: difficulty_aware, multipliers: {single_qa: 1, high_scope: 2}}"),
                  "policies[4]", context),
      doctest::Contains("multi_query_retrieval"), InputError);
  CHECK_THROWS_WITH_AS(make_policy(YAML::Load("{impl: difficulty_aware, multipliers: {single_qa: 1, 1: 2}}"),
                                   "policies[4]", context),
                       doctest::Contains("policies[4].multipliers"), InputError);
  CHECK_THROWS_WITH_AS(
      make_policy(YAML::Load("{impl: difficulty_aware, multipliers: {easy: 1}}"), "policies[4]", context),
      doctest::Contains("policies[4].multipliers.easy"), InputError);
  CHECK_THROWS_WITH_AS(
      make_policy(
          YAML::Load("{impl: difficulty_aware, multipliers: {single_qa: 1, multi_query_retrieval: -1, "
                     "high_scope: 2}}"),
          "policies[4]", context),
      doctest::Contains("positive multiplier"), InputError);
  auto policy = make_policy(YAML::Load("difficulty_aware"), "policies[4]", context);
  Request unassigned;
  unassigned.input_tokens = 1000;
  CHECK_THROWS_AS(policy->initial_budget(unassigned, {}), InputError);
}
