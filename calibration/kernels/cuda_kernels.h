#pragma once
// Host-side entry points of the CUDA kernels (calibration/kernels/*.cu), callable from plain C++. Only
// compiled and linked when the build found nvcc (SPARSESIM_HAVE_CUDA). Every function throws
// std::runtime_error with the CUDA error text on failure, except device_count(), which never throws.
//
// Kernels (bf16 storage, fp32 accumulation):
//   prefill_attention.cu  block-sparse causal FlashAttention-2-style prefill on tensor cores (WMMA
//                         16x16x16 bf16), 64x64 tiles, online softmax, GQA; one code path for every
//                         density: each query block walks its list of active key blocks. head_dim 64 or 128.
//   sparse_decode.cu      Quest page scoring (upper bound from per-page key min/max), top-k page selection
//                         (radix select, ties to the lower page index), split-KV paged attention over the
//                         selected pages where each CTA serves all query heads of a kv head, so each page is
//                         loaded once per group, then a combine kernel.
//   gemm_cublas.cu        cuBLAS bf16 GEMM (fp32 compute) at given shapes.
//   cuda_harness.cu       device description, L2 flush, SM clock probe, prepared cases timed with events.
// The timing loop (warm-up, spread target, throttled-sample rejection) is measurement_cuda_backend.cpp.
#include <memory>
#include <string>
#include <vector>

#include "calibration/kernels/reference_kernels.h"
#include "calibration/measurement.h"

namespace sparsesim::cuda {

// Usable CUDA devices; 0 when the driver is missing or reports no device. Never throws.
int device_count();

DeviceDescription describe_device(int device);

// SM clock now, in MHz: a single-thread clock64() spin of a fixed cycle count timed with CUDA events.
double measure_sm_clock_mhz(int device);

// One case's device inputs, seeded on the device, ready to be timed repeatedly.
class PreparedCase {
 public:
  virtual ~PreparedCase() = default;
  // One sample: flushes L2 (a memset of a buffer twice the L2 size), then times the op with CUDA events.
  // Decode cases time only their stage (score, top-k, or attention with its combine kernel). Returns ns.
  virtual double time_once_ns() = 0;
};
// Prefill cases take their block layout from the caller (block_tokens must be 64); the reference kernels
// build it (make_causal_block_layout), which keeps this library free of calls into the calibration one.
std::unique_ptr<PreparedCase> prepare_case(int device, const KernelCase& kernel_case,
                                           const kernels::BlockSparseLayout* prefill_layout);

// Correctness entry points: inputs are host floats (rounded to bf16 on upload); outputs are host floats.
std::vector<float> prefill_attention(int device, const kernels::AttentionShape& shape,
                                     const kernels::BlockSparseLayout& layout, const std::vector<float>& q,
                                     const std::vector<float>& k, const std::vector<float>& v);

struct DecodeOutputs {
  std::vector<float> scores;  // [batch][kv_heads][pages]
  std::vector<int> selected;  // [batch][kv_heads][top_k], ascending
  std::vector<float> out;     // [batch][query_heads][head_dim]
};
// Runs metadata, scoring, top-k and attention on the device.
DecodeOutputs sparse_decode(int device, const kernels::PagedKvCache& cache, const std::vector<float>& q,
                            int top_k);

std::vector<float> gemm(int device, int m, int n, int k, const std::vector<float>& a,
                        const std::vector<float>& b);

}  // namespace sparsesim::cuda
