// Block-sparse causal prefill attention on tensor cores (WMMA bf16 16x16x16, fp32 accumulate),
// FlashAttention-2 order: one CTA per (query block of 64 rows, query head, sequence), four warps of 16
// query rows each; the CTA walks its query block's list of active key blocks (dense = the full causal
// list), loading each 64-key K and V tile once into shared memory, computing S = Q K^T, an online softmax
// per row (running max and normaliser, exp2 domain) and O += P V. Causal masking is applied on the
// diagonal tile after the product (whole tiles are computed, as the cost form assumes).
// GQA: query head h reads kv head h / (query_heads / kv_heads).
#include <mma.h>

#include <cmath>
#include <stdexcept>

#include "calibration/kernels/cuda_common.cuh"

namespace sparsesim::cuda::detail {
namespace {

using namespace nvcuda;
constexpr int kTile = kPrefillBlockTokens;  // 64 query rows and 64 keys per tile
constexpr int kWarps = 4;
constexpr int kThreads = 32 * kWarps;
constexpr int kWarpRows = kTile / kWarps;  // 16

template <int kDim>
constexpr std::size_t prefill_shared_bytes() {
  return 3 * kTile * kDim * sizeof(bf16)  // Q, K, V tiles
         + kTile * kTile * sizeof(float)  // S
         + kTile * kTile * sizeof(bf16)   // P
         + kTile * kDim * sizeof(float)   // O accumulator
         + 2 * kTile * sizeof(float);     // running max and sum
}

// Copies a contiguous [64][kDim] bf16 tile with 16-byte vector loads.
template <int kDim>
__device__ void copy_tile(bf16* destination, const bf16* source) {
  const uint4* from = reinterpret_cast<const uint4*>(source);
  uint4* to = reinterpret_cast<uint4*>(destination);
  constexpr int kVectors = kTile * kDim * static_cast<int>(sizeof(bf16)) / 16;
  for (int i = threadIdx.x; i < kVectors; i += kThreads) to[i] = from[i];
}

__device__ float warp_max(float value) {
  for (int offset = 16; offset > 0; offset >>= 1)
    value = fmaxf(value, __shfl_xor_sync(0xffffffffu, value, offset));
  return value;
}
__device__ float warp_sum(float value) {
  for (int offset = 16; offset > 0; offset >>= 1) value += __shfl_xor_sync(0xffffffffu, value, offset);
  return value;
}

template <int kDim>
__global__ void __launch_bounds__(kThreads) prefill_attention_kernel(PrefillArgs args, float scale_log2) {
  extern __shared__ __align__(128) unsigned char shared[];
  bf16* q_tile = reinterpret_cast<bf16*>(shared);
  bf16* k_tile = q_tile + kTile * kDim;
  bf16* v_tile = k_tile + kTile * kDim;
  float* s_tile = reinterpret_cast<float*>(v_tile + kTile * kDim);
  bf16* p_tile = reinterpret_cast<bf16*>(s_tile + kTile * kTile);
  float* o_tile = reinterpret_cast<float*>(p_tile + kTile * kTile);
  float* row_max = o_tile + kTile * kDim;
  float* row_sum = row_max + kTile;

  // Later query blocks have the longest lists: schedule them first to shorten the tail.
  const int query_block = static_cast<int>(gridDim.x) - 1 - static_cast<int>(blockIdx.x);
  const int head = blockIdx.y;
  const int sequence = blockIdx.z;
  const int kv_head = head / (args.query_heads / args.kv_heads);
  const std::size_t seq = static_cast<std::size_t>(args.seq_tokens);
  const bf16* q_head = args.q + (static_cast<std::size_t>(sequence) * args.query_heads + head) * seq * kDim;
  const bf16* k_head = args.k + (static_cast<std::size_t>(sequence) * args.kv_heads + kv_head) * seq * kDim;
  const bf16* v_head = args.v + (static_cast<std::size_t>(sequence) * args.kv_heads + kv_head) * seq * kDim;
  bf16* out_head = args.out + (static_cast<std::size_t>(sequence) * args.query_heads + head) * seq * kDim;

  const int thread = threadIdx.x;
  const int warp = thread / 32;
  const int lane = thread % 32;
  copy_tile<kDim>(q_tile, q_head + static_cast<std::size_t>(query_block) * kTile * kDim);
  for (int i = thread; i < kTile * kDim; i += kThreads) o_tile[i] = 0.0f;
  if (thread < kTile) {
    row_max[thread] = -INFINITY;
    row_sum[thread] = 0.0f;
  }

  const bf16* q_warp = q_tile + warp * kWarpRows * kDim;
  float* s_warp = s_tile + warp * kWarpRows * kTile;
  bf16* p_warp = p_tile + warp * kWarpRows * kTile;
  float* o_warp = o_tile + warp * kWarpRows * kDim;

  for (int entry = args.offsets[query_block]; entry < args.offsets[query_block + 1]; ++entry) {
    const int key_block = args.key_blocks[entry];
    __syncthreads();  // every warp is done with the previous K and V tiles
    copy_tile<kDim>(k_tile, k_head + static_cast<std::size_t>(key_block) * kTile * kDim);
    copy_tile<kDim>(v_tile, v_head + static_cast<std::size_t>(key_block) * kTile * kDim);
    __syncthreads();

    // S (16 x 64 per warp) = Q_warp (16 x dim) * K^T (dim x 64); K row-major is K^T column-major.
    for (int n = 0; n < kTile / 16; ++n) {
      wmma::fragment<wmma::accumulator, 16, 16, 16, float> acc;
      wmma::fill_fragment(acc, 0.0f);
      for (int d = 0; d < kDim / 16; ++d) {
        wmma::fragment<wmma::matrix_a, 16, 16, 16, bf16, wmma::row_major> a;
        wmma::fragment<wmma::matrix_b, 16, 16, 16, bf16, wmma::col_major> b;
        wmma::load_matrix_sync(a, q_warp + d * 16, kDim);
        wmma::load_matrix_sync(b, k_tile + n * 16 * kDim + d * 16, kDim);
        wmma::mma_sync(acc, a, b, acc);
      }
      wmma::store_matrix_sync(s_warp + n * 16, acc, kTile, wmma::mem_row_major);
    }
    __syncwarp();

    // Online softmax, one row at a time across the warp (two columns per lane).
    const bool diagonal = key_block == query_block;
    for (int r = 0; r < kWarpRows; ++r) {
      const int row = warp * kWarpRows + r;  // also the query's position inside the block
      float s0 = s_warp[r * kTile + lane] * scale_log2;
      float s1 = s_warp[r * kTile + lane + 32] * scale_log2;
      if (diagonal) {
        if (lane > row) s0 = -INFINITY;
        if (lane + 32 > row) s1 = -INFINITY;
      }
      const float old_max = row_max[row];
      const float new_max = fmaxf(old_max, warp_max(fmaxf(s0, s1)));
      const bool empty = new_max == -INFINITY;  // cannot happen for causal lists; guards NaN anyway
      const float p0 = empty ? 0.0f : exp2f(s0 - new_max);
      const float p1 = empty ? 0.0f : exp2f(s1 - new_max);
      const float alpha = empty ? 1.0f : exp2f(old_max - new_max);
      const float sum = warp_sum(p0 + p1);
      p_warp[r * kTile + lane] = __float2bfloat16(p0);
      p_warp[r * kTile + lane + 32] = __float2bfloat16(p1);
      for (int d = lane; d < kDim; d += 32) o_warp[r * kDim + d] *= alpha;
      __syncwarp();  // every lane has read row_max[row]
      if (lane == 0) {
        row_max[row] = new_max;
        row_sum[row] = row_sum[row] * alpha + sum;
      }
    }
    __syncwarp();

    // O_warp (16 x dim) += P_warp (16 x 64) * V (64 x dim).
    for (int n = 0; n < kDim / 16; ++n) {
      wmma::fragment<wmma::accumulator, 16, 16, 16, float> acc;
      wmma::load_matrix_sync(acc, o_warp + n * 16, kDim, wmma::mem_row_major);
      for (int kk = 0; kk < kTile / 16; ++kk) {
        wmma::fragment<wmma::matrix_a, 16, 16, 16, bf16, wmma::row_major> a;
        wmma::fragment<wmma::matrix_b, 16, 16, 16, bf16, wmma::row_major> b;
        wmma::load_matrix_sync(a, p_warp + kk * 16, kTile);
        wmma::load_matrix_sync(b, v_tile + kk * 16 * kDim + n * 16, kDim);
        wmma::mma_sync(acc, a, b, acc);
      }
      wmma::store_matrix_sync(o_warp + n * 16, acc, kDim, wmma::mem_row_major);
    }
    __syncwarp();
  }
  __syncthreads();
  bf16* out_block = out_head + static_cast<std::size_t>(query_block) * kTile * kDim;
  for (int i = thread; i < kTile * kDim; i += kThreads) {
    const float total = row_sum[i / kDim];
    out_block[i] = __float2bfloat16(total > 0.0f ? o_tile[i] / total : 0.0f);
  }
}

template <int kDim>
void launch(const PrefillArgs& args, cudaStream_t stream) {
  constexpr std::size_t bytes = prefill_shared_bytes<kDim>();
  static_assert(bytes <= 160 * 1024, "prefill tiles must fit the shared memory of sm_80 and sm_90");
  allow_max_dynamic_shared_memory(reinterpret_cast<const void*>(&prefill_attention_kernel<kDim>));
  const dim3 grid(args.seq_tokens / kTile, args.query_heads, args.batch);
  const float scale_log2 = 1.4426950408889634f / std::sqrt(static_cast<float>(kDim));
  prefill_attention_kernel<kDim><<<grid, kThreads, bytes, stream>>>(args, scale_log2);
  SPARSESIM_CUDA_CHECK(cudaGetLastError());
}

}  // namespace

void launch_prefill_attention(const PrefillArgs& args, cudaStream_t stream) {
  if (args.seq_tokens <= 0 || args.seq_tokens % kTile != 0)
    throw std::invalid_argument("prefill attention (CUDA): seq_tokens must be a positive multiple of 64");
  if (args.kv_heads <= 0 || args.query_heads % args.kv_heads != 0)
    throw std::invalid_argument("prefill attention (CUDA): query heads must be a multiple of kv heads");
  if (args.head_dim == 128) return launch<128>(args, stream);
  if (args.head_dim == 64) return launch<64>(args, stream);
  throw std::invalid_argument("prefill attention (CUDA): head_dim must be 64 or 128");
}

}  // namespace sparsesim::cuda::detail
