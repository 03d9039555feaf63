// GPU kernels against the CPU reference, and the timing sanity the calibration relies on. Built whenever
// nvcc was found; every case is skipped (doctest skip) when no CUDA device is visible.
#include <doctest/doctest.h>

#if SPARSESIM_HAVE_CUDA
#include <algorithm>
#include <cmath>
#include <set>
#include <sstream>

#include "calibration/calibrate.h"
#include "calibration/kernels/cuda_kernels.h"
#include "calibration/kernels/reference_kernels.h"
#include "calibration/measurement_backends.h"

using namespace sparsesim;
using namespace sparsesim::kernels;

namespace {

bool no_cuda_device() {
  static const bool none = cuda::device_count() == 0;
  return none;
}

float max_abs_difference(const std::vector<float>& a, const std::vector<float>& b) {
  REQUIRE(a.size() == b.size());
  float worst = 0;
  for (std::size_t i = 0; i < a.size(); ++i) worst = std::max(worst, std::abs(a[i] - b[i]));
  return worst;
}

}  // namespace

TEST_CASE("GPU block-sparse prefill matches the CPU reference within bf16 tolerance" *
          doctest::skip(no_cuda_device())) {
  for (int head_dim : {64, 128})
    for (double density : {1.0, 0.4}) {
      CAPTURE(head_dim);
      CAPTURE(density);
      AttentionShape shape;
      shape.batch = 2;
      shape.query_heads = 4;
      shape.kv_heads = 2;
      shape.head_dim = head_dim;
      shape.seq_tokens = 512;
      shape.block_tokens = 64;
      std::vector<float> q(static_cast<std::size_t>(2) * 4 * 512 * head_dim), k(q.size() / 2),
          v(q.size() / 2);
      fill_uniform(q, 1, -1, 1, true);
      fill_uniform(k, 2, -1, 1, true);
      fill_uniform(v, 3, -1, 1, true);
      const auto layout = make_causal_block_layout(shape.query_blocks(), density, 4);
      std::vector<float> expected;
      prefill_attention_reference(shape, layout, q, k, v, expected);
      const auto actual = cuda::prefill_attention(0, shape, layout, q, k, v);
      // P is rounded to bf16 before the P V product and the output is stored in bf16.
      CHECK(max_abs_difference(actual, expected) < 2e-2f);
    }
}

TEST_CASE("GPU Quest decode: scores, top-k pages and paged attention match the CPU reference" *
          doctest::skip(no_cuda_device())) {
  DecodeShape shape;
  shape.batch = 3;
  shape.query_heads = 8;
  shape.kv_heads = 2;
  shape.head_dim = 128;
  shape.page_tokens = 16;
  shape.context_tokens = 4000;  // last page partly filled
  const auto cache = make_paged_kv_cache(shape, 7, true);
  std::vector<float> q(static_cast<std::size_t>(3) * 8 * 128);
  fill_uniform(q, 8, -1, 1, true);
  const int top_k = 25;
  const auto gpu = cuda::sparse_decode(0, cache, q, top_k);

  const auto metadata = compute_page_metadata(cache);
  std::vector<float> scores;
  score_pages_reference(cache, metadata, q, scores);
  REQUIRE(gpu.scores.size() == scores.size());
  for (std::size_t i = 0; i < scores.size(); ++i)
    CHECK(gpu.scores[i] == doctest::Approx(scores[i]).epsilon(1e-4));

  // Selection: the GPU's pages are the top-k by the GPU's own scores, sorted ascending, and agree with the
  // CPU's except where two scores are within float rounding of each other.
  std::vector<int> expected;
  select_top_k_pages_reference(shape, gpu.scores, top_k, expected);
  CHECK(gpu.selected == expected);

  std::vector<float> out;
  paged_decode_attention_reference(cache, q, gpu.selected, top_k, out);
  CHECK(max_abs_difference(gpu.out, out) < 1e-2f);

  // Dense: every page selected equals full attention.
  const int pages = shape.pages_per_sequence();
  const auto dense = cuda::sparse_decode(0, cache, q, pages);
  std::vector<int> all;
  for (int row = 0; row < shape.batch * shape.kv_heads; ++row)
    for (int p = 0; p < pages; ++p) all.push_back(p);
  CHECK(dense.selected == all);
  paged_decode_attention_reference(cache, q, all, pages, out);
  CHECK(max_abs_difference(dense.out, out) < 1e-2f);
}

TEST_CASE("GPU cuBLAS bf16 GEMM matches the CPU reference" * doctest::skip(no_cuda_device())) {
  const int m = 33, n = 320, k = 256;
  std::vector<float> a(static_cast<std::size_t>(m) * k), b(static_cast<std::size_t>(k) * n), expected;
  fill_uniform(a, 1, -1, 1, true);
  fill_uniform(b, 2, -1, 1, true);
  gemm_reference(m, n, k, a, b, expected);
  const auto actual = cuda::gemm(0, m, n, k, a, b);
  REQUIRE(actual.size() == expected.size());
  for (std::size_t i = 0; i < expected.size(); ++i)
    CHECK(std::abs(actual[i] - expected[i]) <= 0.02f + 0.01f * std::abs(expected[i]));
}

TEST_CASE("GPU prefill and decode time falls with density" * doctest::skip(no_cuda_device())) {
  auto backend = make_backend("cuda:0");
  const TimingOptions timing = backend->default_timing();
  KernelCase prefill;
  prefill.op = KernelOp::kPrefillAttention;
  prefill.query_heads = 28;
  prefill.kv_heads = 4;
  prefill.head_dim = 128;
  prefill.seq_tokens = 16384;
  prefill.block_tokens = 64;
  double previous_ns = 0;
  double dense_ns = 0;
  for (double density : {1.0, 0.5, 0.2, 0.1}) {
    prefill.density = density;
    const double ns = backend->measure(prefill, timing).median_ns;
    MESSAGE("prefill 16K density " << density << ": " << ns / 1e6 << " ms");
    if (density == 1.0) {
      dense_ns = ns;
      // 4 * head_dim FLOPs per attended pair over the causal half.
      MESSAGE("prefill 16K dense: " << 4.0 * 128 * 28 * 16384.0 * 16384.0 / 2 / ns / 1e3 << " TFLOP/s");
    } else {
      CHECK(ns < previous_ns);
    }
    previous_ns = ns;
  }
  CHECK(previous_ns < 0.3 * dense_ns);  // density 0.1 well under a third of dense

  KernelCase decode;
  decode.op = KernelOp::kDecodeAttention;
  decode.batch = 8;
  decode.query_heads = 28;
  decode.kv_heads = 4;
  decode.head_dim = 128;
  decode.seq_tokens = 131072;
  decode.block_tokens = 16;
  decode.density = 1.0;
  const double decode_dense_ns = backend->measure(decode, timing).median_ns;
  decode.density = 0.1;
  const double decode_sparse_ns = backend->measure(decode, timing).median_ns;
  const double bytes = 2.0 * 2 * 8 * 4 * 131072.0 * 128;
  MESSAGE("decode 128K x 8 dense: " << bytes / decode_dense_ns << " GB/s");
  CHECK(decode_sparse_ns < 0.3 * decode_dense_ns);
}
TEST_CASE("GPU calibration pipeline on a handful of cases: measure, fit, store, load" *
          doctest::skip(no_cuda_device())) {
  auto backend = make_backend("cuda:0");
  std::vector<KernelCase> cases;
  for (KernelOp op : all_kernel_ops())
    for (std::int64_t length : {1024, 4096, 16384})
      for (double density : {1.0, 0.25, 0.05}) {
        KernelCase kc;
        kc.op = op;
        kc.query_heads = 28;
        kc.kv_heads = 4;
        kc.head_dim = 128;
        kc.seq_tokens = length;
        kc.density = density;
        kc.block_tokens = op == KernelOp::kPrefillAttention ? 64 : 16;
        kc.gemm_m = length / 64;
        kc.gemm_n = 4608;
        kc.gemm_k = static_cast<std::int64_t>(3584 * density) / 64 * 64 + 64;
        cases.push_back(kc);
      }
  CalibrationOptions options;
  options.grid = GridMode::kQuick;
  const Profile profile = calibrate_cases(*backend, cases, options);
  CHECK(profile.device.backend == "cuda");
  CHECK(profile.device.sm_clock_mhz > 0);
  for (const auto& m : profile.measurements) {
    INFO(m.kernel_case.describe());
    CHECK(m.samples.kept > 0);
    CHECK(m.samples.median_ns > 0);
  }
  REQUIRE(profile.fits.size() == static_cast<std::size_t>(kKernelOpCount));
  std::ostringstream report;
  print_fit_report(profile, report);
  print_headline_figures(profile, report);
  MESSAGE(report.str());
}
#endif  // SPARSESIM_HAVE_CUDA
