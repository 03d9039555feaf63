#pragma once
// CPU reference kernels: the correctness oracle for the CUDA kernels and the compute of the CPU
// measurement backend. Plain C++ (this header is also included by the CUDA sources, so it stays C++17),
// fp32 accumulation over inputs the caller may have rounded to bf16 (round_to_bf16).
//
// Tensor layouts (row-major, innermost last):
//   prefill  q, out: [batch][query_heads][seq_tokens][head_dim]   k, v:
//   [batch][kv_heads][seq_tokens][head_dim] decode   q, out: [batch][query_heads][head_dim]
//            paged keys/values: [physical_page][kv_heads][page_tokens][head_dim]
//   gemm     a: [m][k]   b: [k][n]   c: [m][n]
// Grouped-query attention: query head h reads kv head h / (query_heads / kv_heads).
#include <cstdint>
#include <vector>

namespace sparsesim::kernels {

// Rounds a float to the nearest bf16 value (round to nearest even), returned as a float.
float round_to_bf16(float value);

// Fills `values` with seeded uniform draws in [low, high) (from raw std::mt19937_64 bits, so the same on
// every standard library), rounded to bf16 when `bf16` is set.
void fill_uniform(std::vector<float>& values, std::uint64_t seed, float low, float high, bool bf16);

struct AttentionShape {
  int batch = 1;
  int query_heads = 1;
  int kv_heads = 1;
  int head_dim = 64;
  int seq_tokens = 0;     // a multiple of block_tokens
  int block_tokens = 64;  // query and key block size of the block-sparse layout
  int query_blocks() const { return seq_tokens / block_tokens; }
  int group_size() const { return query_heads / kv_heads; }
};

// Which key blocks each query block attends (the same for every batch entry and head). Lists are sorted
// ascending and causal (key block <= query block); dense is the full causal list.
struct BlockSparseLayout {
  int query_blocks = 0;
  std::vector<int> offsets;     // query block i attends key_blocks[offsets[i] .. offsets[i+1])
  std::vector<int> key_blocks;  // concatenated per-query-block lists
  std::int64_t active_pairs() const { return static_cast<std::int64_t>(key_blocks.size()); }
  // Active pairs over causal pairs, in (0, 1].
  double density() const;
};

// Query block i keeps max(1, round(density * (i + 1))) of its i + 1 causal key blocks: always the diagonal
// block, then block 0 (the attention sink), then a seeded random choice of the rest.
// The number of active (query block, key block) pairs that layout has, without building it.
std::int64_t causal_active_block_pairs(int query_blocks, double density);
BlockSparseLayout make_causal_block_layout(int query_blocks, double density, std::uint64_t seed);

// Block-sparse causal attention with online softmax over the active key blocks; softmax scale
// 1/sqrt(head_dim). Tokens inside the diagonal block are masked causally. out is resized.
void prefill_attention_reference(const AttentionShape& shape, const BlockSparseLayout& layout,
                                 const std::vector<float>& q, const std::vector<float>& k,
                                 const std::vector<float>& v, std::vector<float>& out);

struct DecodeShape {
  int batch = 1;
  int query_heads = 1;
  int kv_heads = 1;
  int head_dim = 64;
  int page_tokens = 16;
  int context_tokens = 0;  // per sequence (all sequences of a case have the same length)
  int pages_per_sequence() const { return (context_tokens + page_tokens - 1) / page_tokens; }
  int group_size() const { return query_heads / kv_heads; }
};

// A paged KV cache: sequence b's logical page p lives in physical page page_table[b * pages + p].
struct PagedKvCache {
  DecodeShape shape;
  std::vector<int> page_table;  // [batch][pages_per_sequence]
  std::vector<float> keys;      // [physical_page][kv_heads][page_tokens][head_dim]
  std::vector<float> values;
  int physical_pages() const;
};

// Builds a cache with seeded contents and a seeded permutation of physical pages (so pages are not
// contiguous, as in a real paged allocator). Tokens past context_tokens in the last page are zero.
PagedKvCache make_paged_kv_cache(const DecodeShape& shape, std::uint64_t seed, bool bf16);

// Quest page metadata: element-wise min and max of the keys of each page, [physical_page][kv_heads][dim].
struct PageMetadata {
  std::vector<float> key_min;
  std::vector<float> key_max;
};
PageMetadata compute_page_metadata(const PagedKvCache& cache);

// Upper bound of q.k over a page: sum_d max(q_d * min_d, q_d * max_d), summed over the query heads that
// share a kv head, so one selection serves the whole group (each page is then loaded once per group).
// scores: [batch][kv_heads][pages_per_sequence].
void score_pages_reference(const PagedKvCache& cache, const PageMetadata& metadata,
                           const std::vector<float>& q, std::vector<float>& scores);

// The top_k highest-scoring logical pages per (sequence, kv head), ties to the lower index, returned
// sorted ascending: selected[(b * kv_heads + h) * top_k + i]. top_k is clamped to the page count.
int clamp_top_k(const DecodeShape& shape, int top_k);
void select_top_k_pages_reference(const DecodeShape& shape, const std::vector<float>& scores, int top_k,
                                  std::vector<int>& selected);

// Attention of each query head over the valid tokens of its kv head's selected pages. out is resized.
void paged_decode_attention_reference(const PagedKvCache& cache, const std::vector<float>& q,
                                      const std::vector<int>& selected, int top_k, std::vector<float>& out);

// c = a * b with fp32 accumulation. c is resized.
void gemm_reference(int m, int n, int k, const std::vector<float>& a, const std::vector<float>& b,
                    std::vector<float>& c);

}  // namespace sparsesim::kernels
