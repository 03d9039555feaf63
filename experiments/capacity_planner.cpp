#include "experiments/capacity_planner.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>
#include <sstream>

#include "core/hardware.h"
#include "core/input_error.h"
#include "experiments/build_identity.h"
#include "experiments/components.h"
#include "experiments/config_hash.h"
#include "experiments/resolved_config.h"
#include "experiments/results_store.h"
#include "experiments/workload_builder.h"
#include "sim/kv_cache.h"

namespace sparsesim {
namespace {

struct Probe {
  bool meets = false;
  double gpu_hours = 0, quality = 0, ttft_p99_s = 0, tpot_p99_ms = 0, knob = 0, compute = 0;
  double energy_j = 0;  // mean over replications; NaN without power figures
  std::int64_t completed = 0;
  std::string knob_name, solver_status, compute_metric, why_not;
  std::vector<std::int64_t> run_ids;
};

std::string format(const char* pattern, double a, double b = 0) {
  char text[200];
  std::snprintf(text, sizeof text, pattern, a, b);
  return text;
}

Probe probe(const ExperimentSpec& spec, const PolicyEntry& policy, int replicas, const RunOptions& options) {
  ExperimentSpec point = spec;
  point.capacity.enabled = false;
  point.sweep = {};
  point.cluster.replicas = replicas;
  point.policies = {policy};
  // A same_as target needs its reference policy in the run.
  if (spec.compute.kind == ComputeTargetSpec::Kind::same_as_policy &&
      policy.label != spec.compute.same_as_policy)
    for (const auto& entry : spec.policies)
      if (entry.label == spec.compute.same_as_policy) point.policies.push_back(entry);
  RunOptions probe_options = options;
  probe_options.purpose = "capacity_probe";
  probe_options.plan.reset();
  const ExperimentRunReport report = run_experiment(point, probe_options);
  auto db = open_results(options.results_path);
  Probe result;
  result.run_ids = report.run_ids;
  double makespan_s = 0, energy_j = 0;
  bool energy_known = true;
  int runs = 0;
  std::int64_t rejected = 0, completed = 0;
  for (auto id : report.run_ids) {
    SqliteStatement run(
        *db,
        "SELECT policy, mean_expected_quality, ttft_p99_s, tpot_p99_ms, makespan_s, rejected, "
        "knob_name, knob, solver_status, compute_metric, compute_achieved, energy_j, completed FROM runs "
        "WHERE run_id = ?");
    run << id;
    if (!run.step() || run.column_text(0) != policy.label) continue;
    ++runs;
    result.quality += run.column_double(1);
    result.ttft_p99_s = std::max(result.ttft_p99_s, run.column_double(2));
    result.tpot_p99_ms = std::max(result.tpot_p99_ms, run.column_double(3));
    makespan_s += run.column_double(4);
    rejected += run.column_int(5);
    result.knob_name = run.column_text(6);
    result.knob = run.column_double(7);
    result.solver_status = run.column_text(8);
    result.compute_metric = run.column_text(9);
    result.compute += run.column_double(10);
    if (run.column_is_null(11)) energy_known = false;
    energy_j += run.column_double(11);
    completed += run.column_int(12);
  }
  if (runs == 0) return result;
  result.quality /= runs;
  result.compute /= runs;
  makespan_s /= runs;
  result.energy_j = energy_known ? energy_j / runs : std::nan("");
  result.completed = completed / runs;
  result.gpu_hours = replicas * spec.cluster.tensor_parallel * makespan_s / 3600.0;
  // Name exactly what missed (worst replication of each figure).
  std::vector<std::string> misses;
  if (rejected > 0) misses.push_back(std::to_string(rejected) + " requests rejected");
  if (result.ttft_p99_s > spec.slo.ttft_p99_s)
    misses.push_back(format("TTFT p99 %.2f s over the %.2f s SLO", result.ttft_p99_s, spec.slo.ttft_p99_s));
  if (result.tpot_p99_ms > spec.slo.tpot_p99_ms)
    misses.push_back(
        format("TPOT p99 %.1f ms over the %.1f ms SLO", result.tpot_p99_ms, spec.slo.tpot_p99_ms));
  if (result.quality < spec.capacity.quality_floor)
    misses.push_back(
        format("quality %.4f below the floor %.4f", result.quality, spec.capacity.quality_floor));
  for (const auto& miss : misses) result.why_not += (result.why_not.empty() ? "" : "; ") + miss;
  result.meets = misses.empty();
  return result;
}

// One GPU type x TP degree: its experiment (the document with those two fields set, parsed again so every
// check applies), its price, and why it can never work ("" when it might).
struct Deployment {
  std::string gpu_name;
  int tensor_parallel = 1;
  ExperimentSpec spec;
  double price_per_gpu_hour = 0;
  std::string never;
};

std::vector<Deployment> deployments_of(const ExperimentSpec& spec) {
  std::vector<std::string> gpus = spec.capacity.gpus;
  if (gpus.empty()) gpus.push_back(spec.gpu_name);
  std::vector<int> degrees = spec.capacity.tensor_parallel;
  if (degrees.empty()) degrees.push_back(spec.cluster.tensor_parallel);
  std::vector<Deployment> deployments;
  for (const std::string& gpu : gpus) {
    for (int degree : degrees) {
      Deployment deployment;
      deployment.gpu_name = gpu;
      deployment.tensor_parallel = degree;
      YAML::Node document = YAML::Clone(spec.document);
      document["cluster"]["gpu"] = gpu;
      document["cluster"]["tensor_parallel"] = degree;
      try {
        deployment.spec = parse_experiment(document, spec.source_path);
      } catch (const InputError& error) {
        // The GPU names were loaded when the experiment was read: what fails here is the pairing itself
        // (a TP the heads do not divide), which is the deployment's own impossibility.
        deployment.spec = spec;
        deployment.never = error.what();
      }
      deployment.spec.seed = spec.seed;  // --seed overrides the file
      deployment.spec.report_path.clear();
      const ClusterConfig& cluster = deployment.spec.cluster;
      deployment.gpu_name = cluster.gpu.name;
      const auto price = spec.capacity.prices.find(cluster.gpu.name);
      const auto price_by_file_name = spec.capacity.prices.find(gpu);
      deployment.price_per_gpu_hour = price != spec.capacity.prices.end() ? price->second
                                      : price_by_file_name != spec.capacity.prices.end()
                                          ? price_by_file_name->second
                                          : cluster.gpu.price_per_gpu_hour;
      if (deployment.never.empty() &&
          kv_capacity_blocks(cluster.gpu, cluster.model, degree, cluster.scheduler) <= 0)
        deployment.never = format("weights (%.1f GB) plus the activation reserve leave no KV cache on ",
                                  cluster.model.parameters * cluster.model.bytes_per_parameter / 1e9) +
                           std::to_string(degree) + " x " + cluster.gpu.name;
      deployments.push_back(std::move(deployment));
    }
  }
  return deployments;
}

std::string deployment_label(const std::string& gpu, int tensor_parallel) {
  return gpu + " TP" + std::to_string(tensor_parallel);
}

void store_result(SqliteDb& db, const ExperimentSpec& spec, const CapacityResult& result) {
  const std::string point_hash =
      config_hash_hex(resolved_experiment_yaml(spec) + "capacity\nbuild: " + build_identity() + "\n");
  SqliteStatement insert(
      db,
      "INSERT OR REPLACE INTO capacity_results VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,"
      "?,?,?,?,?,?,?,?,?)");
  insert << spec.name << point_hash << result.policy << std::string(build_identity()) << result.replicas
         << result.gpu_hours << result.mean_quality << result.ttft_p99_s << result.tpot_p99_ms
         << result.knob_name << result.knob << result.compute_metric << result.compute << result.solver_status
         << result.why_not << spec.slo.ttft_p99_s << spec.slo.tpot_p99_ms << spec.capacity.quality_floor
         << spec.capacity.min_replicas << spec.capacity.max_replicas << result.gpu << result.tensor_parallel
         << result.dollars
         << (std::isnan(result.energy_kwh) ? std::nullopt : std::optional(result.energy_kwh))
         << result.completed << (result.cheapest ? 1 : 0) << result.note << spec.capacity.cost;
  insert.execute();
}

std::string compute_text(double value, const std::string& metric) {
  if (metric == "gpu_seconds") return format("%.1f GPU-s", value);
  return format("%.3g", value) + (metric == "attention_flops" ? " FLOP" : " B");
}

}  // namespace

std::string capacity_infeasibility(const ExperimentSpec& spec, const PolicyEntry& policy,
                                   const std::vector<Request>& requests) {
  if (requests.empty()) return "the workload selects no request";
  ExperimentSpec served = spec;
  if (!policy.model_name.empty()) served.cluster.model = policy.model;
  const ModelConfig& model = served.cluster.model;
  const int tp = served.cluster.tensor_parallel;
  const auto& scheduler = served.cluster.scheduler;
  const std::int64_t blocks = kv_capacity_blocks(served.cluster.gpu, model, tp, scheduler);
  std::int64_t too_long = 0, too_large = 0;
  for (const Request& request : requests) {
    const std::int64_t tokens = static_cast<std::int64_t>(request.input_tokens) + request.output_tokens;
    if (model.context_tokens > 0 && tokens > model.context_tokens)
      ++too_long;
    else if ((tokens + scheduler.kv_block_tokens - 1) / scheduler.kv_block_tokens > blocks)
      ++too_large;
  }
  std::string reasons;
  if (too_long > 0)
    reasons += std::to_string(too_long) + " requests exceed " + model.name + "'s context of " +
               std::to_string(model.context_tokens) + " tokens";
  if (too_large > 0)
    reasons += (reasons.empty() ? "" : "; ") + std::to_string(too_large) +
               " requests need more KV than a replica's whole cache (" + std::to_string(blocks) + " blocks)";
  if (!reasons.empty()) return reasons + ": they are rejected at any replica count";

  // Prefill alone on an idle replica, attention priced at (almost) nothing: no policy's TTFT can be lower.
  if (std::isinf(spec.slo.ttft_p99_s)) return "";
  const auto cost_model = build_cost_model(served, tp);
  std::vector<double> floors;
  BatchWork batch;
  StepCost cost;
  for (const Request& request : requests) {
    double seconds = 0;
    for (std::int32_t done = 0; done < request.input_tokens;) {
      const std::int32_t chunk = std::min(scheduler.chunk_tokens, request.input_tokens - done);
      batch.clear();
      batch.prefills.push_back({chunk, done, 1e-9});
      cost_model->step_cost(batch, cost);
      seconds += ns_to_seconds(cost.duration_ns);
      done += chunk;
    }
    floors.push_back(seconds);
  }
  std::sort(floors.begin(), floors.end());
  const double p99_floor =
      floors[std::min(floors.size() - 1, static_cast<std::size_t>(0.99 * floors.size()))];
  if (p99_floor > spec.slo.ttft_p99_s) {
    const auto over =
        std::count_if(floors.begin(), floors.end(), [&](double s) { return s > spec.slo.ttft_p99_s; });
    return std::to_string(over) + " of " + std::to_string(floors.size()) + " prompts (" +
           format("%.1f%%", 100.0 * static_cast<double>(over) / static_cast<double>(floors.size())) +
           ") take longer than the TTFT SLO of " + format("%.2f s", spec.slo.ttft_p99_s) +
           " to prefill alone on an idle replica even with free attention (p99 " +
           format("%.2f s", p99_floor) + "): TTFT p99 cannot be met at any replica count";
  }
  return "";
}

std::string capacity_monotonicity_note(const std::map<int, std::pair<bool, std::string>>& probes) {
  for (auto low = probes.begin(); low != probes.end(); ++low) {
    if (!low->second.first) continue;
    for (auto high = std::next(low); high != probes.end(); ++high)
      if (!high->second.first)
        return "not monotone in replicas: " + std::to_string(low->first) + " replicas meet everything, " +
               std::to_string(high->first) + " do not (" + high->second.second +
               "); the binary search's answer may not be the smallest";
  }
  return "";
}

CapacityCriteria capacity_criteria(const ExperimentSpec& spec) {
  CapacityCriteria criteria{spec.slo.ttft_p99_s,
                            spec.slo.tpot_p99_ms,
                            spec.capacity.quality_floor,
                            spec.capacity.min_replicas,
                            spec.capacity.max_replicas,
                            spec.capacity.cost,
                            ""};
  if (spec.capacity.cost == "dollars")
    for (const Deployment& deployment : deployments_of(spec)) {
      const std::string entry =
          deployment.gpu_name + " " + format("$%.2f/GPU-h", deployment.price_per_gpu_hour);
      if (criteria.prices.find(entry) == std::string::npos)
        criteria.prices += (criteria.prices.empty() ? "" : ", ") + entry;
    }
  return criteria;
}

std::vector<CapacityResult> plan_capacity(const ExperimentSpec& spec, const RunOptions& options) {
  const BuiltWorkload source = read_workload_source(spec.workload, spec.seed);
  const BuiltWorkload workload = build_workload(source, spec.workload, spec.seed);
  const std::vector<Deployment> deployments = deployments_of(spec);
  std::vector<CapacityResult> results;
  for (const auto& policy : spec.policies) {
    const std::size_t first = results.size();
    for (const Deployment& deployment : deployments) {
      CapacityResult result;
      result.policy = policy.label;
      result.gpu = deployment.gpu_name;
      result.tensor_parallel = deployment.tensor_parallel;
      result.why_not = deployment.never.empty()
                           ? capacity_infeasibility(deployment.spec, policy, workload.requests)
                           : deployment.never;
      if (!result.why_not.empty()) {
        result.solver_status = "not_searched";
        results.push_back(result);
        continue;
      }
      const ExperimentSpec& deployed = deployment.spec;
      std::map<int, Probe> probes;
      auto at = [&](int replicas) -> const Probe& {
        auto found = probes.find(replicas);
        if (found == probes.end()) {
          found = probes.emplace(replicas, probe(deployed, policy, replicas, options)).first;
          for (auto id : found->second.run_ids) result.run_ids.push_back(id);
        }
        return found->second;
      };
      int low = spec.capacity.min_replicas, high = spec.capacity.max_replicas;
      const Probe& largest = at(high);
      const Probe* chosen = &largest;
      if (!largest.meets) {
        result.why_not = largest.why_not;
      } else {
        // Invariant: `high` meets; everything below `low` is unknown or fails.
        while (low < high) {
          const int middle = low + (high - low) / 2;
          if (at(middle).meets)
            high = middle;
          else
            low = middle + 1;
        }
        chosen = &at(high);
        result.replicas = high;
      }
      result.gpu_hours = chosen->gpu_hours;
      result.dollars = chosen->gpu_hours * deployment.price_per_gpu_hour;
      result.energy_kwh = chosen->energy_j / 3.6e6;
      result.completed = chosen->completed;
      result.mean_quality = chosen->quality;
      result.ttft_p99_s = chosen->ttft_p99_s;
      result.tpot_p99_ms = chosen->tpot_p99_ms;
      result.knob_name = chosen->knob_name, result.knob = chosen->knob, result.compute = chosen->compute;
      result.solver_status = chosen->solver_status, result.compute_metric = chosen->compute_metric;
      std::map<int, std::pair<bool, std::string>> outcomes;
      for (const auto& [replicas, probed] : probes) outcomes[replicas] = {probed.meets, probed.why_not};
      result.note = capacity_monotonicity_note(outcomes);
      results.push_back(result);
    }
    // The cheapest deployment that works, by the experiment's cost.
    CapacityResult* best = nullptr;
    for (std::size_t index = first; index < results.size(); ++index) {
      CapacityResult& candidate = results[index];
      if (candidate.replicas < 0) continue;
      const auto cost = [&](const CapacityResult& r) {
        return spec.capacity.cost == "dollars" ? r.dollars : r.gpu_hours;
      };
      if (!best || cost(candidate) < cost(*best)) best = &candidate;
    }
    if (best) best->cheapest = true;
  }
  ResultsStore store(options.results_path);
  SqliteTransaction transaction(store.db());
  for (const auto& result : results) store_result(store.db(), spec, result);
  transaction.commit();
  return results;
}

std::string format_capacity_table(const std::vector<CapacityResult>& results,
                                  const CapacityCriteria& criteria) {
  std::ostringstream out;
  char line[400];
  out << "\n== capacity: per deployment, the smallest replica count in [" << criteria.min_replicas << ", "
      << criteria.max_replicas << "] meeting TTFT p99 <= " << criteria.ttft_p99_s
      << " s, TPOT p99 <= " << criteria.tpot_p99_ms
      << " ms, no rejections, quality >= " << criteria.quality_floor << "\n   cheapest (*) by "
      << (criteria.cost == "dollars" ? "dollars (" + criteria.prices + ")" : "GPU-hours")
      << "; cost and energy are for serving the whole trace; kWh from the power model (data/gpus)\n";
  std::snprintf(line, sizeof line, "%-22s %-18s %8s %9s %9s %9s %10s %8s %10s %11s  %-30s %s\n", "policy",
                "deployment", "replicas", "GPU-hours", "US$", "kWh", "Wh/1k req", "quality", "TTFT p99 s",
                "TPOT p99 ms", "knob at the answer", "solver");
  out << line << std::string(170, '-') << "\n";
  std::vector<std::string> notes;
  for (const auto& r : results) {
    const std::string deployment = deployment_label(r.gpu, r.tensor_parallel);
    const std::string policy = r.policy + (r.cheapest ? " *" : "");
    if (r.replicas < 0) {
      std::snprintf(line, sizeof line, "%-22s %-18s ", policy.c_str(), deployment.c_str());
      out << line
          << (r.solver_status == "not_searched"
                  ? "can never work: "
                  : "not met with " + std::to_string(criteria.max_replicas) + " replicas: ")
          << r.why_not << "\n";
      continue;
    }
    const std::string knob =
        r.knob_name == "none" || r.knob_name.empty() ? "-" : r.knob_name + "=" + format("%.4f", r.knob);
    const std::string kwh = std::isnan(r.energy_kwh) ? "-" : format("%.3f", r.energy_kwh);
    const std::string per_1k = std::isnan(r.energy_kwh) || r.completed <= 0
                                   ? "-"
                                   : format("%.1f", 1e6 * r.energy_kwh / static_cast<double>(r.completed));
    const std::string dollars = r.dollars > 0 ? format("%.2f", r.dollars) : "-";
    std::snprintf(line, sizeof line, "%-22s %-18s %8d %9.2f %9s %9s %10s %8.4f %10.3f %11.2f  %-30s %s\n",
                  policy.c_str(), deployment.c_str(), r.replicas, r.gpu_hours, dollars.c_str(), kwh.c_str(),
                  per_1k.c_str(), r.mean_quality, r.ttft_p99_s, r.tpot_p99_ms, knob.c_str(),
                  r.solver_status.c_str());
    out << line;
    if (!r.note.empty()) notes.push_back(r.policy + " on " + deployment + ": " + r.note);
  }
  for (const auto& note : notes) out << "note: " << note << "\n";
  return out.str();
}

std::string format_stored_capacity_results(SqliteDb& db, const std::string& experiment) {
  SqliteStatement query(
      db,
      "SELECT experiment, point_hash, policy, replicas, gpu_hours, mean_quality, ttft_p99_s, "
      "tpot_p99_ms, knob_name, knob, compute_metric, compute, solver_status, why_not, "
      "slo_ttft_p99_s, slo_tpot_p99_ms, quality_floor, min_replicas, max_replicas, gpu, tensor_parallel, "
      "dollars, energy_kwh, completed, cheapest, note, cost FROM capacity_results WHERE ? = '' OR "
      "experiment = ? ORDER BY rowid");
  query << experiment << experiment;
  std::vector<std::string> order;
  std::map<std::string, std::pair<CapacityCriteria, std::vector<CapacityResult>>> tables;
  while (query.step()) {
    const std::string key =
        query.column_text(0) + " (configuration " + query.column_text(1).substr(0, 8) + ")";
    if (!tables.count(key)) {
      order.push_back(key);
      tables[key].first = {query.column_double(14),
                           query.column_double(15),
                           query.column_double(16),
                           static_cast<int>(query.column_int(17)),
                           static_cast<int>(query.column_int(18)),
                           query.column_text(26),
                           "prices as stored with each row"};
    }
    CapacityResult r;
    r.policy = query.column_text(2);
    r.replicas = static_cast<int>(query.column_int(3));
    r.gpu_hours = query.column_double(4);
    r.mean_quality = query.column_double(5);
    r.ttft_p99_s = query.column_double(6);
    r.tpot_p99_ms = query.column_double(7);
    r.knob_name = query.column_text(8);
    r.knob = query.column_double(9);
    r.compute_metric = query.column_text(10);
    r.compute = query.column_double(11);
    r.solver_status = query.column_text(12);
    r.why_not = query.column_text(13);
    r.gpu = query.column_text(19);
    r.tensor_parallel = static_cast<int>(query.column_int(20));
    r.dollars = query.column_double(21);
    r.energy_kwh = query.column_is_null(22) ? std::nan("") : query.column_double(22);
    r.completed = query.column_int(23);
    r.cheapest = query.column_int(24) != 0;
    r.note = query.column_text(25);
    tables[key].second.push_back(r);
  }
  std::string out;
  for (const auto& key : order)
    out += "\n" + std::string("capacity results of ") + key + ":" +
           format_capacity_table(tables[key].second, tables[key].first);
  return out;
}

}  // namespace sparsesim
