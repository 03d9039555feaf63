#pragma once
// The kernel coefficients every block-sparse prefill method shares (data/sparse_methods.yaml section
// `block_sparse_kernel`): the measured kernels of Block-Sparse-Attention / MInference / FlexPrefill all end
// in a FlashAttention-style block-sparse kernel.
#include <string>
#include <vector>

#include "cost/sparse_attention_terms.h"

namespace sparsesim {

struct BlockSparseKernelCoefficients {
  MethodCoefficient full_density_slowdown =
      sparse_method_coefficient("block_sparse_kernel", "full_density_slowdown", 1, 10);
  MethodCoefficient fixed_keys_per_query =
      sparse_method_coefficient("block_sparse_kernel", "fixed_keys_per_query", 0, 1e6);
  MethodCoefficient skipped_block_fraction =
      sparse_method_coefficient("block_sparse_kernel", "skipped_block_fraction", 0, 1);

  SparseAttentionTime kernel(const PrefillChunkWork& chunk, const AttentionShape& shape,
                             const AttentionRates& rates) const {
    return block_sparse_kernel(
        chunk, shape, rates,
        {full_density_slowdown.value, fixed_keys_per_query.value, skipped_block_fraction.value});
  }
  std::vector<MethodCoefficient> all() const {
    return {full_density_slowdown, fixed_keys_per_query, skipped_block_fraction};
  }
  std::string describe() const;
};

}  // namespace sparsesim
