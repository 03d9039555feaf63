#include "experiments/experiment_runner.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <sstream>

#include "core/input_error.h"
#include "experiments/build_identity.h"
#include "experiments/components.h"
#include "experiments/config_hash.h"
#include "experiments/joint_solve.h"
#include "experiments/parallel_runner.h"
#include "experiments/policy_tuning.h"
#include "experiments/progress_bar.h"
#include "experiments/resolved_config.h"
#include "experiments/results_store.h"
#include "experiments/workload_builder.h"
#include "experiments/yaml_fields.h"
#include "sim/kv_cache.h"

namespace sparsesim {
namespace {

// One sweep point (or the single point of a plain experiment). Its spec is the experiment with the
// sweep value applied and, after tuning, each tuned policy's parameters set.
struct Point {
  ExperimentSpec spec;
  std::string label;        // "field=value, ...": the sweep point's name ("" without a sweep)
  std::string sweep_field;  // with a one-field numeric sweep; "" otherwise
  double sweep_value = 0;
  std::map<std::string, Serving> serving;  // by model name; built up front, read-only while running
  std::string resolved_base;               // resolved YAML of the point, before the per-run lines
  std::string point_hash;
  std::string document_text;  // the point's document as run (point_documents), dumped once per point
  std::map<std::string, std::string> tuned_parameters;  // label -> flow map, for tuned policies
};

// The compute every policy of a replication is matched to, and the run that defined it.
struct Reference {
  double target_compute = 0;
  std::string impl;  // impl whose run defines the target ("" when there is no target)
  SimulationResult result;
  double knob = 0;
};

// One (point, replication): its requests and reference, each computed once by whichever solve needs it.
struct Group {
  Point* point = nullptr;
  int replication = 0;
  std::uint64_t seed = 0;
  std::once_flag workload_once, reference_once;
  BuiltWorkload workload;
  Reference reference;
};

struct Run {
  Group* group = nullptr;
  std::string resolved_config, config_hash, input_hash;
  std::int64_t stored_id = -1;
};

// One policy at one point: its knob is solved once for all of the point's replications.
struct Solve {
  Point* point = nullptr;
  std::size_t policy_index = 0;
  std::string group_hash;
  std::vector<Run> runs;  // one per replication
  bool all_stored() const {
    return std::all_of(runs.begin(), runs.end(), [](const Run& run) { return run.stored_id >= 0; });
  }
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

// Median queue wait (arrival to first scheduling) of the scheduled requests in the first and last
// quarter of arrivals (requests are in arrival order).
std::pair<double, double> queue_wait_quarters(const SimulationResult& result) {
  auto median_wait = [&](std::size_t begin, std::size_t end) {
    std::vector<double> waits;
    for (std::size_t i = begin; i < end; ++i) {
      const RequestResult& r = result.requests[i];
      if (r.first_scheduled_ns >= 0) waits.push_back(ns_to_seconds(r.first_scheduled_ns - r.arrival_ns));
    }
    if (waits.empty()) return 0.0;
    std::nth_element(waits.begin(), waits.begin() + waits.size() / 2, waits.end());
    return waits[waits.size() / 2];
  };
  const std::size_t n = result.requests.size();
  return {median_wait(0, n / 4), median_wait(n - n / 4, n)};
}

// A model whose weights (and the activation reserve) fill the GPUs of a replica leaves no KV cache: every
// request would be rejected. Say so before simulating anything.
void require_room_for_kv(const ClusterConfig& cluster) {
  if (kv_capacity_blocks(cluster.gpu, cluster.model, cluster.tensor_parallel, cluster.scheduler) > 0) return;
  char text[320];
  std::snprintf(text, sizeof text,
                "%s: weights (%.1f GB) plus the activation reserve (%.0f%%) leave no KV cache on %d x %s "
                "(%.1f GB each); raise cluster.tensor_parallel or choose a larger GPU",
                cluster.model.name.c_str(),
                cluster.model.parameters * cluster.model.bytes_per_parameter / 1e9,
                100 * cluster.scheduler.activation_reserve_fraction, cluster.tensor_parallel,
                cluster.gpu.name.c_str(), static_cast<double>(cluster.gpu.memory_bytes) / 1e9);
  throw InputError(std::string("cluster: ") + text);
}

class ExperimentExecution {
 public:
  ExperimentExecution(const ExperimentSpec& spec, const RunOptions& options)
      : spec_(spec), options_(options), build_(build_identity()) {}

  ExperimentRunReport run() {
    source_ = read_workload_source(spec_.workload, spec_.seed);
    check_memory_fits(selected_point_count());
    make_points();
    validate_policies();
    ResultsStore store(options_.results_path);
    if (options_.plan) {
      SqliteTransaction transaction(store.db());
      record_sweep_plan(store.db(), *options_.plan);
      transaction.commit();
    }
    if (spec_.tune.enabled) tune(store);
    make_solves(store);

    std::size_t pending = 0;
    for (const Solve& solve : solves_) pending += solve.all_stored() ? 0 : 1;
    ProgressBar progress("sparsesim " + spec_.name, pending, options_.progress);
    run_in_order<std::vector<RunRecord>>(
        solves_.size(), options_.threads,
        [&](std::size_t index) {
          if (solves_[index].all_stored()) return std::vector<RunRecord>{};
          std::vector<RunRecord> records = execute(solves_[index]);
          progress.advance();
          return records;
        },
        [&](std::size_t index, std::vector<RunRecord>& records) {
          const Solve& solve = solves_[index];
          for (std::size_t r = 0; r < solve.runs.size(); ++r) {
            if (solve.runs[r].stored_id >= 0) {
              report_.run_ids.push_back(solve.runs[r].stored_id);
              ++report_.skipped;
            } else {
              report_.run_ids.push_back(store.write_run(records[r]));
              ++report_.simulated;
            }
          }
        });
    progress.finish();
    if (options_.plan) mark_covered_points_complete(store);
    if (!groups_.empty())
      report_.evaluation_requests = static_cast<std::int64_t>(workload(*groups_.front()).requests.size());
    std::vector<std::string> notes = source_.notes;
    for (auto& group : groups_)
      for (const auto& note : group->workload.notes)
        if (std::find(notes.begin(), notes.end(), note) == notes.end()) notes.push_back(note);
    if (report_.other_build_runs > 0)
      notes.push_back(std::to_string(report_.other_build_runs) +
                      " stored runs of this configuration made by " +
                      "another build ignored (this build: " + build_ + "); simulated again");
    for (const auto& note : report_.notes)
      if (std::find(notes.begin(), notes.end(), note) == notes.end()) notes.push_back(note);
    report_.notes = notes;
    return report_;
  }

 private:
  void mark_covered_points_complete(ResultsStore& store) {
    std::vector<std::size_t> covered = options_.point_indices;
    if (!options_.only_listed_points)
      for (std::size_t index = 0; index < options_.plan->point_labels.size(); ++index)
        covered.push_back(index);
    SqliteTransaction transaction(store.db());
    mark_points_complete(store.db(), *options_.plan, covered);
    transaction.commit();
  }

  void make_points() {
    if (spec_.sweep.points.empty() && (!options_.only_listed_points || !options_.point_indices.empty())) {
      auto point = std::make_unique<Point>();
      point->spec = spec_;
      points_.push_back(std::move(point));
    }
    for (std::size_t index = 0; index < spec_.sweep.points.size(); ++index) {
      if (options_.only_listed_points &&
          !std::binary_search(options_.point_indices.begin(), options_.point_indices.end(), index))
        continue;
      const SweepPoint& sweep_point = spec_.sweep.points[index];
      auto point = std::make_unique<Point>();
      point->spec = experiment_for_point(spec_, index);
      point->label = sweep_point.label();
      // A one-field numeric sweep also fills sweep_field / sweep_value, for plots along that field.
      if (const double value = sweep_point.single_numeric_value(); !std::isnan(value))
        point->sweep_field = sweep_point.assignments.front().field, point->sweep_value = value;
      points_.push_back(std::move(point));
    }
    for (auto& point : points_) {
      std::vector<ModelConfig> models = {point->spec.cluster.model};
      for (const auto& entry : point->spec.policies)
        if (!entry.model_name.empty()) models.push_back(entry.model);
      for (const ModelConfig& model : models) {
        if (point->serving.count(model.name)) continue;
        ExperimentSpec with_model = point->spec;
        with_model.cluster.model = model;
        Serving serving;
        serving.cluster = with_model.cluster;
        require_room_for_kv(serving.cluster);
        serving.cost_model = build_cost_model(with_model, with_model.cluster.tensor_parallel);
        serving.quality_model = build_quality_model(with_model);
        point->serving.emplace(model.name, std::move(serving));
      }
    }
  }

  std::size_t selected_point_count() const {
    if (options_.only_listed_points) return options_.point_indices.size();
    return spec_.sweep.points.empty() ? 1 : spec_.sweep.points.size();
  }

  // Every (point, replication) keeps its workload and reference run until the end, and each solve in
  // flight holds two results per replication; estimate that before starting and refuse what cannot fit.
  // Runs before any point is built, so a sweep too large to hold is refused cheaply.
  void check_memory_fits(std::size_t point_count) const {
    std::size_t prefix_ids = 0;
    for (const Request& request : source_.requests) prefix_ids += request.prefix_block_ids.size();
    const double requests = static_cast<double>(source_.requests.size());
    const double request_bytes = requests * sizeof(Request) + 8.0 * static_cast<double>(prefix_ids);
    const double result_bytes = requests * sizeof(RequestResult);
    const double points = static_cast<double>(point_count);
    const double groups = points * spec_.replications;
    const double in_flight =
        std::min<double>(options_.threads, points * static_cast<double>(spec_.policies.size()));
    const double estimate = request_bytes * (1 + groups) + result_bytes * groups +
                            2.0 * result_bytes * spec_.replications * in_flight;
    const double available = available_memory_bytes();
    if (available > 0 && estimate > 0.9 * available) {
      char text[400];
      std::snprintf(
          text, sizeof text,
          "the experiment needs about %.1f GiB (%.0f requests x %.0f sweep points x %d replications, "
          "%d threads) but %.1f GiB of memory is available; reduce the sweep, the replications, "
          "--threads or workload.max_requests",
          estimate / 1073741824.0, requests, points, spec_.replications, options_.threads,
          available / 1073741824.0);
      throw InputError(text);
    }
  }

  // MemAvailable from /proc/meminfo in bytes; 0 when unknown (then nothing is refused).
  static double available_memory_bytes() {
    std::ifstream meminfo("/proc/meminfo");
    for (std::string key; meminfo >> key;) {
      double kib = 0;
      meminfo >> kib;
      if (key == "MemAvailable:") return kib * 1024.0;
      meminfo.ignore(64, '\n');
    }
    return 0;
  }

  static std::string sweep_text(const Point& point) {
    if (point.label.empty()) return "";
    YAML::Emitter out;
    out << YAML::BeginMap << YAML::Key << "sweep" << YAML::Value << YAML::BeginMap << YAML::Key << "point"
        << YAML::Value << point.label << YAML::EndMap << YAML::EndMap;
    return std::string(out.c_str()) + "\n";
  }

  static const Serving& serving_for(const Point& point, const PolicyEntry* entry) {
    const bool own_model = entry && !entry->model_name.empty();
    return point.serving.at(own_model ? entry->model.name : point.spec.cluster.model.name);
  }

  static PolicyContext context(const Serving& serving) {
    return PolicyContext{&serving.cluster.model, serving.cost_model.get(), serving.quality_model.get()};
  }

  // Builds every policy once up front so a bad parameter fails before any simulation runs; the error
  // names the experiment file.
  // Every point's policies, since a sweep may set their parameters.
  void validate_policies() {
    for (const auto& point : points_) {
      try {
        for (const auto& entry : point->spec.policies)
          make_policy(entry.node, entry.yaml_path, context(serving_for(*point, &entry)));
      } catch (const InputError& error) {
        const std::string where = point->label.empty() ? "" : "sweep point (" + point->label + "): ";
        if (spec_.source_path.empty()) throw InputError(where + error.what());
        throw InputError(spec_.source_path + ": " + where + error.what());
      }
    }
  }

  std::unique_ptr<BudgetPolicy> prepared_policy(const std::vector<Request>& requests, const Serving& serving,
                                                const YAML::Node& node, const std::string& path,
                                                std::string* impl = nullptr) {
    auto policy = make_policy(node, path, context(serving), impl);
    policy->prepare(requests);
    return policy;
  }

  const PolicyEntry* same_as_entry(const Point& point) const {
    for (const auto& entry : point.spec.policies)
      if (entry.label == point.spec.compute.same_as_policy) return &entry;
    return nullptr;
  }

  // The compute a policy is matched to on `requests`: dense compute times a fraction, or a named policy's
  // compute at a given knob.
  Reference measure_reference(const Point& point, const std::vector<Request>& requests) {
    Reference reference;
    const ComputeTargetSpec& compute = point.spec.compute;
    if (compute.kind == ComputeTargetSpec::Kind::none) return reference;
    YAML::Node node("dense");
    std::string path = "compute.target (dense reference)";
    const PolicyEntry* entry = nullptr;
    if (compute.kind == ComputeTargetSpec::Kind::same_as_policy)
      entry = same_as_entry(point), node = entry->node, path = entry->yaml_path;
    const Serving& serving = serving_for(point, entry);
    auto policy = prepared_policy(requests, serving, node, path, &reference.impl);
    reference.knob =
        compute.kind == ComputeTargetSpec::Kind::same_as_policy ? compute.same_as_knob : policy->knob().value;
    reference.result = simulate_at_knob(serving, *policy, requests, reference.knob);
    const double reference_compute =
        run_compute(reference.result.summary, compute_metric_name(compute.metric));
    reference.target_compute = compute.kind == ComputeTargetSpec::Kind::fraction_of_dense
                                   ? reference_compute * compute.fraction_of_dense
                                   : reference_compute;
    return reference;
  }

  const BuiltWorkload& workload(Group& group) {
    std::call_once(group.workload_once, [&] {
      WorkloadSpec workload = group.point->spec.workload;
      if (spec_.tune.enabled) {
        workload.split = WorkloadSpec::Split::evaluation;
        workload.tuning_fraction = spec_.tune.tuning_fraction;
      }
      group.workload = build_workload(source_, workload, group.seed);
      if (group.workload.requests.empty())
        throw InputError(spec_.source_path + ": the workload selects no request" +
                         (spec_.tune.enabled ? " for the evaluation split" : "") +
                         " (check workload.time_window, input_tokens and max_requests)");
    });
    return group.workload;
  }

  const Reference& reference(Group& group) {
    std::call_once(group.reference_once,
                   [&] { group.reference = measure_reference(*group.point, workload(group).requests); });
    return group.reference;
  }

  // Tunes every tunable policy of every point on the tuning split (cached in the database's `tuning`
  // table by configuration and build), then sets the chosen parameters in the point's spec.
  void tune(ResultsStore& store) {
    struct Job {
      Point* point;
      std::size_t policy_index;
      std::string hash;
    };
    std::vector<Job> jobs;
    for (auto& point : points_) {
      const std::string base = resolved_experiment_yaml(point->spec) + sweep_text(*point);
      for (std::size_t i = 0; i < point->spec.policies.size(); ++i) {
        const PolicyEntry& entry = point->spec.policies[i];
        const bool listed = spec_.tune.policies.empty() ||
                            std::find(spec_.tune.policies.begin(), spec_.tune.policies.end(), entry.label) !=
                                spec_.tune.policies.end();
        const bool is_reference = point->spec.compute.kind == ComputeTargetSpec::Kind::same_as_policy &&
                                  entry.label == point->spec.compute.same_as_policy;
        if (!listed || is_reference || tunable_parameters(entry, spec_.tune).empty()) continue;
        std::ostringstream key;
        key << base << "tune: {candidates: " << spec_.tune.candidates << ", seed: " << spec_.tune.seed
            << ", tuning_fraction: " << spec_.tune.tuning_fraction
            << ", replications: " << spec_.tune.replications << ", policy: " << entry.label
            << ", ranges: " << (yaml_present(spec_.tune.ranges) ? flow_text(spec_.tune.ranges) : "{}")
            << "}\nbuild: " << build_ << "\n";
        jobs.push_back({point.get(), i, config_hash_hex(key.str())});
      }
    }
    // The tuning split's workloads and targets, per point and tuning replication.
    std::map<Point*, std::vector<BuiltWorkload>> tuning_workloads;
    std::map<Point*, std::vector<double>> tuning_targets;
    auto tuning_inputs = [&](Point* point) {
      if (tuning_workloads.count(point)) return;
      auto& workloads = tuning_workloads[point];
      for (int r = 0; r < spec_.tune.replications; ++r) {
        WorkloadSpec workload = point->spec.workload;
        workload.split = WorkloadSpec::Split::tuning;
        workload.tuning_fraction = spec_.tune.tuning_fraction;
        workloads.push_back(
            build_workload(source_, workload, replication_seed(spec_.tune.seed ^ 0x7475ULL, r)));
        if (workloads.back().requests.empty())
          throw InputError(spec_.source_path + ": tune.tuning_fraction selects no request for tuning");
        tuning_targets[point].push_back(measure_reference(*point, workloads.back().requests).target_compute);
      }
    };
    if (jobs.empty()) return;
    for (const Job& job : jobs) tuning_inputs(job.point);
    report_.tuning_requests =
        static_cast<std::int64_t>(tuning_workloads.begin()->second.front().requests.size());

    std::vector<std::optional<TuningReport>> found(jobs.size());
    std::vector<std::string> chosen(jobs.size());
    for (std::size_t j = 0; j < jobs.size(); ++j) {
      SqliteStatement query(store.db(), "SELECT parameters, candidates FROM tuning WHERE tuning_hash = ?");
      query << jobs[j].hash;
      if (query.step())
        chosen[j] = query.column_text(0), found[j] = parse_tuning_summary(query.column_text(1));
    }
    ProgressBar progress("sparsesim " + spec_.name + " (tuning)", jobs.size(), options_.progress);
    run_in_order<std::optional<TuningOutcome>>(
        jobs.size(), options_.threads,
        [&](std::size_t j) -> std::optional<TuningOutcome> {
          if (found[j]) return std::nullopt;
          Point& point = *jobs[j].point;
          const PolicyEntry& entry = point.spec.policies[jobs[j].policy_index];
          const Serving& serving = serving_for(point, &entry);
          const auto& workloads = tuning_workloads.at(&point);
          std::vector<const std::vector<Request>*> requests;
          for (const auto& w : workloads) requests.push_back(&w.requests);
          auto factory = [&](const YAML::Node& node) {
            std::vector<std::unique_ptr<BudgetPolicy>> policies;
            for (const auto& w : workloads)
              policies.push_back(prepared_policy(w.requests, serving, node, entry.yaml_path));
            return policies;
          };
          TuningOutcome outcome = tune_policy(entry, spec_.tune, serving, factory, requests,
                                              tuning_targets.at(&point), point.spec.compute);
          progress.advance();
          return outcome;
        },
        [&](std::size_t j, std::optional<TuningOutcome>& outcome) {
          if (!outcome) return;
          TuningReport summary = summarise_tuning(*outcome);
          chosen[j] = outcome->parameters;
          SqliteTransaction transaction(store.db());
          SqliteStatement insert(store.db(), "INSERT OR REPLACE INTO tuning VALUES(?,?,?,?,?,?,?)");
          insert << jobs[j].hash << spec_.name << jobs[j].point->spec.policies[jobs[j].policy_index].label
                 << chosen[j] << tuning_summary_text(summary) << report_.tuning_requests << std::int64_t{0};
          insert.execute();
          transaction.commit();
          found[j] = summary;
        });
    progress.finish();
    for (std::size_t j = 0; j < jobs.size(); ++j) {
      Point& point = *jobs[j].point;
      PolicyEntry& entry = point.spec.policies[jobs[j].policy_index];
      TuningReport summary = *found[j];
      summary.point = point.label;
      summary.policy = entry.label;
      summary.parameters = chosen[j];
      report_.tuning.push_back(summary);
      const YAML::Node parameters = YAML::Load(chosen[j]);
      if (parameters.size() == 0) continue;  // the entry as written won: nothing to mark
      point.tuned_parameters[entry.label] = chosen[j];
      YAML::Node node(YAML::NodeType::Map);
      if (entry.node.IsScalar())
        node["impl"] = entry.node.as<std::string>();
      else
        for (const auto& item : entry.node) node[item.first.as<std::string>()] = YAML::Clone(item.second);
      for (const auto& item : parameters) node[item.first.as<std::string>()] = YAML::Clone(item.second);
      entry.node.reset(node);  // not operator=: the other points' entries share this node's storage
    }
  }

  static TuningReport summarise_tuning(const TuningOutcome& outcome) {
    TuningReport summary;
    summary.candidates = static_cast<int>(outcome.candidates.size());
    for (const auto& candidate : outcome.candidates) {
      const bool at_target = candidate.status == "matched" || candidate.status == "ill_conditioned" ||
                             candidate.status == "unreachable_high";
      summary.at_target += at_target ? 1 : 0;
      if (at_target) summary.best_quality = std::max(summary.best_quality, candidate.quality);
    }
    summary.written_status = outcome.candidates.front().status;
    summary.written_quality = outcome.candidates.front().quality;
    summary.note = outcome.note;
    return summary;
  }

  // The summary stored in the `tuning` table, one "key=value" per line.
  static std::string tuning_summary_text(const TuningReport& s) {
    std::ostringstream text;
    text.precision(17);
    text << "candidates=" << s.candidates << "\nat_target=" << s.at_target
         << "\nbest_quality=" << s.best_quality << "\nwritten_quality=" << s.written_quality
         << "\nwritten_status=" << s.written_status << "\nnote=" << s.note << "\n";
    return text.str();
  }
  static TuningReport parse_tuning_summary(const std::string& text) {
    TuningReport s;
    std::istringstream lines(text);
    for (std::string line; std::getline(lines, line);) {
      const auto equals = line.find('=');
      if (equals == std::string::npos) continue;
      const std::string key = line.substr(0, equals), value = line.substr(equals + 1);
      if (key == "candidates") s.candidates = std::stoi(value);
      if (key == "at_target") s.at_target = std::stoi(value);
      if (key == "best_quality") s.best_quality = std::stod(value);
      if (key == "written_quality") s.written_quality = std::stod(value);
      if (key == "written_status") s.written_status = value;
      if (key == "note") s.note = value;
    }
    return s;
  }

  void make_solves(ResultsStore& store) {
    for (auto& point : points_) {
      point->resolved_base = resolved_experiment_yaml(point->spec) + sweep_text(*point);
      point->point_hash = config_hash_hex(point->resolved_base + "build: " + build_ + "\n");
      YAML::Node document = YAML::Clone(point->spec.document);
      document["seed"] = spec_.seed;  // as run: --seed may have overridden the file's
      point->document_text = YAML::Dump(document);
      std::vector<Group*> groups;
      for (int replication = 0; replication < spec_.replications; ++replication) {
        auto group = std::make_unique<Group>();
        group->point = point.get();
        group->replication = replication;
        group->seed = replication_seed(spec_.seed, replication);
        groups.push_back(group.get());
        groups_.push_back(std::move(group));
      }
      for (std::size_t i = 0; i < point->spec.policies.size(); ++i) {
        Solve solve;
        solve.point = point.get();
        solve.policy_index = i;
        const std::string& label = point->spec.policies[i].label;
        solve.group_hash =
            config_hash_hex(point->resolved_base + "run:\n  policy: " + label + "\nbuild: " + build_ + "\n");
        for (Group* group : groups) {
          Run run;
          run.group = group;
          run.resolved_config = point->resolved_base + "run:\n  policy: " + label +
                                "\n  replication: " + std::to_string(group->replication) +
                                "\n  seed: " + std::to_string(group->seed) + "\n";
          run.input_hash = config_hash_hex(run.resolved_config);
          run.config_hash = config_hash_hex(run.resolved_config + "build: " + build_ + "\n");
          run.stored_id = store.find_run(run.config_hash);
          if (run.stored_id < 0)
            report_.other_build_runs += store.count_runs_of_other_builds(run.input_hash, build_);
          solve.runs.push_back(std::move(run));
        }
        solves_.push_back(std::move(solve));
      }
    }
  }

  std::vector<RunRecord> execute(Solve& solve) {
    Point& point = *solve.point;
    const PolicyEntry& entry = point.spec.policies[solve.policy_index];
    const ComputeTargetSpec& compute = point.spec.compute;
    const std::string metric = compute_metric_name(compute.metric);
    const Serving& serving = serving_for(point, &entry);
    std::string impl;
    std::vector<std::unique_ptr<BudgetPolicy>> owned;
    std::vector<BudgetPolicy*> policies;
    std::vector<const std::vector<Request>*> workloads;
    std::vector<double> targets;
    for (Run& run : solve.runs) {
      workloads.push_back(&workload(*run.group).requests);
      owned.push_back(prepared_policy(*workloads.back(), serving, entry.node, entry.yaml_path, &impl));
      policies.push_back(owned.back().get());
      targets.push_back(reference(*run.group).target_compute);
    }
    const KnobSpec knob = policies.front()->knob();
    const Reference& first_reference = reference(*solve.runs.front().group);
    const bool is_reference =
        compute.kind != ComputeTargetSpec::Kind::none &&
        ((compute.kind == ComputeTargetSpec::Kind::same_as_policy && entry.label == compute.same_as_policy) ||
         (compute.kind == ComputeTargetSpec::Kind::fraction_of_dense && compute.fraction_of_dense == 1.0 &&
          impl == "dense" && entry.model_name.empty()));

    JointSolution solution;
    if (compute.kind == ComputeTargetSpec::Kind::none || knob.min == knob.max || is_reference) {
      // Nothing to solve: the policy runs at its configured knob (or is the reference itself).
      solution.knob = is_reference ? first_reference.knob : knob.value;
      // The reference run is reused for the reference policy, and for a dense policy served by the same
      // model.
      const bool same_as_reference =
          is_reference || (impl == "dense" && first_reference.impl == "dense" && entry.model_name.empty() &&
                           compute.kind == ComputeTargetSpec::Kind::fraction_of_dense);
      for (std::size_t r = 0; r < solve.runs.size(); ++r)
        solution.results.push_back(
            same_as_reference ? reference(*solve.runs[r].group).result
                              : simulate_at_knob(serving, *policies[r], *workloads[r], solution.knob));
      solution.solver.status = is_reference ? "reference" : (knob.min == knob.max ? "no_knob" : "fixed_knob");
      solution.solver.iterations = 1;
      double total = 0, quality = 0;
      for (double t : targets) total += t;
      for (const auto& result : solution.results) quality += result.summary.mean_expected_quality;
      solution.solver.target = total / static_cast<double>(targets.size());
      solution.solver.tolerance = compute.tolerance;
      solution.solver.window_quality_low = solution.solver.window_quality_high =
          quality / static_cast<double>(solution.results.size());
      double achieved = 0;
      for (const auto& result : solution.results) achieved += run_compute(result.summary, metric);
      solution.solver.achieved_mean = achieved / static_cast<double>(solution.results.size());
      solution.solver.range_min_compute = solution.solver.range_max_compute = solution.solver.achieved_mean;
    } else {
      solution = solve_jointly(serving, policies, workloads, targets, compute);
    }

    std::vector<RunRecord> records;
    for (std::size_t r = 0; r < solve.runs.size(); ++r) {
      const Run& run = solve.runs[r];
      RunRecord record;
      record.policy_impl = impl;
      record.knob_name = knob.name;
      record.knob = solution.knob;
      record.solver = solution.solver;
      record.result = std::move(solution.results[r]);
      record.solver.achieved = run_compute(record.result.summary, metric);
      record.experiment = spec_.name;
      record.config_hash = run.config_hash;
      record.input_hash = run.input_hash;
      record.group_hash = solve.group_hash;
      record.point_hash = point.point_hash;
      record.build_identity = build_;
      record.purpose = options_.purpose;
      record.request_storage = spec_.request_storage;
      if (auto tuned = point.tuned_parameters.find(entry.label); tuned != point.tuned_parameters.end())
        record.tuned_parameters = tuned->second;
      record.resolved_config = run.resolved_config;
      record.policy_label = entry.label;
      record.seed = run.group->seed;
      record.replication = run.group->replication;
      record.sweep_point = point.label;
      record.sweep_field = point.sweep_field;
      record.sweep_value = point.sweep_value;
      record.replicas = point.spec.cluster.replicas;
      record.gpus = point.spec.cluster.replicas * point.spec.cluster.tensor_parallel;
      record.experiment_document = point.document_text;
      record.experiment_source = spec_.source_path;
      record.compute_metric = metric;
      record.slo_attainment = slo_attainment(record.result, point.spec.slo);
      const RunSummary& summary = record.result.summary;
      record.meets_slo = summary.rejected == 0 && summary.ttft_s.p99 <= point.spec.slo.ttft_p99_s &&
                         summary.tpot_ms.p99 <= point.spec.slo.tpot_p99_ms;
      std::tie(record.queue_wait_first_quarter_s, record.queue_wait_last_quarter_s) =
          queue_wait_quarters(record.result);
      record.cost_model = serving.cost_model->describe();
      record.quality_model = serving.quality_model ? serving.quality_model->describe() : "";
      record.model = serving.cluster.model.name;
      for (const auto& note : run.group->workload.notes) record.warnings += note + "\n";
      records.push_back(std::move(record));
    }
    return records;
  }

  const ExperimentSpec& spec_;
  const RunOptions& options_;
  const std::string build_;
  std::vector<std::unique_ptr<Point>> points_;
  std::vector<std::unique_ptr<Group>> groups_;
  std::vector<Solve> solves_;
  BuiltWorkload source_;
  ExperimentRunReport report_;
};

}  // namespace

ExperimentRunReport run_experiment(const ExperimentSpec& spec, const RunOptions& options) {
  if (options.threads < 1) throw InputError("--threads: expected an integer >= 1");
  try {
    return ExperimentExecution(spec, options).run();
  } catch (const InputError& error) {
    // Every input error names the experiment file it came from.
    const std::string message = error.what();
    if (spec.source_path.empty() || message.find(spec.source_path) != std::string::npos) throw;
    throw InputError(spec.source_path + ": " + message);
  }
}

std::string format_tuning_report(const ExperimentRunReport& report, const ExperimentSpec& spec) {
  if (report.tuning.empty()) return "";
  std::ostringstream out;
  out.setf(std::ios::fixed);
  out.precision(4);
  out << "\ntuned on the tuning split (first " << std::lround(100 * spec.tune.tuning_fraction)
      << "% of the arrival span, " << report.tuning_requests << " requests, " << spec.tune.replications
      << " replication" << (spec.tune.replications == 1 ? "" : "s") << "); every table above is on the "
      << "evaluation split, disjoint from it:\n";
  for (const auto& t : report.tuning) {
    out << "  " << t.policy << (t.point.empty() ? "" : " [" + t.point.substr(0, t.point.size() - 1) + "]")
        << ": " << t.candidates << " candidates, " << t.at_target << " within the target; "
        << (t.parameters == "{}" ? "kept as written" : "chose " + t.parameters) << " (tuning-split quality "
        << t.best_quality << ", as written " << t.written_quality << " " << t.written_status << ")"
        << (t.note.empty() ? "" : "; " + t.note) << "\n";
  }
  return out.str();
}

}  // namespace sparsesim
