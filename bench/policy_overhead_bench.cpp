// Policy overhead (issue 3): the foundation benchmark (the Mooncake conversation trace on 4 H100-SXM
// replicas serving Qwen2.5-7B) under each policy with the shipped quality model, against `dense` with no
// quality model. Target: policies add at most 20% to the simulation time. Each policy's one-time
// prepare() over the trace (the oracle prices every request's candidate budgets there) is a separate
// benchmark, since the iso-compute solver calls it once per workload, not once per simulation.
//   build/bench/policy_overhead_bench
#include <benchmark/benchmark.h>

#include <memory>
#include <string>
#include <vector>

#include "core/hardware.h"
#include "cost/cost_model.h"
#include "cost/sparse_method.h"
#include "policies/budget_policy.h"
#include "quality/curve_quality_model.h"
#include "sim/simulation.h"
#include "workloads/request_traits.h"
#include "workloads/trace_reader.h"

namespace sparsesim {
namespace {

struct World {
  std::vector<Request> requests;
  ClusterConfig cluster;
  std::unique_ptr<CostModel> cost_model;
  std::unique_ptr<QualityModel> quality_model;
};

const World& world() {
  static const World instance = [] {
    World w;
    TraceLoadReport report;
    w.requests = load_trace(
        std::string(SPARSESIM_SOURCE_DIR) + "/data/traces/mooncake/conversation_trace.jsonl", "", report);
    const RequestTraitsConfig traits = parse_request_traits_config(
        YAML::Load("{task_mix: {single_qa: 0.5, multi_query_retrieval: 0.3, high_scope: 0.2}, "
                   "predictor_accuracy: 0.8}"),
        "workload");
    assign_request_traits(w.requests, traits, 1);
    w.cluster.gpu = load_gpu_spec("H100-SXM");
    w.cluster.model = load_model_config("Qwen2.5-7B");
    w.cluster.replicas = 4;
    const auto& roofline = CostModelRegistry::instance().get("roofline");
    const SparseMethods methods = make_sparse_methods(YAML::Node(), "sparse_methods");  // the defaults
    w.cost_model = roofline.factory(
        Params(YAML::Node(), "cost_model", roofline.params),
        CostModelContext{w.cluster.gpu, w.cluster.model, 1, methods.prefill, methods.decode});
    w.quality_model = make_quality_model(
        YAML::Node(std::string(SPARSESIM_SOURCE_DIR) + "/data/quality/sparse_frontier_prior.csv"), "quality",
        w.cluster.model.name);
    return w;
  }();
  return instance;
}

const char* kPolicies[] = {"dense",
                           "fixed",
                           "{impl: length_scaled, alpha: 0.6}",
                           "difficulty_aware",
                           "{impl: uncertainty_triggered, auroc: 0.8}",
                           "oracle"};

std::unique_ptr<BudgetPolicy> build(const char* policy_yaml) {
  const World& w = world();
  PolicyContext context{&w.cluster.model, w.cost_model.get(), w.quality_model.get()};
  return make_policy(YAML::Load(policy_yaml), "policies[0]", context);
}

// The foundation benchmark's configuration: dense, no quality model.
void BM_FoundationDense(benchmark::State& state) {
  const World& w = world();
  auto policy = build("dense");
  double events = 0;
  for (auto _ : state) {
    SimulationResult result = simulate(w.requests, w.cluster, *w.cost_model, *policy, nullptr);
    events = static_cast<double>(result.summary.events);
  }
  state.counters["events"] = events;
  state.counters["events_per_s"] = benchmark::Counter(events, benchmark::Counter::kIsIterationInvariantRate);
}
BENCHMARK(BM_FoundationDense)->Unit(benchmark::kMillisecond)->MinTime(2.0);

void BM_SimulateWithPolicy(benchmark::State& state) {
  const World& w = world();
  const char* policy_yaml = kPolicies[state.range(0)];
  auto policy = build(policy_yaml);
  policy->prepare(w.requests);
  state.SetLabel(policy_yaml);
  double quality = 0, events = 0;
  for (auto _ : state) {
    SimulationResult result = simulate(w.requests, w.cluster, *w.cost_model, *policy, w.quality_model.get());
    quality = result.summary.mean_expected_quality;
    events = static_cast<double>(result.summary.events);
  }
  state.counters["mean_quality"] = quality;
  // Sparse budgets change the batches and so the number of iterations; time per event separates the
  // policy's own cost from the different amount of simulated work.
  state.counters["events"] = events;
  state.counters["events_per_s"] = benchmark::Counter(events, benchmark::Counter::kIsIterationInvariantRate);
}
BENCHMARK(BM_SimulateWithPolicy)->DenseRange(0, 5)->Unit(benchmark::kMillisecond)->MinTime(2.0);

void BM_PolicyPrepare(benchmark::State& state) {
  const World& w = world();
  const char* policy_yaml = kPolicies[state.range(0)];
  auto policy = build(policy_yaml);
  state.SetLabel(policy_yaml);
  for (auto _ : state) policy->prepare(w.requests);
}
BENCHMARK(BM_PolicyPrepare)->DenseRange(0, 5)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace sparsesim

BENCHMARK_MAIN();
