#pragma once
// The quality model: expected accuracy of a request given its length, task family and budget.
// expected quality = dense accuracy(model, task family) x prefill retention x decode retention.
// Retention comes from accuracy-versus-sparsity curves with provenance (see quality/quality_curves.h).
#include <cstdint>
#include <string>

#include "core/budget.h"
#include "workloads/request.h"

namespace sparsesim {

// How a retention value was obtained; every run counts each kind.
enum class LookupKind : std::uint8_t { exact = 0, interpolated, extrapolated };

struct QualityScore {
  double expected_quality = 1.0;   // in [0, 1]
  double prefill_retention = 1.0;  // sparse / dense accuracy, in [0, 1]
  double decode_retention = 1.0;
  LookupKind prefill_lookup = LookupKind::exact;
  LookupKind decode_lookup = LookupKind::exact;
};

class QualityModel {
 public:
  virtual ~QualityModel() = default;
  // Scores a request served with `budget`. Deterministic and thread-safe.
  virtual QualityScore score(const Request& request, const Budget& budget) const = 0;
  // One line: the curve file and the rule below the shortest measured length.
  virtual std::string describe() const = 0;
};

}  // namespace sparsesim
