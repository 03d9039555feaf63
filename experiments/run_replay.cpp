#include "experiments/run_replay.h"

#include <cmath>

#include <yaml-cpp/yaml.h>

#include "core/input_error.h"
#include "experiments/build_identity.h"
#include "experiments/components.h"
#include "experiments/experiment_spec.h"
#include "experiments/workload_builder.h"

namespace sparsesim {
namespace {

// The policy entry as it ran: the written entry with its tuned parameters set.
YAML::Node entry_as_run(const PolicyEntry& entry, const std::string& tuned_parameters) {
  if (tuned_parameters.empty()) return entry.node;
  YAML::Node node(YAML::NodeType::Map);
  if (entry.node.IsScalar())
    node["impl"] = entry.node.as<std::string>();
  else
    for (const auto& item : entry.node) node[item.first.as<std::string>()] = YAML::Clone(item.second);
  for (const auto& item : YAML::Load(tuned_parameters))
    node[item.first.as<std::string>()] = YAML::Clone(item.second);
  return node;
}

void require_same(const char* what, double stored, double replayed, std::int64_t run_id) {
  if (stored == replayed || (std::isnan(stored) && std::isnan(replayed))) return;
  char text[300];
  std::snprintf(text, sizeof text,
                "run %lld: the replay gives %s %.17g, the stored run %.17g; an input file (trace, curves, "
                "profile) has changed since the run, so this would be the timeline of another run",
                static_cast<long long>(run_id), what, replayed, stored);
  throw InputError(text);
}

}  // namespace

ReplayedRun replay_run(SqliteDb& db, std::int64_t run_id, SimulationObserver* observer) {
  SqliteStatement query(
      db,
      "SELECT r.experiment, r.policy, COALESCE(r.sweep_point, ''), r.seed, r.knob, r.knob_name, "
      "COALESCE(r.tuned_parameters, ''), r.replicas, r.build_identity, d.document, "
      "d.experiment_source, r.completed, r.makespan_s, r.ttft_p99_s, r.gpu_busy_s FROM runs r "
      "LEFT JOIN point_documents d ON d.point_hash = r.point_hash WHERE r.run_id = ?");
  query << run_id;
  if (!query.step()) throw InputError(db.path() + ": no run with id " + std::to_string(run_id));
  ReplayedRun replay;
  replay.experiment = query.column_text(0), replay.policy = query.column_text(1);
  replay.sweep_point = query.column_text(2);
  if (query.column_text(8) != build_identity())
    throw InputError(
        "run " + std::to_string(run_id) + " was made by build " + query.column_text(8) + ", this is " +
        build_identity() +
        "; its timeline could differ from what was stored: run the experiment again with this build");
  if (query.column_is_null(9))
    throw InputError("run " + std::to_string(run_id) + " has no stored experiment document to replay");
  ExperimentSpec spec = parse_experiment(YAML::Load(query.column_text(9)), query.column_text(10));
  spec.cluster.replicas = static_cast<int>(query.column_int(7));  // a capacity probe's size
  replay.replicas = spec.cluster.replicas;
  replay.tensor_parallel = spec.cluster.tensor_parallel;
  const PolicyEntry* entry = nullptr;
  for (const auto& candidate : spec.policies)
    if (candidate.label == replay.policy) entry = &candidate;
  if (!entry)
    throw InputError("run " + std::to_string(run_id) + ": policy '" + replay.policy +
                     "' is not in its experiment");

  ExperimentSpec served = spec;
  if (!entry->model_name.empty()) served.cluster.model = entry->model;
  const auto cost_model = build_cost_model(served, served.cluster.tensor_parallel);
  const auto quality_model = build_quality_model(served);
  WorkloadSpec workload = spec.workload;
  if (spec.tune.enabled) {
    workload.split = WorkloadSpec::Split::evaluation;
    workload.tuning_fraction = spec.tune.tuning_fraction;
  }
  const BuiltWorkload source = read_workload_source(spec.workload, spec.seed);
  const BuiltWorkload built =
      build_workload(source, workload, static_cast<std::uint64_t>(query.column_int(3)));
  auto policy = make_policy(entry_as_run(*entry, query.column_text(6)), entry->yaml_path,
                            PolicyContext{&served.cluster.model, cost_model.get(), quality_model.get()});
  policy->prepare(built.requests);
  if (query.column_text(5) != "none") policy->set_knob(query.column_double(4));
  replay.result =
      simulate(built.requests, served.cluster, *cost_model, *policy, quality_model.get(), observer);
  const RunSummary& s = replay.result.summary;
  require_same("completed requests", static_cast<double>(query.column_int(11)),
               static_cast<double>(s.completed), run_id);
  require_same("makespan (s)", query.column_double(12), ns_to_seconds(s.makespan_ns), run_id);
  require_same("TTFT p99 (s)", query.column_double(13), s.ttft_s.p99, run_id);
  require_same("GPU busy (s)", query.column_double(14), s.gpu_busy_s, run_id);
  return replay;
}

}  // namespace sparsesim
