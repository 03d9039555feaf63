#include "experiments/experiment_spec.h"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <set>

#include "core/hardware.h"
#include "core/path_probe.h"
#include "core/yaml_file.h"
#include "experiments/yaml_fields.h"
#include "policies/budget_policy.h"
#include "workloads/request_traits.h"

namespace sparsesim {
namespace {

namespace fs = std::filesystem;

// A relative path in the experiment resolves against the working directory first (how users type it),
// then against the experiment file's folder (so experiments can ship beside their data).
std::string resolve_path(const std::string& path, const std::string& source_path) {
  if (path.empty() || fs::path(path).is_absolute() || path_exists(path)) return path;
  const fs::path beside = fs::path(source_path).parent_path() / path;
  return path_exists(beside.string()) ? beside.string() : path;
}

WorkloadSpec parse_workload(const YAML::Node& node, const std::string& source_path) {
  const std::string path = "workload";
  if (!node) throw InputError(source_path + ": missing required key 'workload'");
  std::vector<std::string> allowed = {"trace",        "format",          "reader",      "generator",
                                      "workflows",    "rate_multiplier", "time_window", "max_requests",
                                      "input_tokens", "sessions"};
  for (const auto& key : request_traits_yaml_keys()) allowed.push_back(key);
  require_keys_within(node, path, allowed);
  WorkloadSpec workload;
  // `trace:` is a path or a list of paths (merged by arrival time, each relative to its own start).
  if (node["trace"] && node["trace"].IsSequence()) {
    for (const auto& item :
         yaml_value<std::vector<std::string>>(node, path, "trace", {}, "a list of trace paths"))
      workload.trace_paths.push_back(resolve_path(item, source_path));
    if (workload.trace_paths.empty())
      throw InputError(yaml_where(node["trace"], path + ".trace") + ": empty list");
  } else if (const auto trace = yaml_value<std::string>(node, path, "trace", "", "a trace file path");
             !trace.empty()) {
    workload.trace_paths.push_back(resolve_path(trace, source_path));
  }
  workload.format = yaml_value<std::string>(node, path, "format", "", "a trace format name");
  // operator[] on a missing key yields an invalid node, which yaml-cpp refuses to assign.
  if (node["reader"]) workload.reader_params = YAML::Clone(node["reader"]);
  if (node["generator"]) workload.generator = YAML::Clone(node["generator"]);
  if (node["workflows"]) workload.workflows = YAML::Clone(node["workflows"]);
  const int sources = (workload.trace_paths.empty() ? 0 : 1) + (yaml_present(workload.generator) ? 1 : 0) +
                      (yaml_present(workload.workflows) ? 1 : 0);
  if (sources != 1)
    throw InputError(yaml_where(node, path) +
                     ": expected exactly one of 'trace' or 'generator' or 'workflows'");
  // Beyond [1e-6, 1e6] arrival times leave the int64 nanosecond range or collapse onto one instant.
  workload.rate_multiplier = yaml_in_range<double>(node, path, "rate_multiplier", 1.0, 1e-6, 1e6);
  if (const YAML::Node window = node["time_window"]) {
    require_keys_within(window, path + ".time_window", {"start_s", "end_s"});
    // Seconds of trace time; 1e9 s (31 years) keeps every bound inside int64 nanoseconds.
    workload.window_start_s = yaml_in_range<double>(window, path + ".time_window", "start_s", 0.0, 0.0, 1e9);
    workload.window_end_s =
        yaml_in_range<double>(window, path + ".time_window", "end_s", workload.window_end_s, 0.0, 1e9);
    if (!(workload.window_end_s > workload.window_start_s))
      throw InputError(yaml_where(window, path + ".time_window") + ": expected end_s > start_s");
  }
  workload.max_requests = yaml_in_range<std::int64_t>(node, path, "max_requests", -1, 1, 1e9);
  if (const YAML::Node lengths = node["input_tokens"]) {
    require_keys_within(lengths, path + ".input_tokens", {"min", "max"});
    workload.min_input_tokens =
        yaml_in_range<std::int32_t>(lengths, path + ".input_tokens", "min", 0, 0, 1e9);
    workload.max_input_tokens = yaml_in_range<std::int32_t>(lengths, path + ".input_tokens", "max",
                                                            workload.max_input_tokens, 1, 2147483647.0);
    if (workload.max_input_tokens < workload.min_input_tokens)
      throw InputError(yaml_where(lengths, path + ".input_tokens") + ": expected min <= max");
  }
  if (const YAML::Node sessions = node["sessions"]) {
    const std::string sub = path + ".sessions";
    require_keys_within(sessions, sub, {"closed_loop", "think_time_s", "think_time", "think_time_source"});
    workload.closed_loop_sessions = yaml_value<bool>(sessions, sub, "closed_loop", false, "true or false");
    workload.think_time_s = yaml_in_range<double>(sessions, sub, "think_time_s", 5.0, 0.0, 1e7);
    if (sessions["think_time_s"] && sessions["think_time"])
      throw InputError(yaml_where(sessions, sub) + ": give at most one of think_time_s and think_time");
    if (!(workload.think_time_s >= 0.0) || !std::isfinite(workload.think_time_s))
      throw InputError(yaml_where(sessions["think_time_s"], sub + ".think_time_s") +
                       ": expected finite seconds >= 0");
    workload.think_time = sessions["think_time"]
                              ? parse_think_time_spec(sessions["think_time"], sub + ".think_time")
                              : fixed_think_time(workload.think_time_s);
    const auto source =
        yaml_value<std::string>(sessions, sub, "think_time_source", "trace_gap", "trace_gap or distribution");
    if (source == "trace_gap") {
      workload.think_time_source = ThinkTimeSource::trace_gap;
    } else if (source == "distribution") {
      workload.think_time_source = ThinkTimeSource::distribution;
    } else {
      throw InputError(yaml_where(sessions["think_time_source"], sub + ".think_time_source") +
                       ": expected trace_gap or distribution, got '" + source + "'");
    }
  }
  workload.traits = parse_request_traits_config(node, path);
  return workload;
}

// capacity.gpus / tensor_parallel / cost / prices: every GPU is loaded now (a typo is an error here,
// not a deployment that "can never work"), and dollars need a price for every GPU searched.
void parse_deployment_lists(const YAML::Node& capacity, ExperimentSpec& spec) {
  CapacitySpec& out = spec.capacity;
  if (const YAML::Node gpus = capacity["gpus"]) {
    if (!gpus.IsSequence() || gpus.size() == 0 || gpus.size() > 16)
      throw InputError(yaml_where(gpus, "capacity.gpus") + ": expected a list of 1 to 16 GPU names");
    for (std::size_t i = 0; i < gpus.size(); ++i) {
      if (!gpus[i].IsScalar())
        throw InputError(yaml_where(gpus[i], "capacity.gpus") + ": expected a GPU name");
      const std::string name = gpus[i].Scalar();
      if (std::find(out.gpus.begin(), out.gpus.end(), name) != out.gpus.end())
        throw InputError(yaml_where(gpus[i], "capacity.gpus") + ": '" + name + "' listed twice");
      out.gpus.push_back(name);
    }
  }
  if (const YAML::Node degrees = capacity["tensor_parallel"]) {
    if (!degrees.IsSequence() || degrees.size() == 0 || degrees.size() > 16)
      throw InputError(yaml_where(degrees, "capacity.tensor_parallel") +
                       ": expected a list of 1 to 16 degrees");
    for (std::size_t i = 0; i < degrees.size(); ++i) {
      int degree = 0;
      try {
        degree = degrees[i].as<int>();
      } catch (const YAML::Exception&) {
      }
      if (degree < 1 || degree > 1024 ||
          std::find(out.tensor_parallel.begin(), out.tensor_parallel.end(), degree) !=
              out.tensor_parallel.end())
        throw InputError(yaml_where(degrees[i], "capacity.tensor_parallel") +
                         ": expected distinct integers in [1, 1024]");
      out.tensor_parallel.push_back(degree);
    }
  }
  out.cost = yaml_value<std::string>(capacity, "capacity", "cost", "dollars", "dollars or gpu_hours");
  if (out.cost != "dollars" && out.cost != "gpu_hours")
    throw InputError(yaml_where(capacity["cost"], "capacity.cost") +
                     ": expected dollars or gpu_hours, got '" + out.cost + "'");
  if (const YAML::Node prices = capacity["prices"]) {
    if (!prices.IsMap())
      throw InputError(yaml_where(prices, "capacity.prices") + ": expected {GPU: US$ per GPU-hour}");
    for (const auto& entry : prices) {
      const std::string name = entry.first.Scalar();
      out.prices[name] = yaml_in_range<double>(prices, "capacity.prices", name.c_str(), 0.0, 1e-6, 1000.0);
    }
  }
  if (out.cost != "dollars") return;
  std::vector<std::string> searched = out.gpus;
  if (searched.empty()) searched.push_back(spec.gpu_name);
  for (const std::string& name : searched) {
    const GpuSpec gpu = load_gpu_spec(resolve_path(name, spec.source_path));
    if (gpu.price_per_gpu_hour <= 0 && !out.prices.count(gpu.name) && !out.prices.count(name))
      throw InputError(yaml_where(capacity, "capacity") + ": cost: dollars needs a price for " + gpu.name +
                       " (price_per_gpu_hour in its GPU file, or capacity.prices: {" + gpu.name +
                       ": US$}); or use cost: gpu_hours");
  }
}

ClusterConfig parse_cluster(const YAML::Node& node, const std::string& source_path, std::string& gpu_name,
                            std::string& model_name) {
  const std::string path = "cluster";
  if (!node) throw InputError(source_path + ": missing required key 'cluster'");
  require_keys_within(node, path,
                      {"gpu", "model", "tensor_parallel", "replicas", "router", "prefix_caching", "scheduler",
                       "sparse_methods"});
  ClusterConfig cluster;
  gpu_name = yaml_required<std::string>(node, path, "gpu", "a GPU name such as H100-SXM or a YAML path");
  model_name =
      yaml_required<std::string>(node, path, "model", "a model name such as Qwen2.5-7B or a YAML path");
  cluster.gpu = load_gpu_spec(resolve_path(gpu_name, source_path));
  cluster.model = load_model_config(resolve_path(model_name, source_path));
  cluster.tensor_parallel = yaml_in_range<int>(node, path, "tensor_parallel", 1, 1, 1024);
  cluster.replicas = yaml_in_range<int>(node, path, "replicas", 1, 1, 100000);
  if (cluster.tensor_parallel < 1 || cluster.replicas < 1)
    throw InputError(yaml_where(node, path) + ": tensor_parallel and replicas must be >= 1");
  cluster.router = yaml_value<std::string>(node, path, "router", cluster.router, "a router name");
  cluster.prefix_caching = yaml_value<bool>(node, path, "prefix_caching", false, "true or false");
  if (const YAML::Node scheduler = node["scheduler"]) {
    const std::string sub = path + ".scheduler";
    require_keys_within(scheduler, sub,
                        {"max_batch_tokens", "max_running", "chunk_tokens", "kv_block_tokens",
                         "activation_reserve_fraction"});
    auto& s = cluster.scheduler;
    s.max_batch_tokens =
        yaml_in_range<std::int32_t>(scheduler, sub, "max_batch_tokens", s.max_batch_tokens, 1, 1 << 24);
    s.max_running = yaml_in_range<std::int32_t>(scheduler, sub, "max_running", s.max_running, 1, 1 << 20);
    s.chunk_tokens = yaml_in_range<std::int32_t>(scheduler, sub, "chunk_tokens", s.chunk_tokens, 1, 1 << 24);
    s.kv_block_tokens =
        yaml_in_range<std::int32_t>(scheduler, sub, "kv_block_tokens", s.kv_block_tokens, 1, 1 << 16);
    s.activation_reserve_fraction = yaml_in_range<double>(scheduler, sub, "activation_reserve_fraction",
                                                          s.activation_reserve_fraction, 0.0, 0.99);
    if (s.max_batch_tokens < 1 || s.max_running < 1 || s.chunk_tokens < 1 || s.kv_block_tokens < 1 ||
        !(s.activation_reserve_fraction >= 0 && s.activation_reserve_fraction < 1))
      throw InputError(yaml_where(scheduler, sub) + ": limits must be >= 1 and the reserve in [0, 1)");
  }
  const ModelConfig& model = cluster.model;
  if (model.query_heads % cluster.tensor_parallel != 0 || model.kv_heads % cluster.tensor_parallel != 0)
    throw InputError(yaml_where(node["tensor_parallel"], path + ".tensor_parallel") +
                     ": expected a divisor of " + model.name + "'s query heads (" +
                     std::to_string(model.query_heads) + ") and KV heads (" + std::to_string(model.kv_heads) +
                     "), got " + std::to_string(cluster.tensor_parallel));
  if (cluster.scheduler.max_batch_tokens < cluster.scheduler.chunk_tokens)
    throw InputError(yaml_where(node["scheduler"], path + ".scheduler") + ": max_batch_tokens (" +
                     std::to_string(cluster.scheduler.max_batch_tokens) + ") below chunk_tokens (" +
                     std::to_string(cluster.scheduler.chunk_tokens) +
                     "): a full prefill chunk could never be scheduled");
  return cluster;
}

ComputeMetric parse_metric(const YAML::Node& node, const std::string& path) {
  const auto name = yaml_value<std::string>(node, path, "metric", "gpu_seconds", "a metric name");
  for (ComputeMetric metric :
       {ComputeMetric::gpu_seconds, ComputeMetric::attention_flops, ComputeMetric::memory_bytes})
    if (compute_metric_name(metric) == name) return metric;
  throw InputError(yaml_where(node["metric"], path + ".metric") +
                   ": expected gpu_seconds, attention_flops or memory_bytes, got '" + name + "'");
}

ComputeTargetSpec parse_compute(const YAML::Node& node) {
  ComputeTargetSpec compute;
  if (!node) return compute;
  const std::string path = "compute";
  require_keys_within(node, path, {"metric", "target", "tolerance", "max_iterations"});
  compute.metric = parse_metric(node, path);
  compute.tolerance = yaml_in_range<double>(node, path, "tolerance", compute.tolerance, 1e-9, 0.5);
  compute.max_iterations = yaml_in_range<int>(node, path, "max_iterations", compute.max_iterations, 2, 10000);
  const YAML::Node target = node["target"];
  if (!target) return compute;
  const std::string sub = path + ".target";
  require_keys_within(target, sub, {"fraction_of_dense", "same_as"});
  if (target["fraction_of_dense"] && target["same_as"])
    throw InputError(yaml_where(target, sub) + ": expected one of fraction_of_dense or same_as, not both");
  if (target["fraction_of_dense"]) {
    compute.kind = ComputeTargetSpec::Kind::fraction_of_dense;
    compute.fraction_of_dense =
        yaml_value<double>(target, sub, "fraction_of_dense", 1.0, "a fraction in (0, 1]");
    if (!(compute.fraction_of_dense > 0 && compute.fraction_of_dense <= 1))
      throw InputError(yaml_where(target["fraction_of_dense"], sub + ".fraction_of_dense") +
                       ": expected a fraction in (0, 1]");
  } else if (const YAML::Node same = target["same_as"]) {
    compute.kind = ComputeTargetSpec::Kind::same_as_policy;
    require_keys_within(same, sub + ".same_as", {"policy", "knob"});
    compute.same_as_policy = yaml_required<std::string>(same, sub + ".same_as", "policy", "a policy label");
    compute.same_as_knob =
        yaml_required<double>(same, sub + ".same_as", "knob", "the knob value of that policy");
    if (!std::isfinite(compute.same_as_knob))
      throw InputError(yaml_where(same["knob"], sub + ".same_as.knob") + ": expected a finite knob value");
  }
  return compute;
}

std::vector<PolicyEntry> parse_policies(const YAML::Node& node, const std::string& source_path) {
  if (!node || !node.IsSequence() || node.size() == 0)
    throw InputError(source_path +
                     ": 'policies' must be a non-empty list of policy names or {impl: ...} maps");
  std::vector<PolicyEntry> entries;
  std::set<std::string> labels;
  for (std::size_t index = 0; index < node.size(); ++index) {
    PolicyEntry entry;
    entry.yaml_path = "policies[" + std::to_string(index) + "]";
    // The parsed node itself, not a clone, so that parameter errors keep their line and column
    // (YAML::Clone drops them); `model:` and `label:` are read here and ignored by make_policy.
    const YAML::Node written = node[index];
    const YAML::Node item = written;
    if (!item.IsScalar() && !(item.IsMap() && item["impl"]))
      throw InputError(yaml_where(written, entry.yaml_path) +
                       ": expected a policy name or a map with 'impl:' naming the policy");
    if (item.IsMap() && item["model"]) {
      entry.model_name =
          yaml_value<std::string>(item, entry.yaml_path, "model", "", "a model name or YAML path");
      entry.model = load_model_config(resolve_path(entry.model_name, source_path));
    }
    if (item.IsMap() && item["label"]) {
      entry.label = yaml_value<std::string>(item, entry.yaml_path, "label", "", "a label");
    } else if (item.IsScalar()) {
      entry.label = item.as<std::string>();
    } else {
      const YAML::Node impl = item["impl"];
      if (!impl.IsScalar())
        throw InputError(yaml_where(impl, entry.yaml_path + ".impl") + ": expected a policy name");
      entry.label = impl.as<std::string>();
    }
    const YAML::Node impl = item.IsScalar() ? written : item["impl"];
    if (!impl.IsScalar())
      throw InputError(yaml_where(impl, entry.yaml_path + ".impl") + ": expected a policy name");
    PolicyRegistry::instance().get_for_input(
        impl.as<std::string>(), yaml_where(impl, entry.yaml_path + (item.IsScalar() ? "" : ".impl")));
    const std::string base = entry.label;
    for (int suffix = 2; labels.count(entry.label); ++suffix)
      entry.label = base + "#" + std::to_string(suffix);
    labels.insert(entry.label);
    entry.node = item;
    entries.push_back(std::move(entry));
  }
  return entries;
}

TuneSpec parse_tune(const YAML::Node& node, const std::vector<PolicyEntry>& policies) {
  const std::string path = "tune";
  require_keys_within(node, path,
                      {"candidates", "seed", "tuning_fraction", "replications", "policies", "ranges"});
  TuneSpec tune;
  tune.enabled = true;
  tune.candidates = yaml_value<int>(node, path, "candidates", tune.candidates, "an integer in [1, 1000]");
  if (tune.candidates < 1 || tune.candidates > 1000)
    throw InputError(yaml_where(node["candidates"], path + ".candidates") +
                     ": expected an integer in [1, 1000]");
  tune.seed = yaml_value<std::uint64_t>(node, path, "seed", tune.seed, "a non-negative integer");
  tune.tuning_fraction =
      yaml_value<double>(node, path, "tuning_fraction", tune.tuning_fraction, "a fraction in (0, 1)");
  if (!(tune.tuning_fraction > 0 && tune.tuning_fraction < 1))
    throw InputError(yaml_where(node["tuning_fraction"], path + ".tuning_fraction") +
                     ": expected a fraction in (0, 1) (the rest of the trace is the evaluation split)");
  tune.replications =
      yaml_value<int>(node, path, "replications", tune.replications, "an integer in [1, 100]");
  if (tune.replications < 1 || tune.replications > 100)
    throw InputError(yaml_where(node["replications"], path + ".replications") +
                     ": expected an integer in [1, 100]");
  tune.policies = yaml_value<std::vector<std::string>>(node, path, "policies", {}, "a list of policy labels");
  auto known = [&](const std::string& label) {
    return std::any_of(policies.begin(), policies.end(),
                       [&](const PolicyEntry& e) { return e.label == label; });
  };
  for (const auto& label : tune.policies)
    if (!known(label))
      throw InputError(yaml_where(node["policies"], path + ".policies") + ": no policy labelled '" + label +
                       "'");
  if (const YAML::Node ranges = node["ranges"]; yaml_present(ranges)) {
    if (!ranges.IsMap())
      throw InputError(yaml_where(ranges, path + ".ranges") + ": expected {label: {parameter: [min, max]}}");
    for (const auto& item : ranges)
      if (!known(item.first.as<std::string>()))
        throw InputError(yaml_where(item.first, path + ".ranges") + ": no policy labelled '" +
                         item.first.as<std::string>() + "'");
    tune.ranges = ranges;
  }
  return tune;
}

// Every comparison at equal compute shows the oracle bound, so users see how much room each policy
// leaves; it is added when the experiment has a quality model and a compute target but no oracle.
void add_oracle_bound(ExperimentSpec& spec) {
  if (!yaml_present(spec.quality) || spec.compute.kind == ComputeTargetSpec::Kind::none) return;
  if (!PolicyRegistry::instance().contains("oracle")) return;
  for (const auto& entry : spec.policies) {
    const YAML::Node& node = entry.node;
    if ((node.IsScalar() && node.as<std::string>() == "oracle") ||
        (node.IsMap() && node["impl"] && node["impl"].as<std::string>() == "oracle"))
      return;
  }
  PolicyEntry oracle;
  oracle.node = YAML::Node("oracle");
  oracle.yaml_path = "policies (oracle bound, added)";
  oracle.label = "oracle";
  spec.policies.push_back(oracle);
}

}  // namespace

std::string RequestStorage::describe() const {
  switch (kind) {
    case Kind::all:
      return "all";
    case Kind::none:
      return "none";
    case Kind::sample:
      return "sample " + std::to_string(sample);
  }
  return "all";
}

std::string compute_metric_name(ComputeMetric metric) {
  switch (metric) {
    case ComputeMetric::gpu_seconds:
      return "gpu_seconds";
    case ComputeMetric::attention_flops:
      return "attention_flops";
    case ComputeMetric::memory_bytes:
      return "memory_bytes";
  }
  return "gpu_seconds";
}

ExperimentSpec parse_experiment(const YAML::Node& document, const std::string& source_path) {
  reject_duplicate_keys(document, source_path);
  require_keys_within(document, "",
                      {"name", "seed", "replications", "workload", "cluster", "cost_model", "quality",
                       "compute", "slo", "policies", "sweep", "capacity", "tune", "report", "results"});
  ExperimentSpec spec;
  spec.source_path = source_path;
  spec.document = document;
  spec.name = yaml_value<std::string>(document, "", "name", fs::path(source_path).stem().string(), "a name");
  spec.seed = yaml_value<std::uint64_t>(document, "", "seed", 1, "a non-negative integer");
  spec.replications = yaml_in_range<int>(document, "", "replications", 1, 1, 1000);
  spec.workload = parse_workload(document["workload"], source_path);
  spec.cluster = parse_cluster(document["cluster"], source_path, spec.gpu_name, spec.model_name);
  spec.sparse_methods = make_sparse_methods(document["cluster"]["sparse_methods"], "cluster.sparse_methods");
  spec.cluster.decode_evicts_kv = spec.sparse_methods.decode->evicts_kv();
  // The parsed node itself (not a clone), so that parameter errors keep their line and column.
  spec.cost_model = document["cost_model"] ? document["cost_model"] : YAML::Node("roofline");
  // File parameters of the cost model resolve like every other path (working directory, then beside the
  // file).
  for (const char* key : {"profile", "mlp", "all_reduce"})
    if (spec.cost_model.IsMap() && spec.cost_model[key] && spec.cost_model[key].IsScalar() &&
        spec.cost_model[key].as<std::string>() != "none")
      spec.cost_model[key] = resolve_path(spec.cost_model[key].as<std::string>(), source_path);
  if (const YAML::Node quality = document["quality"]) {
    spec.quality = YAML::Clone(quality);
    if (spec.quality.IsScalar())
      spec.quality = resolve_path(spec.quality.as<std::string>(), source_path);
    else if (spec.quality.IsMap() && spec.quality["curves"])
      spec.quality["curves"] = resolve_path(spec.quality["curves"].as<std::string>(), source_path);
  }
  spec.compute = parse_compute(document["compute"]);
  if (const YAML::Node slo = document["slo"]) {
    require_keys_within(slo, "slo", {"ttft_p99_s", "tpot_p99_ms"});
    // Positive and finite when given (omitted: no SLO); NaN, negative or .inf SLOs are errors.
    spec.slo.ttft_p99_s = yaml_in_range<double>(slo, "slo", "ttft_p99_s", spec.slo.ttft_p99_s, 1e-9, 1e9);
    spec.slo.tpot_p99_ms = yaml_in_range<double>(slo, "slo", "tpot_p99_ms", spec.slo.tpot_p99_ms, 1e-9, 1e12);
  }
  spec.policies = parse_policies(document["policies"], source_path);
  add_oracle_bound(spec);
  if (spec.compute.kind == ComputeTargetSpec::Kind::same_as_policy) {
    bool found = false;
    for (const auto& policy : spec.policies) found = found || policy.label == spec.compute.same_as_policy;
    if (!found)
      throw InputError("compute.target.same_as.policy: no policy labelled '" + spec.compute.same_as_policy +
                       "'");
  }
  if (const YAML::Node sweep = document["sweep"]) {
    spec.sweep.points = parse_sweep_points(sweep);
    for (const auto& entry : spec.policies)
      if (entry.yaml_path.rfind("policies[", 0) == 0) spec.sweep.policy_labels.push_back(entry.label);
    // The trace (or generator) is read once per experiment and shared by every point.
    for (const auto& point : spec.sweep.points)
      for (const auto& assignment : point.assignments)
        for (const char* source : {"workload.trace", "workload.format", "workload.reader",
                                   "workload.generator", "workload.workflows"})
          if (assignment.field == source || assignment.field.rfind(std::string(source) + ".", 0) == 0)
            throw InputError(yaml_where(sweep, "sweep") + ": '" + assignment.field +
                             "' chooses the trace itself, which every point shares; run one experiment "
                             "per trace (selection fields such as workload.max_requests may be swept)");
    // Every point is checked now, before anything runs: an invalid one is an error naming it.
    for (std::size_t i = 0; i < spec.sweep.points.size(); ++i) experiment_for_point(spec, i);
  }
  if (const YAML::Node capacity = document["capacity"]) {
    require_keys_within(
        capacity, "capacity",
        {"min_replicas", "max_replicas", "quality_floor", "gpus", "tensor_parallel", "cost", "prices"});
    spec.capacity.enabled = true;
    parse_deployment_lists(capacity, spec);
    spec.capacity.min_replicas = yaml_in_range<int>(capacity, "capacity", "min_replicas", 1, 1, 100000);
    spec.capacity.max_replicas = yaml_in_range<int>(capacity, "capacity", "max_replicas", 64, 1, 100000);
    spec.capacity.quality_floor = yaml_in_range<double>(capacity, "capacity", "quality_floor", 0.0, 0.0, 1.0);
    if (spec.capacity.min_replicas < 1 || spec.capacity.max_replicas < spec.capacity.min_replicas)
      throw InputError(yaml_where(capacity, "capacity") + ": expected 1 <= min_replicas <= max_replicas");
  }
  if (spec.capacity.enabled && !spec.sweep.points.empty())
    throw InputError(yaml_where(document["capacity"], "capacity") +
                     ": capacity search and sweep: cannot be combined (the search already varies "
                     "cluster.replicas); run one capacity experiment per sweep value");
  if (const YAML::Node tune = document["tune"]) spec.tune = parse_tune(tune, spec.policies);
  spec.report_path = yaml_value<std::string>(document, "", "report", "", "an HTML file path");
  if (const YAML::Node results = document["results"]) {
    require_keys_within(results, "results", {"requests"});
    const YAML::Node requests = results["requests"];
    if (requests && requests.IsMap()) {
      require_keys_within(requests, "results.requests", {"sample"});
      spec.request_storage.kind = RequestStorage::Kind::sample;
      spec.request_storage.sample =
          yaml_in_range<std::int64_t>(requests, "results.requests", "sample", 1000, 1, 1e12);
    } else if (requests) {
      const auto kind =
          yaml_value<std::string>(results, "results", "requests", "all", "all, none or {sample: N}");
      if (kind == "none")
        spec.request_storage.kind = RequestStorage::Kind::none;
      else if (kind != "all")
        throw InputError(yaml_where(requests, "results.requests") +
                         ": expected all, none or {sample: N}, got '" + kind + "'");
    }
  }
  return spec;
}

ExperimentSpec load_experiment(const std::string& path) {
  if (!path_exists(path)) throw InputError(path + ": experiment file not found");
  // A directory, a syntax error or a key given twice in one map is an error naming the file and line.
  const YAML::Node document = load_yaml_file(path);
  try {
    return parse_experiment(document, path);
  } catch (const InputError& error) {
    throw InputError(path + ": " + error.what());
  }
}

ExperimentSpec experiment_for_point(const ExperimentSpec& spec, std::size_t index) {
  const SweepPoint& point = spec.sweep.points.at(index);
  try {
    return parse_experiment(document_for_point(spec.document, point, spec.sweep.policy_labels),
                            spec.source_path);
  } catch (const InputError& error) {
    throw InputError("sweep point " + std::to_string(index) + " (" + point.label() + "): " + error.what());
  }
}

}  // namespace sparsesim
