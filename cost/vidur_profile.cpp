#include "cost/vidur_profile.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <set>

#include "core/csv_table.h"
#include "core/input_error.h"

namespace sparsesim {
namespace {

constexpr double kNcclLaunchOverheadMs = 0.02;  // Vidur's nccl_cpu_launch_overhead_ms default
constexpr double kMaxMedianMs = 1e5;            // no single layer op takes 100 s

const std::vector<std::string> kLayerOps = {
    "input_layernorm", "attn_pre_proj", "attn_rope",     "attn_post_proj",
    "mlp_up_proj",     "mlp_act",       "mlp_down_proj", "add"};

std::string median_column(const std::string& op) {
  return "time_stats." + op + ".median";
}

double shape_value(const CsvTable& table, const CsvTable::Row& row, std::size_t column, const char* field) {
  return csv_number(table, row, column, field, 1, 1e9, true, "a positive integer");
}

}  // namespace

ProfileCurve::ProfileCurve(std::vector<std::pair<double, double>> points) {
  std::sort(points.begin(), points.end());
  for (std::size_t i = 0; i < points.size();) {
    std::size_t j = i;
    double sum = 0;
    while (j < points.size() && points[j].first == points[i].first) sum += points[j++].second;
    x_.push_back(points[i].first);
    y_.push_back(sum / static_cast<double>(j - i));
    i = j;
  }
  if (x_.empty() || !(x_.back() > 0))
    throw InputError("profile curve: expected at least one point with x > 0");
}

double ProfileCurve::at(double x) const {
  if (x >= x_.back()) return y_.back() * x / x_.back();
  if (x <= x_.front()) return y_.front();
  const auto upper = static_cast<std::size_t>(std::upper_bound(x_.begin(), x_.end(), x) - x_.begin());
  const double t = (x - x_[upper - 1]) / (x_[upper] - x_[upper - 1]);
  return y_[upper - 1] + t * (y_[upper] - y_[upper - 1]);
}

VidurLayerProfile::VidurLayerProfile(const std::string& mlp_csv, const std::string& all_reduce_csv,
                                     const ModelConfig& model, int tensor_parallel)
    : layer_ms_({{1, 0}}),
      layers_(model.layers),
      hidden_(model.hidden_size),
      tensor_parallel_(tensor_parallel) {
  std::vector<std::string> columns = {"n_head",          "n_kv_head",  "n_embd",
                                      "n_expanded_embd", "num_tokens", "num_tensor_parallel_workers"};
  for (const auto& op : kLayerOps) columns.push_back(median_column(op));
  const CsvTable mlp(mlp_csv, columns, {median_column("post_attention_layernorm")});
  const std::size_t norm_column = columns.size();
  std::vector<std::pair<double, double>> points;
  std::set<std::string> shapes_seen;
  for (const auto& row : mlp.rows()) {
    const double heads = shape_value(mlp, row, 0, "n_head"), kv_heads = shape_value(mlp, row, 1, "n_kv_head");
    const double hidden = shape_value(mlp, row, 2, "n_embd"),
                 expanded = shape_value(mlp, row, 3, "n_expanded_embd");
    const double tokens = shape_value(mlp, row, 4, "num_tokens");
    const double tp = shape_value(mlp, row, 5, "num_tensor_parallel_workers");
    shapes_seen.insert("n_head " + row.cells[0] + ", n_kv_head " + row.cells[1] + ", n_embd " + row.cells[2] +
                       ", n_expanded_embd " + row.cells[3] + ", TP " + row.cells[5]);
    if (heads != model.query_heads || kv_heads != model.kv_heads || hidden != model.hidden_size ||
        expanded != model.intermediate_size || tp != tensor_parallel)
      continue;
    double layer_ms = 0;
    for (std::size_t k = 0; k < kLayerOps.size(); ++k)
      layer_ms += csv_number(mlp, row, 6 + k, median_column(kLayerOps[k]).c_str(), 0, kMaxMedianMs, true,
                             "a median kernel time in milliseconds, >= 0");
    if (mlp.has_optional(0))
      layer_ms += csv_number(mlp, row, norm_column, "time_stats.post_attention_layernorm.median", 0,
                             kMaxMedianMs, true, "a median kernel time in milliseconds, >= 0");
    points.emplace_back(tokens, layer_ms);
  }
  if (points.empty()) {
    std::string held;
    for (const auto& shape : shapes_seen) held += (held.empty() ? "" : "; ") + shape;
    throw InputError(mlp_csv, 0, "",
                     "no rows for " + model.name + " (n_head " + std::to_string(model.query_heads) +
                         ", n_kv_head " + std::to_string(model.kv_heads) + ", n_embd " +
                         std::to_string(model.hidden_size) + ", n_expanded_embd " +
                         std::to_string(model.intermediate_size) + ") at TP " +
                         std::to_string(tensor_parallel) + "; the file holds: " + held);
  }
  layer_ms_ = ProfileCurve(points);
  description_ = "Vidur profile " + mlp_csv + " (" + std::to_string(points.size()) + " rows at TP " +
                 std::to_string(tensor_parallel) + ", tokens " +
                 std::to_string(std::lround(layer_ms_.min_x())) + "-" +
                 std::to_string(std::lround(layer_ms_.max_x())) + ", proportional beyond)";
  if (tensor_parallel > 1) {
    if (all_reduce_csv.empty())
      throw InputError("cost_model.all_reduce: expected a Vidur all_reduce.csv (tensor_parallel is " +
                       std::to_string(tensor_parallel) + ", so every layer all-reduces twice)");
    const CsvTable network(all_reduce_csv, {"time_stats.all_reduce.median", "num_workers", "devices_per_node",
                                            "size", "collective"});
    std::vector<std::pair<double, double>> sizes;
    for (const auto& row : network.rows()) {
      if (row.cells[4] != "all_reduce") continue;
      const double workers = shape_value(network, row, 1, "num_workers");
      const double per_node = shape_value(network, row, 2, "devices_per_node");
      if (workers != tensor_parallel || per_node != tensor_parallel) continue;
      sizes.emplace_back(shape_value(network, row, 3, "size"),
                         csv_number(network, row, 0, "time_stats.all_reduce.median", 0, kMaxMedianMs, true,
                                    "a median time in milliseconds, >= 0"));
    }
    if (sizes.empty())
      throw InputError(
          all_reduce_csv, 0, "",
          "no all_reduce rows with num_workers = devices_per_node = " + std::to_string(tensor_parallel));
    all_reduce_ms_.emplace_back(sizes);
    description_ += ", all-reduce " + all_reduce_csv + " (" + std::to_string(sizes.size()) + " sizes, + " +
                    "0.02 ms launch each, 2 per layer)";
  }
}

double VidurLayerProfile::seconds(double tokens) const {
  if (tokens <= 0) return 0;
  const double rounded = std::ceil(tokens / 8.0) * 8.0;  // Vidur's lookup granularity
  double layer_ms = layer_ms_.at(rounded);
  if (!all_reduce_ms_.empty())
    layer_ms += 2 * (all_reduce_ms_.front().at(rounded * hidden_ * 2) + kNcclLaunchOverheadMs);
  return layer_ms * layers_ * 1e-3;
}

std::string VidurLayerProfile::describe() const {
  return description_;
}

}  // namespace sparsesim
