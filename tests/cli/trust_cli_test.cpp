// The CLI says what is true, once, and says why when it cannot: error locations, notes, progress
// output in logs, capacity answers and their reasons, and the warnings an overloaded run needs.
#include <doctest/doctest.h>

#include <fstream>
#include <sstream>
#include <string>

#include "cli_support.h"

using namespace sparsesim::testing;

namespace {

const char* kSmall = R"(name: trust-cli
seed: 3
workload:
  trace: data/traces/azure2023/AzureLLMInferenceTrace_conv.csv
  max_requests: 300
cluster: {gpu: H100-SXM, model: Qwen2.5-7B, replicas: 2}
quality: data/quality/sparse_frontier_prior.csv
compute: {metric: attention_flops, target: {fraction_of_dense: 0.5}}
policies:
  - dense
  - fixed
)";

std::string with(const std::string& base, const std::string& replace, const std::string& by) {
  std::string text = base;
  text.replace(text.find(replace), replace.size(), by);
  return text;
}

}  // namespace

TEST_CASE("an unknown policy names the experiment file and the line it is on") {
  const fs::path dir = test_dir("unknown_policy");
  std::ofstream(dir / "bad.yaml") << with(kSmall, "  - fixed\n", "  - fixd\n");
  const auto run = run_cli("run " + (dir / "bad.yaml").string() + " --out " + (dir / "r.db").string(), dir);
  INFO(run.output);
  CHECK(run.exit_code == 2);
  CHECK(run.output.find((dir / "bad.yaml").string()) != std::string::npos);
  CHECK(run.output.find("policies[1] (line 11, column 5)") != std::string::npos);
  CHECK(run.output.find("unknown component 'fixd'") != std::string::npos);
  // A bad parameter of a known policy also names file and line.
  std::ofstream(dir / "param.yaml") << with(kSmall, "  - fixed\n",
                                            "  - {impl: fixed, prefill_sparsty: 0.5}\n");
  const auto param =
      run_cli("run " + (dir / "param.yaml").string() + " --out " + (dir / "r.db").string(), dir);
  INFO(param.output);
  CHECK(param.exit_code == 2);
  CHECK(param.output.find((dir / "param.yaml").string()) != std::string::npos);
  CHECK(param.output.find("prefill_sparsty (line 11") != std::string::npos);
}

TEST_CASE("notes print once, and a log file never collects progress-bar frames") {
  const fs::path dir = test_dir("notes_once");
  std::ofstream(dir / "small.yaml") << kSmall;
  // No --no-progress: the output goes to a file, so the bar must stay off by itself.
  const auto run = run_cli("run " + (dir / "small.yaml").string() + " --out " + (dir / "r.db").string(), dir);
  INFO(run.output);
  REQUIRE(run.exit_code == 0);
  CHECK(run.output.find('\r') == std::string::npos);
  const std::string note = "beyond workload.max_requests";
  CHECK(count_of(run.output, note) == 1);
  const auto help = run_cli("report --help", dir);
  CHECK(help.output.find("required unless --text") != std::string::npos);
  CHECK(help.output.find("(-o report.html | --text)") != std::string::npos);
}

TEST_CASE("an overloaded run and mostly-extrapolated quality are said, not left to the reader") {
  const fs::path dir = test_dir("overload");
  // 300 short Azure prompts compressed 200-fold onto one replica: the queue grows through the trace.
  std::ofstream(dir / "overload.yaml")
      << with(with(kSmall, "max_requests: 300", "max_requests: 300\n  rate_multiplier: 200"), "replicas: 2",
              "replicas: 1");
  const auto run =
      run_cli("run " + (dir / "overload.yaml").string() + " --out " + (dir / "r.db").string(), dir);
  INFO(run.output);
  REQUIRE(run.exit_code == 0);
  CHECK(run.output.find("warning: overloaded, the queue grows through the trace") != std::string::npos);
  // Unloaded and sparser: no overload warning, but nearly every lookup of these short prompts lies below
  // the curves' shortest measured length. Decode by eviction (snapkv), which pays at any length: selection
  // methods do not pay on ~1K-token prompts, so those would run dense and look nothing up sparse.
  std::ofstream(dir / "calm.yaml") << with(with(kSmall, "fraction_of_dense: 0.5", "fraction_of_dense: 0.9"),
                                           "replicas: 2}", "replicas: 2, sparse_methods: {decode: snapkv}}");
  const auto calm = run_cli("run " + (dir / "calm.yaml").string() + " --out " + (dir / "c.db").string(), dir);
  INFO(calm.output);
  CHECK(calm.output.find("warning: overloaded") == std::string::npos);
  // Prefill stays dense on these prompts (sparse prefill does not pay), so only decode lookups are sparse:
  // about a third of all lookups are extrapolated, which the retention line states.
  CHECK(calm.output.find("extrapolated (") != std::string::npos);
  CHECK(calm.output.find(" 0 extrapolated") == std::string::npos);
}

TEST_CASE("capacity mode: says at once when no replica count can work, names only what missed") {
  const fs::path dir = test_dir("capacity_reasons");
  const std::string base = R"(name: capacity-reasons
workload: {trace: data/traces/azure2023/AzureLLMInferenceTrace_conv.csv, max_requests: 200, rate_multiplier: 20}
cluster: {gpu: H100-SXM, model: Qwen2.5-7B}
slo: {ttft_p99_s: 1.0, tpot_p99_ms: 100000}
quality: data/quality/sparse_frontier_prior.csv
compute: {metric: attention_flops, target: {fraction_of_dense: 0.5}}
policies: [dense, fixed]
capacity: {min_replicas: 1, max_replicas: 1}
)";
  // One replica is too few for TTFT; TPOT has a huge SLO, so only TTFT may be named.
  std::ofstream(dir / "ttft.yaml") << base;
  const auto ttft = run_cli("run " + (dir / "ttft.yaml").string() + " --out " + (dir / "t.db").string(), dir);
  INFO(ttft.output);
  REQUIRE(ttft.exit_code == 0);
  CHECK(count_of(ttft.output, "not met with 1 replicas: TTFT p99") == 3);  // dense, fixed, the oracle
  std::istringstream lines(ttft.output);
  for (std::string line; std::getline(lines, line);)
    if (line.find("not met") != std::string::npos) CHECK(line.find("TPOT") == std::string::npos);

  // A TTFT SLO below any prompt's prefill alone: no search, a reason, and no simulated run.
  std::ofstream(dir / "prefill.yaml") << with(base, "ttft_p99_s: 1.0", "ttft_p99_s: 0.0001");
  const auto prefill =
      run_cli("run " + (dir / "prefill.yaml").string() + " --out " + (dir / "p.db").string(), dir);
  INFO(prefill.output);
  REQUIRE(prefill.exit_code == 0);
  CHECK(count_of(prefill.output, "can never work") == 3);
  CHECK(prefill.output.find("to prefill alone on an idle replica") != std::string::npos);
  const auto runs = run_cli("export " + (dir / "p.db").string() + " --table runs", dir);
  CHECK(count_of(runs.output, "\n") == 1);  // the header only

  // Prompts longer than the model's context are rejected at any size.
  std::ofstream(dir / "long.yaml") << with(
      base,
      "workload: {trace: data/traces/azure2023/AzureLLMInferenceTrace_conv.csv, max_requests: 200, "
      "rate_multiplier: 20}",
      "workload:\n  generator: {count: 20, arrival: {process: poisson, rate_per_s: 1}, input_tokens: {dist: "
      "fixed, value: "
      "200000}, output_tokens: {dist: fixed, value: 10}}");
  const auto long_prompts =
      run_cli("run " + (dir / "long.yaml").string() + " --out " + (dir / "l.db").string(), dir);
  INFO(long_prompts.output);
  CHECK(long_prompts.exit_code == 0);
  CHECK(long_prompts.output.find("20 requests exceed Qwen2.5-7B's context of 131072 tokens") !=
        std::string::npos);

  // capacity with a sweep is refused, not silently half-ignored.
  std::ofstream(dir / "sweep.yaml") << base + "sweep: {field: workload.rate_multiplier, values: [1, 2]}\n";
  const auto sweep =
      run_cli("run " + (dir / "sweep.yaml").string() + " --out " + (dir / "s.db").string(), dir);
  CHECK(sweep.exit_code == 2);
  CHECK(sweep.output.find("cannot be combined") != std::string::npos);
}

TEST_CASE("capacity answers show the knob and compute used, and report shows them as their own table") {
  const fs::path dir = test_dir("capacity_report");
  std::ofstream(dir / "capacity.yaml") << R"(name: capacity-report
workload: {trace: data/traces/azure2023/AzureLLMInferenceTrace_conv.csv, max_requests: 300, rate_multiplier: 20}
cluster: {gpu: H100-SXM, model: Qwen2.5-7B}
slo: {ttft_p99_s: 1.0, tpot_p99_ms: 60}
quality: data/quality/sparse_frontier_prior.csv
compute: {metric: attention_flops, target: {fraction_of_dense: 0.5}}
policies: [dense, fixed]
capacity: {min_replicas: 1, max_replicas: 16}
)";
  const auto run =
      run_cli("run " + (dir / "capacity.yaml").string() + " --out " + (dir / "c.db").string(), dir);
  INFO(run.output);
  REQUIRE(run.exit_code == 0);
  CHECK(run.output.find("knob at the answer") != std::string::npos);
  CHECK(run.output.find("keep_scale=") != std::string::npos);
  const auto report = run_cli("report " + (dir / "c.db").string() + " --text", dir);
  INFO(report.output);
  REQUIRE(report.exit_code == 0);
  CHECK(report.output.find("capacity results of capacity-report") != std::string::npos);
  CHECK(report.output.find("keep_scale=") != std::string::npos);
  // The probes at different replica counts are not averaged into a comparison row.
  CHECK(report.output.find("replications)") == std::string::npos);
}

TEST_CASE("cost-model overrides and tensor_parallel errors name the file and the line") {
  const fs::path dir = test_dir("override_locations");
  std::ofstream(dir / "cost.yaml") << with(
      kSmall, "quality:", "cost_model: {impl: roofline, gemm_efficiency: 7}\nquality:");
  const auto cost = run_cli("run " + (dir / "cost.yaml").string() + " --out " + (dir / "r.db").string(), dir);
  INFO(cost.output);
  CHECK(cost.exit_code == 2);
  CHECK(cost.output.find((dir / "cost.yaml").string() + ": cost_model.gemm_efficiency (line 7") !=
        std::string::npos);
  std::ofstream(dir / "tp.yaml") << with(kSmall, "replicas: 2}", "replicas: 2, tensor_parallel: 3}");
  const auto tp = run_cli("run " + (dir / "tp.yaml").string() + " --out " + (dir / "r.db").string(), dir);
  INFO(tp.output);
  CHECK(tp.exit_code == 2);
  CHECK(tp.output.find("cluster.tensor_parallel (line 6") != std::string::npos);
  CHECK(tp.output.find("expected a divisor") != std::string::npos);
}
