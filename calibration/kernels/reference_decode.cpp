// CPU reference of Quest-style sparse decode: page metadata, page scoring, top-k selection, paged
// attention over the selected pages. Selection is per (sequence, kv head) so a query-head group shares it.
#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <random>
#include <stdexcept>

#include "calibration/kernels/reference_kernels.h"

namespace sparsesim::kernels {

int PagedKvCache::physical_pages() const {
  return shape.batch * shape.pages_per_sequence();
}

PagedKvCache make_paged_kv_cache(const DecodeShape& shape, std::uint64_t seed, bool bf16) {
  if (shape.context_tokens < 1 || shape.page_tokens < 1 || shape.kv_heads < 1 ||
      shape.query_heads % shape.kv_heads != 0)
    throw std::invalid_argument("paged KV cache: bad decode shape");
  PagedKvCache cache;
  cache.shape = shape;
  const int pages = shape.pages_per_sequence();
  const int physical = shape.batch * pages;
  cache.page_table.resize(physical);
  std::iota(cache.page_table.begin(), cache.page_table.end(), 0);
  std::mt19937_64 rng(seed);
  for (int i = physical - 1; i > 0; --i)
    std::swap(cache.page_table[i],
              cache.page_table[static_cast<int>(rng() % static_cast<std::uint64_t>(i + 1))]);
  const std::size_t size =
      static_cast<std::size_t>(physical) * shape.kv_heads * shape.page_tokens * shape.head_dim;
  cache.keys.resize(size);
  cache.values.resize(size);
  fill_uniform(cache.keys, seed + 1, -1.0f, 1.0f, bf16);
  fill_uniform(cache.values, seed + 2, -1.0f, 1.0f, bf16);
  // Zero the slots past the end of each sequence's last page.
  const int valid_in_last = shape.context_tokens - (pages - 1) * shape.page_tokens;
  for (int b = 0; b < shape.batch; ++b) {
    const int page = cache.page_table[static_cast<std::size_t>(b) * pages + pages - 1];
    for (int head = 0; head < shape.kv_heads; ++head)
      for (int token = valid_in_last; token < shape.page_tokens; ++token)
        for (int d = 0; d < shape.head_dim; ++d) {
          const std::size_t at =
              ((static_cast<std::size_t>(page) * shape.kv_heads + head) * shape.page_tokens + token) *
                  shape.head_dim +
              d;
          cache.keys[at] = 0.0f;
          cache.values[at] = 0.0f;
        }
  }
  return cache;
}

namespace {
// Valid tokens of logical page `page` of a sequence.
int valid_tokens(const DecodeShape& shape, int page) {
  return std::min(shape.page_tokens, shape.context_tokens - page * shape.page_tokens);
}
}  // namespace

PageMetadata compute_page_metadata(const PagedKvCache& cache) {
  const DecodeShape& shape = cache.shape;
  const int pages = shape.pages_per_sequence();
  const std::size_t size = static_cast<std::size_t>(cache.physical_pages()) * shape.kv_heads * shape.head_dim;
  PageMetadata metadata;
  metadata.key_min.assign(size, std::numeric_limits<float>::infinity());
  metadata.key_max.assign(size, -std::numeric_limits<float>::infinity());
  for (int b = 0; b < shape.batch; ++b)
    for (int logical = 0; logical < pages; ++logical) {
      const int page = cache.page_table[static_cast<std::size_t>(b) * pages + logical];
      for (int head = 0; head < shape.kv_heads; ++head) {
        const std::size_t meta_at = (static_cast<std::size_t>(page) * shape.kv_heads + head) * shape.head_dim;
        for (int token = 0; token < valid_tokens(shape, logical); ++token) {
          const float* key =
              cache.keys.data() +
              ((static_cast<std::size_t>(page) * shape.kv_heads + head) * shape.page_tokens + token) *
                  shape.head_dim;
          for (int d = 0; d < shape.head_dim; ++d) {
            metadata.key_min[meta_at + d] = std::min(metadata.key_min[meta_at + d], key[d]);
            metadata.key_max[meta_at + d] = std::max(metadata.key_max[meta_at + d], key[d]);
          }
        }
      }
    }
  return metadata;
}

void score_pages_reference(const PagedKvCache& cache, const PageMetadata& metadata,
                           const std::vector<float>& q, std::vector<float>& scores) {
  const DecodeShape& shape = cache.shape;
  const int pages = shape.pages_per_sequence();
  const int dim = shape.head_dim;
  scores.assign(static_cast<std::size_t>(shape.batch) * shape.kv_heads * pages, 0.0f);
  for (int b = 0; b < shape.batch; ++b)
    for (int kv_head = 0; kv_head < shape.kv_heads; ++kv_head)
      for (int logical = 0; logical < pages; ++logical) {
        const int page = cache.page_table[static_cast<std::size_t>(b) * pages + logical];
        const float* low =
            metadata.key_min.data() + (static_cast<std::size_t>(page) * shape.kv_heads + kv_head) * dim;
        const float* high =
            metadata.key_max.data() + (static_cast<std::size_t>(page) * shape.kv_heads + kv_head) * dim;
        float bound = 0.0f;
        for (int member = 0; member < shape.group_size(); ++member) {
          const int head = kv_head * shape.group_size() + member;
          const float* query = q.data() + (static_cast<std::size_t>(b) * shape.query_heads + head) * dim;
          for (int d = 0; d < dim; ++d) bound += std::max(query[d] * low[d], query[d] * high[d]);
        }
        scores[(static_cast<std::size_t>(b) * shape.kv_heads + kv_head) * pages + logical] = bound;
      }
}

int clamp_top_k(const DecodeShape& shape, int top_k) {
  return std::clamp(top_k, 1, shape.pages_per_sequence());
}

void select_top_k_pages_reference(const DecodeShape& shape, const std::vector<float>& scores, int top_k,
                                  std::vector<int>& selected) {
  const int pages = shape.pages_per_sequence();
  top_k = clamp_top_k(shape, top_k);
  selected.assign(static_cast<std::size_t>(shape.batch) * shape.kv_heads * top_k, 0);
  std::vector<int> order(pages);
  for (int row = 0; row < shape.batch * shape.kv_heads; ++row) {
    const float* row_scores = scores.data() + static_cast<std::size_t>(row) * pages;
    std::iota(order.begin(), order.end(), 0);
    // (score descending, index ascending) is a strict total order, so the selected set is unique;
    // nth_element keeps the cost linear in the page count, as the GPU radix select's is.
    std::nth_element(order.begin(), order.begin() + (top_k - 1), order.end(), [&](int a, int b) {
      return row_scores[a] > row_scores[b] || (row_scores[a] == row_scores[b] && a < b);
    });
    std::sort(order.begin(), order.begin() + top_k);
    std::copy(order.begin(), order.begin() + top_k,
              selected.begin() + static_cast<std::ptrdiff_t>(row) * top_k);
  }
}

void paged_decode_attention_reference(const PagedKvCache& cache, const std::vector<float>& q,
                                      const std::vector<int>& selected, int top_k, std::vector<float>& out) {
  const DecodeShape& shape = cache.shape;
  const int pages = shape.pages_per_sequence();
  const int dim = shape.head_dim;
  top_k = clamp_top_k(shape, top_k);
  out.assign(static_cast<std::size_t>(shape.batch) * shape.query_heads * dim, 0.0f);
  const float scale = 1.0f / std::sqrt(static_cast<float>(dim));
  std::vector<float> acc(dim);
  for (int b = 0; b < shape.batch; ++b)
    for (int head = 0; head < shape.query_heads; ++head) {
      const int kv_head = head / shape.group_size();
      const float* query = q.data() + (static_cast<std::size_t>(b) * shape.query_heads + head) * dim;
      const int* chosen = selected.data() + (static_cast<std::size_t>(b) * shape.kv_heads + kv_head) * top_k;
      float running_max = -std::numeric_limits<float>::infinity();
      float sum = 0.0f;
      std::fill(acc.begin(), acc.end(), 0.0f);
      for (int i = 0; i < top_k; ++i) {
        const int logical = chosen[i];
        const int page = cache.page_table[static_cast<std::size_t>(b) * pages + logical];
        for (int token = 0; token < valid_tokens(shape, logical); ++token) {
          const std::size_t at =
              ((static_cast<std::size_t>(page) * shape.kv_heads + kv_head) * shape.page_tokens + token) * dim;
          float dot = 0.0f;
          for (int d = 0; d < dim; ++d) dot += query[d] * cache.keys[at + d];
          const float score = dot * scale;
          const float new_max = std::max(running_max, score);
          const float rescale = std::exp(running_max - new_max);
          const float weight = std::exp(score - new_max);
          sum = sum * rescale + weight;
          for (int d = 0; d < dim; ++d) acc[d] = acc[d] * rescale + weight * cache.values[at + d];
          running_max = new_max;
        }
      }
      float* out_row = out.data() + (static_cast<std::size_t>(b) * shape.query_heads + head) * dim;
      for (int d = 0; d < dim; ++d) out_row[d] = sum > 0 ? acc[d] / sum : 0.0f;
    }
}

}  // namespace sparsesim::kernels
