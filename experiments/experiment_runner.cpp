#include "experiments/experiment_runner.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <memory>
#include <mutex>

#include "experiments/components.h"
#include "experiments/config_hash.h"
#include "experiments/iso_compute.h"
#include "experiments/parallel_runner.h"
#include "experiments/progress_bar.h"
#include "experiments/resolved_config.h"
#include "experiments/results_store.h"
#include "experiments/workload_builder.h"
#include "workloads/input_error.h"

namespace sparsesim {
namespace {

// What serves a policy: the cluster (with the policy's model) and the models that price and score it.
struct Serving {
  ClusterConfig cluster;
  std::unique_ptr<CostModel> cost_model;
  std::unique_ptr<QualityModel> quality_model;  // null without a quality model
};

// One sweep point (or the single point of a plain experiment).
struct Point {
  ExperimentSpec spec;
  std::string sweep_field;
  double sweep_value = 0;
  std::map<std::string, Serving> serving;  // by model name; built up front, read-only while running
};

// One (point, replication): the requests and the compute every policy is matched to, measured once.
struct Group {
  Point* point = nullptr;
  int replication = 0;
  std::uint64_t seed = 0;
  std::once_flag workload_once, reference_once;
  BuiltWorkload workload;
  double target_compute = 0;
  std::string reference_impl;  // impl whose run defines the target ("" when there is no target)
  SimulationResult reference_result;
  double reference_knob = 0;
};

struct Task {
  Group* group = nullptr;
  const PolicyEntry* policy = nullptr;
  std::string config_hash;
  std::string resolved_config;
  bool stored = false;
};

std::uint64_t replication_seed(std::uint64_t seed, int replication) {
  // Replications draw independent traits; replication 0 uses the experiment seed itself.
  return replication == 0 ? seed
                          : fnv1a_64(std::to_string(seed) + "/replication/" + std::to_string(replication));
}

double slo_attainment(const SimulationResult& result, const SloSpec& slo) {
  if (result.requests.empty()) return 0.0;
  std::int64_t within = 0;
  for (const RequestResult& r : result.requests)
    if (r.status == RequestStatus::done && ns_to_seconds(r.ttft_ns) <= slo.ttft_p99_s &&
        r.tpot_ns / 1e6 <= slo.tpot_p99_ms)
      ++within;
  return static_cast<double>(within) / static_cast<double>(result.requests.size());
}

class ExperimentExecution {
 public:
  ExperimentExecution(const ExperimentSpec& spec, const RunOptions& options)
      : spec_(spec), options_(options) {}

  ExperimentRunReport run() {
    make_points();
    validate_policies();
    source_ = read_workload_source(spec_.workload, spec_.seed);
    ResultsStore store(options_.results_path);
    make_tasks(store);

    ExperimentRunReport report;
    std::size_t pending = 0;
    for (const Task& task : tasks_) pending += task.stored ? 0 : 1;
    ProgressBar progress("sparsesim " + spec_.name, pending, options_.progress);
    run_in_order<std::optional<RunRecord>>(
        tasks_.size(), options_.threads,
        [&](std::size_t index) -> std::optional<RunRecord> {
          if (tasks_[index].stored) return std::nullopt;
          RunRecord record = execute(tasks_[index]);
          progress.advance();
          return record;
        },
        [&](std::size_t index, std::optional<RunRecord>& record) {
          if (record) {
            report.run_ids.push_back(store.write_run(*record));
            ++report.simulated;
            if (!record->solver.note.empty())
              report.notes.push_back(record->policy_label + ": " + record->solver.status + ": " +
                                     record->solver.note);
          } else {
            SqliteStatement find(store.db(), "SELECT run_id FROM runs WHERE config_hash = ?");
            find << tasks_[index].config_hash;
            find.step();
            report.run_ids.push_back(find.column_int(0));
            ++report.skipped;
          }
        });
    progress.finish();
    std::vector<std::string> notes = source_.notes;
    for (auto& group : groups_)
      for (const auto& note : group->workload.notes)
        if (std::find(notes.begin(), notes.end(), note) == notes.end()) notes.push_back(note);
    for (const auto& note : report.notes)
      if (std::find(notes.begin(), notes.end(), note) == notes.end()) notes.push_back(note);
    report.notes = notes;
    return report;
  }

 private:
  void make_points() {
    if (spec_.sweep.values.empty()) {
      auto point = std::make_unique<Point>();
      point->spec = spec_;
      points_.push_back(std::move(point));
    }
    for (double value : spec_.sweep.values) {
      auto point = std::make_unique<Point>();
      point->spec = spec_;
      set_numeric_field(point->spec, spec_.sweep.field, value);
      point->sweep_field = spec_.sweep.field;
      point->sweep_value = value;
      points_.push_back(std::move(point));
    }
    for (auto& point : points_) {
      std::vector<ModelConfig> models = {point->spec.cluster.model};
      for (const auto& entry : spec_.policies)
        if (!entry.model_name.empty()) models.push_back(entry.model);
      for (const ModelConfig& model : models) {
        if (point->serving.count(model.name)) continue;
        ExperimentSpec with_model = point->spec;
        with_model.cluster.model = model;
        Serving serving;
        serving.cluster = with_model.cluster;
        serving.cost_model = build_cost_model(with_model, with_model.cluster.tensor_parallel);
        serving.quality_model = build_quality_model(with_model);
        point->serving.emplace(model.name, std::move(serving));
      }
    }
  }

  static const Serving& serving_for(const Point& point, const PolicyEntry* entry) {
    const bool own_model = entry && !entry->model_name.empty();
    return point.serving.at(own_model ? entry->model.name : point.spec.cluster.model.name);
  }

  static PolicyContext context(const Serving& serving) {
    return PolicyContext{&serving.cluster.model, serving.cost_model.get(), serving.quality_model.get()};
  }

  // Builds every policy once up front so a bad parameter fails before any simulation runs.
  void validate_policies() {
    for (const auto& entry : spec_.policies)
      make_policy(entry.node, entry.yaml_path, context(serving_for(*points_.front(), &entry)));
  }

  void make_tasks(ResultsStore& store) {
    const std::string base = resolved_experiment_yaml(spec_);
    for (auto& point : points_) {
      for (int replication = 0; replication < spec_.replications; ++replication) {
        auto group = std::make_unique<Group>();
        group->point = point.get();
        group->replication = replication;
        group->seed = replication_seed(spec_.seed, replication);
        for (const auto& policy : spec_.policies) {
          Task task;
          task.group = group.get();
          task.policy = &policy;
          task.resolved_config =
              base + "run:\n  policy: " + policy.label + "\n  replication: " + std::to_string(replication) +
              "\n  seed: " + std::to_string(group->seed) +
              (point->sweep_field.empty() ? std::string()
                                          : "\n  sweep: {field: " + point->sweep_field +
                                                ", value: " + std::to_string(point->sweep_value) + "}") +
              "\n";
          task.config_hash = config_hash_hex(task.resolved_config);
          task.stored = store.has_run(task.config_hash);
          tasks_.push_back(std::move(task));
        }
        groups_.push_back(std::move(group));
      }
    }
  }

  const BuiltWorkload& workload(Group& group) {
    std::call_once(group.workload_once, [&] {
      WorkloadSpec workload = group.point->spec.workload;
      group.workload = build_workload(source_, workload, group.seed);
    });
    return group.workload;
  }

  // Builds a policy for one group and lets it see the trace once (the oracle prices every request's
  // candidate budgets here; set_knob afterwards only changes its Lagrange multiplier).
  std::unique_ptr<BudgetPolicy> prepared_policy(Group& group, const Serving& serving, const YAML::Node& node,
                                                const std::string& path, std::string* impl) {
    auto policy = make_policy(node, path, context(serving), impl);
    policy->prepare(workload(group).requests);
    return policy;
  }

  SimulationResult simulate_policy(Group& group, const Serving& serving, BudgetPolicy& policy, double knob) {
    policy.set_knob(knob);
    return simulate(workload(group).requests, serving.cluster, *serving.cost_model, policy,
                    serving.quality_model.get());
  }

  // The compute every policy of the group is matched to: dense compute times a fraction, or a named
  // policy's compute at a given knob. Measured once per group, by whichever task needs it first.
  void measure_reference(Group& group) {
    std::call_once(group.reference_once, [&] {
      const ComputeTargetSpec& compute = spec_.compute;
      if (compute.kind == ComputeTargetSpec::Kind::none) return;
      YAML::Node node("dense");
      std::string path = "compute.target (dense reference)";
      const PolicyEntry* reference = nullptr;
      double knob = 1.0;
      if (compute.kind == ComputeTargetSpec::Kind::same_as_policy) {
        for (const auto& entry : spec_.policies)
          if (entry.label == compute.same_as_policy)
            reference = &entry, node = entry.node, path = entry.yaml_path;
        knob = compute.same_as_knob;
      }
      const Serving& serving = serving_for(*group.point, reference);
      auto policy = prepared_policy(group, serving, node, path, &group.reference_impl);
      if (compute.kind != ComputeTargetSpec::Kind::same_as_policy) knob = policy->knob().value;
      group.reference_knob = knob;
      group.reference_result = simulate_policy(group, serving, *policy, knob);
      const double reference_compute =
          run_compute(group.reference_result.summary, compute_metric_name(compute.metric));
      group.target_compute = compute.kind == ComputeTargetSpec::Kind::fraction_of_dense
                                 ? reference_compute * compute.fraction_of_dense
                                 : reference_compute;
    });
  }

  RunRecord execute(const Task& task) {
    Group& group = *task.group;
    const Point& point = *group.point;
    const ComputeTargetSpec& compute = spec_.compute;
    const std::string metric = compute_metric_name(compute.metric);
    std::string impl;
    const Serving& serving = serving_for(point, task.policy);
    auto policy = prepared_policy(group, serving, task.policy->node, task.policy->yaml_path, &impl);
    const KnobSpec knob = policy->knob();
    measure_reference(group);

    RunRecord record;
    record.policy_impl = impl;
    record.knob_name = knob.name;
    const bool is_reference = compute.kind != ComputeTargetSpec::Kind::none &&
                              ((compute.kind == ComputeTargetSpec::Kind::same_as_policy &&
                                task.policy->label == compute.same_as_policy) ||
                               (compute.kind == ComputeTargetSpec::Kind::fraction_of_dense &&
                                compute.fraction_of_dense == 1.0 && impl == "dense"));
    if (compute.kind == ComputeTargetSpec::Kind::none || knob.min == knob.max || is_reference) {
      // Nothing to solve: the policy runs at its configured knob (or is the reference itself).
      const double value = is_reference ? group.reference_knob : knob.value;
      record.knob = value;
      // The dense reference run is reused for a dense policy served by the same model.
      const bool same_as_reference =
          is_reference ||
          (impl == "dense" && group.reference_impl == "dense" && task.policy->model_name.empty() &&
           compute.kind == ComputeTargetSpec::Kind::fraction_of_dense);
      record.result =
          same_as_reference ? group.reference_result : simulate_policy(group, serving, *policy, value);
      record.solver.status = is_reference ? "reference" : (knob.min == knob.max ? "no_knob" : "fixed_knob");
      record.solver.iterations = 1;
    } else {
      double best_error = INFINITY;
      auto evaluate = [&](double value) {
        SimulationResult result = simulate_policy(group, serving, *policy, value);
        const double achieved = run_compute(result.summary, metric);
        if (std::abs(achieved - group.target_compute) < best_error) {
          best_error = std::abs(achieved - group.target_compute);
          record.result = std::move(result);
        }
        return achieved;
      };
      const KnobSolution solution = solve_knob_for_target(evaluate, knob.min, knob.max, group.target_compute,
                                                          compute.tolerance, compute.max_iterations);
      record.knob = solution.knob;
      record.solver.status = solution.status;
      record.solver.note = solution.note;
      record.solver.iterations = solution.iterations;
    }
    record.solver.target = group.target_compute;
    record.solver.achieved = run_compute(record.result.summary, metric);
    record.experiment = spec_.name;
    record.config_hash = task.config_hash;
    record.resolved_config = task.resolved_config;
    record.policy_label = task.policy->label;
    record.seed = group.seed;
    record.replication = group.replication;
    record.sweep_field = point.sweep_field;
    record.sweep_value = point.sweep_value;
    record.replicas = point.spec.cluster.replicas;
    record.compute_metric = metric;
    record.slo_attainment = slo_attainment(record.result, spec_.slo);
    const RunSummary& summary = record.result.summary;
    record.meets_slo = summary.rejected == 0 && summary.ttft_s.p99 <= spec_.slo.ttft_p99_s &&
                       summary.tpot_ms.p99 <= spec_.slo.tpot_p99_ms;
    record.cost_model = serving.cost_model->describe();
    record.quality_model = serving.quality_model ? serving.quality_model->describe() : "";
    record.model = serving.cluster.model.name;
    for (const auto& note : group.workload.notes) record.warnings += note + "\n";
    return record;
  }

  const ExperimentSpec& spec_;
  const RunOptions& options_;
  std::vector<std::unique_ptr<Point>> points_;
  std::vector<std::unique_ptr<Group>> groups_;
  std::vector<Task> tasks_;
  BuiltWorkload source_;
};

}  // namespace

ExperimentRunReport run_experiment(const ExperimentSpec& spec, const RunOptions& options) {
  if (options.threads < 1) throw InputError("--threads: expected an integer >= 1");
  return ExperimentExecution(spec, options).run();
}

}  // namespace sparsesim
