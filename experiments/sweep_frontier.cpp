#include "experiments/sweep_frontier.h"

#include <algorithm>
#include <cstdio>
#include <map>
#include <sstream>

namespace sparsesim {
namespace {

// "a.b=1, c=x" -> {"a.b=1", "c=x"}: a new assignment starts after ", " where a dotted name and '=' follow.
std::vector<std::string> assignments_of(const std::string& label) {
  std::vector<std::string> parts;
  std::size_t start = 0;
  for (std::size_t at = label.find(", "); at != std::string::npos; at = label.find(", ", at + 1)) {
    const std::size_t name_end = label.find('=', at + 2);
    if (name_end == std::string::npos) break;
    const std::string name = label.substr(at + 2, name_end - at - 2);
    if (name.empty() ||
        name.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789_.-ABCDEFGHIJKLMNOPQRSTUVWXYZ") !=
            std::string::npos)
      continue;
    parts.push_back(label.substr(start, at - start));
    start = at + 2;
  }
  if (start < label.size()) parts.push_back(label.substr(start));
  return parts;
}

std::string joined(const std::vector<std::string>& parts) {
  std::string text;
  for (const auto& part : parts) text += (text.empty() ? "" : ", ") + part;
  return text;
}

bool dominates(const PlannerConfiguration& a, const PlannerConfiguration& b) {
  const bool no_worse =
      a.gpu_hours_per_1k <= b.gpu_hours_per_1k && a.quality >= b.quality && a.ttft_p99_s <= b.ttft_p99_s;
  const bool better =
      a.gpu_hours_per_1k < b.gpu_hours_per_1k || a.quality > b.quality || a.ttft_p99_s < b.ttft_p99_s;
  return no_worse && better;
}

bool cheaper(const PlannerConfiguration& a, const PlannerConfiguration& b) {
  if (a.gpus != b.gpus) return a.gpus < b.gpus;
  if (a.gpu_hours_per_1k != b.gpu_hours_per_1k) return a.gpu_hours_per_1k < b.gpu_hours_per_1k;
  return a.quality > b.quality;
}

std::string row_text(const PlannerConfiguration& c, std::size_t deployment_width) {
  char text[512];
  const std::string policy = c.bound ? c.policy + " (ref)" : c.policy;
  std::snprintf(text, sizeof text, "%-16s %-*s %5d %12.4f %8.4f %11.3f %12.2f\n", policy.c_str(),
                static_cast<int>(deployment_width), c.deployment.empty() ? "-" : c.deployment.c_str(), c.gpus,
                c.gpu_hours_per_1k, c.quality, c.ttft_p99_s, c.tpot_p99_ms);
  return text;
}

std::string header_text(std::size_t deployment_width) {
  char text[512];
  std::snprintf(text, sizeof text, "%-16s %-*s %5s %12s %8s %11s %12s\n", "policy",
                static_cast<int>(deployment_width), "deployment", "GPUs", "GPU-h/1k req", "quality",
                "TTFT p99 s", "TPOT p99 ms");
  return text + std::string(std::string(text).size() - 1, '-') + "\n";
}

}  // namespace

PlannerView planner_view(SqliteDb& db, const AggregateSet& set, double quality_floor) {
  PlannerView view;
  view.quality_floor = quality_floor;
  SqliteStatement run(db, "SELECT gpus, meets_slo, makespan_s, completed FROM runs WHERE run_id = ?");
  for (const PolicyAggregate& row : set.rows) {
    if (row.sweep_point.empty() || row.run_ids.empty()) continue;
    PlannerConfiguration c;
    std::vector<std::string> scenario, deployment;
    for (const std::string& part : assignments_of(row.sweep_point))
      (part.rfind("workload.", 0) == 0 ? scenario : deployment).push_back(part);
    c.scenario = joined(scenario), c.deployment = joined(deployment), c.policy = row.policy;
    c.bound = row.policy_impl == "oracle";
    c.quality = row.quality_mean, c.ttft_p99_s = row.ttft_p99_s, c.tpot_p99_ms = row.tpot_p99_ms;
    c.slo_attainment = row.slo_attainment;
    c.meets_slo = true;
    double gpu_hours = 0, completed = 0;
    for (std::size_t index = 0; index < row.run_ids.size(); ++index) {
      run << row.run_ids[index];
      if (!run.step()) continue;
      if (index == 0) c.gpus = static_cast<int>(run.column_int(0));  // replicas x TP, stored with the run
      c.meets_slo = c.meets_slo && run.column_int(1) != 0;
      gpu_hours += c.gpus * run.column_double(2) / 3600.0;
      completed += static_cast<double>(run.column_int(3));
      run.reset();
    }
    c.gpu_hours_per_1k = completed > 0 ? 1000.0 * gpu_hours / completed : 0;
    c.feasible = c.meets_slo && completed > 0 && (quality_floor <= 0 || c.quality >= quality_floor);
    if (std::find(view.scenarios.begin(), view.scenarios.end(), c.scenario) == view.scenarios.end())
      view.scenarios.push_back(c.scenario);
    view.configurations.push_back(c);
  }
  for (auto& c : view.configurations) {
    if (!c.feasible) continue;
    c.on_frontier =
        std::none_of(view.configurations.begin(), view.configurations.end(), [&](const auto& other) {
          return other.feasible && other.scenario == c.scenario && dominates(other, c);
        });
  }
  std::map<std::pair<std::string, std::string>, PlannerConfiguration*> cheapest;
  for (auto& c : view.configurations) {
    if (!c.feasible) continue;
    auto& best = cheapest[{c.scenario, c.policy}];
    if (!best || cheaper(c, *best)) best = &c;
  }
  for (auto& entry : cheapest) entry.second->cheapest_of_policy = true;
  return view;
}

std::string format_planner_tables(const PlannerView& view) {
  if (view.configurations.size() < 2) return "";
  std::size_t width = 10;
  for (const auto& c : view.configurations) width = std::max(width, c.deployment.size());
  std::ostringstream out;
  std::vector<std::string> policies;
  for (const auto& c : view.configurations)
    if (std::find(policies.begin(), policies.end(), c.policy) == policies.end()) policies.push_back(c.policy);
  out << "\nPlanner view of the sweep (GPUs = replicas x TP; GPU-h/1k req = GPUs x makespan per 1,000 "
         "completed requests; (ref): the oracle, a reference that knows each request's true curve, not a "
         "deployable policy; it ranks budgets by standalone prices, so under batching it can fall below a "
         "policy at equal compute)";
  for (const std::string& scenario : view.scenarios) {
    std::size_t feasible = 0, total = 0, frontier = 0;
    for (const auto& c : view.configurations)
      if (c.scenario == scenario) ++total, feasible += c.feasible, frontier += c.on_frontier;
    out << "\n== planner" << (scenario.empty() ? "" : ": " + scenario) << "  (" << feasible << " of " << total
        << " configurations feasible: TTFT and TPOT p99 within the SLOs, no rejections";
    if (view.quality_floor > 0) out << ", quality >= " << view.quality_floor;
    out << ")\ncheapest feasible deployment per policy\n" << header_text(width);
    for (const std::string& policy : policies) {
      const auto best =
          std::find_if(view.configurations.begin(), view.configurations.end(), [&](const auto& c) {
            return c.scenario == scenario && c.policy == policy && c.cheapest_of_policy;
          });
      if (best != view.configurations.end()) {
        out << row_text(*best, width);
      } else {
        char text[256];
        std::snprintf(text, sizeof text, "%-16s %-*s  (no deployment in the sweep meets the SLOs)\n",
                      policy.c_str(), static_cast<int>(width), "-");
        out << text;
      }
    }
    if (frontier == 0) continue;
    out << "Pareto frontier (GPU-h/1k req down, quality up, TTFT p99 down): " << frontier << " of "
        << feasible << " feasible\n"
        << header_text(width);
    std::vector<const PlannerConfiguration*> rows;
    for (const auto& c : view.configurations)
      if (c.scenario == scenario && c.on_frontier) rows.push_back(&c);
    std::stable_sort(rows.begin(), rows.end(),
                     [](const auto* a, const auto* b) { return a->gpu_hours_per_1k < b->gpu_hours_per_1k; });
    for (const auto* c : rows) out << row_text(*c, width);
  }
  return out.str();
}

Plot planner_frontier_plot(const PlannerView& view) {
  Plot plot{"planner_frontier", "", {}};
  std::vector<std::string> policies;
  for (const auto& c : view.configurations)
    if (c.feasible && std::find(policies.begin(), policies.end(), c.policy) == policies.end())
      policies.push_back(c.policy);
  if (policies.empty()) return plot;
  std::string command = "plot ";
  for (std::size_t index = 0; index < policies.size(); ++index) {
    std::ostringstream rows;
    rows.precision(17);
    for (const auto& c : view.configurations)
      if (c.feasible && c.policy == policies[index]) rows << c.gpu_hours_per_1k << " " << c.quality << "\n";
    const std::string name = "p" + std::to_string(index);
    plot.data.push_back({name, rows.str()});
    command += (index ? ", " : "") + std::string("$") + name + " with points pointsize 1.2 title '" +
               policies[index] + "'";
  }
  std::vector<const PlannerConfiguration*> frontier;
  for (const auto& c : view.configurations)
    if (c.on_frontier) frontier.push_back(&c);
  std::stable_sort(frontier.begin(), frontier.end(),
                   [](const auto* a, const auto* b) { return a->gpu_hours_per_1k < b->gpu_hours_per_1k; });
  std::ostringstream rows;
  rows.precision(17);
  for (const auto* c : frontier) rows << c->gpu_hours_per_1k << " " << c->quality << "\n";
  plot.data.push_back({"frontier", rows.str()});
  command += ", $frontier with points pointtype 6 pointsize 2.2 linecolor rgb 'black' title 'on a frontier'";
  plot.script =
      "set termoption noenhanced\nset xlabel 'GPU-hours per 1,000 requests'\nset ylabel 'mean expected "
      "quality'\n"
      "set key outside right\nset grid\n" +
      command;
  return plot;
}

}  // namespace sparsesim
