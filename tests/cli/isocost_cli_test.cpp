// The shipped iso-cost study through the real CLI: `run` dispatches it, `isocost --points` lists points.
#include <doctest/doctest.h>

#include "cli_support.h"

namespace sparsesim::testing {

TEST_CASE("sparsesim run experiments/sparse_frontier_isocost.yaml prints the frontier and the crossings") {
  const auto dir = test_dir("isocost");
  const auto result = run_cli("run experiments/sparse_frontier_isocost.yaml", dir);
  REQUIRE(result.exit_code == 0);
  CHECK(result.output.find("Pareto frontier") != std::string::npos);
  CHECK(count_of(result.output, "Qwen2.5-72B vs Qwen2.5-7B") == 2);  // one row per phase
  CHECK(result.output.find("256 points") != std::string::npos);      // 4 models x 4 lengths x 8 x 2
  const auto points = run_cli("isocost experiments/sparse_frontier_isocost.yaml --points", dir);
  REQUIRE(points.exit_code == 0);
  CHECK(count_of(points.output, " TFLOP ") >= 128);
}

TEST_CASE("sparsesim isocost rejects an impossible study with exit 2") {
  const auto dir = test_dir("isocost_bad");
  {
    std::ofstream out(dir / "bad.yaml");
    out << "cluster: {gpu: H100-SXM}\nquality: data/quality/sparse_frontier_prior.csv\n"
           "isocost: {models: [Qwen2.5-7B, Qwen2.5-14B], seq_len_tokens: [16384], sparsities: [-0.1]}\n";
  }
  const auto result = run_cli("isocost " + (dir / "bad.yaml").string(), dir);
  CHECK(result.exit_code == 2);
  CHECK(result.output.find("isocost.sparsities") != std::string::npos);
}

}  // namespace sparsesim::testing
