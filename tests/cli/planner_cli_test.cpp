// The planner's view of a merged or local sweep (`sparsesim report --text`): the cheapest feasible
// deployment per policy and scenario agrees with a direct query of the stored runs, and a quality floor
// changes what is feasible.
#include <doctest/doctest.h>

#include <yaml-cpp/yaml.h>

#include <map>
#include <string>

#include "cli_support.h"
#include "db_rows.h"

namespace sparsesim::testing {
namespace {

// The text of one scenario's section, up to the next.
std::string section(const std::string& output, const std::string& scenario) {
  const auto start = output.find("== planner: " + scenario + "  (");
  if (start == std::string::npos) return "";
  const auto end = output.find("== planner", start + 10);
  return output.substr(start, end == std::string::npos ? std::string::npos : end - start);
}

// The first table line of `policy` in a section: its cheapest-deployment row.
std::string cheapest_line(const std::string& text, const std::string& policy) {
  for (auto at = text.find("\n" + policy + " "); at != std::string::npos;
       at = text.find("\n" + policy + " ", at + 1))
    return text.substr(at + 1, text.find('\n', at + 1) - at - 1);
  return "";
}

}  // namespace

TEST_CASE("the planner's cheapest deployment per policy agrees with the stored runs") {
  const fs::path dir = test_dir("planner");
  const fs::path db = dir / "sweep.db";
  const auto run = run_cli("run experiments/mooncake_sweep.yaml --no-progress --out " + db.string(), dir);
  INFO(run.output);
  REQUIRE(run.exit_code == 0);
  CHECK(run.output.find("Planner view of the sweep") != std::string::npos);

  // Every stored configuration is YAML (the sweep point once ran into the last input digest).
  for (const auto& row : rows_of(db, "SELECT resolved_config FROM runs")) {
    const YAML::Node config = YAML::Load(row[0]);
    CHECK(config["sweep"]["point"].IsScalar());
    CHECK(config["cluster"]["replicas"].as<int>() >= 1);
  }

  // Energy: a saturated H100 (one replica at 4x load, busy the whole makespan) draws an average board
  // power inside the range measured for H100 SXM boards serving vLLM (267-680 W, serialalice GPU energy
  // benchmark, June 2026), which the power model was not fitted to.
  for (const auto& row : rows_of(db,
                                 "SELECT energy_j / (gpus * makespan_s), gpu_busy_s / (gpus * makespan_s), "
                                 "mean_utilisation FROM runs WHERE sweep_point = 'cluster.replicas=1, "
                                 "workload.rate_multiplier=4'")) {
    CHECK(std::stod(row[1]) > 0.99);
    CHECK(std::stod(row[0]) > 267);
    CHECK(std::stod(row[0]) < 680);
    CHECK(std::stod(row[2]) > 0);
    CHECK(std::stod(row[2]) <= 1);
  }

  const auto report = run_cli("report --text " + db.string(), dir);
  REQUIRE(report.exit_code == 0);
  // Independently: per scenario and policy, the fewest replicas whose run met the SLOs.
  std::map<std::pair<std::string, std::string>, std::string> fewest;
  for (const auto& row : rows_of(db,
                                 "SELECT substr(sweep_point, instr(sweep_point, 'workload.')), policy, "
                                 "MIN(CASE WHEN meets_slo = 1 THEN replicas END) FROM runs GROUP BY 1, 2"))
    fewest[{row[0], row[1]}] = row[2];
  REQUIRE(fewest.size() == 20);  // 5 load levels x 4 policies
  int feasible = 0;
  for (const auto& entry : fewest) {
    // Not a structured binding: INFO captures it, which C++17 does not allow (clang refuses).
    const auto& key = entry.first;
    const std::string& replicas = entry.second;
    const std::string text = section(report.output, key.first);
    INFO(key.first << " " << key.second);
    REQUIRE(!text.empty());
    const std::string line = cheapest_line(text, key.second);
    if (replicas == "NULL") {
      CHECK(line.find("no deployment in the sweep meets the SLOs") != std::string::npos);
    } else {
      ++feasible;
      CHECK(line.find("cluster.replicas=" + replicas + " ") != std::string::npos);
    }
  }
  CHECK(feasible > 0);
  CHECK(feasible < 20);  // the sweep spans loads no deployment serves

  // A quality floor above every policy's quality leaves nothing feasible.
  const auto floored = run_cli("report --text --quality-floor 0.999 " + db.string(), dir);
  REQUIRE(floored.exit_code == 0);
  CHECK(floored.output.find("quality >= 0.999") != std::string::npos);
  CHECK(count_of(floored.output, "no deployment in the sweep meets the SLOs") == 20);
  const auto bad = run_cli("report --text --quality-floor 2 " + db.string(), dir);
  CHECK(bad.exit_code == 2);
}

}  // namespace sparsesim::testing
