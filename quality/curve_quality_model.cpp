#include "quality/curve_quality_model.h"

#include <algorithm>
#include <array>
#include <filesystem>

#include "core/input_error.h"
#include "core/params.h"
#include "quality/quality_curves.h"

namespace sparsesim {
namespace {

namespace fs = std::filesystem;

// A path as given when it exists, else relative to the source tree (so "data/quality/..." works from
// any working directory); returns the path as given when neither exists, for the error message.
std::string locate(const std::string& path) {
  std::error_code error;
  if (fs::exists(path, error) || fs::path(path).is_absolute()) return path;
  const fs::path in_source = fs::path(SPARSESIM_SOURCE_DIR) / path;
  return fs::exists(in_source, error) ? in_source.string() : path;
}

class CurveQualityModel final : public QualityModel {
 public:
  CurveQualityModel(QualityCurves curves, std::unique_ptr<DenseAccuracyTable> dense, ShortLengthRule rule,
                    const std::string& model_name, const QualityCurveMethods& methods, bool combine_worse)
      : curves_(std::move(curves)), dense_(std::move(dense)), rule_(rule), combine_worse_(combine_worse) {
    std::string fallbacks;
    bool method_curve[2] = {false, false};
    for (int index = 0; index < kTaskFamilyCount; ++index) {
      const auto family = static_cast<TaskFamily>(index);
      const std::string name = curve_family_name(family);
      for (const CurvePhase phase : {CurvePhase::prefill, CurvePhase::decode}) {
        const std::string& method = phase == CurvePhase::prefill ? methods.prefill : methods.decode;
        const CurveSet* set = curves_.find(model_name, name, phase, method);
        if (!set) {
          set = curves_.find(model_name, "mixed", phase, method);
          if (set && fallbacks.find(name) == std::string::npos)
            fallbacks += (fallbacks.empty() ? "" : ", ") + name;
        }
        if (!set)
          throw InputError(
              curves_.path(), 0, "task_family",
              "no " + std::string(phase == CurvePhase::prefill ? "prefill" : "decode") + " curve for model " +
                  model_name + " and task family " + name +
                  " (nor a 'mixed' curve to fall back on; rows with model '*' apply to every model)");
        sets_[static_cast<std::size_t>(index) * 2 + static_cast<std::size_t>(phase)] = set;
        if (set->method != "*") method_curve[static_cast<int>(phase)] = true;
      }
      dense_series_[static_cast<std::size_t>(index)] = dense_ ? dense_->find(model_name, name) : nullptr;
    }

    description_ = "curves " + curves_.path() + " (shortest measured length " +
                   std::to_string(curves_.shortest_length_tokens()) + " tokens; " + rule_.describe() +
                   "; unknown task family scored with the 'mixed' curve";
    if (!fallbacks.empty()) description_ += "; no own curve, 'mixed' used for: " + fallbacks;
    description_ += "; prefill " + methods.prefill +
                    (method_curve[0] ? " (its own curves)" : " (pooled-method curves)") + ", decode " +
                    methods.decode + (method_curve[1] ? " (its own curves)" : " (pooled-method curves)") +
                    "; phases combined by " + (combine_worse_ ? "the worse retention" : "product");
    description_ += "); dense accuracy ";
    const bool any_dense = std::any_of(dense_series_.begin(), dense_series_.end(), [](auto* s) { return s; });
    if (!dense_)
      description_ += "1 (no dense accuracy file: scores are retentions)";
    else if (!any_dense)
      description_ += "1 (no row for " + model_name + " in " + dense_->path() + ": scores are retentions)";
    else
      description_ += dense_->path();
  }

  QualityScore score(const Request& request, const Budget& budget) const override {
    const auto index = static_cast<std::size_t>(request.traits.task_family);
    const std::int64_t length = request.input_tokens;
    const RetentionLookup prefill = sets_[index * 2]->retention(length, budget.prefill_sparsity(), rule_);
    const RetentionLookup decode =
        sets_[index * 2 + 1]->retention(length, budget.decode_sparsity(length), rule_);
    const DenseAccuracySeries* dense = dense_series_[index];
    const double dense_accuracy = dense ? dense->at(length) : 1.0;
    QualityScore score;
    score.prefill_retention = prefill.retention;
    score.decode_retention = decode.retention;
    score.prefill_lookup = prefill.kind;
    score.decode_lookup = decode.kind;
    const double combined =
        combine_worse_ ? std::min(prefill.retention, decode.retention) : prefill.retention * decode.retention;
    score.expected_quality = std::clamp(dense_accuracy * combined, 0.0, 1.0);
    return score;
  }

  std::string describe() const override { return description_; }

 private:
  QualityCurves curves_;
  std::unique_ptr<DenseAccuracyTable> dense_;
  ShortLengthRule rule_;
  bool combine_worse_ = false;
  std::array<const CurveSet*, kTaskFamilyCount * 2> sets_{};  // [family][phase], never null
  std::array<const DenseAccuracySeries*, kTaskFamilyCount> dense_series_{};
  std::string description_;
};

ShortLengthRule parse_rule(const YAML::Node& node, const std::string& yaml_path) {
  ShortLengthRule rule;
  std::string kind_name = "trend";
  if (node && node.IsScalar()) {
    kind_name = node.Scalar();
  } else {
    const Params params(node, yaml_path,
                        {{"rule", "trend", "trend (default, conservative) | clamp | floor"},
                         {"floor_retention", "0", "for rule floor: retention never below this, in [0, 1]"},
                         {"reference_trend", "true",
                          "trend and floor: a family's retention falls at least as fast in log length as the "
                          "task-averaged (mixed) curve's"}},
                        {});
    kind_name = params.get_string("rule");
    rule.reference_trend = params.get_bool("reference_trend");
    rule.floor_retention = params.get_double("floor_retention");
    if (!(rule.floor_retention >= 0 && rule.floor_retention <= 1))
      throw InputError(yaml_path + ".floor_retention: expected a retention in [0, 1], got " +
                       std::to_string(rule.floor_retention));
    if (params.was_given("floor_retention") && kind_name != "floor")
      throw InputError(yaml_path + ".floor_retention: only used with rule: floor (rule is " + kind_name +
                       ")");
  }
  if (kind_name == "trend")
    rule.kind = ShortLengthRule::Kind::trend;
  else if (kind_name == "clamp")
    rule.kind = ShortLengthRule::Kind::clamp;
  else if (kind_name == "floor")
    rule.kind = ShortLengthRule::Kind::floor;
  else
    throw InputError(yaml_path + ".rule (" + yaml_location(node) +
                     "): expected trend, clamp or floor, got '" + kind_name + "'");
  return rule;
}

}  // namespace

std::unique_ptr<QualityModel> make_quality_model(const YAML::Node& node, const std::string& yaml_path,
                                                 const std::string& model_name,
                                                 const QualityCurveMethods& methods) {
  std::string combine = "product";
  std::string curves_path;
  std::string dense_path;
  bool dense_given = false;
  ShortLengthRule rule;
  if (node && node.IsScalar()) {
    curves_path = node.Scalar();
  } else if (node && node.IsMap()) {
    const Params params(
        node, yaml_path,
        {{"curves", "", "path of the retention curve CSV"},
         {"dense_accuracy", "beside_curves",
          "path of the dense accuracy CSV (default: dense_accuracy.csv beside the curves)"},
         {"below_shortest_length", "{rule: trend}",
          "rule below the shortest measured length: {rule: trend|clamp|floor, floor_retention}"},
         {"phase_combine", "product",
          "how prefill and decode retentions combine: product (independent losses, default) | worse"}},
        {});
    combine = params.get_string("phase_combine");
    if (combine != "product" && combine != "worse")
      throw InputError(params.where("phase_combine") + ": expected product or worse, got '" + combine + "'");
    curves_path = params.get_string("curves");
    if (params.was_given("dense_accuracy")) {
      dense_path = params.get_string("dense_accuracy");
      dense_given = dense_path != "beside_curves";
    }
    rule = parse_rule(params.get_node("below_shortest_length"), yaml_path + ".below_shortest_length");
  } else {
    throw InputError(
        yaml_path + " (" + yaml_location(node) +
        "): expected a curve file path or a map {curves, dense_accuracy, below_shortest_length}");
  }
  if (curves_path.empty()) throw InputError(yaml_path + ".curves: expected a file path");
  curves_path = locate(curves_path);
  QualityCurves curves = QualityCurves::load(curves_path);

  std::unique_ptr<DenseAccuracyTable> dense;
  const fs::path beside_curves = fs::path(curves_path).parent_path() / "dense_accuracy.csv";
  if (dense_given) {
    std::string located = locate(dense_path);
    std::error_code error;
    if (!fs::exists(located, error) && fs::path(dense_path).is_relative()) {
      const fs::path beside = fs::path(curves_path).parent_path() / dense_path;
      if (fs::exists(beside, error)) located = beside.string();
    }
    dense = std::make_unique<DenseAccuracyTable>(DenseAccuracyTable::load(located));
  } else if (std::error_code error; fs::exists(beside_curves, error)) {
    dense = std::make_unique<DenseAccuracyTable>(DenseAccuracyTable::load(beside_curves.string()));
  }
  return std::make_unique<CurveQualityModel>(std::move(curves), std::move(dense), rule, model_name, methods,
                                             combine == "worse");
}

}  // namespace sparsesim
