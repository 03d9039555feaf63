// Simulator speed and memory (issue 2): the whole Mooncake conversation trace on 4 H100-SXM replicas
// serving Qwen2.5-7B under `dense` (target < 1 s), and the trace replayed to 1,000,000 requests on 40
// replicas (target < 20 s and < 1 GiB peak RSS). Run alone for a clean RSS figure:
//   build/bench/simulate_bench --benchmark_filter=Million   (or =Mooncake)
#include <benchmark/benchmark.h>
#include <sys/resource.h>

#include <algorithm>
#include <cstdio>
#include <memory>
#include <queue>
#include <stdexcept>
#include <tuple>
#include <string>
#include <vector>

#include "core/hardware.h"
#include "cost/cost_model.h"
#include "cost/sparse_method.h"
#include "policies/budget_policy.h"
#include "sim/simulation.h"
#include "workloads/trace_reader.h"

namespace sparsesim {
namespace {

const std::string kTrace =
    std::string(SPARSESIM_SOURCE_DIR) + "/data/traces/mooncake/conversation_trace.jsonl";

const std::vector<Request>& mooncake() {
  static const std::vector<Request> requests = [] {
    TraceLoadReport report;
    return load_trace(kTrace, "", report);
  }();
  return requests;
}

// The trace repeated up to `count` requests, copy k shifted by k x span / `rate_multiplier`: copies
// overlap so the arrival rate is rate_multiplier times the trace's, served by rate_multiplier times the
// replicas, each replica seeing the load of the 4-replica run. The copies are merged in arrival order as
// they are made (ties: lower copy first, as a stable sort of the copies one after another would give),
// so building the list holds one copy of it: the bench's peak RSS is the simulator's, not a sort buffer's.
std::vector<Request> replayed(std::size_t count, int rate_multiplier) {
  const std::vector<Request>& trace = mooncake();
  const TimeNs shift_ns = (trace.back().arrival_ns + kNsPerSecond) / rate_multiplier;
  if (!std::is_sorted(trace.begin(), trace.end(),
                      [](const Request& a, const Request& b) { return a.arrival_ns < b.arrival_ns; }))
    throw std::runtime_error("replayed: the trace must be in arrival order");
  const std::size_t copies = (count + trace.size() - 1) / trace.size();
  // One cursor per copy: (arrival, copy, position in the trace); the last copy may be cut short.
  using Cursor = std::tuple<TimeNs, std::size_t, std::size_t>;
  std::priority_queue<Cursor, std::vector<Cursor>, std::greater<>> heads;
  auto copy_length = [&](std::size_t copy) { return std::min(trace.size(), count - copy * trace.size()); };
  for (std::size_t copy = 0; copy < copies; ++copy)
    heads.emplace(trace.front().arrival_ns + static_cast<TimeNs>(copy) * shift_ns, copy, 0);
  std::vector<Request> requests;
  requests.reserve(count);
  while (!heads.empty()) {
    const auto [arrival_ns, copy, position] = heads.top();
    heads.pop();
    Request shifted = trace[position];
    shifted.id = requests.size();
    shifted.arrival_ns = arrival_ns;
    requests.push_back(std::move(shifted));
    if (position + 1 < copy_length(copy))
      heads.emplace(trace[position + 1].arrival_ns + static_cast<TimeNs>(copy) * shift_ns, copy, position + 1);
  }
  return requests;
}

struct Setup {
  ClusterConfig cluster;
  std::unique_ptr<CostModel> cost_model;
  std::unique_ptr<BudgetPolicy> policy;
};

Setup make_setup(int replicas) {
  Setup setup;
  setup.cluster.gpu = load_gpu_spec("H100-SXM");
  setup.cluster.model = load_model_config("Qwen2.5-7B");
  setup.cluster.replicas = replicas;
  const SparseMethods methods = make_sparse_methods(YAML::Node(), "sparse_methods");  // the defaults
  CostModelContext context{setup.cluster.gpu, setup.cluster.model, setup.cluster.tensor_parallel,
                           methods.prefill, methods.decode};
  const auto& entry = CostModelRegistry::instance().get("roofline");
  setup.cost_model = entry.factory(Params(YAML::Node(), "cost_model", entry.params), context);
  PolicyContext policy_context{&setup.cluster.model, setup.cost_model.get(), nullptr};
  setup.policy = make_policy(YAML::Load("dense"), "policies[0]", policy_context);
  return setup;
}

double peak_rss_mib() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return static_cast<double>(usage.ru_maxrss) / 1024.0;  // ru_maxrss is in KiB on Linux
}

void report(benchmark::State& state, const SimulationResult& result, std::size_t requests, int replicas) {
  state.counters["requests"] = static_cast<double>(requests);
  state.counters["requests_per_s"] =
      benchmark::Counter(static_cast<double>(requests), benchmark::Counter::kIsIterationInvariantRate);
  state.counters["events_per_s"] = benchmark::Counter(static_cast<double>(result.summary.events),
                                                      benchmark::Counter::kIsIterationInvariantRate);
  state.counters["events"] = static_cast<double>(result.summary.events);
  state.counters["completed"] = static_cast<double>(result.summary.completed);
  state.counters["preemptions"] = static_cast<double>(result.summary.preemptions);
  state.counters["ttft_p99_s"] = result.summary.ttft_s.p99;
  state.counters["simulated_makespan_s"] = ns_to_seconds(result.summary.makespan_ns);
  state.counters["e2e_p99_s"] = result.summary.e2e_s.p99;
  state.counters["gpu_busy_fraction"] =
      result.summary.makespan_ns > 0
          ? result.summary.gpu_busy_s /
                (ns_to_seconds(result.summary.makespan_ns) * static_cast<double>(replicas))
          : 0.0;
  state.counters["peak_rss_MiB"] = peak_rss_mib();
}

void BM_Mooncake(benchmark::State& state) {
  const std::vector<Request>& requests = mooncake();
  Setup setup = make_setup(static_cast<int>(state.range(0)));
  setup.cluster.prefix_caching = state.range(1) != 0;
  SimulationResult result;
  for (auto _ : state) {
    result = simulate(requests, setup.cluster, *setup.cost_model, *setup.policy, nullptr);
    benchmark::DoNotOptimize(result.summary.events);
  }
  report(state, result, requests.size(), setup.cluster.replicas);
  state.counters["prefix_hit_rate"] = result.summary.prefix_hit_rate;
}
BENCHMARK(BM_Mooncake)
    ->ArgNames({"replicas", "prefix_caching"})
    ->Args({4, 0})
    ->Args({4, 1})
    ->Args({2, 0})
    ->Args({3, 0})
    ->Unit(benchmark::kMillisecond);

void BM_MillionRequests(benchmark::State& state) {
  const std::vector<Request> requests = replayed(1'000'000, 10);
  Setup setup = make_setup(40);  // ten times the replicas for ten times the rate
  SimulationResult result;
  for (auto _ : state) {
    result = simulate(requests, setup.cluster, *setup.cost_model, *setup.policy, nullptr);
    benchmark::DoNotOptimize(result.summary.events);
  }
  report(state, result, requests.size(), setup.cluster.replicas);
}
BENCHMARK(BM_MillionRequests)->Iterations(1)->Unit(benchmark::kSecond);

// Issue 12's scale case: ten million requests (the trace replayed 830x) on 400 replicas, one iteration.
// About a minute and several GiB today; run it alone for its RSS: --benchmark_filter=TenMillion.
void BM_TenMillionRequests(benchmark::State& state) {
  const std::vector<Request> requests = replayed(10'000'000, 100);
  Setup setup = make_setup(400);
  SimulationResult result;
  for (auto _ : state) {
    result = simulate(requests, setup.cluster, *setup.cost_model, *setup.policy, nullptr);
    benchmark::DoNotOptimize(result.summary.events);
  }
  report(state, result, requests.size(), setup.cluster.replicas);
}
BENCHMARK(BM_TenMillionRequests)->Iterations(1)->Unit(benchmark::kSecond);

// Issue 12's dense-gap case, simulation only: the first 10,000 Azure 2023 conversation requests with
// prompts up to 4,096 tokens, CodeLlama-34B at TP2 on A100-SXM-80GB, chunk 512, 128 running, 1 replica.
void BM_Azure34B(benchmark::State& state) {
  static const std::vector<Request> requests = [] {
    TraceLoadReport report;
    std::vector<Request> all = load_trace(
        std::string(SPARSESIM_SOURCE_DIR) + "/data/traces/azure2023/AzureLLMInferenceTrace_conv.csv", "",
        report);
    std::vector<Request> kept;
    for (const Request& request : all)
      if (request.input_tokens <= 4096 && kept.size() < 10000) kept.push_back(request);
    for (std::size_t index = 0; index < kept.size(); ++index) kept[index].id = index;
    return kept;
  }();
  ClusterConfig cluster;
  cluster.gpu = load_gpu_spec("A100-SXM-80GB");
  cluster.model = load_model_config("CodeLlama-34B");
  cluster.tensor_parallel = 2;
  cluster.scheduler.chunk_tokens = 512;
  cluster.scheduler.max_batch_tokens = 512;
  cluster.scheduler.max_running = 128;
  cluster.decode_runs = state.range(0) != 0;
  const SparseMethods methods = make_sparse_methods(YAML::Node(), "sparse_methods");
  CostModelContext context{cluster.gpu, cluster.model, cluster.tensor_parallel, methods.prefill,
                           methods.decode};
  const auto& entry = CostModelRegistry::instance().get("roofline");
  const auto cost_model = entry.factory(Params(YAML::Node(), "cost_model", entry.params), context);
  PolicyContext policy_context{&cluster.model, cost_model.get(), nullptr};
  const auto policy = make_policy(YAML::Load("dense"), "policies[0]", policy_context);
  SimulationResult result;
  for (auto _ : state) {
    result = simulate(requests, cluster, *cost_model, *policy, nullptr);
    benchmark::DoNotOptimize(result.summary.events);
  }
  report(state, result, requests.size(), 1);
}
BENCHMARK(BM_Azure34B)->ArgNames({"decode_runs"})->Arg(1)->Arg(0)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace sparsesim

BENCHMARK_MAIN();
