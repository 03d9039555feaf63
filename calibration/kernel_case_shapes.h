#pragma once
// The kernels' shape structs for a measured KernelCase, shared by the CPU backend and the CUDA harness so
// both time exactly the same problem. Header-only and C++17: the CUDA sources include it.
#include "calibration/kernels/reference_kernels.h"
#include "calibration/measurement.h"

namespace sparsesim {

// Decode shape of a decode-op case: `block_tokens` is the page size, `seq_tokens` the context per sequence.
inline kernels::DecodeShape decode_shape_of(const KernelCase& kc) {
  kernels::DecodeShape shape;
  shape.batch = kc.batch;
  shape.query_heads = kc.query_heads;
  shape.kv_heads = kc.kv_heads;
  shape.head_dim = kc.head_dim;
  shape.page_tokens = kc.block_tokens;
  shape.context_tokens = static_cast<int>(kc.seq_tokens);
  return shape;
}

}  // namespace sparsesim
