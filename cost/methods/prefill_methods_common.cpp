#include "cost/methods/prefill_methods_common.h"

#include <cstdio>

namespace sparsesim {

std::string BlockSparseKernelCoefficients::describe() const {
  char text[200];
  std::snprintf(
      text, sizeof text,
      "block-sparse kernel %.2fx dense at full density, %g fixed keys per query, skipped blocks %.2g "
      "of an active one [%s]",
      full_density_slowdown.value, fixed_keys_per_query.value, skipped_block_fraction.value,
      fixed_keys_per_query.value_status.c_str());
  return text;
}

}  // namespace sparsesim
