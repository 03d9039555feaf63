// The roofline's closed-form decode runs (cost/roofline_decode_run.cpp) held to a second method: the same
// run priced step by step through step_cost (CostModel::decode_run_by_steps). Every step's duration must be
// equal, its sums and each item's weighted attention times equal to the order of addition; and a regime
// change (a read reaching its budget, a kernel turning compute-bound) must end the form, not bend it.
#include <doctest/doctest.h>

#include <cmath>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include "core/hardware.h"
#include "cost/roofline_cost_model.h"
#include "cost/sparse_method.h"
#include "decode_run_check.h"

using namespace sparsesim;
using namespace sparsesim::testing;

namespace {

RooflineCostModel roofline(const char* gpu, const char* model, int tensor_parallel, bool with_methods,
                           double launch_floor_us = -1) {
  CostModelContext context{load_gpu_spec(gpu), load_model_config(model), tensor_parallel, nullptr, nullptr};
  if (with_methods) {
    const SparseMethods methods = make_sparse_methods(YAML::Node(), "sparse_methods");
    context.prefill_method = methods.prefill;
    context.decode_method = methods.decode;
  }
  RooflineEfficiencies efficiencies = RooflineEfficiencies::from_gpu(context.gpu);
  if (launch_floor_us >= 0) efficiencies.launch_floor_us = launch_floor_us;
  return RooflineCostModel(context, efficiencies);
}

}  // namespace

TEST_CASE("decode runs: the roofline's closed form equals stepping, dense and Quest, H100 and A100 TP2") {
  std::mt19937_64 rng(7);
  for (const auto& [gpu, model, tp] :
       {std::tuple{"H100-SXM", "Qwen2.5-7B", 1}, std::tuple{"A100-SXM-80GB", "Qwen2.5-14B", 2}}) {
    const RooflineCostModel model_with_quest = roofline(gpu, model, tp, true);
    const RooflineCostModel ideal = roofline(gpu, model, tp, false);
    for (int trial = 0; trial < 40; ++trial) {
      const int items = 1 + static_cast<int>(rng() % 96);
      const RunCase run = random_run(rng, items, trial % 3 == 0 ? 0.0 : 0.6, trial % 2 ? 32000 : 300);
      const std::int64_t max_steps = 1 + static_cast<std::int64_t>(rng() % 200);
      check_decode_run_matches_steps(model_with_quest, run, max_steps, rng);
      check_decode_run_matches_steps(ideal, run, max_steps, rng);
    }
  }
}

TEST_CASE("decode runs: a launch floor that stretches the decode class is followed step by step") {
  std::mt19937_64 rng(11);
  // A 200 us launch floor makes the class floor (kernels x layers x floor) exceed the items' sum for
  // small batches, so every item is stretched.
  const RooflineCostModel model = roofline("H100-SXM", "Qwen2.5-7B", 1, true, 200);
  for (int trial = 0; trial < 10; ++trial)
    check_decode_run_matches_steps(model, random_run(rng, 3, 0.5, 2000), 64, rng);
}

TEST_CASE("decode runs: the form ends where a dense read reaches its budget, and the time budget cuts it") {
  const RooflineCostModel model = roofline("H100-SXM", "Qwen2.5-7B", 1, true);
  RunCase run;
  run.batch.decodes = {DecodeStepWork{1000, 1000}, DecodeStepWork{500, 500}};
  run.budgets = {1010, kDenseRead};  // the first turns sparse at context 1011: step 11
  DecodeRunCost out;
  model.decode_run_cost(
      DecodeRunInput{&run.batch, run.budgets.data(), 100, std::numeric_limits<TimeNs>::max()}, out);
  CHECK(out.steps.size() == 11);
  // A time budget of two and a half steps: the third step starts before it, so three steps are priced.
  const TimeNs step_ns = out.steps[0].duration_ns;
  model.decode_run_cost(DecodeRunInput{&run.batch, run.budgets.data(), 100, step_ns * 5 / 2}, out);
  CHECK(out.steps.size() == 3);
  std::mt19937_64 rng(3);
  check_decode_run_matches_steps(model, run, 100, rng);
}

TEST_CASE("decode runs: page crossings, Quest's page terms over a long run") {
  // Contexts at every residue modulo Quest's 16-token pages, over 100 steps: every item crosses pages at
  // its own steps, the sum's increments come from the residue counts.
  const RooflineCostModel model = roofline("H100-SXM", "Qwen2.5-7B", 1, true);
  RunCase run;
  for (std::int64_t context = 4000; context < 4032; ++context) {
    run.batch.decodes.push_back(DecodeStepWork{context, 256});
    run.budgets.push_back(256);
  }
  std::mt19937_64 rng(5);
  DecodeRunCost out;
  model.decode_run_cost(
      DecodeRunInput{&run.batch, run.budgets.data(), 100, std::numeric_limits<TimeNs>::max()}, out);
  CHECK(out.steps.size() == 100);
  CHECK(out.steps.back().duration_ns > out.steps.front().duration_ns);  // scoring grows with the pages
  check_decode_run_matches_steps(model, run, 100, rng);
}
