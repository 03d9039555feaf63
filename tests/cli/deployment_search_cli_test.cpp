// Capacity mode as a deployment search (GPU type x TP x replicas), with dollars and energy: the shipped
// Mooncake search answers for every (policy, deployment), marks the cheapest per policy by dollars, and
// the figures agree with each other and with the stored runs; prices change the answer; deployments that
// can never work are named without a search.
#include <doctest/doctest.h>

#include <cmath>
#include <map>
#include <string>

#include "cli_support.h"
#include "db_rows.h"

namespace sparsesim::testing {
namespace {

double number(const std::string& text) {
  return std::strtod(text.c_str(), nullptr);
}

}  // namespace

TEST_CASE("the Mooncake deployment search answers per deployment and marks the cheapest by dollars") {
  const fs::path dir = test_dir("deployment_search");
  const fs::path db = dir / "search.db";
  const auto run =
      run_cli("run experiments/mooncake_deployment_search.yaml --no-progress --out " + db.string(), dir);
  INFO(run.output);
  REQUIRE(run.exit_code == 0);
  CHECK(run.output.find("cheapest (*) by dollars (H100-SXM $3.00/GPU-h, A100-SXM-80GB $1.30/GPU-h)") !=
        std::string::npos);
  // 4 policies (3 listed, the oracle reference) x 2 GPUs x 3 TP degrees.
  const auto rows = rows_of(db,
                            "SELECT policy, gpu, tensor_parallel, replicas, gpu_hours, dollars, energy_kwh, "
                            "cheapest, why_not FROM capacity_results");
  REQUIRE(rows.size() == 24);
  std::map<std::string, double> cheapest_dollars, fewest_dollars;
  for (const auto& row : rows) {
    const int replicas = std::stoi(row[3]);
    if (replicas < 0) {
      CHECK(!row[8].empty());  // every deployment that does not work says why
      CHECK(row[7] == "0");
      continue;
    }
    // Dollars are GPU-hours at the GPU's price; average power lies between idle and peak board power.
    const double price = row[1] == "H100-SXM" ? 3.00 : 1.30;
    CHECK(number(row[5]) == doctest::Approx(number(row[4]) * price).epsilon(1e-12));
    const double watts = number(row[6]) * 1000 / number(row[4]);
    CHECK(watts > (row[1] == "H100-SXM" ? 70 : 50));
    CHECK(watts < (row[1] == "H100-SXM" ? 700 : 400));
    if (!fewest_dollars.count(row[0]) || number(row[5]) < fewest_dollars[row[0]])
      fewest_dollars[row[0]] = number(row[5]);
    if (row[7] == "1") CHECK(cheapest_dollars.emplace(row[0], number(row[5])).second);  // one per policy
  }
  CHECK(!cheapest_dollars.empty());
  CHECK(cheapest_dollars == fewest_dollars);  // the starred deployment is the cheapest that works
  // At least one deployment can never work (TP1 prefill alone exceeds the TTFT SLO), said without probes.
  CHECK(run.output.find("can never work") != std::string::npos);
  // The report shows the stored answers as their own table.
  const auto report = run_cli("report --text " + db.string(), dir);
  CHECK(report.exit_code == 0);
  CHECK(report.output.find("capacity results of mooncake_deployment_search") != std::string::npos);
  CHECK(count_of(report.output, " *  ") + count_of(report.output, " * ") >= cheapest_dollars.size());

  // A price changes the answer: nearly free A100s make an A100 deployment the oracle's cheapest.
  std::string text = read_bytes("experiments/mooncake_deployment_search.yaml");
  text.replace(text.find("  cost: dollars"), 15, "  cost: dollars\n  prices: {A100-SXM-80GB: 0.01}");
  std::ofstream(dir / "cheap_a100.yaml") << text;
  const fs::path cheap_db = dir / "cheap.db";
  REQUIRE(
      run_cli("run " + (dir / "cheap_a100.yaml").string() + " --no-progress --out " + cheap_db.string(), dir)
          .exit_code == 0);
  const auto oracle =
      rows_of(cheap_db, "SELECT gpu FROM capacity_results WHERE policy = 'oracle' AND cheapest = 1");
  REQUIRE(oracle.size() == 1);
  CHECK(oracle[0][0] == "A100-SXM-80GB");
}

TEST_CASE("deployments that can never work are named at once, and dollars need a price") {
  const fs::path dir = test_dir("deployment_never");
  std::ofstream(dir / "never.yaml") << R"(name: never
workload: {trace: data/traces/azure2023/AzureLLMInferenceTrace_conv.csv, max_requests: 100}
cluster: {gpu: H100-SXM, model: Qwen2.5-72B}
slo: {ttft_p99_s: 5.0, tpot_p99_ms: 100}
policies: [dense]
capacity: {gpus: [H100-SXM], tensor_parallel: [1, 3], max_replicas: 2, cost: gpu_hours}
)";
  const auto never = run_cli(
      "run " + (dir / "never.yaml").string() + " --no-progress --out " + (dir / "never.db").string(), dir);
  INFO(never.output);
  REQUIRE(never.exit_code == 0);
  CHECK(never.output.find("cheapest (*) by GPU-hours") != std::string::npos);
  CHECK(never.output.find("H100-SXM TP1       can never work: weights (145.4 GB)") != std::string::npos);
  CHECK(never.output.find("H100-SXM TP3       can never work:") != std::string::npos);
  CHECK(rows_of(dir / "never.db", "SELECT COUNT(*) FROM runs")[0][0] == "0");  // nothing was simulated

  // A GPU file without a price: dollars are refused with what to do, GPU-hours work.
  std::string gpu = read_bytes("data/gpus/h100-sxm.yaml");
  gpu.replace(gpu.find("name: H100-SXM"), 14, "name: Unpriced-GPU");
  gpu.erase(gpu.find("price_per_gpu_hour: 3.00\n"), 25);
  std::ofstream(dir / "unpriced-gpu.yaml") << gpu;
  const std::string unpriced = R"(name: unpriced
workload: {trace: data/traces/azure2023/AzureLLMInferenceTrace_conv.csv, max_requests: 100}
cluster: {gpu: H100-SXM, model: Qwen2.5-7B}
policies: [dense]
capacity: {gpus: [H100-SXM, )" +
                               (dir / "unpriced-gpu.yaml").string() + "], max_replicas: 1}\n";
  std::ofstream(dir / "unpriced.yaml") << unpriced;
  const auto refused =
      run_cli("run " + (dir / "unpriced.yaml").string() + " --out " + (dir / "u.db").string(), dir);
  INFO(refused.output);
  CHECK(refused.exit_code == 2);
  CHECK(refused.output.find("cost: dollars needs a price for Unpriced-GPU") != std::string::npos);
  CHECK(!fs::exists(dir / "u.db"));
}

}  // namespace sparsesim::testing
