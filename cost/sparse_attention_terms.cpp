#include "cost/sparse_attention_terms.h"

#include <algorithm>

namespace sparsesim {

double dense_causal_keys(const PrefillChunkWork& chunk) {
  const double new_tokens = chunk.new_tokens;
  return new_tokens * chunk.cached_tokens + new_tokens * (new_tokens + 1) * 0.5;
}

double attention_flops_per_pair(const AttentionShape& shape) {
  return 4 * shape.head_dim * shape.query_heads * shape.layers;
}

double kv_bytes_per_token(const AttentionShape& shape) {
  return 2 * shape.layers * shape.kv_heads * shape.head_dim * shape.kv_bytes_per_element;
}

double query_output_bytes_per_token(const AttentionShape& shape) {
  return 2 * shape.layers * shape.query_heads * shape.head_dim * 2.0;
}

SparseAttentionTime block_sparse_kernel(const PrefillChunkWork& chunk, const AttentionShape& shape,
                                        const AttentionRates& rates, const BlockSparseKernelTerms& terms) {
  const double density = chunk.density;
  const double keys = dense_causal_keys(chunk);
  const double per_pair = attention_flops_per_pair(shape);
  const double work_pairs = density * keys + terms.skipped_block_fraction * (1 - density) * keys +
                            terms.fixed_keys_per_query * chunk.new_tokens;
  const double bytes =
      kv_bytes_per_token(shape) * (density * (chunk.cached_tokens + chunk.new_tokens) + chunk.new_tokens) +
      query_output_bytes_per_token(shape) * chunk.new_tokens;
  SparseAttentionTime time;
  time.flops = per_pair * density * keys;
  time.bytes = bytes;
  time.kernel_s = std::max(terms.full_density_slowdown * per_pair * work_pairs * rates.attention_s_per_flop,
                           bytes * rates.kv_s_per_byte);
  return time;
}

void add_last_query_estimation(const PrefillChunkWork& chunk, const AttentionShape& shape,
                               const AttentionRates& rates, double probe_queries, double ns_per_new_key_head,
                               SparseAttentionTime& time) {
  const double keys = static_cast<double>(chunk.cached_tokens) + chunk.new_tokens;
  const double queries = std::min(probe_queries, static_cast<double>(chunk.new_tokens));
  const double estimate_flops = attention_flops_per_pair(shape) * queries * keys;
  const double estimate_bytes = kv_bytes_per_token(shape) * 0.5 * keys;  // keys only
  const double estimate_s =
      std::max(estimate_flops * rates.attention_s_per_flop, estimate_bytes * rates.kv_s_per_byte);
  const double per_key_s = ns_per_new_key_head * 1e-9 * chunk.new_tokens * shape.query_heads * shape.layers /
                           shape.tensor_parallel;
  time.selection_s += estimate_s + per_key_s;
  time.flops += estimate_flops;  // executed on the GPU, so counted in attention FLOPs
  time.bytes += estimate_bytes;
}

SparseAttentionTime paged_decode_kernel(double tokens_read, const AttentionShape& shape,
                                        const AttentionRates& rates) {
  SparseAttentionTime time;
  time.flops = attention_flops_per_pair(shape) * tokens_read;
  time.bytes = kv_bytes_per_token(shape) * (tokens_read + 1) + query_output_bytes_per_token(shape);
  time.kernel_s = std::max(time.flops * rates.attention_s_per_flop, time.bytes * rates.kv_s_per_byte);
  return time;
}

AffinePiece larger_affine(double a0, double a1, double b0, double b1, std::int64_t steps) {
  AffinePiece piece;
  piece.first = !(a0 < b0);  // std::max's choice at a tie
  piece.base = piece.first ? a0 : b0;
  piece.slope = piece.first ? a1 : b1;
  const double lead = piece.first ? a0 - b0 : b0 - a0;     // >= 0
  const double closing = piece.first ? b1 - a1 : a1 - b1;  // > 0: the other branch gains
  piece.valid_steps = std::max<std::int64_t>(1, steps);
  if (closing > 0) {
    const double overtake = std::floor(lead / closing) + 1;  // first k where the other is larger
    if (overtake < static_cast<double>(piece.valid_steps))
      piece.valid_steps = std::max<std::int64_t>(1, static_cast<std::int64_t>(overtake));
  }
  return piece;
}

DecodeItemTerms paged_decode_kernel_terms(double read0, double read_slope, std::int64_t steps,
                                          const AttentionShape& shape, const AttentionRates& rates) {
  DecodeItemTerms terms;
  const double flops_per_token = attention_flops_per_pair(shape);
  const double bytes_per_token = kv_bytes_per_token(shape);
  terms.base_flops = flops_per_token * read0;
  terms.slope_flops = flops_per_token * read_slope;
  terms.base_bytes = bytes_per_token * (read0 + 1) + query_output_bytes_per_token(shape);
  terms.slope_bytes = bytes_per_token * read_slope;
  const AffinePiece time = larger_affine(
      terms.base_flops * rates.attention_s_per_flop, terms.slope_flops * rates.attention_s_per_flop,
      terms.base_bytes * rates.kv_s_per_byte, terms.slope_bytes * rates.kv_s_per_byte, steps);
  terms.base_s = time.base;
  terms.slope_s = time.slope;
  terms.valid_steps = time.valid_steps;
  return terms;
}

}  // namespace sparsesim
