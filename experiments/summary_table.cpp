#include "experiments/summary_table.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>
#include <sstream>

namespace sparsesim {
namespace {

std::string fixed(double value, int decimals) {
  return format_fixed(value, decimals);
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

std::string percent_of(double value, double of) {
  return fixed(100.0 * value / of, 1) + "%";
}

std::string point_title(const PolicyAggregate& row) {
  return row.experiment + (row.sweep_point.empty() ? "" : "  [" + row.sweep_point + "]");
}

}  // namespace

std::string format_fixed(double value, int decimals) {
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

// A policy whose most expensive setting spends less than the target: its quality is the best it can
// reach within the target, so it is compared (marked), never extrapolated to the target.
bool below_target_at_most(const PolicyAggregate& row) {
  return row.compute_target > 0 && (row.solver_status == "unreachable_high" ||
                                    ((row.solver_status == "no_knob" || row.solver_status == "fixed_knob") &&
                                     row.compute < row.compute_target * (1 - row.solver_tolerance)));
}

// Overload: the median queue wait in the last quarter of arrivals is over a second and more than three
// times the first quarter's, i.e. the backlog grows through the trace instead of being served.
bool is_overloaded(const PolicyAggregate& row) {
  return row.queue_wait_last_quarter_s > 1.0 &&
         row.queue_wait_last_quarter_s > 3.0 * row.queue_wait_first_quarter_s;
}

bool at_target(const PolicyAggregate& row) {
  if (row.compute_target <= 0) return true;  // no target: every policy at its configured knob
  const std::string& status = row.solver_status;
  if (status == "matched" || status == "ill_conditioned" || status == "reference") return true;
  if (status == "no_knob" || status == "fixed_knob")
    return std::abs(row.compute - row.compute_target) <= row.solver_tolerance * row.compute_target;
  return false;
}

std::string format_summary_table(const AggregateSet& set) {
  std::ostringstream out;
  std::map<std::string, std::vector<const PolicyAggregate*>> by_point;
  std::vector<std::string> point_order;
  std::map<std::string, std::vector<std::string>> hashes_of_title;
  for (const auto& row : set.rows) {
    if (!by_point.count(row.point_hash)) {
      point_order.push_back(row.point_hash);
      hashes_of_title[point_title(row)].push_back(row.point_hash);
    }
    by_point[row.point_hash].push_back(&row);
  }
  for (const auto& point : point_order) {
    const auto& rows = by_point[point];
    const PolicyAggregate& first = *rows.front();
    bool models_differ = false, replications_differ = false;
    for (const auto* row : rows) {
      models_differ = models_differ || row->model != first.model;
      replications_differ = replications_differ || row->replications != first.replications;
    }
    const PolicyAggregate* oracle = nullptr;
    for (const auto* row : rows)
      if (row->policy_impl == "oracle") oracle = row;
    const bool oracle_comparable = oracle && (at_target(*oracle) || below_target_at_most(*oracle));
    // Two stored configurations under one title (an edited YAML rerun into the same database) are shown
    // apart, each with its configuration hash, never blended.
    const std::string title = point_title(first);
    out << "\n== " << title;
    if (hashes_of_title[title].size() > 1) out << "  (configuration " << point.substr(0, 8) << ")";
    out << "  (" << first.replications << " replication" << (first.replications == 1 ? "" : "s")
        << (replications_differ ? ", fewer for some policies" : "") << ")\n";
    if (first.compute_target > 0)
      out << "compute target: " << compute_text(first.compute_target, first.compute_metric) << " ("
          << first.compute_metric << ", tolerance +/-" << fixed(100 * first.solver_tolerance, 2)
          << "%); one knob per policy, solved for all replications together\n";
    // GPU time is what a capacity planner pays for; show it beside any other equalised metric.
    const bool show_gpu_seconds = first.compute_metric != "gpu_seconds";
    std::vector<std::vector<std::string>> table = {{"policy", "knob", "compute", "solver", "req/s",
                                                    "out tok/s", "TTFT p50 s", "TTFT p99 s", "TPOT p50 ms",
                                                    "TPOT p99 ms", "E2E p99 s", "SLO att.", "rejected/run",
                                                    "quality (95% CI)", "vs oracle"}};
    bool any_off_target = false, any_ill = false, any_below = false;
    for (const auto* row : rows) {
      const bool below = below_target_at_most(*row);
      const bool comparable = at_target(*row) || below;
      const bool ill = row->solver_status == "ill_conditioned";
      any_off_target = any_off_target || !comparable;
      any_ill = any_ill || ill;
      any_below = any_below || below;
      const std::string ci = row->replications > 1 ? " +/- " + fixed(row->quality_ci95, 4) : "";
      const std::string quality = comparable ? fixed(row->quality_mean, 4) + ci +
                                                   (ill     ? " ?"
                                                    : below ? " ^"
                                                            : "")
                                             : "(" + fixed(row->quality_mean, 4) + ") off target";
      std::string versus = "-";
      if (comparable && oracle_comparable)
        versus = fixed(row->quality_mean - oracle->quality_mean, 4) +
                 (ill || oracle->solver_status == "ill_conditioned" ? " ?" : "");
      table.push_back({row->policy + (row->tuned_parameters.empty() ? "" : " *") +
                           (models_differ ? " [" + row->model + "]" : ""),
                       row->knob_name == "none" ? "-" : row->knob_name + "=" + fixed(row->knob, 4),
                       compute_text(row->compute, row->compute_metric), row->solver_status,
                       fixed(row->throughput_rps, 2), fixed(row->throughput_tokens_per_s, 0),
                       fixed(row->ttft_p50_s, 3), fixed(row->ttft_p99_s, 3), fixed(row->tpot_p50_ms, 2),
                       fixed(row->tpot_p99_ms, 2), fixed(row->e2e_p99_s, 2),
                       fixed(100 * row->slo_attainment, 1) + "%",
                       row->rejected_mean == std::floor(row->rejected_mean) ? fixed(row->rejected_mean, 0)
                                                                            : fixed(row->rejected_mean, 1),
                       quality, versus});
    }
    // Agentic workflows: the end-to-end latency of whole DAGs beside the per-call figures.
    if (first.workflows > 0) {
      table[0].insert(table[0].end() - 2, {"WF E2E p50 s", "WF E2E p99 s"});
      for (std::size_t r = 1; r < table.size(); ++r)
        table[r].insert(table[r].end() - 2, {fixed(rows[r - 1]->workflow_e2e_p50_s, 2),
                                             fixed(rows[r - 1]->workflow_e2e_p99_s, 2)});
    }
    if (first.prefix_hit_rate > 0) {
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
    if (any_off_target)
      out << "(q) off target: the policy could not be set to the compute target; its quality is at another "
             "compute and is not comparable\n";
    // The oracle is an upper bound only for the cost it optimises (standalone GPU time on its grid).
    std::string above_oracle;
    if (oracle_comparable)
      for (const auto* row : rows)
        if (row != oracle && (at_target(*row) || below_target_at_most(*row)) &&
            row->quality_mean >
                oracle->quality_mean + std::max(row->quality_ci95 + oracle->quality_ci95, 1e-4))
          above_oracle += (above_oracle.empty() ? "" : ", ") + row->policy;
    if (oracle && first.compute_metric != "gpu_seconds")
      out << "vs oracle: the oracle allocates by GPU time, so at equal " << first.compute_metric
          << " it is a reference, not a bound\n";
    if (!above_oracle.empty())
      out << "warning: " << above_oracle << " beat"
          << (above_oracle.find(',') == std::string::npos ? "s" : "")
          << " the oracle beyond the replication interval; the oracle is no upper bound for this metric or "
             "candidate grid\n";
    if (any_below)
      out << "^ even its most expensive setting spends less than the target: the quality shown is the best "
             "it reaches within the target\n";
    if (any_ill)
      out << "? ill_conditioned: quality varies over the compute tolerance window more than between "
             "replications, so the target does not pin it down (see the solver block)\n";
    for (const auto* row : rows)
      if (!row->tuned_parameters.empty())
        out << "* " << row->policy << " tuned on the tuning split: " << row->tuned_parameters << "\n";

    // The solver block: what each knob could reach and how firmly the target fixed the answer.
    if (first.compute_target > 0) {
      std::vector<std::vector<std::string>> solver = {
          {"solver", "status", "reachable compute (% of target)", "evaluations", "quality over window"}};
      for (const auto* row : rows) {
        const std::string range = row->range_min_compute == row->range_max_compute
                                      ? "fixed at " + percent_of(row->range_min_compute, row->compute_target)
                                      : percent_of(row->range_min_compute, row->compute_target) + " - " +
                                            percent_of(row->range_max_compute, row->compute_target);
        const bool assessed = row->solver_status == "matched" || row->solver_status == "ill_conditioned";
        solver.push_back({row->policy, row->solver_status, range, std::to_string(row->solver_iterations),
                          assessed
                              ? fixed(row->window_quality_low, 4) + " - " + fixed(row->window_quality_high, 4)
                              : "-"});
      }
      out << "\n" << render(solver);
      for (const auto* row : rows)
        if (!row->solver_note.empty()) out << "  " << row->policy << ": " << row->solver_note << "\n";
    }
    std::string overloaded;
    for (const auto* row : rows)
      if (is_overloaded(*row))
        overloaded += (overloaded.empty() ? "" : ", ") + row->policy + " (" +
                      fixed(row->queue_wait_first_quarter_s, 2) + " s -> " +
                      fixed(row->queue_wait_last_quarter_s, 2) + " s)";
    if (!overloaded.empty())
      out << "warning: overloaded, the queue grows through the trace (median queue wait, first -> last "
             "quarter of arrivals): "
          << overloaded
          << "; latency figures measure a backlog rather than the service, and preemption recomputation "
             "adds to compute\n";

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
    // Both breakdowns come from the stored per-request rows; with none stored there is nothing to show
    // (the note below says so) rather than a table of dashes.
    if (!family_names.empty()) out << "\n" << render(families);

    std::vector<std::vector<std::string>> lengths = {{"quality by input length"}};
    for (const auto& bucket : set.length_buckets) lengths[0].push_back(bucket);
    for (const auto* row : rows) {
      lengths.push_back({row->policy});
      for (const auto& bucket : set.length_buckets) {
        auto found = row->quality_by_length.find(bucket);
        lengths.back().push_back(found == row->quality_by_length.end() ? "-" : fixed(found->second, 4));
      }
    }
    if (!family_names.empty()) out << "\n" << render(lengths);
    std::int64_t exact = 0, interpolated = 0, extrapolated = 0;
    for (const auto* row : rows) {
      exact += row->lookups_exact;
      interpolated += row->lookups_interpolated;
      extrapolated += row->lookups_extrapolated;
    }
    const double total = static_cast<double>(exact + interpolated + extrapolated);
    if (total > 0) {
      out << "\nretention lookups: " << exact << " exact, " << interpolated << " interpolated, "
          << extrapolated << " extrapolated (" << fixed(100.0 * extrapolated / total, 1)
          << "% outside the measured range)\n";
      std::string mostly_extrapolated;
      for (const auto* row : rows) {
        const auto lookups = row->lookups_exact + row->lookups_interpolated + row->lookups_extrapolated;
        if (lookups > 0 && 2 * row->lookups_extrapolated > lookups)
          mostly_extrapolated +=
              (mostly_extrapolated.empty() ? "" : ", ") + row->policy + " " +
              fixed(100.0 * static_cast<double>(row->lookups_extrapolated) / static_cast<double>(lookups),
                    0) +
              "%";
      }
      if (!mostly_extrapolated.empty())
        out << "warning: most quality lookups are extrapolated beyond the measured curves ("
            << mostly_extrapolated
            << "), mostly below their shortest length: those qualities rest on the short-length rule named "
               "below, not on measurements\n";
    }
  }
  std::string fallbacks;
  for (const auto& row : set.rows)
    if (row.dense_fallback_prefills + row.dense_fallback_decodes > 0)
      fallbacks +=
          "\n  " + (row.sweep_point.empty() ? "" : row.sweep_point + " ") + row.policy + ": " +
          fixed(static_cast<double>(row.dense_fallback_prefills) / row.replications, 0) + " prefills, " +
          fixed(static_cast<double>(row.dense_fallback_decodes) / row.replications, 0) + " decodes per run";
  std::int64_t requests_total = 0, requests_kept = 0;
  for (const auto& row : set.rows) requests_total += row.requests, requests_kept += row.requests_stored;
  if (requests_kept < requests_total)
    out << "\nper-request rows: " << requests_kept << " of " << requests_total
        << " stored (results.requests); "
        << (requests_kept == 0 ? "no quality breakdown by task family or length"
                               : "quality by task family and by length use the stored rows only")
        << "\n";
  if (!fallbacks.empty())
    out << "\ndense fallback (sparse budgets run and scored dense: their method costs more than dense at "
           "that "
           "length):"
        << fallbacks << "\n";
  out << "\ncost model: " << set.cost_model << "\n";
  out << "quality model: " << (set.quality_model.empty() ? "none (quality reported as 1)" : set.quality_model)
      << "\n";
  for (const auto& warning : set.warnings) out << "note: " << warning << "\n";
  return out.str();
}

}  // namespace sparsesim
