#include "experiments/summary_table.h"

#include <algorithm>
#include <cstdio>
#include <map>
#include <sstream>

namespace sparsesim {
namespace {

std::string fixed(double value, int decimals) {
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, "%.*f", decimals, value);
  return buffer;
}

std::string compute_text(double value, const std::string& metric) {
  if (metric == "gpu_seconds") return fixed(value, 1) + " GPU-s";
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, "%.3g %s", value, metric == "attention_flops" ? "FLOP" : "B");
  return buffer;
}

// Left-aligned first column, right-aligned others; widths from the content.
std::string render(const std::vector<std::vector<std::string>>& rows) {
  std::vector<std::size_t> widths;
  for (const auto& row : rows)
    for (std::size_t c = 0; c < row.size(); ++c) {
      if (widths.size() <= c) widths.push_back(0);
      widths[c] = std::max(widths[c], row[c].size());
    }
  std::ostringstream out;
  for (std::size_t r = 0; r < rows.size(); ++r) {
    for (std::size_t c = 0; c < rows[r].size(); ++c) {
      const std::string& cell = rows[r][c];
      const std::string pad(widths[c] - cell.size(), ' ');
      out << (c == 0 ? cell + pad : pad + cell) << (c + 1 < rows[r].size() ? "  " : "");
    }
    out << "\n";
    if (r == 0) {
      std::size_t total = 0;
      for (auto w : widths) total += w + 2;
      out << std::string(total - 2, '-') << "\n";
    }
  }
  return out.str();
}

}  // namespace

std::string format_summary_table(const AggregateSet& set) {
  std::ostringstream out;
  std::map<std::string, std::vector<const PolicyAggregate*>> by_point;
  std::vector<std::string> point_order;
  for (const auto& row : set.rows) {
    const std::string point =
        row.experiment +
        (row.sweep_field.empty() ? "" : "  [" + row.sweep_field + " = " + fixed(row.sweep_value, 3) + "]");
    if (!by_point.count(point)) point_order.push_back(point);
    by_point[point].push_back(&row);
  }
  for (const auto& point : point_order) {
    const auto& rows = by_point[point];
    bool models_differ = false;
    for (const auto* row : rows) models_differ = models_differ || row->model != rows.front()->model;
    double oracle_quality = -1;
    for (const auto* row : rows)
      if (row->policy_impl == "oracle") oracle_quality = row->quality_mean;
    out << "\n== " << point << "  (" << rows.front()->replications << " replication"
        << (rows.front()->replications == 1 ? "" : "s") << ")\n";
    if (rows.front()->compute_target > 0)
      out << "compute target: " << compute_text(rows.front()->compute_target, rows.front()->compute_metric)
          << " (" << rows.front()->compute_metric << ")\n";
    // GPU time is what a capacity planner pays for; show it beside any other equalised metric.
    const bool show_gpu_seconds = rows.front()->compute_metric != "gpu_seconds";
    std::vector<std::vector<std::string>> table = {
        {"policy", "knob", "compute", "solver", "req/s", "out tok/s", "TTFT p50 s", "TTFT p99 s",
         "TPOT p50 ms", "TPOT p99 ms", "E2E p99 s", "SLO att.", "rejected", "quality (95% CI)", "vs oracle"}};
    for (const auto* row : rows) {
      table.push_back(
          {row->policy + (models_differ ? " [" + row->model + "]" : ""),
           row->knob_name == "none" ? "-" : row->knob_name + "=" + fixed(row->knob, 4),
           compute_text(row->compute, row->compute_metric), row->solver_status, fixed(row->throughput_rps, 2),
           fixed(row->throughput_tokens_per_s, 0), fixed(row->ttft_p50_s, 3), fixed(row->ttft_p99_s, 3),
           fixed(row->tpot_p50_ms, 2), fixed(row->tpot_p99_ms, 2), fixed(row->e2e_p99_s, 2),
           fixed(100 * row->slo_attainment, 1) + "%", std::to_string(row->rejected),
           fixed(row->quality_mean, 4) + (row->replications > 1 ? " +/- " + fixed(row->quality_ci95, 4) : ""),
           oracle_quality < 0 ? "-" : fixed(row->quality_mean - oracle_quality, 4)});
    }
    // Agentic workflows: the end-to-end latency of whole DAGs beside the per-call figures.
    if (rows.front()->workflows > 0) {
      table[0].insert(table[0].end() - 2, {"WF E2E p50 s", "WF E2E p99 s"});
      for (std::size_t r = 1; r < table.size(); ++r)
        table[r].insert(table[r].end() - 2, {fixed(rows[r - 1]->workflow_e2e_p50_s, 2),
                                             fixed(rows[r - 1]->workflow_e2e_p99_s, 2)});
    }
    if (rows.front()->prefix_hit_rate > 0) {
      table[0].insert(table[0].end() - 2, "prefix hit");
      for (std::size_t r = 1; r < table.size(); ++r)
        table[r].insert(table[r].end() - 2, fixed(100 * rows[r - 1]->prefix_hit_rate, 1) + "%");
    }
    if (show_gpu_seconds) {
      table[0].insert(table[0].begin() + 3, "GPU busy");
      for (std::size_t r = 1; r < table.size(); ++r)
        table[r].insert(table[r].begin() + 3, compute_text(rows[r - 1]->gpu_busy_s, "gpu_seconds"));
    }
    out << render(table);

    std::vector<std::vector<std::string>> families = {{"quality by task family"}};
    std::vector<std::string> family_names;
    for (const auto* row : rows)
      for (const auto& [family, unused] : row->quality_by_family)
        if (std::find(family_names.begin(), family_names.end(), family) == family_names.end())
          family_names.push_back(family);
    for (const auto& family : family_names) families[0].push_back(family);
    for (const auto* row : rows) {
      families.push_back({row->policy});
      for (const auto& family : family_names) {
        auto found = row->quality_by_family.find(family);
        families.back().push_back(found == row->quality_by_family.end() ? "-" : fixed(found->second, 4));
      }
    }
    out << "\n" << render(families);

    std::vector<std::vector<std::string>> lengths = {{"quality by input length"}};
    for (const auto& bucket : set.length_buckets) lengths[0].push_back(bucket);
    for (const auto* row : rows) {
      lengths.push_back({row->policy});
      for (const auto& bucket : set.length_buckets) {
        auto found = row->quality_by_length.find(bucket);
        lengths.back().push_back(found == row->quality_by_length.end() ? "-" : fixed(found->second, 4));
      }
    }
    out << "\n" << render(lengths);
    std::int64_t exact = 0, interpolated = 0, extrapolated = 0;
    for (const auto* row : rows) {
      exact += row->lookups_exact;
      interpolated += row->lookups_interpolated;
      extrapolated += row->lookups_extrapolated;
    }
    const double total = static_cast<double>(exact + interpolated + extrapolated);
    if (total > 0)
      out << "\nretention lookups: " << exact << " exact, " << interpolated << " interpolated, "
          << extrapolated << " extrapolated (" << fixed(100.0 * extrapolated / total, 1)
          << "% outside the measured range)\n";
  }
  out << "\ncost model: " << set.cost_model << "\n";
  out << "quality model: " << (set.quality_model.empty() ? "none (quality reported as 1)" : set.quality_model)
      << "\n";
  for (const auto& warning : set.warnings) out << "note: " << warning << "\n";
  return out.str();
}

}  // namespace sparsesim
