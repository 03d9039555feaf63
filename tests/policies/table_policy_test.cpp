#include <doctest/doctest.h>

#include "core/input_error.h"
#include "policies/budget_policy.h"

using namespace sparsesim;

namespace {
const char* kTable = R"(
impl: table
buckets:
  - max_tokens: 8192
    budgets:
      single_qa: {prefill_keep: 0.25, decode_keep: 0.125}
      default: {prefill_keep: 0.5, decode_keep: 0.5}
  - budgets:
      high_scope: {prefill_keep: 0.5, decode_keep: 0.25}
)";

Request request_of(std::int32_t input_tokens, TaskFamily predicted) {
  Request request;
  request.input_tokens = input_tokens;
  request.output_tokens = 10;
  request.traits.predicted_class = static_cast<int>(predicted);
  return request;
}
}  // namespace

TEST_CASE("table: budgets by length bucket and predicted class, with a default") {
  auto policy = make_policy(YAML::Load(kTable), "policies[6]", PolicyContext{});
  Budget budget = policy->initial_budget(request_of(6400, TaskFamily::single_qa), {});
  CHECK(budget.prefill_density == doctest::Approx(0.25));
  CHECK(budget.decode_kv_budget_tokens == 800);
  budget = policy->initial_budget(request_of(6400, TaskFamily::high_scope), {});  // default of bucket 0
  CHECK(budget.prefill_density == doctest::Approx(0.5));
  budget = policy->initial_budget(request_of(64000, TaskFamily::high_scope), {});  // beyond the last max
  CHECK(budget.decode_kv_budget_tokens == 16000);
  CHECK_THROWS_WITH_AS(policy->initial_budget(request_of(64000, TaskFamily::single_qa), {}),
                       doctest::Contains("single_qa"), InputError);
  CHECK(policy->knob().max == doctest::Approx(8.0));
  policy->set_knob(2.0);
  CHECK(policy->initial_budget(request_of(6400, TaskFamily::single_qa), {}).prefill_density ==
        doctest::Approx(0.5));
  policy->set_knob(8.0);
  CHECK(policy->initial_budget(request_of(6400, TaskFamily::single_qa), {}).is_dense());
}

TEST_CASE("table: malformed tables are errors naming the path") {
  CHECK_THROWS_WITH_AS(make_policy(YAML::Load("table"), "policies[6]", PolicyContext{}),
                       doctest::Contains("policies[6].buckets: required"), InputError);
  CHECK_THROWS_WITH_AS(
      make_policy(YAML::Load("{impl: table, buckets: [{budgets: {reasoning: {prefill_keep: 0.5}}}]}"),
                  "policies[6]", PolicyContext{}),
      doctest::Contains("policies[6].buckets[0].budgets.reasoning"), InputError);
  CHECK_THROWS_WITH_AS(
      make_policy(YAML::Load("{impl: table, buckets: [{budgets: {default: {prefill_keep: 1.5}}}]}"),
                  "policies[6]", PolicyContext{}),
      doctest::Contains("policies[6].buckets[0].budgets.default.prefill_keep"), InputError);
  CHECK_THROWS_WITH_AS(
      make_policy(YAML::Load("{impl: table, key: length, buckets: [{budgets: {default: {}}}]}"),
                  "policies[6]", PolicyContext{}),
      doctest::Contains("policies[6].key"), InputError);
  CHECK_THROWS_WITH_AS(
      make_policy(
          YAML::Load("{impl: table, buckets: [{budgets: {default: {}}}, {max_tokens: 5, budgets: {default: "
                     "{}}}]}"),
          "policies[6]", PolicyContext{}),
      doctest::Contains("only the last bucket"), InputError);
}

TEST_CASE("table: keyed by predicted difficulty class") {
  auto policy = make_policy(
      YAML::Load("{impl: table, key: predicted_difficulty, buckets: [{budgets: {0: {prefill_keep: 0.25}, "
                 "default: {prefill_keep: 1.0}}}]}"),
      "p", PolicyContext{});
  Request request = request_of(6400, TaskFamily::unknown);
  request.traits.predicted_difficulty_class = 0;
  CHECK(policy->initial_budget(request, {}).prefill_density == doctest::Approx(0.25));
  request.traits.predicted_difficulty_class = 2;
  CHECK(policy->initial_budget(request, {}).prefill_density == 1.0);
}
