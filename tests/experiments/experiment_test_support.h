#pragma once
// Shared by the experiment-layer tests: a fresh results database per test, and running an inline
// experiment into it.
#include <filesystem>
#include <string>

#include <yaml-cpp/yaml.h>

#include "experiments/experiment_runner.h"
#include "experiments/results_store.h"

namespace sparsesim::testing {

inline std::string fresh_db(const std::string& name) {
  const auto dir = std::filesystem::path(SPARSESIM_TEST_TMP) / "experiments";
  std::filesystem::create_directories(dir);
  const auto path = dir / name;
  std::filesystem::remove(path);
  return path.string();
}

inline ExperimentRunReport run_inline(const std::string& yaml, const std::string& db_path, int threads = 2) {
  const ExperimentSpec spec = parse_experiment(YAML::Load(yaml), "inline.yaml");
  RunOptions options;
  options.results_path = db_path;
  options.threads = threads;
  options.progress = false;
  return run_experiment(spec, options);
}

}  // namespace sparsesim::testing
