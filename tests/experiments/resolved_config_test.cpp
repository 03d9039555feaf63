#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>

#include <unistd.h>

#include "experiments/config_hash.h"
#include "experiments/experiment_spec.h"
#include "experiments/resolved_config.h"

using namespace sparsesim;

TEST_CASE("the resolved config fills defaults and changes when a data file's contents change") {
  namespace fs = std::filesystem;
  const fs::path dir = fs::path(SPARSESIM_TEST_TMP) / ("resolved-config-" + std::to_string(::getpid()));
  fs::create_directories(dir);
  const fs::path curves = dir / "curves.csv";
  fs::copy_file(std::string(SPARSESIM_SOURCE_DIR) + "/data/quality/sparse_frontier_prior.csv", curves,
                fs::copy_options::overwrite_existing);
  const std::string text =
      "workload: {trace: data/traces/azure2023/AzureLLMInferenceTrace_code.csv}\n"
      "cluster: {gpu: H100-SXM, model: Qwen2.5-7B}\n"
      "quality: " +
      curves.string() + "\npolicies: [dense]\n";
  const ExperimentSpec spec = parse_experiment(YAML::Load(text), "inline.yaml");
  const std::string before = resolved_experiment_yaml(spec);
  CHECK(before.find("max_batch_tokens: 8192") != std::string::npos);            // defaults are written out
  CHECK(before.find("peak_bf16_flops_per_s") != std::string::npos);             // so are the GPU's numbers
  CHECK(before.find("AzureLLMInferenceTrace_code.csv:") != std::string::npos);  // and the trace's digest
  CHECK(resolved_experiment_yaml(spec) == before);                              // stable

  std::ofstream(curves, std::ios::app) << "*,mixed,both,131072,0.99,0.01,ESTIMATE,edited\n";
  const std::string after = resolved_experiment_yaml(spec);
  CHECK(after != before);
  CHECK(config_hash_hex(after) != config_hash_hex(before));
}

TEST_CASE("the resolved config names the sparse methods, so a stored run of another method is not reused") {
  auto resolved = [](const std::string& methods) {
    const std::string text =
        "workload: {trace: data/traces/azure2023/AzureLLMInferenceTrace_code.csv}\n"
        "cluster: {gpu: H100-SXM, model: Qwen2.5-7B" +
        methods + "}\npolicies: [dense]\n";
    return resolved_experiment_yaml(parse_experiment(YAML::Load(text), "inline.yaml"));
  };
  const std::string defaults = resolved("");
  CHECK(defaults.find("prefill: vertical_slash") != std::string::npos);
  CHECK(defaults.find("decode: quest") != std::string::npos);
  CHECK(defaults.find("sparse_methods.yaml:") != std::string::npos);  // the coefficient file's digest
  CHECK(resolved(", sparse_methods: {prefill: vertical_slash, decode: quest}") == defaults);
  CHECK(config_hash_hex(resolved(", sparse_methods: {decode: snapkv}")) != config_hash_hex(defaults));
  CHECK(config_hash_hex(resolved(", sparse_methods: {prefill: flexprefill}")) != config_hash_hex(defaults));
}
