// Work that is empty or impossible is an error before any simulation, never a run with wrong numbers.
#include <doctest/doctest.h>

#include "core/input_error.h"
#include "experiment_test_support.h"

using namespace sparsesim;
using namespace sparsesim::testing;

TEST_CASE("a workload that selects no request is an error naming the experiment and the selection") {
  const std::string yaml = R"(
name: empty
workload: {trace: data/traces/azure2023/AzureLLMInferenceTrace_conv.csv, input_tokens: {min: 900000}}
cluster: {gpu: H100-SXM, model: Qwen2.5-7B}
policies: [dense]
)";
  CHECK_THROWS_WITH_AS(run_inline(yaml, fresh_db("empty.db")), doctest::Contains("selects no request"),
                       InputError);
}

TEST_CASE("synthetic arrival rates and sizes have ranges: no infinite, vanishing or astronomic workloads") {
  const char* cases[] = {
      "{count: 10, arrival: {process: poisson, rate_per_s: .inf}, input_tokens: {dist: fixed, value: 10}, "
      "output_tokens: {dist: fixed, value: 10}}",
      "{count: 10, arrival: {process: poisson, rate_per_s: 1e-300}, input_tokens: {dist: fixed, value: 10}, "
      "output_tokens: {dist: fixed, value: 10}}",
      "{duration_s: 1e8, arrival: {process: poisson, rate_per_s: 1e6}, input_tokens: {dist: fixed, value: "
      "10}, "
      "output_tokens: {dist: fixed, value: 10}}",
      "{count: 10000000000, arrival: {process: poisson, rate_per_s: 1}, input_tokens: {dist: fixed, value: "
      "10}, "
      "output_tokens: {dist: fixed, value: 10}}",
  };
  for (const char* generator : cases) {
    INFO(generator);
    const std::string yaml = std::string("name: gen\nworkload: {generator: ") + generator +
                             "}\ncluster: {gpu: H100-SXM, model: Qwen2.5-7B}\npolicies: [dense]\n";
    CHECK_THROWS_AS(run_inline(yaml, fresh_db("generator.db")), InputError);
  }
}
