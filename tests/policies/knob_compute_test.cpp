// Properties every policy must have, checked on a realistic request set (lognormal prompt lengths with a
// Mooncake-like 7K median, outputs around 200 tokens): compute (the sum of each request's standalone GPU
// time under the policy, escalations and reruns included) never falls as the knob rises, and the oracle's
// total expected quality is at least every other policy's at the same total compute.
#include <doctest/doctest.h>

#include <cmath>
#include <string>
#include <vector>

#include "policies/budget_policy.h"
#include "policies/standalone_cost.h"
#include "policy_test_doubles.h"

using namespace sparsesim;

namespace {

const std::vector<std::string> kPolicies = {
    "{impl: fixed, prefill_sparsity: 0.8, decode_sparsity: 0.9}",
    "{impl: length_scaled, alpha: 0.5}",
    "{impl: length_scaled, alpha: 0.7, decode_c_ratio: 0.5}",
    "{impl: difficulty_aware}",
    "{impl: difficulty_aware, predictor_accuracy: 0.6, multipliers: {single_qa: 0.3, multi_query_retrieval: "
    "1, "
    "high_scope: 3}}",
    "{impl: uncertainty_triggered}",
    "{impl: uncertainty_triggered, auroc: 0.9, rerun_prefill: true, escalated_decode_keep: 0.5}",
    "{impl: table, buckets: [{max_tokens: 4096, budgets: {default: {prefill_keep: 0.5, decode_keep: 0.4}}},"
    " {budgets: {single_qa: {prefill_keep: 0.1, decode_keep: 0.05}, default: {prefill_keep: 0.3, "
    "decode_keep: 0.2}}}]}",
    "oracle",
};

struct Totals {
  double cost_ns = 0;
  double quality = 0;
};

struct Fixture {
  testing::LinearCostModel cost_model;
  testing::ClosedFormQualityModel quality_model;
  std::vector<Request> requests = testing::lognormal_requests(400, 2024);
  PolicyContext context() const {
    PolicyContext context;
    context.cost_model = &cost_model;
    context.quality_model = &quality_model;
    return context;
  }
  std::unique_ptr<BudgetPolicy> build(const std::string& yaml) const {
    auto policy = make_policy(YAML::Load(yaml), "policies[0]", context());
    policy->prepare(requests);
    return policy;
  }
  Totals totals(const BudgetPolicy& policy) const {
    Totals sum;
    for (const auto& request : requests) {
      const StandaloneOutcome outcome = run_standalone(policy, cost_model, request);
      sum.cost_ns += outcome.cost_ns;
      sum.quality += quality_model.score(request, outcome.answer_budget).expected_quality;
    }
    return sum;
  }
};

// Knob values from min to max, denser near min where budgets change fastest.
std::vector<double> knob_grid(const KnobSpec& knob, int points) {
  std::vector<double> grid;
  for (int index = 0; index <= points; ++index)
    grid.push_back(knob.min + (knob.max - knob.min) * std::pow(static_cast<double>(index) / points, 2));
  return grid;
}

}  // namespace

TEST_CASE("compute is non-decreasing in every policy's knob") {
  const Fixture fixture;
  for (const auto& yaml : kPolicies) {
    CAPTURE(yaml);
    auto policy = fixture.build(yaml);
    double previous = -1;
    double lowest = 0, highest = 0;
    for (double knob : knob_grid(policy->knob(), 40)) {
      policy->set_knob(knob);
      const double cost = fixture.totals(*policy).cost_ns;
      CAPTURE(knob);
      CHECK(cost >= previous * (1 - 1e-12));
      if (previous < 0) lowest = cost;
      previous = highest = cost;
    }
    CHECK(highest > 1.25 * lowest);  // the knob really moves compute
  }
}

TEST_CASE("oracle's expected quality is at least every policy's at the same total compute") {
  const Fixture fixture;
  auto oracle = fixture.build("oracle");
  const KnobSpec oracle_knob = oracle->knob();
  for (const auto& yaml : kPolicies) {
    if (yaml == "oracle") continue;
    CAPTURE(yaml);
    auto policy = fixture.build(yaml);
    const KnobSpec knob = policy->knob();
    for (double fraction : {0.02, 0.1, 0.3}) {
      policy->set_knob(knob.min + fraction * (knob.max - knob.min));
      const Totals target = fixture.totals(*policy);
      // Bisection for the oracle knobs whose compute brackets the policy's.
      double low = oracle_knob.min, high = oracle_knob.max;
      oracle->set_knob(low);
      if (fixture.totals(*oracle).cost_ns > target.cost_ns) continue;  // policy cheaper than oracle's floor
      oracle->set_knob(high);
      if (fixture.totals(*oracle).cost_ns <= target.cost_ns) {
        CHECK(fixture.totals(*oracle).quality >= target.quality - 1e-9);
        continue;
      }
      for (int step = 0; step < 40; ++step) {
        const double middle = 0.5 * (low + high);
        oracle->set_knob(middle);
        (fixture.totals(*oracle).cost_ns <= target.cost_ns ? low : high) = middle;
      }
      oracle->set_knob(low);
      const Totals below = fixture.totals(*oracle);
      oracle->set_knob(high);
      const Totals above = fixture.totals(*oracle);
      // The oracle's choices jump between knob values, so its compute rarely equals the target exactly;
      // the Lagrangian bound at exactly the target is the mix of the two bracketing allocations (one
      // request split between its two candidates), i.e. linear interpolation between them.
      const double weight = (target.cost_ns - below.cost_ns) / (above.cost_ns - below.cost_ns);
      const double matched_quality = below.quality + weight * (above.quality - below.quality);
      CAPTURE(fraction);
      CAPTURE(target.quality);
      CAPTURE(below.quality);
      CAPTURE(below.cost_ns / target.cost_ns);
      CHECK(below.cost_ns <= target.cost_ns);
      CHECK(matched_quality >= target.quality - 1e-9);
    }
  }
}
