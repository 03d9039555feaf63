#include "experiments/capacity_planner.h"

#include <cstdio>
#include <map>
#include <sstream>

#include "experiments/results_store.h"

namespace sparsesim {
namespace {

struct Probe {
  bool meets = false;
  double gpu_hours = 0, quality = 0, ttft_p99_s = 0, tpot_p99_ms = 0;
  std::string why_not;
  std::vector<std::int64_t> run_ids;
};

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
  const ExperimentRunReport report = run_experiment(point, options);
  auto db = open_results(options.results_path);
  Probe result;
  result.run_ids = report.run_ids;
  double makespan_s = 0;
  int runs = 0;
  bool slo_met = true;
  for (auto id : report.run_ids) {
    SqliteStatement run(
        *db,
        "SELECT policy, meets_slo, mean_expected_quality, ttft_p99_s, tpot_p99_ms, makespan_s, "
        "rejected FROM runs WHERE run_id = ?");
    run << id;
    if (!run.step() || run.column_text(0) != policy.label) continue;
    ++runs;
    slo_met = slo_met && run.column_int(1) == 1;
    result.quality += run.column_double(2);
    result.ttft_p99_s = std::max(result.ttft_p99_s, run.column_double(3));
    result.tpot_p99_ms = std::max(result.tpot_p99_ms, run.column_double(4));
    makespan_s += run.column_double(5);
    if (run.column_int(6) > 0) result.why_not = std::to_string(run.column_int(6)) + " requests rejected";
  }
  if (runs == 0) return result;
  result.quality /= runs;
  makespan_s /= runs;
  result.gpu_hours = replicas * spec.cluster.tensor_parallel * makespan_s / 3600.0;
  const bool quality_met = result.quality >= spec.capacity.quality_floor;
  result.meets = slo_met && quality_met;
  if (!slo_met && result.why_not.empty()) {
    char text[160];
    std::snprintf(text, sizeof text, "TTFT p99 %.2f s / TPOT p99 %.1f ms over the SLO", result.ttft_p99_s,
                  result.tpot_p99_ms);
    result.why_not = text;
  }
  if (!quality_met) {
    char text[120];
    std::snprintf(text, sizeof text, "quality %.4f below the floor %.4f", result.quality,
                  spec.capacity.quality_floor);
    result.why_not += (result.why_not.empty() ? "" : "; ") + std::string(text);
  }
  return result;
}

}  // namespace

std::vector<CapacityResult> plan_capacity(const ExperimentSpec& spec, const RunOptions& options) {
  std::vector<CapacityResult> results;
  for (const auto& policy : spec.policies) {
    CapacityResult result;
    result.policy = policy.label;
    std::map<int, Probe> probes;
    auto at = [&](int replicas) -> const Probe& {
      auto found = probes.find(replicas);
      if (found == probes.end())
        found = probes.emplace(replicas, probe(spec, policy, replicas, options)).first;
      for (auto id : found->second.run_ids) result.run_ids.push_back(id);
      return found->second;
    };
    int low = spec.capacity.min_replicas, high = spec.capacity.max_replicas;
    if (!at(high).meets) {
      result.why_not = at(high).why_not;
    } else {
      // Invariant: `high` meets; everything below `low` is unknown or fails.
      while (low < high) {
        const int middle = low + (high - low) / 2;
        if (at(middle).meets)
          high = middle;
        else
          low = middle + 1;
      }
      const Probe& chosen = at(high);
      result.replicas = high;
      result.gpu_hours = chosen.gpu_hours;
      result.mean_quality = chosen.quality;
      result.ttft_p99_s = chosen.ttft_p99_s;
      result.tpot_p99_ms = chosen.tpot_p99_ms;
    }
    results.push_back(result);
  }
  return results;
}

std::string format_capacity_table(const std::vector<CapacityResult>& results, const ExperimentSpec& spec) {
  std::ostringstream out;
  char line[256];
  out << "\n== capacity: smallest replica count meeting TTFT p99 <= " << spec.slo.ttft_p99_s
      << " s, TPOT p99 <= " << spec.slo.tpot_p99_ms
      << " ms, no rejections, quality >= " << spec.capacity.quality_floor << "\n";
  std::snprintf(line, sizeof line, "%-24s %9s %10s %9s %11s %12s\n", "policy", "replicas", "GPU-hours",
                "quality", "TTFT p99 s", "TPOT p99 ms");
  out << line << std::string(80, '-') << "\n";
  for (const auto& r : results) {
    if (r.replicas < 0) {
      out << r.policy << ": not met with " << spec.capacity.max_replicas << " replicas (" << r.why_not
          << ")\n";
      continue;
    }
    std::snprintf(line, sizeof line, "%-24s %9d %10.2f %9.4f %11.3f %12.2f\n", r.policy.c_str(), r.replicas,
                  r.gpu_hours, r.mean_quality, r.ttft_p99_s, r.tpot_p99_ms);
    out << line;
  }
  return out.str();
}

}  // namespace sparsesim
