#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>

#include "core/input_error.h"
#include "policies/budget_policy.h"
#include "policies/standalone_cost.h"
#include "policies/uncertainty_signal.h"
#include "policy_test_doubles.h"
#include "workloads/seeded_draws.h"

using namespace sparsesim;

namespace {

// Mann-Whitney estimate of P(score of a failing request > score of a passing one), ties counted half.
double empirical_auroc(std::vector<std::pair<double, bool>> scored) {
  std::sort(scored.begin(), scored.end());
  double failing = 0, passing_below = 0, pairs_won = 0;
  for (const auto& [score, failed] : scored) {
    if (failed) {
      pairs_won += passing_below;
      ++failing;
    } else {
      ++passing_below;
    }
  }
  return pairs_won / (failing * passing_below);
}

}  // namespace

TEST_CASE("uncertainty score has the configured AUROC against failing at the budget in force") {
  const testing::ClosedFormQualityModel quality_model;
  const auto requests = testing::lognormal_requests(20000, 11);
  const Budget cheap = {0.1, 64, false};
  for (double auroc : {0.6, 0.8, 0.9}) {
    const double separation = separation_for_auroc(auroc);
    std::vector<std::pair<double, bool>> scored;
    for (const auto& request : requests) {
      const double quality = quality_model.score(request, cheap).expected_quality;
      scored.emplace_back(uncertainty_score(request, quality, separation), fails_at(request, quality));
    }
    // With ~5-10k of each class the AUROC's standard error is about 0.004; allow 3.5 of them.
    CHECK(std::fabs(empirical_auroc(scored) - auroc) < 0.014);
  }
  CHECK(separation_for_auroc(0.5) == doctest::Approx(0.0));
  CHECK_THROWS(separation_for_auroc(1.0));
}

TEST_CASE("failure draws average to the expected quality") {
  const testing::ClosedFormQualityModel quality_model;
  const auto requests = testing::lognormal_requests(20000, 12);
  for (const Budget& budget : {Budget{}, Budget{0.2, 500, false}, Budget{0.05, 64, false}}) {
    double expected = 0, passed = 0;
    for (const auto& request : requests) {
      const double quality = quality_model.score(request, budget).expected_quality;
      expected += quality;
      passed += fails_at(request, quality) ? 0 : 1;
    }
    CHECK(std::fabs(passed - expected) / requests.size() < 0.012);  // 3.5 standard errors
  }
}

TEST_CASE("uncertainty_triggered starts cheap and escalates uncertain requests") {
  const testing::ClosedFormQualityModel quality_model;
  PolicyContext context;
  context.quality_model = &quality_model;
  auto policy = make_policy(
      YAML::Load("{impl: uncertainty_triggered, auroc: 0.9, threshold: 1.0, check_after_tokens: 16,"
                 " cheap_prefill_keep: 0.25, cheap_decode_keep: 0.1, escalated_decode_keep: 0.5,"
                 " escalated_prefill_keep: 1.0, rerun_prefill: true}"),
      "policies[0]", context);
  CHECK(policy->revision_after_tokens() == 16);
  Request request;
  request.input_tokens = 6400;
  request.output_tokens = 300;
  request.traits.task_family = TaskFamily::high_scope;
  const Budget initial = policy->initial_budget(request, {});
  CHECK(initial.prefill_density == doctest::Approx(0.25));
  CHECK(initial.decode_kv_budget_tokens == 640);

  request.traits.failure_draw = 0.999;  // fails at any budget below perfection
  request.traits.uncertainty_noise = 0.0;
  const auto escalation = policy->revise(request, initial);
  REQUIRE(escalation.has_value());
  CHECK(escalation->budget.decode_kv_budget_tokens == 3200);
  CHECK(escalation->budget.prefill_density == 1.0);
  CHECK(escalation->rerun_prefill);

  request.traits.failure_draw = 0.001;  // passes: score = noise only
  CHECK_FALSE(policy->revise(request, initial).has_value());
  request.traits.uncertainty_noise = 1.5;  // a false alarm
  CHECK(policy->revise(request, initial).has_value());

  policy->set_knob(policy->knob().min);
  request.traits.failure_draw = 0.999;
  request.traits.uncertainty_noise = 8.5;
  CHECK_FALSE(policy->revise(request, initial).has_value());
  policy->set_knob(policy->knob().max);
  request.traits.failure_draw = 0.001;
  request.traits.uncertainty_noise = -8.5;
  CHECK(policy->revise(request, initial).has_value());
}

TEST_CASE("uncertainty_triggered without rerun keeps the prefill that built the cache") {
  const testing::ClosedFormQualityModel quality_model;
  const testing::LinearCostModel cost_model;
  PolicyContext context;
  context.quality_model = &quality_model;
  auto policy = make_policy(YAML::Load("{impl: uncertainty_triggered, threshold: -100}"), "p", context);
  Request request;
  request.input_tokens = 6400;
  request.output_tokens = 300;
  request.traits.task_family = TaskFamily::single_qa;
  const auto outcome = run_standalone(*policy, cost_model, request);
  CHECK(outcome.escalated);
  CHECK(outcome.answer_budget.prefill_density == doctest::Approx(0.2));
  CHECK(outcome.answer_budget.decode_kv_budget_tokens == Budget::kDenseKv);
}

TEST_CASE("uncertainty_triggered validates its parameters and needs a quality model") {
  const testing::ClosedFormQualityModel quality_model;
  PolicyContext context;
  context.quality_model = &quality_model;
  CHECK_THROWS_WITH_AS(
      make_policy(YAML::Load("{impl: uncertainty_triggered, auroc: 1.2}"), "policies[2]", context),
      doctest::Contains("policies[2].auroc"), InputError);
  CHECK_THROWS_WITH_AS(
      make_policy(
          YAML::Load("{impl: uncertainty_triggered, cheap_decode_keep: 0.5, escalated_decode_keep: 0.3}"),
          "policies[2]", context),
      doctest::Contains("escalated"), InputError);
  CHECK_THROWS_WITH_AS(make_policy(YAML::Load("uncertainty_triggered"), "policies[2]", PolicyContext{}),
                       doctest::Contains("quality model"), InputError);
}
