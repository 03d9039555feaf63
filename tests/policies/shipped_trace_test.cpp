// The knob and oracle properties again, on the real stack: the shipped Mooncake trace (every 20th request,
// for speed), the roofline cost model of an H100 serving Qwen2.5-7B, and the shipped quality prior.
#include <doctest/doctest.h>

#include <chrono>
#include <cmath>
#include <iostream>
#include <string>
#include <vector>

#include "cost/roofline_cost_model.h"
#include "policies/budget_policy.h"
#include "policies/standalone_cost.h"
#include "quality/curve_quality_model.h"
#include "workloads/request_traits.h"
#include "workloads/trace_reader.h"

using namespace sparsesim;

namespace {

struct ShippedStack {
  GpuSpec gpu = load_gpu_spec("H100-SXM");
  ModelConfig model = load_model_config("Qwen2.5-7B");
  RooflineCostModel cost_model{gpu, model, 1, RooflineEfficiencies::from_gpu(gpu)};
  std::unique_ptr<QualityModel> quality_model = make_quality_model(
      YAML::Load(std::string(SPARSESIM_SOURCE_DIR) + "/data/quality/sparse_frontier_prior.csv"), "quality",
      model.name);
  std::vector<Request> all_requests;
  std::vector<Request> requests;  // every 20th

  ShippedStack() {
    TraceLoadReport report;
    all_requests = load_trace(
        std::string(SPARSESIM_SOURCE_DIR) + "/data/traces/mooncake/conversation_trace.jsonl", "", report);
    const auto config = parse_request_traits_config(
        YAML::Load("{task_mix: {single_qa: 0.5, multi_query_retrieval: 0.3, high_scope: 0.2},"
                   " predictor_accuracy: 0.8}"),
        "workload");
    assign_request_traits(all_requests, config, 1);
    for (std::size_t index = 0; index < all_requests.size(); index += 20)
      requests.push_back(all_requests[index]);
  }
  PolicyContext context() const {
    PolicyContext context;
    context.model = &model;
    context.cost_model = &cost_model;
    context.quality_model = quality_model.get();
    return context;
  }
  std::pair<double, double> totals(const BudgetPolicy& policy) const {
    double cost = 0, quality = 0;
    for (const auto& request : requests) {
      const auto outcome = run_standalone(policy, cost_model, request);
      cost += outcome.cost_ns;
      quality += quality_model->score(request, outcome.answer_budget).expected_quality;
    }
    return {cost, quality};
  }
};

const ShippedStack& stack() {
  static const ShippedStack shipped;
  return shipped;
}

}  // namespace

TEST_CASE("on the Mooncake trace, compute rises with every knob and the oracle bounds the others") {
  const ShippedStack& shipped = stack();
  REQUIRE(shipped.requests.size() > 500);
  auto oracle = make_policy(YAML::Load("oracle"), "policies[0]", shipped.context());
  oracle->prepare(shipped.requests);
  const KnobSpec oracle_knob = oracle->knob();
  for (const char* yaml : {"{impl: fixed}", "{impl: length_scaled}", "{impl: difficulty_aware}",
                           "{impl: uncertainty_triggered}", "oracle"}) {
    const std::string name = yaml;
    CAPTURE(name);
    auto policy = make_policy(YAML::Load(yaml), "policies[0]", shipped.context());
    policy->prepare(shipped.requests);
    const KnobSpec knob = policy->knob();
    double previous = -1;
    for (int step = 0; step <= 12; ++step) {
      policy->set_knob(knob.min + (knob.max - knob.min) * std::pow(step / 12.0, 2));
      const double cost = shipped.totals(*policy).first;
      CHECK(cost >= previous * (1 - 1e-12));
      previous = cost;
    }
    if (std::string(yaml) == "oracle") continue;
    policy->set_knob(knob.min + 0.05 * (knob.max - knob.min));
    const auto [target_cost, target_quality] = shipped.totals(*policy);
    double low = oracle_knob.min, high = oracle_knob.max;
    for (int step = 0; step < 30; ++step) {
      const double middle = 0.5 * (low + high);
      oracle->set_knob(middle);
      (shipped.totals(*oracle).first <= target_cost ? low : high) = middle;
    }
    oracle->set_knob(low);
    const auto [below_cost, below_quality] = shipped.totals(*oracle);
    oracle->set_knob(high);
    const auto [above_cost, above_quality] = shipped.totals(*oracle);
    const double weight =
        above_cost > below_cost ? (target_cost - below_cost) / (above_cost - below_cost) : 0.0;
    const double oracle_quality = below_quality + weight * (above_quality - below_quality);
    MESSAGE(name << " at 5% of its knob range: mean expected quality "
                 << target_quality / shipped.requests.size() << ", oracle at the same standalone compute "
                 << oracle_quality / shipped.requests.size());
    CHECK(oracle_quality >= target_quality - 1e-9);
  }
}

TEST_CASE("oracle prepares the whole Mooncake trace quickly") {
  const ShippedStack& shipped = stack();
  auto oracle = make_policy(YAML::Load("oracle"), "policies[0]", shipped.context());
  const auto start = std::chrono::steady_clock::now();
  oracle->prepare(shipped.all_requests);
  const double prepare_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  const auto decide_start = std::chrono::steady_clock::now();
  std::int64_t dense = 0;
  for (const auto& request : shipped.all_requests) dense += oracle->initial_budget(request, {}).is_dense();
  const double decide_s =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - decide_start).count();
  MESSAGE("oracle on " << shipped.all_requests.size() << " requests: prepare " << prepare_s
                       << " s, decisions " << decide_s << " s, dense " << dense);
  CHECK(prepare_s < 30.0);
}
