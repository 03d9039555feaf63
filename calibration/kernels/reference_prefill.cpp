// CPU reference of block-sparse causal prefill attention (FlashAttention-2 order: per query block, walk
// the active key blocks, keep a running max and normaliser per query row).
#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>

#include "calibration/kernels/reference_kernels.h"

namespace sparsesim::kernels {

void prefill_attention_reference(const AttentionShape& shape, const BlockSparseLayout& layout,
                                 const std::vector<float>& q, const std::vector<float>& k,
                                 const std::vector<float>& v, std::vector<float>& out) {
  const int block = shape.block_tokens;
  const int dim = shape.head_dim;
  const int seq = shape.seq_tokens;
  if (block < 1 || seq % block != 0 || layout.query_blocks != seq / block ||
      shape.query_heads % shape.kv_heads)
    throw std::invalid_argument("prefill reference: shape and layout disagree");
  const std::size_t q_size = static_cast<std::size_t>(shape.batch) * shape.query_heads * seq * dim;
  const std::size_t kv_size = static_cast<std::size_t>(shape.batch) * shape.kv_heads * seq * dim;
  if (q.size() != q_size || k.size() != kv_size || v.size() != kv_size)
    throw std::invalid_argument("prefill reference: tensor sizes do not match the shape");
  out.assign(q_size, 0.0f);

  const float scale = 1.0f / std::sqrt(static_cast<float>(dim));
  const float minus_infinity = -std::numeric_limits<float>::infinity();
  std::vector<float> row_max(block), row_sum(block), acc(static_cast<std::size_t>(block) * dim),
      scores(block);

  for (int b = 0; b < shape.batch; ++b) {
    for (int head = 0; head < shape.query_heads; ++head) {
      const int kv_head = head / shape.group_size();
      const float* q_head = q.data() + (static_cast<std::size_t>(b) * shape.query_heads + head) * seq * dim;
      const float* k_head = k.data() + (static_cast<std::size_t>(b) * shape.kv_heads + kv_head) * seq * dim;
      const float* v_head = v.data() + (static_cast<std::size_t>(b) * shape.kv_heads + kv_head) * seq * dim;
      float* out_head = out.data() + (static_cast<std::size_t>(b) * shape.query_heads + head) * seq * dim;
      for (int query_block = 0; query_block < layout.query_blocks; ++query_block) {
        std::fill(row_max.begin(), row_max.end(), minus_infinity);
        std::fill(row_sum.begin(), row_sum.end(), 0.0f);
        std::fill(acc.begin(), acc.end(), 0.0f);
        for (int entry = layout.offsets[query_block]; entry < layout.offsets[query_block + 1]; ++entry) {
          const int key_block = layout.key_blocks[entry];
          for (int row = 0; row < block; ++row) {
            const int query_pos = query_block * block + row;
            const float* q_row = q_head + static_cast<std::size_t>(query_pos) * dim;
            float block_max = minus_infinity;
            // Whole tiles, masked after the products, as the GPU kernel does: the cost per active tile is
            // then the same on the diagonal as elsewhere, which is what the fitted cost form assumes.
            for (int col = 0; col < block; ++col) {
              const int key_pos = key_block * block + col;
              const float* k_row = k_head + static_cast<std::size_t>(key_pos) * dim;
              float dot = 0.0f;
              for (int d = 0; d < dim; ++d) dot += q_row[d] * k_row[d];
              scores[col] = key_pos > query_pos ? minus_infinity : dot * scale;
              block_max = std::max(block_max, scores[col]);
            }
            if (block_max == minus_infinity) continue;  // fully masked (never for causal lists)
            const float new_max = std::max(row_max[row], block_max);
            const float rescale = std::exp(row_max[row] - new_max);  // exp(-inf) = 0 on the first block
            float* acc_row = acc.data() + static_cast<std::size_t>(row) * dim;
            for (int d = 0; d < dim; ++d) acc_row[d] *= rescale;
            float sum = row_sum[row] * rescale;
            for (int col = 0; col < block; ++col) {
              if (scores[col] == minus_infinity) continue;
              const float weight = std::exp(scores[col] - new_max);
              sum += weight;
              const float* v_row = v_head + static_cast<std::size_t>(key_block * block + col) * dim;
              for (int d = 0; d < dim; ++d) acc_row[d] += weight * v_row[d];
            }
            row_sum[row] = sum;
            row_max[row] = new_max;
          }
        }
        for (int row = 0; row < block; ++row) {
          const int query_pos = query_block * block + row;
          float* out_row = out_head + static_cast<std::size_t>(query_pos) * dim;
          const float inverse = row_sum[row] > 0 ? 1.0f / row_sum[row] : 0.0f;
          for (int d = 0; d < dim; ++d) out_row[d] = acc[static_cast<std::size_t>(row) * dim + d] * inverse;
        }
      }
    }
  }
}

}  // namespace sparsesim::kernels
