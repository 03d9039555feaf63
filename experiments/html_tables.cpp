#include "experiments/html_tables.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>
#include <sstream>

#include "experiments/summary_table.h"

namespace sparsesim {
namespace {

std::string fixed(double value, int decimals) {
  return format_fixed(value, decimals);
}

// A numeric cell: shown text, with the raw value for sorting.
std::string number_cell(double value, const std::string& shown) {
  char raw[40];
  std::snprintf(raw, sizeof raw, "%.17g", value);
  return "<td class=\"n\" data-v=\"" + std::string(raw) + "\">" + escape_html(shown) + "</td>";
}

std::string text_cell(const std::string& text, const std::string& css = "") {
  return "<td" + (css.empty() ? std::string() : " class=\"" + css + "\"") + ">" + escape_html(text) + "</td>";
}

std::string header_row(const std::vector<std::string>& names) {
  std::string html = "<thead><tr>";
  for (const auto& name : names) html += "<th title=\"sort\">" + escape_html(name) + "</th>";
  return html + "</tr></thead>";
}

bool is_reference(const PolicyAggregate& row) {
  return row.policy_impl == "dense" || row.policy_impl == "oracle";
}

std::string point_heading(const PolicyAggregate& row) {
  return row.sweep_point.empty() ? row.experiment : row.sweep_point;
}

std::string comparison_table(const std::vector<const PolicyAggregate*>& rows) {
  const PolicyAggregate* oracle = nullptr;
  for (const auto* row : rows)
    if (row->policy_impl == "oracle") oracle = row;
  const bool oracle_comparable = oracle && (at_target(*oracle) || below_target_at_most(*oracle));
  const PolicyAggregate& first = *rows.front();
  std::vector<std::string> names = {"policy",
                                    "quality (95% CI)",
                                    "SLO attainment",
                                    "vs oracle",
                                    "TTFT p99 (s)",
                                    "TPOT p99 (ms)",
                                    "E2E p99 (s)",
                                    "compute",
                                    "knob",
                                    "solver",
                                    "req/s",
                                    "rejected/run",
                                    "energy (Wh / 1k req)"};
  if (first.compute_metric != "gpu_seconds") names.insert(names.begin() + 8, "GPU busy");
  std::string html = "<table class=\"sortable\">" + header_row(names) + "<tbody>";
  for (const auto* row : rows) {
    const bool below = below_target_at_most(*row);
    const bool comparable = at_target(*row) || below;
    const bool ill = row->solver_status == "ill_conditioned";
    std::string quality = fixed(row->quality_mean, 4);
    if (row->replications > 1) quality += " \u00b1 " + fixed(row->quality_ci95, 4);
    if (!comparable) quality = "(" + quality + ") off target";
    if (ill) quality += " ?";
    if (below) quality += " ^";
    std::string versus = "-";
    double versus_value = 0;
    if (comparable && oracle_comparable && row != oracle)
      versus_value = row->quality_mean - oracle->quality_mean, versus = fixed(versus_value, 4);
    const std::string css = is_reference(*row) ? " class=\"ref\"" : "";
    html += "<tr" + css + ">" +
            text_cell(
                row->policy + (row->tuned_parameters.empty() ? "" : " *") +
                (is_reference(*row) ? (row->policy_impl == "oracle" ? " (reference)" : " (baseline)") : "")) +
            number_cell(row->quality_mean, quality) +
            number_cell(row->slo_attainment, fixed(100 * row->slo_attainment, 1) + "%") +
            number_cell(versus_value, versus) + number_cell(row->ttft_p99_s, fixed(row->ttft_p99_s, 3)) +
            number_cell(row->tpot_p99_ms, fixed(row->tpot_p99_ms, 2)) +
            number_cell(row->e2e_p99_s, fixed(row->e2e_p99_s, 2)) +
            number_cell(row->compute, compute_text(row->compute, row->compute_metric));
    if (first.compute_metric != "gpu_seconds")
      html += number_cell(row->gpu_busy_s, compute_text(row->gpu_busy_s, "gpu_seconds"));
    html +=
        text_cell(row->knob_name == "none" ? "-" : row->knob_name + " = " + fixed(row->knob, 4), "wrap") +
        text_cell(row->solver_status) + number_cell(row->throughput_rps, fixed(row->throughput_rps, 2)) +
        number_cell(row->rejected_mean,
                    fixed(row->rejected_mean, row->rejected_mean == std::floor(row->rejected_mean) ? 0 : 1)) +
        (std::isnan(row->energy_wh_per_1k)
             ? text_cell("-")
             : number_cell(row->energy_wh_per_1k, fixed(row->energy_wh_per_1k, 1))) +
        "</tr>";
  }
  html += "</tbody></table>\n";
  std::vector<std::string> notes;
  for (const auto* row : rows) {
    if (!(at_target(*row) || below_target_at_most(*row)))
      notes.push_back(row->policy +
                      ": off target, it could not be set to the compute target; its quality is at another "
                      "compute and is not comparable");
    if (row->solver_status == "ill_conditioned")
      notes.push_back(row->policy +
                      ": ? ill-conditioned, quality varies over the compute tolerance window "
                      "more than between replications");
    if (below_target_at_most(*row))
      notes.push_back(row->policy + ": ^ its most expensive setting spends less than the target");
    if (is_overloaded(*row))
      notes.push_back(row->policy + ": overloaded, the median queue wait grows from " +
                      fixed(row->queue_wait_first_quarter_s, 2) + " s to " +
                      fixed(row->queue_wait_last_quarter_s, 2) +
                      " s through the trace (latency measures a backlog)");
    if (!row->solver_note.empty()) notes.push_back(row->policy + ": " + row->solver_note);
    if (!row->tuned_parameters.empty())
      notes.push_back(row->policy + " * tuned on the tuning split: " + row->tuned_parameters);
  }
  if (!notes.empty()) {
    html += "<ul class=\"notes\">";
    for (const auto& note : notes) html += "<li>" + escape_html(note) + "</li>";
    html += "</ul>\n";
  }
  return html;
}

std::string breakdown_table(const std::vector<const PolicyAggregate*>& rows, const std::string& title,
                            const std::vector<std::string>& columns,
                            std::map<std::string, double> PolicyAggregate::*values) {
  std::vector<std::string> names = {title};
  names.insert(names.end(), columns.begin(), columns.end());
  std::string html = "<table class=\"sortable small\">" + header_row(names) + "<tbody>";
  for (const auto* row : rows) {
    html += std::string("<tr") + (is_reference(*row) ? " class=\"ref\"" : "") + ">" + text_cell(row->policy);
    for (const auto& column : columns) {
      const auto found = (row->*values).find(column);
      html += found == (row->*values).end() ? text_cell("-")
                                            : number_cell(found->second, fixed(found->second, 4));
    }
    html += "</tr>";
  }
  return html + "</tbody></table>\n";
}

}  // namespace

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
      case '\'':
        out += "&#39;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

std::string comparison_sections_html(const AggregateSet& set, std::size_t max_points) {
  std::vector<std::string> order;
  std::map<std::string, std::vector<const PolicyAggregate*>> by_point;
  for (const auto& row : set.rows) {
    if (!by_point.count(row.point_hash)) order.push_back(row.point_hash);
    by_point[row.point_hash].push_back(&row);
  }
  std::ostringstream html;
  for (std::size_t index = 0; index < order.size() && index < max_points; ++index) {
    const auto& rows = by_point[order[index]];
    const PolicyAggregate& first = *rows.front();
    html << "<section class=\"point\"><h3>" << escape_html(point_heading(first))
         << "</h3>\n<p class=\"meta\">" << first.replications << " replication"
         << (first.replications == 1 ? "" : "s");
    if (first.compute_target > 0)
      html << "; compute target " << escape_html(compute_text(first.compute_target, first.compute_metric))
           << " (" << escape_html(first.compute_metric) << ", tolerance \u00b1"
           << fixed(100 * first.solver_tolerance, 2) << "%), one knob per policy for all replications";
    html << "</p>\n" << comparison_table(rows);
    std::vector<std::string> families;
    for (const auto* row : rows)
      for (const auto& entry : row->quality_by_family)
        if (std::find(families.begin(), families.end(), entry.first) == families.end())
          families.push_back(entry.first);
    if (!families.empty())
      html << "<div class=\"pair\">"
           << breakdown_table(rows, "quality by task family", families, &PolicyAggregate::quality_by_family)
           << breakdown_table(rows, "quality by input length", set.length_buckets,
                              &PolicyAggregate::quality_by_length)
           << "</div>\n";
    html << "</section>\n";
  }
  if (order.size() > max_points)
    html << "<p>" << order.size() - max_points << " more configurations are not shown here; "
         << "<code>sparsesim report --text</code> prints them all, and the planner section below covers the "
            "whole sweep.</p>\n";
  return html.str();
}

std::string capacity_tables_html(SqliteDb& db, const std::string& experiment) {
  SqliteStatement query(
      db,
      "SELECT experiment, policy, gpu, tensor_parallel, replicas, gpu_hours, dollars, "
      "energy_kwh, completed, mean_quality, ttft_p99_s, tpot_p99_ms, solver_status, why_not, "
      "cheapest, cost, note FROM capacity_results WHERE ? = '' OR experiment = ? ORDER BY rowid");
  query << experiment << experiment;
  std::string html;
  std::string current;
  while (query.step()) {
    if (query.column_text(0) != current) {
      if (!current.empty()) html += "</tbody></table>\n";
      current = query.column_text(0);
      html += "<h3>" + escape_html(current) + "</h3><p class=\"meta\">cheapest per policy (\u2605) by " +
              escape_html(query.column_text(15) == "dollars" ? "dollars" : "GPU-hours") +
              "; cost and energy to serve the whole trace</p>\n<table class=\"sortable\">" +
              header_row({"policy", "deployment", "replicas", "GPU-hours", "US$", "kWh", "Wh / 1k req",
                          "quality", "TTFT p99 (s)", "TPOT p99 (ms)", "outcome"}) +
              "<tbody>";
    }
    const int replicas = static_cast<int>(query.column_int(4));
    const bool cheapest = query.column_int(14) != 0;
    const std::string deployment = query.column_text(2) + " TP" + query.column_text(3);
    html += std::string("<tr") + (cheapest ? " class=\"best\"" : "") + ">" +
            text_cell(query.column_text(1) + (cheapest ? " \u2605" : "")) + text_cell(deployment);
    if (replicas < 0) {
      html += "<td class=\"why\" colspan=\"9\">" +
              escape_html((query.column_text(12) == "not_searched" ? "can never work: " : "not met: ") +
                          query.column_text(13)) +
              "</td></tr>";
      continue;
    }
    const bool energy = !query.column_is_null(7);
    const double kwh = query.column_double(7), completed = static_cast<double>(query.column_int(8));
    html +=
        number_cell(replicas, std::to_string(replicas)) +
        number_cell(query.column_double(5), fixed(query.column_double(5), 2)) +
        number_cell(query.column_double(6),
                    query.column_double(6) > 0 ? fixed(query.column_double(6), 2) : "-") +
        (energy ? number_cell(kwh, fixed(kwh, 3)) : text_cell("-")) +
        (energy && completed > 0 ? number_cell(1e6 * kwh / completed, fixed(1e6 * kwh / completed, 1))
                                 : text_cell("-")) +
        number_cell(query.column_double(9), fixed(query.column_double(9), 4)) +
        number_cell(query.column_double(10), fixed(query.column_double(10), 3)) +
        number_cell(query.column_double(11), fixed(query.column_double(11), 2)) +
        text_cell(query.column_text(12) + (query.column_text(16).empty() ? "" : "; " + query.column_text(16)),
                  "wrap") +
        "</tr>";
  }
  if (!current.empty()) html += "</tbody></table>\n";
  return html;
}

std::string planner_tables_html(const PlannerView& view) {
  if (view.configurations.size() < 2) return "";
  std::string html;
  for (const std::string& scenario : view.scenarios) {
    std::size_t feasible = 0, total = 0;
    for (const auto& c : view.configurations)
      if (c.scenario == scenario) ++total, feasible += c.feasible;
    html += "<h3>" + escape_html(scenario.empty() ? "the sweep" : scenario) + "</h3><p class=\"meta\">" +
            std::to_string(feasible) + " of " + std::to_string(total) +
            " configurations feasible (TTFT and TPOT p99 within the SLOs, no rejections" +
            (view.quality_floor > 0 ? ", quality \u2265 " + fixed(view.quality_floor, 3) : std::string()) +
            "); \u2605 cheapest per policy, \u25c6 on the Pareto frontier (GPU-h/1k req, quality, TTFT "
            "p99)</p>\n";
    std::string body;
    for (const auto& c : view.configurations) {
      if (c.scenario != scenario || !(c.feasible || c.cheapest_of_policy)) continue;
      const std::string marks =
          std::string(c.cheapest_of_policy ? " \u2605" : "") + (c.on_frontier ? " \u25c6" : "");
      html += std::string("<tr") +
              (c.bound                ? " class=\"ref\""
               : c.cheapest_of_policy ? " class=\"best\""
                                      : "") +
              ">" + text_cell(c.policy + (c.bound ? " (reference)" : "") + marks) +
              text_cell(c.deployment.empty() ? "-" : c.deployment, "wrap") +
              number_cell(c.gpus, std::to_string(c.gpus)) +
              number_cell(c.gpu_hours_per_1k, fixed(c.gpu_hours_per_1k, 4)) +
              number_cell(c.quality, fixed(c.quality, 4)) +
              number_cell(c.ttft_p99_s, fixed(c.ttft_p99_s, 3)) +
              number_cell(c.tpot_p99_ms, fixed(c.tpot_p99_ms, 2)) + text_cell(c.feasible ? "yes" : "no") +
              "</tr>";
    }
    if (!body.empty())  // a table only when something is feasible
      html += "<table class=\"sortable\">" +
              header_row({"policy", "deployment", "GPUs", "GPU-h / 1k req", "quality", "TTFT p99 (s)",
                          "TPOT p99 (ms)", "feasible"}) +
              "<tbody>" + body + "</tbody></table>\n";
    std::string none;
    std::vector<std::string> policies;
    for (const auto& c : view.configurations)
      if (std::find(policies.begin(), policies.end(), c.policy) == policies.end())
        policies.push_back(c.policy);
    for (const auto& policy : policies) {
      const bool any = std::any_of(
          view.configurations.begin(), view.configurations.end(),
          [&](const auto& c) { return c.scenario == scenario && c.policy == policy && c.feasible; });
      if (!any) none += (none.empty() ? "" : ", ") + policy;
    }
    if (!none.empty())
      html +=
          "<p class=\"meta\">No deployment in the sweep meets the SLOs for: " + escape_html(none) + "</p>\n";
  }
  return html;
}

const char* const kSortScript = R"JS(
(function () {
  function value(cell) {
    var raw = cell.getAttribute('data-v');
    return raw !== null ? parseFloat(raw) : cell.textContent.trim().toLowerCase();
  }
  var headers = document.querySelectorAll('table.sortable th');
  for (var h = 0; h < headers.length; h++) {
    headers[h].addEventListener('click', function (event) {
      var th = event.currentTarget, table = th.closest('table'), body = table.tBodies[0];
      var column = th.cellIndex, ascending = th.getAttribute('data-ascending') !== '1';
      th.setAttribute('data-ascending', ascending ? '1' : '0');
      var rows = Array.prototype.slice.call(body.rows);
      rows.sort(function (a, b) {
        if (!a.cells[column] || !b.cells[column]) return 0;
        var x = value(a.cells[column]), y = value(b.cells[column]);
        var order = (typeof x === 'number' && typeof y === 'number') ? x - y : String(x).localeCompare(String(y));
        return ascending ? order : -order;
      });
      for (var r = 0; r < rows.length; r++) body.appendChild(rows[r]);
    });
  }
})();
)JS";

const char* const kReportStyle =
    "body{font-family:system-ui,sans-serif;max-width:1220px;margin:1.5em auto;padding:0 1em;color:#222;"
    "font-size:14px}"
    "h1{font-size:1.6em}h2{border-bottom:1px solid #ccc;margin-top:1.8em}h3{margin:1.2em 0 .3em}"
    "table{border-collapse:collapse;width:100%;margin:.4em 0 .8em;font-size:12.5px;table-layout:auto}"
    "table.small{width:auto;min-width:40%;margin-right:1em}"
    "th{background:#eef1f5;cursor:pointer;text-align:left;padding:4px 6px;border-bottom:2px solid #c9ced6;"
    "user-select:none}"
    "td{padding:3px 6px;border-bottom:1px solid #e4e6ea}td.n{text-align:right;white-space:nowrap}"
    "td.wrap,td.why{overflow-wrap:anywhere}td.why{color:#7a2e00}"
    "tr.ref td{background:#f6f6f6;color:#555;font-style:italic}tr.best td{background:#eef8ee}"
    ".pair{display:flex;flex-wrap:wrap}.meta{color:#555;margin:.2em 0}.notes{color:#7a2e00;margin:.2em 0}"
    "figure{margin:1em 0}figure svg{max-width:100%;height:auto}figcaption{color:#555}"
    "pre{background:#f6f6f6;padding:1em;font-size:11.5px;white-space:pre-wrap;overflow-wrap:anywhere}"
    "nav a{margin-right:1em}";

}  // namespace sparsesim
