// Bad input never yields a number with exit 0: impossible clusters, directories given as files, two
// writers on one database, and outputs that cannot be written.
#include <doctest/doctest.h>

#include <chrono>
#include <fstream>
#include <string>
#include <thread>

#include "cli_support.h"
#include "core/atomic_file.h"

using namespace sparsesim::testing;

namespace {

const char* kTiny = R"(name: reliability
workload: {trace: data/traces/azure2023/AzureLLMInferenceTrace_conv.csv, max_requests: 50}
cluster: {gpu: H100-SXM, model: Qwen2.5-7B}
policies: [dense]
)";

}  // namespace

TEST_CASE("a model whose weights fill the GPUs is an error before any simulation") {
  const fs::path dir = test_dir("weights_too_big");
  std::string yaml = kTiny;
  yaml.replace(yaml.find("Qwen2.5-7B"), 10, "Llama-3.1-70B");
  std::ofstream(dir / "big.yaml") << yaml;
  const auto run = run_cli("run " + (dir / "big.yaml").string() + " --out " + (dir / "r.db").string(), dir);
  INFO(run.output);
  CHECK(run.exit_code == 2);
  CHECK(run.output.find("big.yaml") != std::string::npos);
  CHECK(run.output.find("leave no KV cache on 1 x H100-SXM") != std::string::npos);
  CHECK(run.output.find("runs simulated") == std::string::npos);
}

TEST_CASE("a directory given as a file names the path") {
  const fs::path dir = test_dir("directory_as_file");
  fs::create_directories(dir / "experiment.yaml");
  const auto run =
      run_cli("run " + (dir / "experiment.yaml").string() + " --out " + (dir / "r.db").string(), dir);
  INFO(run.output);
  CHECK(run.exit_code == 2);
  CHECK(run.output.find((dir / "experiment.yaml").string()) != std::string::npos);
  CHECK(run.output.find("basic_filebuf") == std::string::npos);
}

TEST_CASE("a second writer on the same database refuses at once, naming the holder") {
  const fs::path dir = test_dir("second_writer");
  std::ofstream(dir / "tiny.yaml") << kTiny;
  // The first writer: a longer run in the background.
  std::ofstream(dir / "long.yaml") << R"(name: long
workload: {trace: data/traces/mooncake/conversation_trace.jsonl}
cluster: {gpu: H100-SXM, model: Qwen2.5-7B, replicas: 4}
quality: data/quality/sparse_frontier_prior.csv
compute: {metric: gpu_seconds, target: {fraction_of_dense: 0.94}}
replications: 3
policies: [dense, fixed, length_scaled]
)";
  const std::string db = (dir / "shared.db").string();
  const std::string background = std::string(SPARSESIM_BINARY) + " run " + (dir / "long.yaml").string() +
                                 " --threads 1 --out " + db + " > " + (dir / "first.txt").string() +
                                 " 2>&1 & echo $! > " + (dir / "first.pid").string();
  REQUIRE(std::system(background.c_str()) == 0);
  bool refused = false;
  std::string output;
  for (int attempt = 0; attempt < 100 && !refused; ++attempt) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    if (!fs::exists(db)) continue;
    const auto second = run_cli("run " + (dir / "tiny.yaml").string() + " --out " + db, dir);
    output = second.output;
    refused =
        second.exit_code == 2 && second.output.find("in use by another sparsesim run") != std::string::npos;
    if (second.exit_code == 0) break;  // the first finished before we got there: nothing to check
  }
  INFO(output);
  CHECK(refused);
  CHECK(output.find("pid ") != std::string::npos);
  // Wait for the first writer to exit (sanitizer builds run it many times slower than Release), then the
  // database takes a writer again.
  std::string pid;
  std::ifstream(dir / "first.pid") >> pid;
  REQUIRE(!pid.empty());
  // A zombie (state Z: exited, not yet reaped by whoever adopted it) has finished too.
  const auto running = [&pid] {
    std::ifstream stat("/proc/" + pid + "/stat");
    std::string id, name, state;
    return static_cast<bool>(stat >> id >> name >> state) && state != "Z";
  };
  for (int attempt = 0; attempt < 12000 && running(); ++attempt)
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  const auto after = run_cli("run " + (dir / "tiny.yaml").string() + " --out " + db, dir);
  CHECK(after.exit_code == 0);
}

TEST_CASE("outputs are whole or untouched: a failed write is an error and keeps the previous file") {
  const fs::path dir = test_dir("atomic_outputs");
  std::ofstream(dir / "tiny.yaml") << kTiny;
  REQUIRE(
      run_cli("run " + (dir / "tiny.yaml").string() + " --out " + (dir / "r.db").string(), dir).exit_code ==
      0);
  // The target is a directory: the finished file cannot be renamed into place.
  fs::create_directories(dir / "runs.csv" / "inside");
  const auto blocked =
      run_cli("export " + (dir / "r.db").string() + " -o " + (dir / "runs.csv").string(), dir);
  INFO(blocked.output);
  CHECK(blocked.exit_code != 0);
  CHECK(blocked.output.find("runs.csv") != std::string::npos);
  for (const auto& entry : fs::directory_iterator(dir))
    CHECK(entry.path().filename().string().find(".partial-") == std::string::npos);  // no leftovers
  // A good previous file survives a write abandoned before commit.
  sparsesim::write_file_atomically((dir / "keep.txt").string(), "previous\n");
  {
    sparsesim::AtomicFile file((dir / "keep.txt").string());
    file.write("half of a new vers");
  }  // not committed
  CHECK(read_bytes(dir / "keep.txt") == "previous\n");
  // An output folder that does not exist is an error naming it, not an empty success.
  const auto missing =
      run_cli("export " + (dir / "r.db").string() + " -o " + (dir / "no" / "such" / "x.csv").string(), dir);
  CHECK(missing.exit_code != 0);
  CHECK(missing.output.find("x.csv") != std::string::npos);
}

TEST_CASE("work that cannot fit in memory is refused up front with the numbers, before anything is stored") {
  const fs::path dir = test_dir("too_much_work");
  std::string yaml = R"(name: too-much
replications: 1000
workload: {trace: data/traces/mooncake/conversation_trace.jsonl}
cluster: {gpu: H100-SXM, model: Qwen2.5-7B}
policies: [dense]
sweep: {field: workload.rate_multiplier, values: [)";
  for (int value = 1; value <= 10000; ++value) yaml += (value > 1 ? ", " : "") + std::to_string(value);
  yaml += "]}\n";
  std::ofstream(dir / "huge.yaml") << yaml;
  const auto run = run_cli("run " + (dir / "huge.yaml").string() + " --out " + (dir / "r.db").string(), dir);
  INFO(run.output.substr(0, 2000));
  CHECK(run.exit_code == 2);
  CHECK(run.output.find("the experiment needs about") != std::string::npos);
  CHECK(run.output.find("GiB of memory is available") != std::string::npos);
  CHECK(!fs::exists(dir / "r.db"));
}
