#include "experiments/html_report.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include "core/atomic_file.h"
#include "experiments/capacity_planner.h"
#include "experiments/gnuplot.h"
#include "experiments/run_aggregates.h"
#include "experiments/summary_table.h"
#include "experiments/sweep_frontier.h"

namespace sparsesim {
namespace {

namespace fs = std::filesystem;

std::string escape_html(const std::string& text) {
  std::string out;
  for (char c : text) {
    switch (c) {
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '&':
        out += "&amp;";
        break;
      case '"':
        out += "&quot;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

// gnuplot data block names must be identifiers.
std::string block_name(std::size_t index) {
  return "series" + std::to_string(index);
}

// Every k-th value so that a plot stays small whatever the trace size.
template <class T>
std::vector<T> thin(const std::vector<T>& values, std::size_t limit) {
  if (values.size() <= limit) return values;
  std::vector<T> out;
  const double step = static_cast<double>(values.size()) / static_cast<double>(limit);
  for (std::size_t i = 0; i < limit; ++i) out.push_back(values[static_cast<std::size_t>(i * step)]);
  return out;
}

std::string plot_command(const std::vector<std::string>& titles, const std::string& style) {
  std::string command = "plot ";
  for (std::size_t i = 0; i < titles.size(); ++i)
    command +=
        (i ? ", " : "") + std::string("$") + block_name(i) + " " + style + " title '" + titles[i] + "'";
  return command;
}

Plot quality_vs_compute(SqliteDb& db, const AggregateSet& set) {
  Plot plot{"quality_vs_compute", "", {}};
  std::vector<std::string> titles;
  std::map<std::string, std::vector<std::pair<double, double>>> points;
  std::vector<std::string> order;
  for (const auto& row : set.rows) {
    for (auto id : row.run_ids) {
      SqliteStatement run(db, "SELECT compute_achieved, mean_expected_quality FROM runs WHERE run_id = ?");
      run << id;
      if (!run.step()) continue;
      if (!points.count(row.policy)) order.push_back(row.policy);
      points[row.policy].push_back({run.column_double(0), run.column_double(1)});
    }
  }
  for (const auto& policy : order) {
    auto series = points[policy];
    std::sort(series.begin(), series.end());
    std::ostringstream rows;
    for (const auto& [compute, quality] : series) rows << compute << " " << quality << "\n";
    plot.data.push_back({block_name(titles.size()), rows.str()});
    titles.push_back(policy);
  }
  const std::string metric = set.rows.empty() ? "compute" : set.rows.front().compute_metric;
  plot.script = "set termoption noenhanced\nset xlabel 'compute (" + metric +
                ")'\nset ylabel 'mean expected quality'\nset key outside right\nset grid\n" +
                plot_command(titles, "with linespoints pointsize 1.5");
  return plot;
}

Plot latency_cdf(SqliteDb& db, const AggregateSet& set, const std::string& column, const std::string& label) {
  Plot plot{column + "_cdf", "", {}};
  std::vector<std::string> titles;
  for (const auto& row : set.rows) {
    if (row.sweep_point != set.rows.front().sweep_point) continue;
    SqliteStatement query(
        db, "SELECT " + column + " FROM requests WHERE status = 'done' AND run_id = ? ORDER BY " + column);
    query << row.run_ids.front();
    std::vector<double> values;
    while (query.step()) values.push_back(query.column_double(0));
    if (values.empty()) continue;
    const auto sampled = thin(values, 400);
    std::ostringstream rows;
    for (std::size_t i = 0; i < sampled.size(); ++i)
      rows << sampled[i] << " " << static_cast<double>(i + 1) / static_cast<double>(sampled.size()) << "\n";
    plot.data.push_back({block_name(titles.size()), rows.str()});
    titles.push_back(row.policy);
  }
  plot.script = "set termoption noenhanced\nset xlabel '" + label +
                "'\nset ylabel 'fraction of requests'\nset logscale x\nset key bottom right\nset grid\n" +
                plot_command(titles, "with lines linewidth 2");
  return plot;
}

Plot budget_vs_length(SqliteDb& db, const AggregateSet& set) {
  Plot plot{"budget_vs_length", "", {}};
  std::vector<std::string> titles;
  for (const auto& row : set.rows) {
    if (row.sweep_point != set.rows.front().sweep_point) continue;
    SqliteStatement query(db,
                          "SELECT input_tokens, 1.0 - prefill_sparsity FROM requests WHERE run_id = ? "
                          "ORDER BY request_id");
    query << row.run_ids.front();
    std::vector<std::pair<double, double>> values;
    while (query.step()) values.push_back({query.column_double(0), query.column_double(1)});
    std::ostringstream rows;
    for (const auto& [length, density] : thin(values, 1500)) rows << length << " " << density << "\n";
    if (values.empty()) continue;  // no stored rows (results.requests): an empty block breaks the plot
    plot.data.push_back({block_name(titles.size()), rows.str()});
    titles.push_back(row.policy);
  }
  plot.script =
      "set termoption noenhanced\nset xlabel 'input tokens'\nset ylabel 'prefill density (1 - sparsity)'\n"
      "set logscale x\nset yrange [0:1.05]\nset key outside right\nset grid\n" +
      plot_command(titles, "with points pointsize 0.6");
  return plot;
}

Plot quality_by_length(const AggregateSet& set) {
  Plot plot{"quality_by_length", "", {}};
  std::vector<std::string> titles;
  for (const auto& row : set.rows) {
    if (row.sweep_point != set.rows.front().sweep_point) continue;
    std::ostringstream rows;
    for (std::size_t b = 0; b < set.length_buckets.size(); ++b) {
      auto found = row.quality_by_length.find(set.length_buckets[b]);
      if (found != row.quality_by_length.end()) rows << b << " " << found->second << "\n";
    }
    if (row.quality_by_length.empty()) continue;
    plot.data.push_back({block_name(titles.size()), rows.str()});
    titles.push_back(row.policy);
  }
  std::string tics = "set xtics (";
  for (std::size_t b = 0; b < set.length_buckets.size(); ++b)
    tics += (b ? ", '" : "'") + set.length_buckets[b] + "' " + std::to_string(b);
  plot.script =
      "set termoption noenhanced\n" + tics +
      ")\nset xlabel 'input length bucket'\nset ylabel 'mean expected quality'\nset key outside right\n"
      "set grid\nset xrange [-0.3:" +
      std::to_string(set.length_buckets.size() - 0.7) + "]\n" +
      plot_command(titles, "with linespoints linewidth 2 pointsize 1.3");
  return plot;
}

}  // namespace

void write_html_report(SqliteDb& db, const std::vector<std::int64_t>& run_ids, const std::string& html_path,
                       double quality_floor) {
  const AggregateSet set = aggregate_runs(db, run_ids);
  if (set.rows.empty()) throw std::runtime_error(db.path() + ": no runs to report");
  const fs::path html(html_path);
  if (html.has_parent_path()) fs::create_directories(html.parent_path());
  const std::string png_dir = (html.parent_path() / (html.stem().string() + "_plots")).string();
  const std::vector<std::pair<std::string, Plot>> plots = {
      {"Quality vs compute (each point a run; up and left is better)", quality_vs_compute(db, set)},
      {"Time to first token, CDF", latency_cdf(db, set, "ttft_s", "TTFT (s)")},
      {"Time per output token, CDF", latency_cdf(db, set, "tpot_ms", "TPOT (ms)")},
      {"Prefill budget chosen vs request length", budget_vs_length(db, set)},
      {"Quality by input length", quality_by_length(set)}};

  std::ostringstream page;
  page << "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>sparsesim report: "
       << escape_html(set.rows.front().experiment)
       << "</title>\n<style>body{font-family:sans-serif;max-width:1100px;"
          "margin:2em auto;color:#222}pre{background:#f6f6f6;padding:1em;overflow-x:auto;font-size:12px}"
          "h2{border-bottom:1px solid #ccc}figure{margin:1.5em 0}</style></head><body>\n"
       << "<h1>sparsesim report: " << escape_html(set.rows.front().experiment) << "</h1>\n"
       << "<p>Policies compared at equal total compute. Quality is the expected accuracy from the quality "
          "model's "
          "retention curves; see the notes below for the curves' provenance and the rule used below the "
          "shortest "
          "measured length.</p>\n<h2>Comparison</h2>\n<pre>"
       << escape_html(format_summary_table(set)) << "</pre>\n";
  if (const std::string capacity = format_stored_capacity_results(db, set.rows.front().experiment);
      !capacity.empty())
    page << "<h2>Capacity</h2>\n<pre>" << escape_html(capacity) << "</pre>\n";
  const PlannerView planner = planner_view(db, set, quality_floor);
  if (const std::string tables = format_planner_tables(planner); !tables.empty()) {
    page << "<h2>Planner: the feasible set and the Pareto frontier</h2>\n<pre>" << escape_html(tables)
         << "</pre>\n";
    if (const Plot frontier = planner_frontier_plot(planner); !frontier.data.empty()) {
      const std::string svg = render_plot(frontier, png_dir);
      const auto start = svg.find("<svg");
      page << "<figure>" << (start == std::string::npos ? svg : svg.substr(start)) << "</figure>\n";
    }
  }
  for (const auto& [title, plot] : plots) {
    if (plot.data.empty()) {
      // Every per-request plot draws from the stored request rows, which `results.requests: none` omits.
      page << "<h2>" << escape_html(title)
           << "</h2>\n<p>Not drawn: no per-request rows are stored for these runs (results.requests).</p>\n";
      continue;
    }
    // The XML prologue gnuplot writes is not valid inside HTML; the <svg> element itself is.
    const std::string svg = render_plot(plot, png_dir);
    const auto start = svg.find("<svg");
    page << "<h2>" << escape_html(title) << "</h2>\n<figure>"
         << (start == std::string::npos ? svg : svg.substr(start)) << "</figure>\n";
  }
  page << "<p>PNG copies of the plots: " << escape_html(png_dir) << "/</p>\n</body></html>\n";
  // Written beside, checked, synced and renamed: an interrupted or failed report (a full disk) leaves the
  // previous report intact and is an error.
  write_file_atomically(html_path, page.str());
}

}  // namespace sparsesim
