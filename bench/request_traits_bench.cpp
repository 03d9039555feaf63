// Per-request random draws (task family, difficulty, predictor draws, uncertainty noise) for a million
// requests: a counter-based generator keyed by (seed, request id), no generator seeded per request.
// Before (a std::mt19937_64 seeded per request): about 3.4 us per request on the 2-core cpp machine.
#include <benchmark/benchmark.h>

#include <yaml-cpp/yaml.h>

#include "workloads/request_traits.h"

namespace {

void BM_AssignTraitsMillion(benchmark::State& state) {
  const auto config =
      sparsesim::parse_request_traits_config(YAML::Load("{task_mix: {single_qa: 0.5, multi_query_retrieval: "
                                                        "0.3, high_scope: 0.2}, predictor_accuracy: 0.8}"),
                                             "workload");
  std::vector<sparsesim::Request> requests(1000000);
  for (std::size_t i = 0; i < requests.size(); ++i) {
    requests[i].id = i;
    requests[i].input_tokens = 1000 + static_cast<std::int32_t>(i % 30000);
    requests[i].output_tokens = 100;
  }
  for (auto _ : state) {
    for (auto& request : requests) request.traits = {};
    sparsesim::assign_request_traits(requests, config, 1);
    benchmark::DoNotOptimize(requests.data());
  }
  state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(requests.size()));
}

}  // namespace

BENCHMARK(BM_AssignTraitsMillion)->Unit(benchmark::kMillisecond);
BENCHMARK_MAIN();
