#include "experiments/resolved_config.h"

#include <filesystem>
#include <fstream>
#include <iterator>

#include <yaml-cpp/yaml.h>

#include "experiments/config_hash.h"

#include "core/path_probe.h"
#include "experiments/yaml_fields.h"

namespace sparsesim {
namespace {

// FNV-1a of a file's bytes, so that editing a trace, curve or profile file changes the config hash and
// stored runs made from the old contents are not mistaken for current ones.
std::string file_digest(const std::string& path) {
  std::ifstream input(path, std::ios::binary);
  if (!input) return "unreadable";
  std::string bytes((std::istreambuf_iterator<char>(input)), std::istreambuf_iterator<char>());
  return config_hash_hex(bytes);
}

// The data files a run reads, with their digests.
YAML::Node input_digests(const ExperimentSpec& spec) {
  YAML::Node digests(YAML::NodeType::Map);
  for (const auto& trace : spec.workload.trace_paths) digests[trace] = file_digest(trace);
  std::string curves;
  if (spec.quality.IsScalar()) curves = spec.quality.as<std::string>();
  if (spec.quality.IsMap() && spec.quality["curves"]) curves = spec.quality["curves"].as<std::string>();
  if (!curves.empty()) {
    digests[curves] = file_digest(curves);
    std::string dense = (std::filesystem::path(curves).parent_path() / "dense_accuracy.csv").string();
    if (spec.quality.IsMap() && spec.quality["dense_accuracy"])
      dense = spec.quality["dense_accuracy"].as<std::string>();
    if (path_exists(dense)) digests[dense] = file_digest(dense);
  }
  const std::string coefficients = sparse_method_coefficients_path();
  if (path_exists(coefficients)) digests[coefficients] = file_digest(coefficients);
  if (spec.cost_model.IsMap())
    for (const char* key : {"profile", "path", "mlp", "all_reduce"})
      if (spec.cost_model[key] && spec.cost_model[key].IsScalar() &&
          is_regular_file_path(spec.cost_model[key].as<std::string>()))
        digests[spec.cost_model[key].as<std::string>()] = file_digest(spec.cost_model[key].as<std::string>());
  return digests;
}

}  // namespace

std::string resolved_experiment_yaml(const ExperimentSpec& spec) {
  YAML::Node root(YAML::NodeType::Map);
  root["name"] = spec.name;
  root["seed"] = spec.seed;
  root["replications"] = spec.replications;
  YAML::Node workload = YAML::Clone(spec.document["workload"]);
  workload["rate_multiplier"] = spec.workload.rate_multiplier;
  workload["max_requests"] = spec.workload.max_requests;
  root["workload"] = workload;
  YAML::Node cluster(YAML::NodeType::Map);
  const auto& gpu = spec.cluster.gpu;
  cluster["gpu"]["name"] = gpu.name;
  cluster["gpu"]["peak_bf16_flops_per_s"] = gpu.peak_bf16_flops_per_s;
  cluster["gpu"]["hbm_bytes_per_s"] = gpu.hbm_bytes_per_s;
  cluster["gpu"]["memory_bytes"] = gpu.memory_bytes;
  cluster["gpu"]["gemm_efficiency"] = gpu.gemm_efficiency;
  cluster["gpu"]["prefill_attention_efficiency"] = gpu.prefill_attention_efficiency;
  cluster["gpu"]["decode_bandwidth_efficiency"] = gpu.decode_bandwidth_efficiency;
  cluster["gpu"]["memory_bandwidth_efficiency"] = gpu.memory_bandwidth_efficiency;
  cluster["gpu"]["launch_floor_us"] = gpu.launch_floor_us;
  cluster["gpu"]["interconnect_bytes_per_s"] = gpu.interconnect_bytes_per_s;
  cluster["gpu"]["allreduce_latency_us"] = gpu.allreduce_latency_us;
  cluster["gpu"]["decode_attention_fixed_us"] = gpu.decode_attention_fixed_us;
  cluster["gpu"]["cpu_overhead_us_per_iteration"] = gpu.cpu_overhead_us_per_iteration;
  cluster["gpu"]["cpu_overhead_us_per_sequence"] = gpu.cpu_overhead_us_per_sequence;
  if (gpu.idle_power_w > 0) {  // the energy figures depend on them
    cluster["gpu"]["idle_power_w"] = gpu.idle_power_w;
    cluster["gpu"]["peak_power_w"] = gpu.peak_power_w;
  }
  const auto& model = spec.cluster.model;
  cluster["model"]["name"] = model.name;
  cluster["model"]["layers"] = model.layers;
  cluster["model"]["hidden_size"] = model.hidden_size;
  cluster["model"]["query_heads"] = model.query_heads;
  cluster["model"]["kv_heads"] = model.kv_heads;
  cluster["model"]["head_dim"] = model.head_dim;
  cluster["model"]["intermediate_size"] = model.intermediate_size;
  cluster["model"]["vocab_size"] = model.vocab_size;
  cluster["model"]["context_tokens"] = model.context_tokens;
  cluster["model"]["parameters"] = model.parameters;
  cluster["tensor_parallel"] = spec.cluster.tensor_parallel;
  cluster["replicas"] = spec.cluster.replicas;
  cluster["router"] = spec.cluster.router;
  cluster["prefix_caching"] = spec.cluster.prefix_caching;
  // The methods price sparse attention and pick quality curves: their names, parameters and coefficients
  // (as described) are part of what a run is.
  cluster["sparse_methods"]["prefill"] = spec.sparse_methods.prefill_name;
  cluster["sparse_methods"]["decode"] = spec.sparse_methods.decode_name;
  cluster["sparse_methods"]["prefill_terms"] = spec.sparse_methods.prefill->describe();
  cluster["sparse_methods"]["decode_terms"] = spec.sparse_methods.decode->describe();
  const auto& scheduler = spec.cluster.scheduler;
  cluster["scheduler"]["max_batch_tokens"] = scheduler.max_batch_tokens;
  cluster["scheduler"]["max_running"] = scheduler.max_running;
  cluster["scheduler"]["chunk_tokens"] = scheduler.chunk_tokens;
  cluster["scheduler"]["kv_block_tokens"] = scheduler.kv_block_tokens;
  cluster["scheduler"]["activation_reserve_fraction"] = scheduler.activation_reserve_fraction;
  root["cluster"] = cluster;
  root["cost_model"] = spec.cost_model;
  if (yaml_present(spec.quality)) root["quality"] = spec.quality;
  YAML::Node compute(YAML::NodeType::Map);
  compute["metric"] = compute_metric_name(spec.compute.metric);
  compute["tolerance"] = spec.compute.tolerance;
  compute["max_iterations"] = spec.compute.max_iterations;
  if (spec.compute.kind == ComputeTargetSpec::Kind::fraction_of_dense)
    compute["target"]["fraction_of_dense"] = spec.compute.fraction_of_dense;
  if (spec.compute.kind == ComputeTargetSpec::Kind::same_as_policy) {
    compute["target"]["same_as"]["policy"] = spec.compute.same_as_policy;
    compute["target"]["same_as"]["knob"] = spec.compute.same_as_knob;
  }
  root["compute"] = compute;
  root["slo"]["ttft_p99_s"] = spec.slo.ttft_p99_s;
  root["slo"]["tpot_p99_ms"] = spec.slo.tpot_p99_ms;
  YAML::Node policies(YAML::NodeType::Sequence);
  for (const auto& policy : spec.policies) {
    YAML::Node entry = YAML::Clone(policy.node);
    if (!policy.model_name.empty()) {
      if (entry.IsScalar()) entry = YAML::Node(YAML::NodeType::Map), entry["impl"] = policy.node;
      entry["model"] = policy.model.name;
    }
    policies.push_back(entry);
  }
  root["policies"] = policies;
  root["results"]["requests"] = spec.request_storage.describe();
  root["input_digests"] = input_digests(spec);
  YAML::Emitter out;
  out.SetDoublePrecision(17);
  out << root;
  // Ends in a newline: the per-run lines appended after it must start lines of their own, or the stored
  // resolved_config is not YAML (the sweep point ran into the last input digest).
  return std::string(out.c_str()) + "\n";
}

}  // namespace sparsesim
