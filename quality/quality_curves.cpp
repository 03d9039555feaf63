#include "quality/quality_curves.h"

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <string_view>
#include <tuple>

#include "core/csv_table.h"
#include "core/input_error.h"
#include "core/text_scan.h"

namespace sparsesim {
namespace {

constexpr double kSparsityTolerance = 1e-9;  // two sparsities this close are the same curve point

std::string lower(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::string normalise_model(std::string_view text) {
  const std::string low = lower(text);
  return low == "any" ? "*" : low;
}

std::int64_t parse_length(const CsvTable& table, const CsvTable::Row& row, std::size_t column) {
  std::int64_t value = 0;
  if (!parse_int64(row.cells[column], value) || value <= 0)
    throw InputError(table.path(), row.line, "seq_len_tokens",
                     "expected a positive integer number of tokens, got '" + row.cells[column] + "'");
  return value;
}

const std::array<const char*, 6> kStatuses = {"READ_FROM_PAPER", "APPROX_FROM_PAPER", "ESTIMATE",
                                              "EXTRAPOLATED",    "MEASURED",          "DEFINITION"};
const std::array<const char*, 4> kFamilies = {"single_qa", "multi_query_retrieval", "high_scope", "mixed"};

std::string list(const char* const* begin, const char* const* end) {
  std::string out;
  for (auto it = begin; it != end; ++it) out += (out.empty() ? "" : ", ") + std::string(*it);
  return out;
}

// Retention on one curve's points (ascending sparsity starting at (0, 1), non-increasing retention).
// Above the last point: the smaller of the last segment continued and a straight line to 0 at sparsity 1,
// so that a flat tail (a curve that never degraded where measured) still falls when pushed further.
double evaluate_points(const double* sparsity, const double* retention, std::size_t count, double x,
                       LookupKind& kind) {
  if (x <= 0) {
    kind = LookupKind::exact;
    return 1.0;
  }
  for (std::size_t i = 1; i < count; ++i) {
    if (std::fabs(x - sparsity[i]) <= kSparsityTolerance) {
      kind = LookupKind::exact;
      return retention[i];
    }
    if (x < sparsity[i]) {
      kind = LookupKind::interpolated;
      const double t = (x - sparsity[i - 1]) / (sparsity[i] - sparsity[i - 1]);
      return retention[i - 1] + t * (retention[i] - retention[i - 1]);
    }
  }
  kind = LookupKind::extrapolated;
  const double last_s = sparsity[count - 1];
  const double last_r = retention[count - 1];
  const double slope = count >= 2 ? (last_r - retention[count - 2]) / (last_s - sparsity[count - 2]) : 0.0;
  const double continued = last_r + slope * (x - last_s);
  const double to_zero = last_r * (1.0 - x) / (1.0 - last_s);
  return std::clamp(std::min(continued, to_zero), 0.0, last_r);
}

double evaluate_curve(const LengthCurve& curve, double x, LookupKind& kind) {
  return evaluate_points(curve.sparsity.data(), curve.retention.data(), curve.sparsity.size(), x, kind);
}

LookupKind worst(LookupKind a, LookupKind b) {
  return a > b ? a : b;
}

}  // namespace

std::string ShortLengthRule::describe() const {
  switch (kind) {
    case Kind::trend:
      return std::string(
                 "below the shortest measured length: tolerance falls along the measured trend in log "
                 "length") +
             (reference_trend ? ", at least as fast as the task-averaged curve's" : "") +
             " (conservative default, extrapolated)";
    case Kind::clamp:
      return "below the shortest measured length: shortest curve held (clamp; optimistic, extrapolated)";
    case Kind::floor: {
      char text[160];
      std::snprintf(text, sizeof text,
                    "below the shortest measured length: trend in log length, retention floor %.3g "
                    "(extrapolated)",
                    floor_retention);
      return text;
    }
  }
  return "";
}

std::string curve_family_name(TaskFamily family) {
  return family == TaskFamily::unknown ? "mixed" : std::string(task_family_name(family));
}

// ---- Curve file -------------------------------------------------------------------------------------

QualityCurves QualityCurves::load(const std::string& path) {
  const CsvTable table(
      path,
      {"model", "task_family", "phase", "seq_len_tokens", "sparsity", "retention", "value_status", "source"},
      {"method"});
  struct Point {
    double sparsity, retention;
    std::string status;
    std::int64_t line;
  };
  // (model, family, phase, method) -> length -> points; std::map keeps the result order deterministic.
  using Key = std::tuple<std::string, std::string, std::string, std::string>;
  std::map<Key, std::map<std::int64_t, std::vector<Point>>> grouped;
  std::map<Key, std::string> model_spelling;

  for (const auto& row : table.rows()) {
    const std::string& model = row.cells[0];
    if (model.empty()) throw InputError(path, row.line, "model", "expected a model name or '*'");
    const std::string family = lower(row.cells[1]);
    if (std::find(kFamilies.begin(), kFamilies.end(), family) == kFamilies.end())
      throw InputError(
          path, row.line, "task_family",
          "expected one of " + list(kFamilies.begin(), kFamilies.end()) + ", got '" + row.cells[1] + "'");
    const std::string phase = lower(row.cells[2]);
    if (phase != "prefill" && phase != "decode" && phase != "both")
      throw InputError(path, row.line, "phase",
                       "expected prefill, decode or both, got '" + row.cells[2] + "'");
    const std::int64_t length = parse_length(table, row, 3);
    const double sparsity = csv_number(table, row, 4, "sparsity", 0.0, 1.0, false, "a sparsity in [0, 1)");
    const double retention =
        csv_number(table, row, 5, "retention", 0.0, 1.0, true, "a retention (sparse / dense) in [0, 1]");
    if (sparsity == 0.0 && retention != 1.0)
      throw InputError(
          path, row.line, "retention",
          "expected exactly 1 at sparsity 0 (retention is relative to dense), got " + row.cells[5]);
    const std::string& status = row.cells[6];
    if (std::find(kStatuses.begin(), kStatuses.end(), status) == kStatuses.end())
      throw InputError(
          path, row.line, "value_status",
          "expected one of " + list(kStatuses.begin(), kStatuses.end()) + ", got '" + status + "'");
    const std::string method = lower(row.cells[8]);
    if (method.empty() ||
        method.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789_*") != std::string::npos)
      throw InputError(path, row.line, "method",
                       "expected a sparse method name (e.g. quest, vertical_slash) or '*' for curves pooled "
                       "over methods, got '" +
                           row.cells[8] + "'");
    const auto key = std::make_tuple(normalise_model(model), family, phase, method);
    model_spelling.emplace(key, normalise_model(model) == "*" ? "*" : model);
    grouped[key][length].push_back({sparsity, retention, status, row.line});
  }

  QualityCurves curves;
  curves.path_ = path;
  for (auto& [key, by_length] : grouped) {
    CurveSet set;
    set.model = model_spelling[key];
    set.model_key = std::get<0>(key);
    set.task_family = std::get<1>(key);
    set.phase = std::get<2>(key);
    set.method = std::get<3>(key);
    for (auto& [length, points] : by_length) {
      std::stable_sort(points.begin(), points.end(),
                       [](const Point& a, const Point& b) { return a.sparsity < b.sparsity; });
      LengthCurve curve;
      curve.seq_len_tokens = length;
      curve.log_seq_len = std::log(static_cast<double>(length));
      if (points.front().sparsity > kSparsityTolerance) {  // implied dense point
        curve.sparsity.push_back(0.0);
        curve.retention.push_back(1.0);
        curve.value_status.push_back("DEFINITION");
        curve.file_rows.push_back(0);
      }
      for (std::size_t i = 0; i < points.size(); ++i) {
        const Point& point = points[i];
        if (!curve.sparsity.empty() && point.sparsity - curve.sparsity.back() <= kSparsityTolerance)
          throw InputError(path, point.line, "sparsity",
                           "duplicate point: sparsity " + std::to_string(point.sparsity) +
                               " already given at row " + std::to_string(curve.file_rows.back()) +
                               " for this model, task family, phase and length");
        if (!curve.retention.empty() && point.retention > curve.retention.back() + 1e-12)
          throw InputError(
              path, point.line, "retention",
              "curve rises with sparsity: " + std::to_string(point.retention) + " at sparsity " +
                  std::to_string(point.sparsity) + " after " + std::to_string(curve.retention.back()) +
                  " at sparsity " + std::to_string(curve.sparsity.back()) +
                  (curve.file_rows.back() ? " (row " + std::to_string(curve.file_rows.back()) + ")" : "") +
                  "; retention must never rise as sparsity rises");
        curve.sparsity.push_back(point.sparsity);
        curve.retention.push_back(point.retention);
        curve.value_status.push_back(point.status);
        curve.file_rows.push_back(point.line);
      }
      if (curve.sparsity.size() < 2)
        throw InputError(path, points.front().line, "sparsity",
                         "a curve needs at least one point with sparsity > 0 (model " + set.model + ", " +
                             set.task_family + ", " + set.phase + ", " + std::to_string(length) + " tokens)");
      set.lengths.push_back(std::move(curve));
    }
    curves.sets_.push_back(std::move(set));
  }
  if (curves.sets_.empty()) throw InputError(path, 0, "", "no curve rows");
  for (auto& set : curves.sets_) {
    if (set.task_family == "mixed" || set.lengths.size() < 2) continue;
    // The method's own task-averaged curve when it has one, else the pooled one.
    for (const std::string& method : {set.method, std::string("*")}) {
      for (const auto& reference : curves.sets_)
        if (reference.task_family == "mixed" && reference.model_key == set.model_key &&
            reference.phase == set.phase && reference.method == method && reference.lengths.size() >= 2)
          set.trend_reference = {reference.lengths[0], reference.lengths[1]};
      if (!set.trend_reference.empty()) break;
    }
  }
  return curves;
}

std::int64_t QualityCurves::shortest_length_tokens() const {
  std::int64_t shortest = 0;
  for (const auto& set : sets_)
    if (!set.lengths.empty() && (shortest == 0 || set.lengths.front().seq_len_tokens < shortest))
      shortest = set.lengths.front().seq_len_tokens;
  return shortest;
}

const CurveSet* QualityCurves::find(const std::string& model, const std::string& task_family,
                                    CurvePhase phase, const std::string& method) const {
  const std::string wanted_model = normalise_model(model);
  const std::string wanted_method = lower(method.empty() ? std::string("*") : method);
  const char* phase_name = phase == CurvePhase::prefill ? "prefill" : "decode";
  for (const std::string& candidate_model : {wanted_model, std::string("*")}) {
    for (const std::string& candidate_method : {wanted_method, std::string("*")}) {
      const CurveSet* pooled = nullptr;
      for (const auto& set : sets_) {
        if (set.model_key != candidate_model || set.task_family != task_family ||
            set.method != candidate_method)
          continue;
        if (set.phase == phase_name) return &set;
        if (set.phase == "both") pooled = &set;
      }
      if (pooled) return pooled;
    }
  }
  return nullptr;
}

RetentionLookup QualityCurves::retention(const std::string& model, TaskFamily family, CurvePhase phase,
                                         std::int64_t seq_len_tokens, double sparsity,
                                         const ShortLengthRule& rule, const std::string& method) const {
  const CurveSet* set = find(model, curve_family_name(family), phase, method);
  if (!set) set = find(model, "mixed", phase, method);
  if (!set)
    throw InputError(path_, 0, "task_family",
                     "no curve for model " + model + ", family " + curve_family_name(family) +
                         " and no 'mixed' curve to fall back on");
  return set->retention(seq_len_tokens, sparsity, rule);
}

// ---- Lookup -----------------------------------------------------------------------------------------

RetentionLookup CurveSet::retention(std::int64_t seq_len_tokens, double sparsity,
                                    const ShortLengthRule& rule) const {
  if (sparsity <= 0) return {1.0, LookupKind::exact};
  const double log_length = std::log(static_cast<double>(std::max<std::int64_t>(1, seq_len_tokens)));
  const LengthCurve& shortest = lengths.front();
  const LengthCurve& longest = lengths.back();
  LookupKind kind = LookupKind::exact;

  if (seq_len_tokens >= longest.seq_len_tokens) {
    const double value = evaluate_curve(longest, sparsity, kind);
    return {value, seq_len_tokens == longest.seq_len_tokens ? kind : LookupKind::extrapolated};
  }
  if (seq_len_tokens >= shortest.seq_len_tokens) {
    std::size_t upper = 1;
    while (lengths[upper].seq_len_tokens < seq_len_tokens) ++upper;
    const LengthCurve& high = lengths[upper];
    if (high.seq_len_tokens == seq_len_tokens) return {evaluate_curve(high, sparsity, kind), kind};
    const LengthCurve& low = lengths[upper - 1];
    if (low.seq_len_tokens == seq_len_tokens) return {evaluate_curve(low, sparsity, kind), kind};
    LookupKind low_kind, high_kind;
    const double low_value = evaluate_curve(low, sparsity, low_kind);
    const double high_value = evaluate_curve(high, sparsity, high_kind);
    const double t = (log_length - low.log_seq_len) / (high.log_seq_len - low.log_seq_len);
    return {low_value + t * (high_value - low_value),
            worst(LookupKind::interpolated, worst(low_kind, high_kind))};
  }

  // Below the shortest measured length: always extrapolated.
  if (rule.kind == ShortLengthRule::Kind::clamp || lengths.size() < 2)
    return {evaluate_curve(shortest, sparsity, kind), LookupKind::extrapolated};

  // Trend: on the union of the two shortest curves' sparsity points, retention falls per unit of log
  // length as fast as it rose from L0 to L1; the running minimum keeps the result non-increasing in
  // sparsity, and linear interpolation between points (or the tail rule above the last) finishes it.
  const LengthCurve& next = lengths[1];
  const double log_gap = next.log_seq_len - shortest.log_seq_len;
  const double below = shortest.log_seq_len - log_length;
  const bool use_reference = rule.reference_trend && trend_reference.size() == 2;
  auto derived = [&](double x) {
    LookupKind ignored;
    const double r0 = evaluate_curve(shortest, x, ignored);
    const double r1 = evaluate_curve(next, x, ignored);
    double fall_per_log = std::max(0.0, r1 - r0) / log_gap;
    if (use_reference) {
      const LengthCurve& a = trend_reference[0];
      const LengthCurve& b = trend_reference[1];
      const double reference_fall =
          (evaluate_curve(b, x, ignored) - evaluate_curve(a, x, ignored)) / (b.log_seq_len - a.log_seq_len);
      fall_per_log = std::max(fall_per_log, reference_fall);
    }
    const double fall = fall_per_log * below;
    double value = std::clamp(r0 - fall, 0.0, r0);
    if (rule.kind == ShortLengthRule::Kind::floor)
      value = std::max(value, std::min(r0, rule.floor_retention));
    return value;
  };
  // Walk the merged points in ascending sparsity without allocating.
  std::size_t i = 1, j = 1;
  double previous_s = 0, previous_value = 1.0;
  double before_s = 0, before_value = 1.0;  // the point before `previous`, for the tail slope
  while (i < shortest.sparsity.size() || j < next.sparsity.size()) {
    double point_s;
    if (j >= next.sparsity.size() ||
        (i < shortest.sparsity.size() && shortest.sparsity[i] <= next.sparsity[j]))
      point_s = shortest.sparsity[i];
    else
      point_s = next.sparsity[j];
    while (i < shortest.sparsity.size() && shortest.sparsity[i] <= point_s + kSparsityTolerance) ++i;
    while (j < next.sparsity.size() && next.sparsity[j] <= point_s + kSparsityTolerance) ++j;
    const double value = std::min(previous_value, derived(point_s));
    if (sparsity <= point_s) {
      const double t = (sparsity - previous_s) / (point_s - previous_s);
      return {previous_value + t * (value - previous_value), LookupKind::extrapolated};
    }
    before_s = previous_s;
    before_value = previous_value;
    previous_s = point_s;
    previous_value = value;
  }
  // Beyond the last point: the same tail rule as a measured curve, on the derived curve's last segment.
  const double slope = (previous_value - before_value) / (previous_s - before_s);
  const double continued = previous_value + slope * (sparsity - previous_s);
  const double to_zero = previous_value * (1.0 - sparsity) / (1.0 - previous_s);
  return {std::clamp(std::min(continued, to_zero), 0.0, previous_value), LookupKind::extrapolated};
}

// ---- Dense accuracy ---------------------------------------------------------------------------------

DenseAccuracyTable DenseAccuracyTable::load(const std::string& path) {
  const CsvTable table(
      path, {"model", "task_family", "seq_len_tokens", "dense_accuracy", "value_status", "source"});
  std::map<std::pair<std::string, std::string>, std::map<std::int64_t, std::pair<double, std::int64_t>>>
      grouped;
  for (const auto& row : table.rows()) {
    if (row.cells[0].empty()) throw InputError(path, row.line, "model", "expected a model name or '*'");
    const std::string family = lower(row.cells[1]) == "any" ? "*" : lower(row.cells[1]);
    if (family != "*" && std::find(kFamilies.begin(), kFamilies.end(), family) == kFamilies.end())
      throw InputError(path, row.line, "task_family",
                       "expected '*' or one of " + list(kFamilies.begin(), kFamilies.end()) + ", got '" +
                           row.cells[1] + "'");
    const std::int64_t length = parse_length(table, row, 2);
    const double accuracy =
        csv_number(table, row, 3, "dense_accuracy", 0.0, 1.0, true, "an accuracy in [0, 1]");
    if (std::find(kStatuses.begin(), kStatuses.end(), row.cells[4]) == kStatuses.end())
      throw InputError(
          path, row.line, "value_status",
          "expected one of " + list(kStatuses.begin(), kStatuses.end()) + ", got '" + row.cells[4] + "'");
    auto& series = grouped[{normalise_model(row.cells[0]), family}];
    if (const auto found = series.find(length); found != series.end())
      throw InputError(path, row.line, "seq_len_tokens",
                       "duplicate length " + std::to_string(length) + " (first at row " +
                           std::to_string(found->second.second) + ")");
    series[length] = {accuracy, row.line};
  }
  DenseAccuracyTable result;
  result.path_ = path;
  for (const auto& [key, by_length] : grouped) {
    DenseAccuracySeries series{key.first, key.second, {}, {}};
    for (const auto& [length, value] : by_length) {
      series.log_seq_len.push_back(std::log(static_cast<double>(length)));
      series.accuracy.push_back(value.first);
    }
    result.series_.push_back(std::move(series));
  }
  return result;
}

const DenseAccuracySeries* DenseAccuracyTable::find(const std::string& model,
                                                    const std::string& task_family) const {
  const std::string wanted_model = normalise_model(model);
  const std::pair<std::string, std::string> candidates[] = {
      {wanted_model, task_family}, {wanted_model, "*"}, {"*", task_family}, {"*", "*"}};
  for (const auto& [candidate_model, candidate_family] : candidates)
    for (const auto& series : series_)
      if (series.model_key == candidate_model && series.task_family == candidate_family) return &series;
  return nullptr;
}

double DenseAccuracySeries::at(std::int64_t seq_len_tokens) const {
  const double x = std::log(static_cast<double>(std::max<std::int64_t>(1, seq_len_tokens)));
  if (x <= log_seq_len.front()) return accuracy.front();
  if (x >= log_seq_len.back()) return accuracy.back();
  std::size_t upper = 1;
  while (log_seq_len[upper] < x) ++upper;
  const double t = (x - log_seq_len[upper - 1]) / (log_seq_len[upper] - log_seq_len[upper - 1]);
  return accuracy[upper - 1] + t * (accuracy[upper] - accuracy[upper - 1]);
}

}  // namespace sparsesim
