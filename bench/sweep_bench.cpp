// Validating a big sweep: every point is the experiment document with its values set, parsed again, before
// anything runs. 10,000 points; run from the repository root (`make bench`), which the trace path needs.
// Before the fix (each point's document copied the whole 10,000-value sweep, quadratic): 58 s on the
// 2-core cpp machine; after: about 13 s.
#include <benchmark/benchmark.h>

#include <string>

#include <yaml-cpp/yaml.h>

#include "experiments/experiment_spec.h"

namespace {

void BM_ValidateSweep(benchmark::State& state) {
  std::string yaml =
      "name: big\nworkload: {trace: data/traces/mooncake/conversation_trace.jsonl}\n"
      "cluster: {gpu: H100-SXM, model: Qwen2.5-7B}\npolicies: [dense]\n"
      "sweep: {field: workload.rate_multiplier, values: [";
  for (int value = 1; value <= state.range(0); ++value)
    yaml += (value > 1 ? ", " : "") + std::to_string(value);
  yaml += "]}\n";
  const YAML::Node document = YAML::Load(yaml);
  for (auto _ : state) {
    const auto spec = sparsesim::parse_experiment(document, "bench.yaml");
    benchmark::DoNotOptimize(spec.sweep.points.size());
  }
  state.SetItemsProcessed(state.iterations() * state.range(0));
}

}  // namespace

BENCHMARK(BM_ValidateSweep)->Arg(1000)->Arg(10000)->Unit(benchmark::kSecond)->Iterations(1);
BENCHMARK_MAIN();
