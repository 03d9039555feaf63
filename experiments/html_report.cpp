#include "experiments/html_report.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include "core/atomic_file.h"
#include "experiments/capacity_planner.h"
#include "experiments/gnuplot.h"
#include "experiments/html_tables.h"
#include "experiments/report_plots.h"
#include "experiments/run_aggregates.h"
#include "experiments/summary_table.h"
#include "experiments/sweep_frontier.h"

namespace sparsesim {
namespace {

namespace fs = std::filesystem;

// Sweeps with more configurations show the first ones in full (the planner covers all of them).
constexpr std::size_t kPointsShown = 40;

struct Figure {
  std::string id, title, caption;
  Plot plot;
};

std::string figure_html(const Figure& figure, const std::string& png_dir) {
  std::string html = "<h3 id=\"" + figure.id + "\">" + escape_html(figure.title) + "</h3>\n";
  if (figure.plot.data.empty())
    return html + "<p class=\"meta\">Not drawn: " + escape_html(figure.caption) + "</p>\n";
  // The XML prologue gnuplot writes is not valid inside HTML; the <svg> element itself is.
  const std::string svg = render_plot(figure.plot, png_dir);
  const auto start = svg.find("<svg");
  return html + "<figure>" + (start == std::string::npos ? svg : svg.substr(start)) + "<figcaption>" +
         escape_html(figure.caption) + "</figcaption></figure>\n";
}

}  // namespace

void write_html_report(SqliteDb& db, const std::vector<std::int64_t>& run_ids, const std::string& html_path,
                       double quality_floor) {
  const AggregateSet set = aggregate_runs(db, run_ids);
  // A capacity experiment stores probes and answers only: its report is the capacity section.
  std::string experiment = set.rows.empty() ? "" : set.rows.front().experiment;
  if (set.rows.empty()) {
    SqliteStatement capacity(db, "SELECT experiment FROM capacity_results ORDER BY rowid LIMIT 1");
    if (!capacity.step()) throw std::runtime_error(db.path() + ": no runs to report");
    experiment = capacity.column_text(0);
  }
  const fs::path html(html_path);
  if (html.has_parent_path()) fs::create_directories(html.parent_path());
  const std::string png_dir = (html.parent_path() / (html.stem().string() + "_plots")).string();
  const bool stored_requests = std::any_of(
      set.rows.begin(), set.rows.end(), [](const PolicyAggregate& row) { return row.requests_stored > 0; });
  const std::string no_rows = "no per-request rows are stored for these runs (results.requests)";
  std::size_t points = 0;
  {
    std::vector<std::string> seen;
    for (const auto& row : set.rows)
      if (std::find(seen.begin(), seen.end(), row.point_hash) == seen.end()) seen.push_back(row.point_hash);
    points = seen.size();
  }
  const PlannerView planner = planner_view(db, set, quality_floor);
  const std::string planner_html = planner_tables_html(planner);
  const std::string capacity_html = capacity_tables_html(db, experiment);

  std::vector<Figure> figures;
  if (!set.rows.empty())
    figures = {
        {"quality-compute", "Quality vs compute",
         "each point a configuration: mean expected quality with its 95% interval over replications; the "
         "dashed "
         "line is the compute target",
         quality_vs_compute(set)},
        {"ttft-tail", "Time to first token, tail",
         stored_requests ? "1 - CDF on a log axis: p90, p99 and p99.9 "
                           "separate (first configuration)"
                         : no_rows,
         latency_tail(db, set, "ttft_s", "TTFT (s)")},
        {"tpot-tail", "Time per output token, tail",
         stored_requests ? "1 - CDF on a log axis (first configuration)" : no_rows,
         latency_tail(db, set, "tpot_ms", "TPOT (ms)")},
        {"prefill-budget", "Prefill budget vs prompt length",
         stored_requests ? "each point a completed request (first configuration); axes fitted to the data"
                         : no_rows,
         budget_vs_length(db, set, false)},
        {"decode-budget", "Decode budget vs prompt length",
         stored_requests ? "KV kept per decode step as a fraction of the prompt (1 = dense)" : no_rows,
         budget_vs_length(db, set, true)},
        {"quality-length", "Quality by input length",
         stored_requests ? "mean expected quality per prompt-length bucket (first configuration)" : no_rows,
         quality_by_length(set)}};
  if (!planner_html.empty())
    figures.push_back(
        {"frontier", "Pareto frontier: cost vs quality",
         "feasible configurations of the sweep; circled: on a scenario's frontier (GPU-h per 1,000 "
         "requests, quality, TTFT p99)",
         planner_frontier_plot(planner)});
  if (!capacity_html.empty()) {
    figures.push_back({"capacity-attainment", "Capacity search: SLO attainment vs replicas",
                       "every probe of the search, per policy and deployment",
                       capacity_probes(db, experiment, false)});
    figures.push_back({"capacity-cost", "Capacity search: GPU-hours vs replicas",
                       "GPU-hours to serve the whole trace at each probed size",
                       capacity_probes(db, experiment, true)});
  }

  std::ostringstream page;
  page << "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
       << "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
       << "<title>sparsesim report: " << escape_html(experiment) << "</title>\n<style>" << kReportStyle
       << "</style></head><body>\n<h1>sparsesim report: " << escape_html(experiment) << "</h1>\n"
       << "<p>"
       << (set.rows.empty()
               ? std::string("A deployment search (capacity mode): per policy and deployment, the "
                             "smallest replica count meeting the SLOs and the quality floor")
               : "Policies compared at equal total compute; " + std::to_string(points) + " configuration" +
                     (points == 1 ? "" : "s") + ", " + std::to_string(set.rows.size()) + " policy rows")
       << ". Quality is the expected accuracy from the quality model's retention curves (provenance at the "
          "end). Grey italic rows are references: dense, the baseline, and the oracle, which knows each "
          "request's true curve. Click a column header to sort.</p>\n<nav>";
  if (!planner_html.empty()) page << "<a href=\"#planner\">Planner</a>";
  if (!capacity_html.empty()) page << "<a href=\"#capacity\">Capacity</a>";
  if (!set.rows.empty()) page << "<a href=\"#comparison\">Comparison</a>";
  page << "<a href=\"#plots\">Plots</a><a "
          "href=\"#provenance\">Provenance</a>"
       << "</nav>\n";
  if (!planner_html.empty())
    page << "<h2 id=\"planner\">Planner: the feasible set and the Pareto frontier</h2>\n" << planner_html;
  if (!capacity_html.empty())
    page << "<h2 id=\"capacity\">Capacity: the cheapest deployment per policy</h2>\n" << capacity_html;
  if (!set.rows.empty())
    page << "<h2 id=\"comparison\">Comparison</h2>\n" << comparison_sections_html(set, kPointsShown);
  page << "<h2 id=\"plots\">Plots</h2>\n";
  for (const auto& figure : figures) page << figure_html(figure, png_dir);
  std::string cost_model = set.cost_model, quality_model = set.quality_model;
  if (set.rows.empty()) {  // a capacity search: its probes say which models priced and scored them
    SqliteStatement probe(db, "SELECT cost_model, quality_model FROM runs ORDER BY run_id LIMIT 1");
    if (probe.step())
      cost_model = probe.column_text(0) + " (the first probe's; each deployment prices its own GPU and TP)",
      quality_model = probe.column_text(1);
  }
  page << "<h2 id=\"provenance\">Provenance</h2>\n<p>cost model: " << escape_html(cost_model)
       << "</p>\n<p>quality model: "
       << escape_html(quality_model.empty() ? "none (quality reported as 1)" : quality_model) << "</p>\n";
  for (const auto& warning : set.warnings)
    page << "<p class=\"notes\">note: " << escape_html(warning) << "</p>\n";
  if (!set.rows.empty() && points <= kPointsShown)
    page << "<details><summary>The terminal table, with the solver block</summary><pre>"
         << escape_html(format_summary_table(set)) << "</pre></details>\n";
  page << "<p class=\"meta\">PNG copies of the plots: " << escape_html(png_dir) << "/</p>\n<script>"
       << kSortScript << "</script>\n</body></html>\n";
  // Written beside, checked, synced and renamed: an interrupted or failed report (a full disk) leaves the
  // previous report intact and is an error.
  write_file_atomically(html_path, page.str());
}

}  // namespace sparsesim
