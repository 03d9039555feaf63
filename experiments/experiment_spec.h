#pragma once
// An experiment as the user writes it in YAML (see README "Experiment YAML reference"). Parsing is strict:
// unknown keys and wrong types are InputErrors naming the YAML path, line and column. Components with
// their own parameters (policies, cost model, quality model, trace reader, generator) keep their YAML
// subtree and are validated when built.
#include <cstdint>
#include <limits>
#include <map>
#include <string>
#include <vector>

#include <yaml-cpp/yaml.h>

#include "cost/sparse_method.h"
#include "experiments/request_storage.h"
#include "experiments/sweep_points.h"

#include "sim/simulation.h"
#include "workloads/request_traits.h"
#include "workloads/session_turns.h"
#include "workloads/think_time.h"

namespace sparsesim {

struct WorkloadSpec {
  std::vector<std::string> trace_paths;  // one or more traces, merged by arrival; empty for generators
  std::string format;                    // "" = sniff
  YAML::Node reader_params;              // format-specific (e.g. column mapping for `csv`)
  YAML::Node generator;                  // synthetic workload instead of a trace
  YAML::Node workflows;          // agentic workflow templates instead (workloads/workflow_templates.h)
  double rate_multiplier = 1.0;  // > 1 compresses arrivals (more load)
  double window_start_s = 0.0;   // keep requests arriving in [start, end) of the trace
  double window_end_s = std::numeric_limits<double>::infinity();
  std::int64_t max_requests = -1;  // keep the first N after windowing; -1 = all
  std::int32_t min_input_tokens = 0;
  std::int32_t max_input_tokens = std::numeric_limits<std::int32_t>::max();
  bool closed_loop_sessions = false;  // session turns wait for the previous turn
  double think_time_s = 5.0;          // default think time when the trace has none
  // The think-time distribution of closed-loop turns: `sessions.think_time:` (workloads/think_time.h), or
  // fixed at think_time_s (`sessions.think_time_s:`, the shorthand; give at most one of the two).
  ThinkTimeSpec think_time = fixed_think_time(5.0);
  // `sessions.think_time_source:` trace_gap (default: the trace's gap between turns when positive, else a
  // draw) or distribution (always a draw).
  ThinkTimeSource think_time_source = ThinkTimeSource::trace_gap;
  RequestTraitsConfig traits;  // task mix and predictor settings (workloads/request_traits.h)
  // With `tune:`, the selected requests are split by arrival time: the first tuning_fraction of the
  // selected span tunes secondary parameters, the rest is what every reported run evaluates.
  enum class Split { all, tuning, evaluation } split = Split::all;
  double tuning_fraction = 0.3;
};

enum class ComputeMetric { gpu_seconds, attention_flops, memory_bytes };
std::string compute_metric_name(ComputeMetric metric);

struct ComputeTargetSpec {
  ComputeMetric metric = ComputeMetric::gpu_seconds;
  enum class Kind { none, fraction_of_dense, same_as_policy } kind = Kind::none;
  double fraction_of_dense = 1.0;
  std::string same_as_policy;  // a policy label from the list
  double same_as_knob = 0.0;
  // Relative. Runs are deterministic in the knob (common random numbers), so a tight window is cheap;
  // 0.5% once let quality vary by 0.1 on flat compute curves.
  double tolerance = 0.001;
  int max_iterations = 60;
};

struct SloSpec {
  double ttft_p99_s = std::numeric_limits<double>::infinity();
  double tpot_p99_ms = std::numeric_limits<double>::infinity();
};

struct PolicyEntry {
  YAML::Node node;        // bare name or {impl: ..., params}
  std::string yaml_path;  // e.g. "policies[2]"
  std::string label;      // unique display name: impl, or `label:` key, de-duplicated with #n
  // `model:` in a policy entry serves that policy with another model (the Sparse Frontier's question:
  // a larger sparse model against a smaller dense one at equal compute). Empty = the cluster's model.
  std::string model_name;
  ModelConfig model;
};

// `sweep:` (experiments/sweep_points.h): the points, each a set of field values; empty = no sweep.
struct SweepSpec {
  std::vector<SweepPoint> points;
  std::vector<std::string> policy_labels;  // label of the document's policies[i], for policies.LABEL.x
};

// `capacity:` searches deployments: every GPU type x tensor-parallel degree listed (default: the
// cluster's), and for each the smallest replica count meeting the SLOs; the cheapest deployment per
// policy wins, by dollars (price per GPU-hour from the GPU file or `prices:`) or by GPU-hours.
struct CapacitySpec {
  bool enabled = false;
  int min_replicas = 1;
  int max_replicas = 64;
  double quality_floor = 0.0;            // mean expected quality the policy must keep
  std::vector<std::string> gpus;         // GPU names or files to search; empty = the cluster's
  std::vector<int> tensor_parallel;      // degrees to search; empty = the cluster's
  std::string cost = "dollars";          // dollars | gpu_hours: what "cheapest" means
  std::map<std::string, double> prices;  // GPU name -> US$ per GPU-hour, overriding the GPU file
};

// `tune:`: a seeded search over each policy's tunable secondary parameters (declared with ranges in the
// policy's registration, overridable here), every candidate solved to the compute target on the tuning
// split; the candidate with the best mean quality among those at the target is kept.
struct TuneSpec {
  bool enabled = false;
  int candidates = 8;                 // per policy, the policy as written included
  std::uint64_t seed = 1;             // draws of the candidates
  double tuning_fraction = 0.3;       // of the selected arrival span, from its start
  int replications = 1;               // replications per candidate on the tuning split
  std::vector<std::string> policies;  // labels to tune; empty = every policy with tunable parameters
  YAML::Node ranges;                  // label -> {parameter: [min, max]} overriding the registered ranges
};

struct ExperimentSpec {
  std::string name;
  std::string source_path;  // YAML file it came from
  std::uint64_t seed = 1;
  int replications = 1;
  WorkloadSpec workload;
  ClusterConfig cluster;
  std::string gpu_name, model_name;
  SparseMethods sparse_methods;  // cluster.sparse_methods (defaults: vertical_slash, quest)
  YAML::Node cost_model;         // "roofline", {profile: PATH}, or {impl: NAME, ...}
  YAML::Node quality;            // null = no quality model
  ComputeTargetSpec compute;
  SloSpec slo;
  std::vector<PolicyEntry> policies;
  SweepSpec sweep;
  CapacitySpec capacity;
  TuneSpec tune;
  std::string report_path;  // HTML report to write after the run ("" = none)
  RequestStorage request_storage;
  YAML::Node document;  // the parsed document, for storing the resolved config
};

// Parses a YAML experiment file. Paths inside are resolved relative to the current directory first,
// then to the experiment file's directory. Throws InputError.
ExperimentSpec load_experiment(const std::string& path);
ExperimentSpec parse_experiment(const YAML::Node& document, const std::string& source_path);

// The experiment of sweep point `index`: the document with the point's values set, parsed again, so each
// value is checked exactly as if written in the file. Everything downstream (targets, SLOs, workloads,
// clusters) reads the point's own spec, never the experiment's. Throws InputError naming the point.
ExperimentSpec experiment_for_point(const ExperimentSpec& spec, std::size_t index);

}  // namespace sparsesim
