// CPU reference GEMM, i-k-j loop order so the inner loop streams rows of b and c (vectorises).
#include <stdexcept>

#include "calibration/kernels/reference_kernels.h"

namespace sparsesim::kernels {

void gemm_reference(int m, int n, int k, const std::vector<float>& a, const std::vector<float>& b,
                    std::vector<float>& c) {
  if (a.size() != static_cast<std::size_t>(m) * k || b.size() != static_cast<std::size_t>(k) * n)
    throw std::invalid_argument("gemm reference: operand sizes do not match m, n, k");
  c.assign(static_cast<std::size_t>(m) * n, 0.0f);
  for (int row = 0; row < m; ++row) {
    float* c_row = c.data() + static_cast<std::size_t>(row) * n;
    for (int inner = 0; inner < k; ++inner) {
      const float a_value = a[static_cast<std::size_t>(row) * k + inner];
      const float* b_row = b.data() + static_cast<std::size_t>(inner) * n;
      for (int col = 0; col < n; ++col) c_row[col] += a_value * b_row[col];
    }
  }
}

}  // namespace sparsesim::kernels
