#include "policies/uncertainty_signal.h"

#include <numbers>
#include <stdexcept>
#include <string>

#include "workloads/seeded_draws.h"

namespace sparsesim {

double separation_for_auroc(double auroc) {
  if (!(auroc >= 0.5 && auroc < 1.0))
    throw std::invalid_argument("AUROC " + std::to_string(auroc) + " outside [0.5, 1)");
  return std::numbers::sqrt2 * standard_normal_quantile(auroc);
}

}  // namespace sparsesim
