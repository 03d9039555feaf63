#pragma once
// Accuracy-versus-sparsity curves as data, and the lookup the quality model uses.
//
// Curve file (CSV, header required, one point per row; columns in any order):
//   model,task_family,phase,seq_len_tokens,sparsity,retention,value_status,source[,method]
//   model          a model name (case-insensitive), or "*" / "any" for rows that apply to every model
//                  without its own rows for that task family
//   task_family    single_qa | multi_query_retrieval | high_scope | mixed (task-averaged curve)
//   phase          prefill | decode | both (a curve measured with both phases pooled)
//   seq_len_tokens sequence length the curve was measured at, > 0
//   sparsity       in [0, 1); 1 - fraction of attention kept
//   retention      sparse accuracy / dense accuracy, in [0, 1]; exactly 1 at sparsity 0
//   value_status   READ_FROM_PAPER | APPROX_FROM_PAPER | ESTIMATE | EXTRAPOLATED | MEASURED | DEFINITION
//   source         free text (quote it when it holds commas)
//   method         optional: the sparse method the curve was measured with (quest, vertical_slash, ...), or
//                  "*" for a curve pooled over methods; a file without the column is pooled throughout
// Every curve (model, family, phase, method, length) must have retention non-increasing in sparsity; a curve
// without a sparsity-0 point gets (0, 1) added. A malformed cell, a duplicate point or a rising curve
// is an InputError naming file:row and the field.
//
// Dense accuracy file (CSV): model,task_family,seq_len_tokens,dense_accuracy,value_status,source, with
// model "*" allowed and task_family "*" meaning every family. Accuracy in [0, 1].
//
// Lookup (monotone by construction):
//   in sparsity: piecewise linear between the points (non-increasing, as the points are); above the
//     largest measured sparsity the last segment's slope continues down to 0 (extrapolated);
//   in length: linear in log(length) between measured lengths; above the longest, the longest curve
//     (extrapolated); below the shortest, the ShortLengthRule (extrapolated).
// Retention at sparsity 0 is exactly 1 and counts as exact.
#include <cstdint>
#include <string>
#include <vector>

#include "quality/quality_model.h"
#include "workloads/request.h"

namespace sparsesim {

enum class CurvePhase : std::uint8_t { prefill = 0, decode = 1 };

// What retention is below the shortest measured length L0 (next measured length L1). All three give
// retention 1 at sparsity 0, never more than the L0 curve, and stay non-increasing in sparsity.
struct ShortLengthRule {
  enum class Kind : std::uint8_t {
    // Default. Tolerance keeps falling as length falls, along the measured trend: at each curve point,
    // retention falls per unit of log length as fast as it rises from L0 to L1 (no fall when the measured
    // trend is flat or reversed), clamped to [0, retention at L0]; then made non-increasing in sparsity.
    // With `reference_trend`, the fall is at least the task-averaged curve's (see CurveSet).
    trend,
    clamp,  // the L0 curve unchanged (tolerance stops falling below L0: optimistic, for sensitivity runs)
    floor,  // trend, but retention never below floor_retention (nor above the L0 curve)
  };
  Kind kind = Kind::trend;
  double floor_retention = 0.0;  // used by `floor`, in [0, 1]
  bool reference_trend = true;   // trend and floor: fall at least as fast as the task-averaged curve

  std::string describe() const;  // e.g. "below the shortest measured length: trend in log length ..."
};

struct RetentionLookup {
  double retention = 1.0;
  LookupKind kind = LookupKind::exact;
};

// One measured curve: retention against sparsity at one sequence length.
struct LengthCurve {
  std::int64_t seq_len_tokens = 0;
  double log_seq_len = 0;
  std::vector<double> sparsity;   // ascending, starts at 0
  std::vector<double> retention;  // non-increasing, starts at 1
  std::vector<std::string> value_status;
  std::vector<std::int64_t> file_rows;  // 1-based line of each point in the file (0 = implied (0, 1))
};

// All lengths of one (model, task family, phase) as the file gives them.
struct CurveSet {
  std::string model;      // as written ("*" for any)
  std::string model_key;  // lower case, "*" for any: what lookups compare
  std::string task_family;
  std::string phase;                 // "prefill", "decode" or "both"
  std::string method = "*";          // lower case sparse method name, "*" when pooled over methods
  std::vector<LengthCurve> lengths;  // ascending length
  // The two shortest curves of the task-averaged ("mixed") set of the same model and phase, when this set
  // is another family's and both have two lengths: below the shortest length, the `trend` rule makes
  // retention fall at least as fast per unit of log length as the task-averaged curve does, so a family
  // whose own curves happen to be flat there (e.g. single QA at 16K and 32K) still loses tolerance as
  // prompts get shorter. Empty = no reference.
  std::vector<LengthCurve> trend_reference;

  RetentionLookup retention(std::int64_t seq_len_tokens, double sparsity, const ShortLengthRule& rule) const;
};

class QualityCurves {
 public:
  // Loads and validates a curve file; throws InputError naming file:row and field.
  static QualityCurves load(const std::string& path);

  // The curve set used for (model, family, phase, method): the model's own rows for that family before
  // the "*" rows; within those, the method's own curve before the pooled ("*") one; within those, the
  // phase's own curve before "both". TaskFamily::unknown maps to the "mixed" curve. nullptr when none.
  const CurveSet* find(const std::string& model, const std::string& task_family, CurvePhase phase,
                       const std::string& method = "*") const;

  // Convenience lookup by names (resolves the curve set on every call; the quality model caches it).
  // A family without a curve of its own uses the "mixed" curve; throws InputError when neither exists.
  RetentionLookup retention(const std::string& model, TaskFamily family, CurvePhase phase,
                            std::int64_t seq_len_tokens, double sparsity, const ShortLengthRule& rule,
                            const std::string& method = "*") const;

  const std::string& path() const { return path_; }
  const std::vector<CurveSet>& curve_sets() const { return sets_; }
  std::int64_t shortest_length_tokens() const;  // over every curve set; 0 when empty

 private:
  std::string path_;
  std::vector<CurveSet> sets_;
};

// One (model, task family) series of dense accuracy against length.
struct DenseAccuracySeries {
  std::string model_key;            // lower case, "*" for any
  std::string task_family;          // a family name or "*"
  std::vector<double> log_seq_len;  // ascending
  std::vector<double> accuracy;
  // Linear in log length between rows, the end value outside them.
  double at(std::int64_t seq_len_tokens) const;
};

// Dense accuracy per (model, task family, length).
class DenseAccuracyTable {
 public:
  static DenseAccuracyTable load(const std::string& path);  // throws InputError naming file:row, field

  // Rows of (model, family) first, then (model, "*"), ("*", family), ("*", "*"); nullptr when none apply.
  const DenseAccuracySeries* find(const std::string& model, const std::string& task_family) const;

  const std::string& path() const { return path_; }

 private:
  std::string path_;
  std::vector<DenseAccuracySeries> series_;
};

// "single_qa", ..., and "mixed" for TaskFamily::unknown: the curve names used in the files.
std::string curve_family_name(TaskFamily family);

}  // namespace sparsesim
