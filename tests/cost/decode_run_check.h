#pragma once
// Test support: a decode run priced by a cost model's decode_run_cost against the same run stepped through
// step_cost (CostModel::decode_run_by_steps), the second method every closed form is held to.
#include <doctest/doctest.h>

#include <algorithm>
#include <cstdint>
#include <limits>
#include <random>
#include <vector>

#include "cost/cost_model.h"

namespace sparsesim::testing {

constexpr std::int64_t kDenseRead = std::numeric_limits<std::int64_t>::max();

struct RunCase {
  BatchWork batch;
  std::vector<std::int64_t> budgets;
};

// `count` decodes with random contexts; `sparse_share` of them read a budget below their context.
inline RunCase random_run(std::mt19937_64& rng, int count, double sparse_share, std::int64_t max_context) {
  RunCase run;
  std::uniform_int_distribution<std::int64_t> context(1, max_context);
  std::uniform_real_distribution<double> unit(0, 1);
  for (int i = 0; i < count; ++i) {
    const std::int64_t tokens = context(rng);
    std::int64_t budget = kDenseRead;
    if (unit(rng) < sparse_share) {
      budget = std::max<std::int64_t>(1, static_cast<std::int64_t>(tokens * (0.05 + 0.9 * unit(rng))));
    } else if (unit(rng) < 0.2) {
      budget = tokens + static_cast<std::int64_t>(unit(rng) * 40);  // dense now, sparse within the run
    }
    run.batch.decodes.push_back(DecodeStepWork{tokens, std::min(tokens, budget)});
    run.budgets.push_back(budget);
  }
  return run;
}

inline void check_decode_run_matches_steps(const CostModel& model, const RunCase& run, std::int64_t max_steps,
                                           std::mt19937_64& rng) {
  const DecodeRunInput input{&run.batch, run.budgets.data(), max_steps, std::numeric_limits<TimeNs>::max()};
  DecodeRunCost closed, stepped;
  model.decode_run_cost(input, closed);
  REQUIRE(closed.closed_form());
  // The stepping reference over exactly the steps the closed form covered.
  DecodeRunInput same_steps = input;
  same_steps.max_steps = static_cast<std::int64_t>(closed.steps.size());
  model.decode_run_by_steps(same_steps, stepped);
  REQUIRE(stepped.steps.size() == closed.steps.size());
  for (std::size_t k = 0; k < closed.steps.size(); ++k) {
    const DecodeRunStep &a = closed.steps[k], &b = stepped.steps[k];
    CHECK(a.duration_ns == b.duration_ns);
    CHECK(a.attention_ns == doctest::Approx(b.attention_ns).epsilon(1e-12));
    CHECK(a.linear_ns == doctest::Approx(b.linear_ns).epsilon(1e-9));
    CHECK(a.attention_flops == doctest::Approx(b.attention_flops).epsilon(1e-12));
    CHECK(a.memory_bytes == doctest::Approx(b.memory_bytes).epsilon(1e-12));
    CHECK(a.linear_flops == b.linear_flops);
  }
  std::uniform_real_distribution<double> unit(0.5, 2);
  std::vector<double> weights(closed.steps.size());
  for (double& weight : weights) weight = unit(rng);
  const std::size_t items = run.batch.decodes.size();
  std::vector<double> closed_sums(items), stepped_sums(items);
  closed.weighted_item_sums(weights.data(), closed_sums.data());
  stepped.weighted_item_sums(weights.data(), stepped_sums.data());
  for (std::size_t i = 0; i < items; ++i)
    CHECK(closed_sums[i] == doctest::Approx(stepped_sums[i]).epsilon(1e-12));
}

}  // namespace sparsesim::testing
