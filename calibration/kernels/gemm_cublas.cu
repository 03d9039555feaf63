// Dense bf16 GEMM through cuBLAS (fp32 compute, default algorithm selection, which dispatches to the
// cuBLASLt heuristics). Row-major c = a b is computed as the column-major c^T = b^T a^T.
#include "calibration/kernels/cuda_common.cuh"

namespace sparsesim::cuda::detail {

void launch_gemm(cublasHandle_t handle, int m, int n, int k, const bf16* a, const bf16* b, bf16* c) {
  const float alpha = 1.0f, beta = 0.0f;
  check_cublas(
      cublasGemmEx(handle, CUBLAS_OP_N, CUBLAS_OP_N, n, m, k, &alpha, b, CUDA_R_16BF, n, a, CUDA_R_16BF, k,
                   &beta, c, CUDA_R_16BF, n, CUBLAS_COMPUTE_32F, CUBLAS_GEMM_DEFAULT),
      "cublasGemmEx");
}

}  // namespace sparsesim::cuda::detail
