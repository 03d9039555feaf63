#include "experiments/report_plots.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <sstream>

#include <yaml-cpp/yaml.h>

namespace sparsesim {
namespace {

std::string block_name(std::size_t index) {
  return "series" + std::to_string(index);
}

std::string plot_command(const std::vector<std::string>& titles, const std::string& style) {
  std::string command = "plot ";
  for (std::size_t i = 0; i < titles.size(); ++i)
    command += (i ? ", " : "") + std::string("$") + block_name(i) + " " + style + " title " +
               gnuplot_quoted(titles[i]);
  return command;
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

std::string exact(double value) {
  std::ostringstream out;
  out.precision(10);
  out << value;
  return out.str();
}

// The rows of the first configuration (sweep point), which the per-request plots draw.
std::vector<const PolicyAggregate*> first_point(const AggregateSet& set) {
  std::vector<const PolicyAggregate*> rows;
  for (const auto& row : set.rows)
    if (row.point_hash == set.rows.front().point_hash) rows.push_back(&row);
  return rows;
}

}  // namespace

Plot quality_vs_compute(const AggregateSet& set) {
  Plot plot{"quality_vs_compute", "", {}};
  std::vector<std::string> titles;
  std::map<std::string, std::vector<const PolicyAggregate*>> by_policy;
  std::vector<std::string> order;
  for (const auto& row : set.rows) {
    if (!by_policy.count(row.policy)) order.push_back(row.policy);
    by_policy[row.policy].push_back(&row);
  }
  for (const auto& policy : order) {
    auto rows = by_policy[policy];
    std::sort(rows.begin(), rows.end(), [](const auto* a, const auto* b) { return a->compute < b->compute; });
    std::ostringstream data;
    for (const auto* row : rows)
      data << exact(row->compute) << " " << exact(row->quality_mean) << " " << exact(row->quality_ci95)
           << "\n";
    plot.data.push_back({block_name(titles.size()), data.str()});
    titles.push_back(policy);
  }
  const PolicyAggregate& first = set.rows.front();
  std::string target;
  // One target line when every configuration shares it (a sweep over the target draws none).
  const bool one_target = std::all_of(set.rows.begin(), set.rows.end(), [&](const auto& row) {
    return row.compute_target == first.compute_target;
  });
  if (first.compute_target > 0 && one_target)
    target = "set arrow from " + exact(first.compute_target) + ", graph 0 to " + exact(first.compute_target) +
             ", graph 1 nohead dashtype 2 linecolor rgb '#888888'\nset label 'compute target' at " +
             exact(first.compute_target) + ", graph 0.97 offset 0.5,0 textcolor rgb '#555555'\n";
  plot.script = "set termoption noenhanced\nset xlabel " +
                gnuplot_quoted("compute (" + first.compute_metric + ")") +
                "\nset ylabel 'mean expected quality (95% interval)'\nset key outside right\nset grid\n" +
                target + plot_command(titles, "using 1:2:3 with yerrorlines pointsize 1.3");
  return plot;
}

Plot latency_tail(SqliteDb& db, const AggregateSet& set, const std::string& column,
                  const std::string& label) {
  Plot plot{column + "_tail", "", {}};
  std::vector<std::string> titles;
  double smallest_tail = 1;
  for (const auto* row : first_point(set)) {
    SqliteStatement query(
        db, "SELECT " + column + " FROM requests WHERE status = 'done' AND run_id = ? ORDER BY " + column);
    query << row->run_ids.front();
    std::vector<double> values;
    while (query.step()) values.push_back(query.column_double(0));
    if (values.size() < 2) continue;
    // Quantiles at tail levels spaced evenly in log(1 - p), down to the last request.
    const double n = static_cast<double>(values.size());
    smallest_tail = std::min(smallest_tail, 1.0 / n);
    std::ostringstream data;
    const int levels = 300;
    for (int level = 0; level <= levels; ++level) {
      const double tail = std::pow(1.0 / n, static_cast<double>(level) / levels);
      const auto index = std::min(values.size() - 1, static_cast<std::size_t>(std::floor((1 - tail) * n)));
      data << exact(std::max(values[index], 1e-6)) << " " << exact(tail) << "\n";
    }
    plot.data.push_back({block_name(titles.size()), data.str()});
    titles.push_back(row->policy);
  }
  plot.script =
      "set termoption noenhanced\nset xlabel " + gnuplot_quoted(label) +
      "\nset ylabel 'fraction of requests slower (1 - CDF)'\nset logscale xy\nset yrange [" +
      exact(smallest_tail * 0.8) +
      ":1.05]\nset ytics ('p0' 1, 'p50' 0.5, 'p90' 0.1, 'p99' 0.01, 'p99.9' 0.001, 'p99.99' 0.0001)\n"
      "set key top right\nset grid\n" +
      plot_command(titles, "with lines linewidth 2");
  return plot;
}

Plot budget_vs_length(SqliteDb& db, const AggregateSet& set, bool decode) {
  Plot plot{decode ? "decode_budget_vs_length" : "prefill_budget_vs_length", "", {}};
  std::vector<std::string> titles;
  double low = INFINITY, high = 0, top = 0;
  for (const auto* row : first_point(set)) {
    SqliteStatement query(
        db, decode ? "SELECT input_tokens, MIN(1.0, CAST(decode_kv_budget_tokens AS REAL) / "
                     "MAX(1, input_tokens)) FROM requests WHERE run_id = ? AND status = 'done' "
                     "ORDER BY request_id"
                   : "SELECT input_tokens, 1.0 - prefill_sparsity FROM requests WHERE run_id = ? "
                     "AND status = 'done' ORDER BY request_id");
    query << row->run_ids.front();
    std::vector<std::pair<double, double>> values;
    while (query.step()) values.push_back({query.column_double(0), query.column_double(1)});
    if (values.empty()) continue;  // no stored rows (results.requests): an empty block breaks the plot
    std::ostringstream data;
    for (const auto& [length, budget] : thin(values, 1500)) {
      data << exact(std::max(1.0, length)) << " " << exact(budget) << "\n";
      low = std::min(low, std::max(1.0, length)), high = std::max(high, length), top = std::max(top, budget);
    }
    plot.data.push_back({block_name(titles.size()), data.str()});
    titles.push_back(row->policy);
  }
  if (plot.data.empty()) return plot;
  plot.script = std::string("set termoption noenhanced\nset xlabel 'input tokens'\nset ylabel ") +
                (decode ? "'decode KV kept (fraction of the prompt)'" : "'prefill density (1 - sparsity)'") +
                "\nset logscale x\nset xrange [" + exact(low / 1.15) + ":" +
                exact(std::max(high, low) * 1.15) +
                "]\nset yrange [0:" + exact(std::min(1.05, std::max(0.05, top * 1.08))) +
                "]\nset key outside right\nset grid\n" + plot_command(titles, "with points pointsize 0.6");
  return plot;
}

Plot quality_by_length(const AggregateSet& set) {
  Plot plot{"quality_by_length", "", {}};
  std::vector<std::string> titles;
  for (const auto* row : first_point(set)) {
    if (row->quality_by_length.empty()) continue;
    std::ostringstream data;
    for (std::size_t b = 0; b < set.length_buckets.size(); ++b) {
      auto found = row->quality_by_length.find(set.length_buckets[b]);
      if (found != row->quality_by_length.end()) data << b << " " << exact(found->second) << "\n";
    }
    plot.data.push_back({block_name(titles.size()), data.str()});
    titles.push_back(row->policy);
  }
  std::string tics = "set xtics (";
  for (std::size_t b = 0; b < set.length_buckets.size(); ++b)
    tics += (b ? ", " : "") + gnuplot_quoted(set.length_buckets[b]) + " " + std::to_string(b);
  plot.script =
      "set termoption noenhanced\n" + tics +
      ")\nset xlabel 'input length bucket'\nset ylabel 'mean expected quality'\nset key outside right\n"
      "set grid\nset xrange [-0.3:" +
      std::to_string(static_cast<double>(set.length_buckets.size()) - 0.7) + "]\n" +
      plot_command(titles, "with linespoints linewidth 2 pointsize 1.3");
  return plot;
}

Plot capacity_probes(SqliteDb& db, const std::string& experiment, bool gpu_hours) {
  Plot plot{gpu_hours ? "capacity_cost" : "capacity_attainment", "", {}};
  SqliteStatement query(
      db,
      "SELECT policy, replicas, slo_attainment, gpus * makespan_s / 3600.0, resolved_config FROM "
      "runs WHERE purpose = 'capacity_probe' AND (? = '' OR experiment = ?) ORDER BY run_id");
  query << experiment << experiment;
  std::map<std::string, std::map<int, std::pair<double, int>>> series;  // label -> replicas -> (sum, n)
  std::vector<std::string> order;
  while (query.step()) {
    const YAML::Node cluster = YAML::Load(query.column_text(4))["cluster"];
    const std::string label = query.column_text(0) + " " + cluster["gpu"]["name"].as<std::string>("?") +
                              " TP" + std::to_string(cluster["tensor_parallel"].as<int>(1));
    if (!series.count(label)) order.push_back(label);
    auto& point = series[label][static_cast<int>(query.column_int(1))];
    point.first += gpu_hours ? query.column_double(3) : 100 * query.column_double(2);
    ++point.second;
  }
  std::vector<std::string> titles;
  for (const auto& label : order) {
    std::ostringstream data;
    for (const auto& [replicas, sum] : series[label])
      data << replicas << " " << exact(sum.first / sum.second) << "\n";
    plot.data.push_back({block_name(titles.size()), data.str()});
    titles.push_back(label);
  }
  plot.script = std::string("set termoption noenhanced\nset xlabel 'replicas'\nset ylabel ") +
                (gpu_hours ? "'GPU-hours to serve the trace'" : "'SLO attainment (%)'\nset yrange [0:105]") +
                "\nset logscale x 2\nset key outside right\nset grid\n" +
                plot_command(titles, "with linespoints pointsize 1.1");
  return plot;
}

}  // namespace sparsesim
