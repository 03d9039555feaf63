#pragma once
// Small closed-form stand-ins for the real cost and quality models, so policy tests do not depend on
// calibration data: a cost linear in tokens and attended keys, and a retention that falls smoothly with
// sparsity, faster for fragile task families and for short prompts.
#include <algorithm>
#include <cmath>
#include <vector>

#include "cost/cost_model.h"
#include "quality/quality_model.h"
#include "workloads/request.h"
#include "workloads/request_traits.h"
#include "workloads/seeded_draws.h"

namespace sparsesim::testing {

class LinearCostModel final : public CostModel {
 public:
  void step_cost(const BatchWork& batch, StepCost& out) const override {
    double ns = batch.prefills.empty() && batch.decodes.empty() ? 0.0 : 10'000.0;
    for (const auto& prefill : batch.prefills) {
      const double keys = prefill.cached_tokens + 0.5 * prefill.new_tokens;
      ns += 20.0 * prefill.new_tokens + 0.004 * prefill.density * prefill.new_tokens * keys;
    }
    for (const auto& decode : batch.decodes)
      ns += 20'000.0 + 2.0 * decode.kv_tokens_read + 0.05 * decode.context_tokens;
    out.duration_ns = static_cast<TimeNs>(std::llround(ns));
  }
  std::string describe() const override { return "linear test cost model"; }
};

class ClosedFormQualityModel final : public QualityModel {
 public:
  QualityScore score(const Request& request, const Budget& budget) const override {
    const double fragility = fragility_of(request.traits.task_family);
    const double length_factor = std::pow(16384.0 / std::max(64, request.input_tokens), 0.3);
    QualityScore score;
    const double prefill_sparsity = budget.prefill_sparsity();
    const double decode_sparsity = budget.decode_sparsity(request.input_tokens);
    score.prefill_retention =
        std::clamp(1.0 - fragility * length_factor * std::pow(prefill_sparsity, 3), 0.0, 1.0);
    score.decode_retention =
        std::clamp(1.0 - 0.7 * fragility * length_factor * std::pow(decode_sparsity, 3), 0.0, 1.0);
    score.expected_quality = 0.9 * score.prefill_retention * score.decode_retention;
    return score;
  }
  std::string describe() const override { return "closed-form test quality model"; }

 private:
  static double fragility_of(TaskFamily family) {
    switch (family) {
      case TaskFamily::single_qa:
        return 0.1;
      case TaskFamily::multi_query_retrieval:
        return 0.4;
      case TaskFamily::high_scope:
        return 0.8;
      case TaskFamily::unknown:
        break;
    }
    return 0.4;
  }
};

// Requests with lognormal prompt lengths (median 7K tokens, like Mooncake's 6.9K) and outputs (median 200),
// with traits assigned by workloads/request_traits.h.
inline std::vector<Request> lognormal_requests(int count, std::uint64_t seed,
                                               double predictor_accuracy = 0.8) {
  std::vector<Request> requests(count);
  std::mt19937_64 generator(seed);
  for (int index = 0; index < count; ++index) {
    const auto [length_normal, output_normal] = standard_normal_pair(generator);
    requests[index].id = static_cast<std::uint64_t>(index);
    requests[index].input_tokens = static_cast<std::int32_t>(
        std::clamp(std::exp(std::log(7000.0) + 1.0 * length_normal), 64.0, 131072.0));
    requests[index].output_tokens =
        static_cast<std::int32_t>(std::clamp(std::exp(std::log(200.0) + 0.8 * output_normal), 1.0, 2000.0));
  }
  RequestTraitsConfig config;
  config.task_confusion = uniform_confusion(3, predictor_accuracy);
  assign_request_traits(requests, config, seed);
  return requests;
}

}  // namespace sparsesim::testing
