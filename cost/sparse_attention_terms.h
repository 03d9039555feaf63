#pragma once
// Cost terms shared by the sparse methods (cost/methods/*.cpp): the block-sparse attention kernel that
// every prefill method ends in, the paged decode attention kernel, and the whole-model byte and FLOP
// counts they are built from. Times in seconds, all layers, tensor-parallel ranks working in parallel.
#include "cost/sparse_method.h"

namespace sparsesim {

// Causal keys a chunk's queries attend densely: every cached key plus the causal triangle of the chunk.
double dense_causal_keys(const PrefillChunkWork& chunk);
// Score + value FLOPs per (query, key) pair, whole model: 4 x head_dim x query heads x layers.
double attention_flops_per_pair(const AttentionShape& shape);
// K and V bytes of one token, all layers and heads.
double kv_bytes_per_token(const AttentionShape& shape);
// Query read and output write bytes of one query token, all layers and heads (bf16).
double query_output_bytes_per_token(const AttentionShape& shape);

// The block-sparse prefill kernel (FlashAttention-style tiles over the active key blocks). Measured
// kernels do not scale with density: the block-sparse kernel is slower than dense FlashAttention even at
// full density (`full_density_slowdown`), each query still pays a fixed cost (loading its tile, the
// softmax rescale, writing the output), expressed as `fixed_keys_per_query` keys of dense work, and each
// skipped block may still cost `skipped_block_fraction` of an active one (reading the block index).
//   compute = full_density_slowdown x pair FLOPs x (density x keys
//             + skipped_block_fraction x (1 - density) x keys + fixed_keys_per_query x new tokens)
//             at the dense attention rate
//   memory  = K/V of the attended keys + queries and outputs at the KV bandwidth
//   kernel  = max(compute, memory)
struct BlockSparseKernelTerms {
  double full_density_slowdown = 1;
  double fixed_keys_per_query = 0;
  double skipped_block_fraction = 0;
};
SparseAttentionTime block_sparse_kernel(const PrefillChunkWork& chunk, const AttentionShape& shape,
                                        const AttentionRates& rates, const BlockSparseKernelTerms& terms);

// Pattern estimation of the content-based prefill methods (Vertical-Slash, FlexPrefill), added to
// `time`: the chunk's last `probe_queries` queries attend every key densely (keys read once), then a
// per-key step (index building, pattern search) at `ns_per_new_key_head` per key and query head. That step
// runs once per prompt over its keys, so a chunked prefill is charged its own new keys' share and
// chunking does not multiply it.
void add_last_query_estimation(const PrefillChunkWork& chunk, const AttentionShape& shape,
                               const AttentionRates& rates, double probe_queries, double ns_per_new_key_head,
                               SparseAttentionTime& time);

// Paged decode attention over `tokens_read` tokens of one sequence: max(K/V bytes, FLOPs).
SparseAttentionTime paged_decode_kernel(double tokens_read, const AttentionShape& shape,
                                        const AttentionRates& rates);

// max(a0 + a1 k, b0 + b1 k) over steps k = 0, 1, ... as one affine piece: the branch larger at k = 0, for
// the steps (at most `steps`, at least 1) before the other one overtakes it.
struct AffinePiece {
  double base = 0, slope = 0;
  bool first = true;  // the a branch
  std::int64_t valid_steps = 1;
};
AffinePiece larger_affine(double a0, double a1, double b0, double b1, std::int64_t steps);

// paged_decode_kernel over tokens_read = read0 + read_slope x k as DecodeItemTerms (base and slope terms;
// valid_steps limited to `steps` and to where the kernel stays on the same side of its roofline).
DecodeItemTerms paged_decode_kernel_terms(double read0, double read_slope, std::int64_t steps,
                                          const AttentionShape& shape, const AttentionRates& rates);

}  // namespace sparsesim
