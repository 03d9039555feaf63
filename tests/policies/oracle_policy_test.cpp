#include <doctest/doctest.h>

#include "core/input_error.h"
#include "policies/budget_policy.h"
#include "policies/standalone_cost.h"
#include "policy_test_doubles.h"

using namespace sparsesim;

namespace {
struct Models {
  testing::LinearCostModel cost;
  testing::ClosedFormQualityModel quality;
  PolicyContext context() const {
    PolicyContext context;
    context.cost_model = &cost;
    context.quality_model = &quality;
    return context;
  }
};
}  // namespace

TEST_CASE("oracle: lambda 0 buys the best quality, a huge lambda the cheapest budget") {
  const Models models;
  auto oracle = make_policy(YAML::Load("{impl: oracle, prefill_densities: [1, 0.5, 0.1],"
                                       " decode_keep_fractions: [1, 0.25]}"),
                            "policies[5]", models.context());
  std::vector<Request> requests(2);
  requests[0].id = 0;
  requests[0].input_tokens = 6400;
  requests[0].output_tokens = 100;
  requests[0].traits.task_family = TaskFamily::high_scope;
  requests[1] = requests[0];
  requests[1].id = 1;
  requests[1].traits.task_family = TaskFamily::single_qa;
  oracle->prepare(requests);

  oracle->set_knob(oracle->knob().max);
  CHECK(oracle->initial_budget(requests[0], {}).is_dense());
  oracle->set_knob(oracle->knob().min);
  const Budget cheapest = oracle->initial_budget(requests[0], {});
  CHECK(cheapest.prefill_density == doctest::Approx(0.1));
  CHECK(cheapest.decode_kv_budget_tokens == 1600);

  // In between, the robust family is made sparser than the fragile one.
  bool separated = false;
  for (double knob = oracle->knob().min; knob <= oracle->knob().max; knob += 0.25) {
    oracle->set_knob(knob);
    const double fragile =
        standalone_cost_ns(models.cost, requests[0], oracle->initial_budget(requests[0], {}));
    const double robust =
        standalone_cost_ns(models.cost, requests[1], oracle->initial_budget(requests[1], {}));
    CHECK(fragile >= robust);
    separated = separated || fragile > robust;
  }
  CHECK(separated);

  // A request it was not prepared with is decided on the spot, the same way.
  Request unseen = requests[0];
  unseen.id = 99;
  oracle->set_knob(oracle->knob().min);
  CHECK(oracle->initial_budget(unseen, {}).prefill_density == doctest::Approx(0.1));
}

TEST_CASE("oracle validates its parameters and needs both models") {
  const Models models;
  CHECK_THROWS_WITH_AS(
      make_policy(YAML::Load("{impl: oracle, prefill_densities: [1, 0]}"), "policies[5]", models.context()),
      doctest::Contains("policies[5].prefill_densities[1]"), InputError);
  CHECK_THROWS_WITH_AS(make_policy(YAML::Load("oracle"), "policies[5]", PolicyContext{}),
                       doctest::Contains("cost model and quality model"), InputError);
}
