// Quest-style sparse decode on the GPU, in three timed stages plus the metadata it relies on:
//   page metadata  element-wise key min / max per (page, kv head); maintained incrementally in a server,
//                  so never part of a timed stage;
//   score          one warp per (page, kv head): sum over the group's query heads of
//                  sum_d max(q_d min_d, q_d max_d);
//   top-k          one CTA per (sequence, kv head): 4-pass radix select of the k-th largest score on
//                  order-preserving integer keys, then an index-ordered compaction (ties to lower pages);
//   attention      split-KV: CTA (split, kv head, sequence) loads each selected page of its split once into
//                  shared memory (64 tokens per stage) and serves every query head of the group from it,
//                  keeping a running max, normaliser and accumulator per head; a combine kernel merges
//                  the splits.
#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "calibration/kernels/cuda_common.cuh"

namespace sparsesim::cuda::detail {
namespace {

__device__ float warp_max(float value) {
  for (int offset = 16; offset > 0; offset >>= 1)
    value = fmaxf(value, __shfl_xor_sync(0xffffffffu, value, offset));
  return value;
}
__device__ float warp_sum(float value) {
  for (int offset = 16; offset > 0; offset >>= 1) value += __shfl_xor_sync(0xffffffffu, value, offset);
  return value;
}

// ---- metadata ----
__global__ void page_metadata_kernel(DecodeArgs a) {
  const int logical = blockIdx.x, kv_head = blockIdx.y, sequence = blockIdx.z;
  const int pages = a.pages();
  const int page = a.page_table[sequence * pages + logical];
  const int valid = min(a.page_tokens, a.context_tokens - logical * a.page_tokens);
  const std::size_t base = (static_cast<std::size_t>(page) * a.kv_heads + kv_head);
  for (int d = threadIdx.x; d < a.head_dim; d += blockDim.x) {
    float low = INFINITY, high = -INFINITY;
    for (int t = 0; t < valid; ++t) {
      const float value = __bfloat162float(a.keys[(base * a.page_tokens + t) * a.head_dim + d]);
      low = fminf(low, value);
      high = fmaxf(high, value);
    }
    a.key_min[base * a.head_dim + d] = __float2bfloat16(low);
    a.key_max[base * a.head_dim + d] = __float2bfloat16(high);
  }
}

// ---- score ----
constexpr int kScoreWarps = 8;
__global__ void score_pages_kernel(DecodeArgs a) {
  extern __shared__ float group_queries[];  // [group][dim]
  const int kv_head = blockIdx.y, sequence = blockIdx.z;
  const int group = a.query_heads / a.kv_heads;
  const int dim = a.head_dim;
  const int pages = a.pages();
  for (int i = threadIdx.x; i < group * dim; i += blockDim.x)
    group_queries[i] = __bfloat162float(
        a.q[(static_cast<std::size_t>(sequence) * a.query_heads + kv_head * group) * dim + i]);
  __syncthreads();
  const int warp = threadIdx.x / 32, lane = threadIdx.x % 32;
  const int logical = blockIdx.x * kScoreWarps + warp;
  if (logical >= pages) return;
  const int page = a.page_table[sequence * pages + logical];
  const std::size_t meta = (static_cast<std::size_t>(page) * a.kv_heads + kv_head) * dim;
  float bound = 0.0f;
  for (int d = lane; d < dim; d += 32) {
    const float low = __bfloat162float(a.key_min[meta + d]);
    const float high = __bfloat162float(a.key_max[meta + d]);
    for (int g = 0; g < group; ++g) {
      const float q = group_queries[g * dim + d];
      bound += fmaxf(q * low, q * high);
    }
  }
  bound = warp_sum(bound);
  if (lane == 0)
    a.scores[(static_cast<std::size_t>(sequence) * a.kv_heads + kv_head) * pages + logical] = bound;
}

// ---- top-k ----
constexpr int kTopkThreads = 1024;
__device__ unsigned order_key(float value) {
  const unsigned bits = __float_as_uint(value);
  return (bits & 0x80000000u) ? ~bits : (bits | 0x80000000u);  // larger float -> larger key
}

// Exclusive prefix count of `flag` over the CTA in thread order; `total` receives the CTA's count.
// `warp_counts` is shared scratch of 33 ints. Contains __syncthreads: call from every thread.
__device__ int block_exclusive_count(bool flag, int* warp_counts, int& total) {
  const int warp = threadIdx.x / 32, lane = threadIdx.x % 32;
  const unsigned ballot = __ballot_sync(0xffffffffu, flag);
  const int before_in_warp = __popc(ballot & ((1u << lane) - 1u));
  __syncthreads();
  if (lane == 0) warp_counts[warp] = __popc(ballot);
  __syncthreads();
  if (threadIdx.x == 0) {
    int running = 0;
    for (int w = 0; w < static_cast<int>(blockDim.x / 32); ++w) {
      const int count = warp_counts[w];
      warp_counts[w] = running;
      running += count;
    }
    warp_counts[32] = running;
  }
  __syncthreads();
  total = warp_counts[32];
  return warp_counts[warp] + before_in_warp;
}

__global__ void __launch_bounds__(kTopkThreads) select_top_k_kernel(DecodeArgs a) {
  __shared__ unsigned histogram[256];
  __shared__ unsigned prefix, mask;
  __shared__ int remaining;
  __shared__ int warp_counts[33];
  const int row = blockIdx.x;
  const int pages = a.pages();
  const float* scores = a.scores + static_cast<std::size_t>(row) * pages;
  int* selected = a.selected + static_cast<std::size_t>(row) * a.top_k;
  if (threadIdx.x == 0) {
    prefix = 0;
    mask = 0;
    remaining = a.top_k;
  }
  for (int shift = 24; shift >= 0; shift -= 8) {
    for (int i = threadIdx.x; i < 256; i += blockDim.x) histogram[i] = 0;
    __syncthreads();
    const unsigned current_prefix = prefix, current_mask = mask;
    for (int i = threadIdx.x; i < pages; i += blockDim.x) {
      const unsigned key = order_key(scores[i]);
      if ((key & current_mask) == current_prefix) atomicAdd(&histogram[(key >> shift) & 0xffu], 1u);
    }
    __syncthreads();
    if (threadIdx.x == 0) {
      int above = 0;  // elements in higher digit buckets
      for (int digit = 255; digit >= 0; --digit) {
        const int count = static_cast<int>(histogram[digit]);
        if (above + count >= remaining) {
          prefix |= static_cast<unsigned>(digit) << shift;
          mask |= 0xffu << shift;
          remaining -= above;
          break;
        }
        above += count;
      }
    }
    __syncthreads();
  }
  const unsigned threshold = prefix;
  const int take_equal = remaining;  // how many keys equal to the threshold are selected, lowest pages first
  int selected_before = 0, equal_before = 0;
  for (int start = 0; start < pages; start += blockDim.x) {
    const int i = start + threadIdx.x;
    const unsigned key = i < pages ? order_key(scores[i]) : 0u;
    const bool equal = i < pages && key == threshold;
    const bool greater = i < pages && key > threshold;
    int equal_total = 0, selected_total = 0;
    const int equal_rank = equal_before + block_exclusive_count(equal, warp_counts, equal_total);
    const bool take = greater || (equal && equal_rank < take_equal);
    const int position = selected_before + block_exclusive_count(take, warp_counts, selected_total);
    if (take) selected[position] = i;
    equal_before += equal_total;
    selected_before += selected_total;
  }
}

// ---- attention ----
constexpr int kAttentionThreads = 256;
constexpr int kStageTokens = 64;

struct AttentionLayout {
  int group, stage_pages, stage_tokens, splits, pages_per_split;
  std::size_t shared_bytes;
};

AttentionLayout attention_layout(const DecodeArgs& a) {
  AttentionLayout layout;
  layout.group = a.query_heads / a.kv_heads;
  layout.stage_pages = std::max(1, kStageTokens / a.page_tokens);
  layout.stage_tokens = layout.stage_pages * a.page_tokens;
  const int rows = a.batch * a.kv_heads;
  const int wanted = std::max(1, (2 * a.sm_count + rows - 1) / rows);  // about two CTAs per SM
  const int splits = std::min(wanted, (a.top_k + layout.stage_pages - 1) / layout.stage_pages);
  layout.pages_per_split = (a.top_k + splits - 1) / splits;
  layout.splits = (a.top_k + layout.pages_per_split - 1) / layout.pages_per_split;
  layout.shared_bytes = sizeof(float) * (2 * layout.group * a.head_dim          // queries, accumulators
                                         + layout.group * layout.stage_tokens   // scores / probabilities
                                         + 2 * layout.group                     // running max and sum
                                         + layout.stage_pages)                  // valid tokens per slot
                        + sizeof(bf16) * 2 * layout.stage_tokens * a.head_dim;  // K and V stage
  return layout;
}

__global__ void __launch_bounds__(kAttentionThreads)
    paged_attention_kernel(DecodeArgs a, int stage_pages, int pages_per_split, int splits, float scale_log2) {
  extern __shared__ __align__(16) unsigned char shared[];
  const int group = a.query_heads / a.kv_heads;
  const int dim = a.head_dim;
  const int stage_tokens = stage_pages * a.page_tokens;
  bf16* k_stage = reinterpret_cast<bf16*>(shared);
  bf16* v_stage = k_stage + stage_tokens * dim;
  float* queries = reinterpret_cast<float*>(v_stage + stage_tokens * dim);
  float* accumulators = queries + group * dim;
  float* probabilities = accumulators + group * dim;
  float* running_max = probabilities + group * stage_tokens;
  float* running_sum = running_max + group;
  int* valid_tokens = reinterpret_cast<int*>(running_sum + group);

  const int split = blockIdx.x, kv_head = blockIdx.y, sequence = blockIdx.z;
  const int pages = a.pages();
  const int row = sequence * a.kv_heads + kv_head;
  const int* chosen = a.selected + static_cast<std::size_t>(row) * a.top_k;
  const int first = split * pages_per_split;
  const int last = min(a.top_k, first + pages_per_split);
  const int warp = threadIdx.x / 32, lane = threadIdx.x % 32;
  constexpr int kWarpsPerCta = kAttentionThreads / 32;

  for (int i = threadIdx.x; i < group * dim; i += blockDim.x) {
    queries[i] = __bfloat162float(
        a.q[(static_cast<std::size_t>(sequence) * a.query_heads + kv_head * group) * dim + i]);
    accumulators[i] = 0.0f;
  }
  for (int g = threadIdx.x; g < group; g += blockDim.x) {
    running_max[g] = -INFINITY;
    running_sum[g] = 0.0f;
  }

  const int page_vectors = a.page_tokens * dim * static_cast<int>(sizeof(bf16)) / 16;
  for (int stage = first; stage < last; stage += stage_pages) {
    __syncthreads();  // the previous stage is fully consumed
    const int slots = min(stage_pages, last - stage);
    for (int slot = 0; slot < stage_pages; ++slot) {
      if (threadIdx.x == 0) {
        int valid = 0;
        if (slot < slots) {
          const int logical = chosen[stage + slot];
          valid = min(a.page_tokens, a.context_tokens - logical * a.page_tokens);
        }
        valid_tokens[slot] = valid;
      }
      if (slot >= slots) continue;
      const int logical = chosen[stage + slot];
      const int page = a.page_table[sequence * pages + logical];
      const std::size_t offset =
          (static_cast<std::size_t>(page) * a.kv_heads + kv_head) * a.page_tokens * dim;
      const uint4* k_from = reinterpret_cast<const uint4*>(a.keys + offset);
      const uint4* v_from = reinterpret_cast<const uint4*>(a.values + offset);
      uint4* k_to = reinterpret_cast<uint4*>(k_stage + slot * a.page_tokens * dim);
      uint4* v_to = reinterpret_cast<uint4*>(v_stage + slot * a.page_tokens * dim);
      for (int i = threadIdx.x; i < page_vectors; i += blockDim.x) {
        k_to[i] = k_from[i];
        v_to[i] = v_from[i];
      }
    }
    __syncthreads();

    // Scores: one warp per (head, token) pair, lanes across the head dimension.
    for (int pair = warp; pair < group * stage_tokens; pair += kWarpsPerCta) {
      const int g = pair / stage_tokens, token = pair % stage_tokens;
      const int slot = token / a.page_tokens;
      const bool valid = slot < slots && token % a.page_tokens < valid_tokens[slot];
      float dot = 0.0f;
      if (valid)
        for (int d = lane; d < dim; d += 32)
          dot += queries[g * dim + d] * __bfloat162float(k_stage[token * dim + d]);
      dot = warp_sum(dot);
      if (lane == 0) probabilities[g * stage_tokens + token] = valid ? dot * scale_log2 : -INFINITY;
    }
    __syncthreads();

    // Online softmax per head: one warp per head, lanes across the stage's tokens.
    for (int g = warp; g < group; g += kWarpsPerCta) {
      float local_max = -INFINITY;
      for (int t = lane; t < stage_tokens; t += 32)
        local_max = fmaxf(local_max, probabilities[g * stage_tokens + t]);
      const float old_max = running_max[g];
      const float new_max = fmaxf(old_max, warp_max(local_max));
      float local_sum = 0.0f;
      for (int t = lane; t < stage_tokens; t += 32) {
        const float p = new_max == -INFINITY ? 0.0f : exp2f(probabilities[g * stage_tokens + t] - new_max);
        probabilities[g * stage_tokens + t] = p;
        local_sum += p;
      }
      const float sum = warp_sum(local_sum);
      const float alpha = new_max == -INFINITY ? 1.0f : exp2f(old_max - new_max);
      for (int d = lane; d < dim; d += 32) accumulators[g * dim + d] *= alpha;
      __syncwarp();
      if (lane == 0) {
        running_max[g] = new_max;
        running_sum[g] = running_sum[g] * alpha + sum;
      }
    }
    __syncthreads();

    // Accumulate P V: threads across (head, dim).
    for (int i = threadIdx.x; i < group * dim; i += blockDim.x) {
      const int g = i / dim, d = i % dim;
      float acc = accumulators[i];
      for (int t = 0; t < slots * a.page_tokens; ++t) {
        const float p = probabilities[g * stage_tokens + t];
        if (p != 0.0f) acc += p * __bfloat162float(v_stage[t * dim + d]);
      }
      accumulators[i] = acc;
    }
  }
  __syncthreads();
  // Partials: [sequence][query head][split] x (dim accumulators, max, sum).
  for (int i = threadIdx.x; i < group * dim; i += blockDim.x) {
    const int g = i / dim, d = i % dim;
    const std::size_t head = static_cast<std::size_t>(sequence) * a.query_heads + kv_head * group + g;
    a.partial[(head * splits + split) * (dim + 2) + d] = accumulators[i];
  }
  for (int g = threadIdx.x; g < group; g += blockDim.x) {
    const std::size_t head = static_cast<std::size_t>(sequence) * a.query_heads + kv_head * group + g;
    a.partial[(head * splits + split) * (dim + 2) + dim] = running_max[g];
    a.partial[(head * splits + split) * (dim + 2) + dim + 1] = running_sum[g];
  }
}

__global__ void combine_splits_kernel(DecodeArgs a, int splits) {
  const std::size_t head = static_cast<std::size_t>(blockIdx.y) * a.query_heads + blockIdx.x;
  const int dim = a.head_dim;
  const float* parts = a.partial + head * splits * (dim + 2);
  float overall_max = -INFINITY;
  for (int s = 0; s < splits; ++s) overall_max = fmaxf(overall_max, parts[s * (dim + 2) + dim]);
  for (int d = threadIdx.x; d < dim; d += blockDim.x) {
    float numerator = 0.0f, denominator = 0.0f;
    for (int s = 0; s < splits; ++s) {
      const float split_max = parts[s * (dim + 2) + dim];
      if (split_max == -INFINITY) continue;
      const float weight = exp2f(split_max - overall_max);
      numerator += weight * parts[s * (dim + 2) + d];
      denominator += weight * parts[s * (dim + 2) + dim + 1];
    }
    a.out[head * dim + d] = denominator > 0.0f ? numerator / denominator : 0.0f;
  }
}

void validate(const DecodeArgs& a) {
  if (a.kv_heads <= 0 || a.query_heads % a.kv_heads != 0 || a.context_tokens <= 0 || a.page_tokens <= 0 ||
      a.top_k < 1 || a.top_k > a.pages() || (a.page_tokens * a.head_dim) % 8 != 0 || a.head_dim % 8 != 0)
    throw std::invalid_argument(
        "sparse decode (CUDA): bad shape (heads, context, page size, top_k or head_dim)");
}

}  // namespace

std::size_t decode_partial_floats(const DecodeArgs& a) {
  const AttentionLayout layout = attention_layout(a);
  return static_cast<std::size_t>(a.batch) * a.query_heads * layout.splits * (a.head_dim + 2);
}

void launch_page_metadata(const DecodeArgs& a, cudaStream_t stream) {
  validate(a);
  page_metadata_kernel<<<dim3(a.pages(), a.kv_heads, a.batch), 128, 0, stream>>>(a);
  SPARSESIM_CUDA_CHECK(cudaGetLastError());
}

void launch_score_pages(const DecodeArgs& a, cudaStream_t stream) {
  validate(a);
  const std::size_t bytes = sizeof(float) * (a.query_heads / a.kv_heads) * a.head_dim;
  const dim3 grid((a.pages() + kScoreWarps - 1) / kScoreWarps, a.kv_heads, a.batch);
  score_pages_kernel<<<grid, 32 * kScoreWarps, bytes, stream>>>(a);
  SPARSESIM_CUDA_CHECK(cudaGetLastError());
}

void launch_select_top_k(const DecodeArgs& a, cudaStream_t stream) {
  validate(a);
  select_top_k_kernel<<<a.batch * a.kv_heads, kTopkThreads, 0, stream>>>(a);
  SPARSESIM_CUDA_CHECK(cudaGetLastError());
}

void launch_paged_attention(const DecodeArgs& a, cudaStream_t stream) {
  validate(a);
  const AttentionLayout layout = attention_layout(a);
  allow_max_dynamic_shared_memory(reinterpret_cast<const void*>(&paged_attention_kernel));
  const float scale_log2 = 1.4426950408889634f / std::sqrt(static_cast<float>(a.head_dim));
  paged_attention_kernel<<<dim3(layout.splits, a.kv_heads, a.batch), kAttentionThreads, layout.shared_bytes,
                           stream>>>(a, layout.stage_pages, layout.pages_per_split, layout.splits,
                                     scale_log2);
  SPARSESIM_CUDA_CHECK(cudaGetLastError());
  combine_splits_kernel<<<dim3(a.query_heads, a.batch), 128, 0, stream>>>(a, layout.splits);
  SPARSESIM_CUDA_CHECK(cudaGetLastError());
}

}  // namespace sparsesim::cuda::detail
