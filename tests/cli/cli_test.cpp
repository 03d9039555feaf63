// Integration tests: the real `sparsesim` binary on real shipped traces.
#include <doctest/doctest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "cli_support.h"
#include "db_rows.h"

namespace {

using namespace sparsesim::testing;

// A small iso-compute experiment on the first 400 requests of the Azure conversation trace.
const char* kExperiment = R"(name: cli-test
seed: 7
replications: 2
workload:
  trace: data/traces/azure2023/AzureLLMInferenceTrace_conv.csv
  max_requests: 400
  task_mix: {single_qa: 0.4, multi_query_retrieval: 0.3, high_scope: 0.3}
cluster: {gpu: H100-SXM, model: Qwen2.5-7B, replicas: 2}
quality: data/quality/sparse_frontier_prior.csv
compute: {metric: gpu_seconds, target: {fraction_of_dense: 0.95}}
policies: [dense, fixed, {impl: length_scaled, alpha: 0.6}, oracle]
)";

}  // namespace

TEST_CASE("sparsesim run on a shipped trace is deterministic at any thread count and resumable") {
  const fs::path dir = test_dir("determinism");
  std::ofstream(dir / "experiment.yaml") << kExperiment;
  const auto one = run_cli("run " + (dir / "experiment.yaml").string() + " --threads 1 --no-progress --out " +
                               (dir / "one.db").string(),
                           dir);
  INFO(one.output);
  REQUIRE(one.exit_code == 0);
  CHECK(one.output.find("quality (95% CI)") != std::string::npos);
  CHECK(one.output.find("oracle") != std::string::npos);
  CHECK(one.output.find("8 runs simulated") != std::string::npos);
  const auto two = run_cli("run " + (dir / "experiment.yaml").string() + " --threads 2 --no-progress --out " +
                               (dir / "two.db").string(),
                           dir);
  REQUIRE(two.exit_code == 0);
  CHECK(read_bytes(dir / "one.db") == read_bytes(dir / "two.db"));

  // Run again into the same database: every run is found by its config hash and skipped.
  const auto again = run_cli(
      "run " + (dir / "experiment.yaml").string() + " --no-progress --out " + (dir / "one.db").string(), dir);
  REQUIRE(again.exit_code == 0);
  CHECK(again.output.find("0 runs simulated, 8 found already") != std::string::npos);

  const auto exported = run_cli(
      "export " + (dir / "one.db").string() + " --table requests -o " + (dir / "requests.csv").string(), dir);
  REQUIRE(exported.exit_code == 0);
  std::ifstream csv(dir / "requests.csv");
  std::string header;
  std::getline(csv, header);
  CHECK(header.find("run_id,request_id") == 0);
  int rows = 0;
  for (std::string line; std::getline(csv, line);) ++rows;
  CHECK(rows == 8 * 400);  // every request of every run: none dropped

  // JSON Lines: one object per run, every real exactly as stored (it reads back as the same double).
  const auto jsonl = run_cli(
      "export " + (dir / "one.db").string() + " --table runs -o " + (dir / "runs.jsonl").string(), dir);
  REQUIRE(jsonl.exit_code == 0);
  const auto stored = rows_of(dir / "one.db", "SELECT ttft_p99_s, policy FROM runs ORDER BY run_id");
  std::ifstream lines(dir / "runs.jsonl");
  std::size_t objects = 0;
  for (std::string line; std::getline(lines, line); ++objects) {
    REQUIRE(objects < stored.size());
    CHECK(line.front() == '{');
    CHECK(line.back() == '}');
    CHECK(line.find("\"run_id\":" + std::to_string(objects + 1) + ",") == 1);
    CHECK(line.find("\"policy\":\"" + stored[objects][1] + "\"") != std::string::npos);
    const auto at = line.find("\"ttft_p99_s\":");
    REQUIRE(at != std::string::npos);
    CHECK(std::strtod(line.c_str() + at + 14, nullptr) == std::strtod(stored[objects][0].c_str(), nullptr));
  }
  CHECK(objects == stored.size());
  const auto bad_format = run_cli("export " + (dir / "one.db").string() + " --format xml", dir);
  CHECK(bad_format.exit_code == 2);
  CHECK(bad_format.output.find("expected csv or jsonl") != std::string::npos);

  const auto text = run_cli("report " + (dir / "one.db").string() + " --text --experiment cli-test", dir);
  REQUIRE(text.exit_code == 0);
  CHECK(text.output.find("== cli-test") != std::string::npos);
  CHECK(text.output.find("quality by input length") != std::string::npos);
  const auto unknown = run_cli("report " + (dir / "one.db").string() + " --text --experiment nope", dir);
  CHECK(unknown.exit_code == 2);
  CHECK(unknown.output.find("no runs of experiment 'nope'") != std::string::npos);
}

TEST_CASE("sparsesim run reports bad experiment files with path, line and exit code 2") {
  const fs::path dir = test_dir("bad-input");
  std::ofstream(dir / "bad.yaml")
      << "workload: {trace: data/traces/azure2023/AzureLLMInferenceTrace_conv.csv}\n"
         "cluster: {gpu: H100-SXM, model: Qwen2.5-7B, replicaz: 2}\n"
         "policies: [dense]\n";
  const auto bad = run_cli("run " + (dir / "bad.yaml").string() + " --out " + (dir / "r.db").string(), dir);
  CHECK(bad.exit_code == 2);
  CHECK(bad.output.find("bad.yaml") != std::string::npos);
  CHECK(bad.output.find("cluster.replicaz") != std::string::npos);
  CHECK(bad.output.find("line 2") != std::string::npos);
  CHECK(!fs::exists(dir / "r.db"));

  const auto missing = run_cli("run " + (dir / "nope.yaml").string(), dir);
  CHECK(missing.exit_code == 2);
  CHECK(missing.output.find("nope.yaml") != std::string::npos);

  const auto unknown = run_cli("frobnicate", dir);
  CHECK(unknown.exit_code == 2);
  CHECK(unknown.output.find("unknown command") != std::string::npos);
}

TEST_CASE("every subcommand answers --help") {
  const fs::path dir = test_dir("help");
  for (const char* command : {"run", "report", "export", "trace-stats", "policies", "curves", "calibrate"}) {
    const auto help = run_cli(std::string(command) + " --help", dir);
    INFO(command, help.output);
    CHECK(help.exit_code == 0);
    CHECK(help.output.find(command) != std::string::npos);
  }
}

TEST_CASE("a sweep stores one point per value and the HTML report embeds every plot") {
  const fs::path dir = test_dir("sweep-report");
  std::ofstream(dir / "sweep.yaml") << R"(name: sweep-test
workload: {trace: data/traces/azure2023/AzureLLMInferenceTrace_code.csv, max_requests: 200}
cluster: {gpu: H100-SXM, model: Qwen2.5-7B, replicas: 1}
quality: data/quality/sparse_frontier_prior.csv
compute: {metric: attention_flops, target: {fraction_of_dense: 0.5}}
policies: [dense, fixed]
sweep: {field: compute.target.fraction_of_dense, values: [0.3, 0.6]}
)";
  const auto run = run_cli("run " + (dir / "sweep.yaml").string() + " --no-progress --out " +
                               (dir / "sweep.db").string() + " --report " + (dir / "report.html").string(),
                           dir);
  INFO(run.output);
  REQUIRE(run.exit_code == 0);
  CHECK(run.output.find("compute.target.fraction_of_dense=0.3") != std::string::npos);
  CHECK(run.output.find("compute.target.fraction_of_dense=0.6") != std::string::npos);
  const auto points = run_cli("export " + (dir / "sweep.db").string() + " --table sweep_points", dir);
  REQUIRE(points.exit_code == 0);
  int rows = 0;
  std::istringstream lines(points.output);
  for (std::string line; std::getline(lines, line);) rows += line.empty() ? 0 : 1;
  CHECK(rows == 1 + 2 * 3);  // header + 2 points x (dense, fixed, oracle)
  const std::string html = read_bytes(dir / "report.html");
  CHECK(html.find("<svg") != std::string::npos);
  // Self-contained: nothing is fetched when the page is opened.
  CHECK(html.find("src=\"http") == std::string::npos);
  CHECK(html.find("<link") == std::string::npos);
  std::size_t plots = 0;
  for (auto at = html.find("<svg"); at != std::string::npos; at = html.find("<svg", at + 1)) ++plots;
  CHECK(plots == 7);  // quality vs compute, two latency tails, two budgets, by length, the frontier
  CHECK(html.find("Planner: the feasible set and the Pareto frontier") != std::string::npos);
  CHECK(fs::exists(dir / "report_plots" / "quality_vs_compute.png"));
  CHECK(fs::exists(dir / "report_plots" / "planner_frontier.png"));
  // A path with a quote character (once a gnuplot syntax error) is written like any other.
  const fs::path quoted = dir / "it's \"here\"" / "report.html";
  const auto odd =
      run_cli("report " + (dir / "sweep.db").string() + " -o '" +
                  std::string(quoted.string()).replace(quoted.string().find("it's"), 4, "it'\\''s") + "'",
              dir);
  INFO(odd.output);
  CHECK(odd.exit_code == 0);
  CHECK(fs::exists(quoted));
  CHECK(fs::exists(quoted.parent_path() / "report_plots" / "quality_vs_compute.png"));
}

TEST_CASE("capacity mode finds the smallest replica count meeting the SLOs") {
  const fs::path dir = test_dir("capacity");
  std::ofstream(dir / "capacity.yaml") << R"(name: capacity-test
workload: {trace: data/traces/azure2023/AzureLLMInferenceTrace_conv.csv, max_requests: 300, rate_multiplier: 20}
cluster: {gpu: H100-SXM, model: Qwen2.5-7B}
slo: {ttft_p99_s: 1.0, tpot_p99_ms: 60}
policies: [dense]
capacity: {min_replicas: 1, max_replicas: 16}
)";
  const auto run = run_cli(
      "run " + (dir / "capacity.yaml").string() + " --no-progress --out " + (dir / "capacity.db").string(),
      dir);
  INFO(run.output);
  REQUIRE(run.exit_code == 0);
  CHECK(run.output.find("== capacity") != std::string::npos);
  std::istringstream table(run.output.substr(run.output.find("== capacity")));
  int chosen = -1;
  for (std::string line; std::getline(table, line);)
    if (line.rfind("dense ", 0) == 0 && line.find("H100-SXM TP1 ") != std::string::npos)
      chosen = std::stoi(line.substr(line.find("TP1 ") + 4));
  REQUIRE(chosen >= 1);
  CHECK(chosen <= 16);
  CHECK(run.output.find("dense *") != std::string::npos);  // the only deployment is the cheapest
  // Every probed size below the answer misses the SLO; every probed size at or above it meets it.
  const auto runs = run_cli("export " + (dir / "capacity.db").string() + " --table runs", dir);
  std::istringstream csv(runs.output);
  std::string header;
  std::getline(csv, header);
  auto column = [&](const std::string& name) {
    int index = 0;
    std::istringstream cells(header);
    for (std::string cell; std::getline(cells, cell, ','); ++index)
      if (cell == name) return index;
    return -1;
  };
  const int replicas_column = column("replicas"), meets_column = column("meets_slo");
  REQUIRE(replicas_column >= 0);
  REQUIRE(meets_column >= 0);
  int probes = 0;
  for (std::string line; std::getline(csv, line);) {
    std::vector<std::string> cells;
    std::istringstream row(line);
    for (std::string cell; std::getline(row, cell, ',');) cells.push_back(cell);
    if (static_cast<int>(cells.size()) <= std::max(replicas_column, meets_column)) continue;
    const int replicas = std::stoi(cells[replicas_column]);
    CHECK((cells[meets_column] == "1") == (replicas >= chosen));
    ++probes;
  }
  CHECK(probes >= 2);
}
