// Integration tests: the real `sparsesim` binary on real shipped traces.
#include <doctest/doctest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

namespace {

namespace fs = std::filesystem;

fs::path test_dir(const std::string& name) {
  const fs::path dir = fs::path(SPARSESIM_TEST_TMP) / "cli" / name;
  fs::remove_all(dir);
  fs::create_directories(dir);
  return dir;
}

struct CommandResult {
  int exit_code;
  std::string output;  // stdout and stderr together
};

CommandResult run_cli(const std::string& arguments, const fs::path& dir) {
  const fs::path log = dir / "output.txt";
  const std::string command = std::string(SPARSESIM_BINARY) + " " + arguments + " > '" + log.string() + "' 2>&1";
  const int status = std::system(command.c_str());
  std::ifstream input(log);
  std::stringstream text;
  text << input.rdbuf();
  return {WEXITSTATUS(status), text.str()};
}

std::string read_bytes(const fs::path& path) {
  std::ifstream input(path, std::ios::binary);
  std::stringstream bytes;
  bytes << input.rdbuf();
  return bytes.str();
}

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
  const auto again = run_cli("run " + (dir / "experiment.yaml").string() + " --no-progress --out " +
                                 (dir / "one.db").string(),
                             dir);
  REQUIRE(again.exit_code == 0);
  CHECK(again.output.find("0 runs simulated, 8 found already") != std::string::npos);

  const auto exported = run_cli("export " + (dir / "one.db").string() + " --table requests -o " +
                                    (dir / "requests.csv").string(),
                                dir);
  REQUIRE(exported.exit_code == 0);
  std::ifstream csv(dir / "requests.csv");
  std::string header;
  std::getline(csv, header);
  CHECK(header.find("run_id,request_id") == 0);
  int rows = 0;
  for (std::string line; std::getline(csv, line);) ++rows;
  CHECK(rows == 8 * 400);  // every request of every run: none dropped
}

TEST_CASE("sparsesim run reports bad experiment files with path, line and exit code 2") {
  const fs::path dir = test_dir("bad-input");
  std::ofstream(dir / "bad.yaml") << "workload: {trace: data/traces/azure2023/AzureLLMInferenceTrace_conv.csv}\n"
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
