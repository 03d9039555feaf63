// The CPU reference kernels against naive formulas written independently here.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <set>

#include "calibration/kernels/reference_kernels.h"

using namespace sparsesim::kernels;

namespace {

// Naive softmax attention of one query head; `allowed(query, key)` says which keys it may attend.
template <class Allowed>
std::vector<float> naive_attention(const AttentionShape& shape, const std::vector<float>& q,
                                   const std::vector<float>& k, const std::vector<float>& v,
                                   Allowed allowed) {
  const int seq = shape.seq_tokens, dim = shape.head_dim;
  std::vector<float> out(q.size(), 0.0f);
  for (int b = 0; b < shape.batch; ++b)
    for (int h = 0; h < shape.query_heads; ++h) {
      const int kv = h / (shape.query_heads / shape.kv_heads);
      for (int i = 0; i < seq; ++i) {
        std::vector<double> scores;
        std::vector<int> keys;
        for (int j = 0; j < seq; ++j) {
          if (!allowed(i, j)) continue;
          double dot = 0;
          for (int d = 0; d < dim; ++d)
            dot += static_cast<double>(q[((b * shape.query_heads + h) * seq + i) * dim + d]) *
                   k[((b * shape.kv_heads + kv) * seq + j) * dim + d];
          scores.push_back(dot / std::sqrt(static_cast<double>(dim)));
          keys.push_back(j);
        }
        const double top = *std::max_element(scores.begin(), scores.end());
        double total = 0;
        for (auto& s : scores) total += (s = std::exp(s - top));
        for (int d = 0; d < dim; ++d) {
          double acc = 0;
          for (std::size_t n = 0; n < keys.size(); ++n)
            acc += scores[n] * v[((b * shape.kv_heads + kv) * seq + keys[n]) * dim + d];
          out[((b * shape.query_heads + h) * seq + i) * dim + d] = static_cast<float>(acc / total);
        }
      }
    }
  return out;
}

float max_abs_difference(const std::vector<float>& a, const std::vector<float>& b) {
  REQUIRE(a.size() == b.size());
  float worst = 0;
  for (std::size_t i = 0; i < a.size(); ++i) worst = std::max(worst, std::abs(a[i] - b[i]));
  return worst;
}

struct PrefillInputs {
  AttentionShape shape;
  std::vector<float> q, k, v;
};

PrefillInputs make_prefill_inputs() {
  PrefillInputs in;
  in.shape.batch = 2;
  in.shape.query_heads = 4;
  in.shape.kv_heads = 2;
  in.shape.head_dim = 16;
  in.shape.block_tokens = 8;
  in.shape.seq_tokens = 64;
  const std::size_t q_size = 2 * 4 * 64 * 16, kv_size = 2 * 2 * 64 * 16;
  in.q.resize(q_size);
  in.k.resize(kv_size);
  in.v.resize(kv_size);
  fill_uniform(in.q, 1, -2.0f, 2.0f, true);
  fill_uniform(in.k, 2, -2.0f, 2.0f, true);
  fill_uniform(in.v, 3, -1.0f, 1.0f, true);
  return in;
}

}  // namespace

TEST_CASE("bf16 rounding keeps 8 mantissa bits and rounds ties to even") {
  CHECK(round_to_bf16(1.0f) == 1.0f);
  CHECK(round_to_bf16(1.0f + 1.0f / 512) == 1.0f);              // below half an ulp (2^-7)
  CHECK(round_to_bf16(1.0f + 1.0f / 256) == 1.0f);              // a tie: to the even value 1
  CHECK(round_to_bf16(1.0f + 3.0f / 256) == 1.0f + 1.0f / 64);  // a tie: to the even value above
  CHECK(round_to_bf16(1.0f + 1.0f / 256 + 1.0f / 1024) == 1.0f + 1.0f / 128);  // above half
  CHECK(std::abs(round_to_bf16(3.14159f) - 3.14159f) < 0.01f);
}

TEST_CASE("causal block layouts keep the diagonal, respect causality and approach the density") {
  const auto dense = make_causal_block_layout(32, 1.0, 7);
  CHECK(dense.active_pairs() == 32 * 33 / 2);
  CHECK(dense.density() == doctest::Approx(1.0));
  for (double density : {0.5, 0.2, 0.1}) {
    const auto layout = make_causal_block_layout(64, density, 7);
    CHECK(layout.density() == doctest::Approx(density).epsilon(0.15));
    for (int i = 0; i < layout.query_blocks; ++i) {
      std::set<int> seen;
      for (int e = layout.offsets[i]; e < layout.offsets[i + 1]; ++e) {
        CHECK(layout.key_blocks[e] <= i);
        CHECK(seen.insert(layout.key_blocks[e]).second);
      }
      CHECK(seen.count(i) == 1);
    }
  }
  // Seeded: same seed same layout, another seed (usually) another.
  CHECK(make_causal_block_layout(64, 0.3, 1).key_blocks == make_causal_block_layout(64, 0.3, 1).key_blocks);
  CHECK(make_causal_block_layout(64, 0.3, 1).key_blocks != make_causal_block_layout(64, 0.3, 2).key_blocks);
}

TEST_CASE("prefill reference at density 1 equals dense causal softmax attention (GQA)") {
  const auto in = make_prefill_inputs();
  const auto layout = make_causal_block_layout(in.shape.query_blocks(), 1.0, 3);
  std::vector<float> out;
  prefill_attention_reference(in.shape, layout, in.q, in.k, in.v, out);
  const auto expected = naive_attention(in.shape, in.q, in.k, in.v, [](int i, int j) { return j <= i; });
  CHECK(max_abs_difference(out, expected) < 1e-5f);
}

TEST_CASE("sparse prefill reference equals dense attention restricted to the active blocks") {
  const auto in = make_prefill_inputs();
  const auto layout = make_causal_block_layout(in.shape.query_blocks(), 0.3, 11);
  REQUIRE(layout.density() < 0.6);
  const int block = in.shape.block_tokens;
  auto active = [&](int i, int j) {
    if (j > i) return false;
    const int qb = i / block, kb = j / block;
    return std::binary_search(layout.key_blocks.begin() + layout.offsets[qb],
                              layout.key_blocks.begin() + layout.offsets[qb + 1], kb);
  };
  std::vector<float> out;
  prefill_attention_reference(in.shape, layout, in.q, in.k, in.v, out);
  CHECK(max_abs_difference(out, naive_attention(in.shape, in.q, in.k, in.v, active)) < 1e-5f);
  // And it differs from dense: sparsity changes the result.
  const auto dense = naive_attention(in.shape, in.q, in.k, in.v, [](int i, int j) { return j <= i; });
  CHECK(max_abs_difference(out, dense) > 1e-3f);
}

TEST_CASE("Quest scoring bounds every token's q.k and top-k picks the highest bounds") {
  DecodeShape shape;
  shape.batch = 2;
  shape.query_heads = 4;
  shape.kv_heads = 2;
  shape.head_dim = 16;
  shape.page_tokens = 8;
  shape.context_tokens = 75;  // last page partly filled
  const auto cache = make_paged_kv_cache(shape, 5, true);
  std::vector<float> q(2 * 4 * 16);
  fill_uniform(q, 9, -1.0f, 1.0f, true);
  const auto metadata = compute_page_metadata(cache);
  std::vector<float> scores;
  score_pages_reference(cache, metadata, q, scores);
  const int pages = shape.pages_per_sequence();
  REQUIRE(pages == 10);
  REQUIRE(scores.size() == static_cast<std::size_t>(2 * 2 * pages));

  // The bound of a page is at least the group's summed q.k of every valid token in it.
  for (int b = 0; b < 2; ++b)
    for (int kv = 0; kv < 2; ++kv)
      for (int p = 0; p < pages; ++p) {
        const int page = cache.page_table[b * pages + p];
        const int valid = std::min(8, 75 - p * 8);
        for (int t = 0; t < valid; ++t) {
          float dot = 0;
          for (int member = 0; member < 2; ++member)
            for (int d = 0; d < 16; ++d)
              dot += q[(b * 4 + kv * 2 + member) * 16 + d] * cache.keys[((page * 2 + kv) * 8 + t) * 16 + d];
          CHECK(dot <= scores[(b * 2 + kv) * pages + p] + 1e-4f);
        }
      }

  const int top_k = 3;
  std::vector<int> selected;
  select_top_k_pages_reference(shape, scores, top_k, selected);
  for (int row = 0; row < 4; ++row) {
    const float* row_scores = scores.data() + row * pages;
    float lowest_selected = std::numeric_limits<float>::infinity();
    std::set<int> chosen(selected.begin() + row * top_k, selected.begin() + (row + 1) * top_k);
    CHECK(chosen.size() == 3u);
    for (int p : chosen) lowest_selected = std::min(lowest_selected, row_scores[p]);
    for (int p = 0; p < pages; ++p)
      if (!chosen.count(p)) CHECK(row_scores[p] <= lowest_selected);
  }
}

TEST_CASE("paged decode over all pages equals dense attention; over some pages, attention on their tokens") {
  DecodeShape shape;
  shape.batch = 2;
  shape.query_heads = 4;
  shape.kv_heads = 2;
  shape.head_dim = 16;
  shape.page_tokens = 8;
  shape.context_tokens = 75;
  const auto cache = make_paged_kv_cache(shape, 6, true);
  std::vector<float> q(2 * 4 * 16);
  fill_uniform(q, 10, -1.0f, 1.0f, true);
  const int pages = shape.pages_per_sequence();

  auto naive = [&](const std::vector<int>& chosen, int top_k) {
    std::vector<float> out(q.size());
    for (int b = 0; b < 2; ++b)
      for (int h = 0; h < 4; ++h) {
        const int kv = h / 2;
        std::vector<double> scores;
        std::vector<std::size_t> rows;
        for (int i = 0; i < top_k; ++i) {
          const int p = chosen[(b * 2 + kv) * top_k + i];
          const int page = cache.page_table[b * pages + p];
          for (int t = 0; t < std::min(8, 75 - p * 8); ++t) {
            const std::size_t at = ((page * 2 + kv) * 8 + t) * 16;
            double dot = 0;
            for (int d = 0; d < 16; ++d)
              dot += static_cast<double>(q[(b * 4 + h) * 16 + d]) * cache.keys[at + d];
            scores.push_back(dot / 4.0);
            rows.push_back(at);
          }
        }
        const double top = *std::max_element(scores.begin(), scores.end());
        double total = 0;
        for (auto& s : scores) total += (s = std::exp(s - top));
        for (int d = 0; d < 16; ++d) {
          double acc = 0;
          for (std::size_t n = 0; n < rows.size(); ++n) acc += scores[n] * cache.values[rows[n] + d];
          out[(b * 4 + h) * 16 + d] = static_cast<float>(acc / total);
        }
      }
    return out;
  };

  std::vector<int> all;
  for (int row = 0; row < 4; ++row)
    for (int p = 0; p < pages; ++p) all.push_back(p);
  std::vector<float> out;
  paged_decode_attention_reference(cache, q, all, pages, out);
  CHECK(max_abs_difference(out, naive(all, pages)) < 1e-5f);

  const std::vector<int> some{0, 4, 9, 1, 2, 3, 5, 6, 9, 2, 7, 8};
  paged_decode_attention_reference(cache, q, some, 3, out);
  CHECK(max_abs_difference(out, naive(some, 3)) < 1e-5f);
}

TEST_CASE("reference GEMM matches a dot-product formula") {
  const int m = 5, n = 7, k = 9;
  std::vector<float> a(m * k), b(k * n), c;
  fill_uniform(a, 1, -1, 1, true);
  fill_uniform(b, 2, -1, 1, true);
  gemm_reference(m, n, k, a, b, c);
  for (int i = 0; i < m; ++i)
    for (int j = 0; j < n; ++j) {
      double dot = 0;
      for (int x = 0; x < k; ++x) dot += static_cast<double>(a[i * k + x]) * b[x * n + j];
      CHECK(c[i * n + j] == doctest::Approx(dot).epsilon(1e-5));
    }
}
