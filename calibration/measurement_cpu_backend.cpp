// The CPU measurement backend: the reference kernels timed with steady_clock. It makes the whole
// calibration pipeline runnable (and testable in CI) without a GPU; its numbers describe this CPU only.
#include <chrono>
#include <cmath>
#include <fstream>
#include <functional>
#include <stdexcept>
#include <thread>

#include "calibration/fit_features.h"
#include "calibration/kernel_case_shapes.h"
#include "calibration/kernels/reference_kernels.h"
#include "calibration/measurement_backends.h"
#include "core/input_error.h"

namespace sparsesim {
namespace {

using namespace kernels;

std::string cpu_model_name() {
  std::ifstream cpuinfo("/proc/cpuinfo");
  std::string line;
  while (std::getline(cpuinfo, line))
    if (line.rfind("model name", 0) == 0) {
      const auto colon = line.find(':');
      if (colon != std::string::npos && colon + 2 <= line.size()) return line.substr(colon + 2);
    }
  return "unknown CPU";
}

// Builds the inputs of a case and returns the closure that runs its kernel once.
std::function<void()> prepare(const KernelCase& kc) {
  switch (kc.op) {
    case KernelOp::kPrefillAttention: {
      AttentionShape shape;
      shape.batch = kc.batch;
      shape.query_heads = kc.query_heads;
      shape.kv_heads = kc.kv_heads;
      shape.head_dim = kc.head_dim;
      shape.seq_tokens = static_cast<int>(kc.seq_tokens);
      shape.block_tokens = kc.block_tokens;
      auto q = std::make_shared<std::vector<float>>(static_cast<std::size_t>(kc.batch) * kc.query_heads *
                                                    kc.seq_tokens * kc.head_dim);
      auto k = std::make_shared<std::vector<float>>(static_cast<std::size_t>(kc.batch) * kc.kv_heads *
                                                    kc.seq_tokens * kc.head_dim);
      auto v = std::make_shared<std::vector<float>>(k->size());
      fill_uniform(*q, kc.seed, -1, 1, true);
      fill_uniform(*k, kc.seed + 1, -1, 1, true);
      fill_uniform(*v, kc.seed + 2, -1, 1, true);
      auto layout = std::make_shared<BlockSparseLayout>(
          make_causal_block_layout(shape.query_blocks(), kc.density, kc.seed + 3));
      auto out = std::make_shared<std::vector<float>>();
      return [=] { prefill_attention_reference(shape, *layout, *q, *k, *v, *out); };
    }
    case KernelOp::kDecodeScore:
    case KernelOp::kDecodeTopk:
    case KernelOp::kDecodeAttention: {
      const DecodeShape shape = decode_shape_of(kc);
      auto cache = std::make_shared<PagedKvCache>(make_paged_kv_cache(shape, kc.seed, true));
      auto q = std::make_shared<std::vector<float>>(static_cast<std::size_t>(kc.batch) * kc.query_heads *
                                                    kc.head_dim);
      fill_uniform(*q, kc.seed + 5, -1, 1, true);
      // Metadata is maintained incrementally as tokens are appended, so it is not part of any stage.
      auto metadata = std::make_shared<PageMetadata>(compute_page_metadata(*cache));
      auto scores = std::make_shared<std::vector<float>>();
      score_pages_reference(*cache, *metadata, *q, *scores);
      const int top_k = static_cast<int>(decode_selected_pages(shape.pages_per_sequence(), kc.density));
      auto selected = std::make_shared<std::vector<int>>();
      select_top_k_pages_reference(shape, *scores, top_k, *selected);
      auto out = std::make_shared<std::vector<float>>();
      if (kc.op == KernelOp::kDecodeScore)
        return [=] { score_pages_reference(*cache, *metadata, *q, *scores); };
      if (kc.op == KernelOp::kDecodeTopk)
        return [=] { select_top_k_pages_reference(shape, *scores, top_k, *selected); };
      return [=] { paged_decode_attention_reference(*cache, *q, *selected, top_k, *out); };
    }
    case KernelOp::kGemm: {
      const int m = static_cast<int>(kc.gemm_m), n = static_cast<int>(kc.gemm_n),
                k = static_cast<int>(kc.gemm_k);
      auto a = std::make_shared<std::vector<float>>(static_cast<std::size_t>(m) * k);
      auto b = std::make_shared<std::vector<float>>(static_cast<std::size_t>(k) * n);
      fill_uniform(*a, kc.seed, -1, 1, true);
      fill_uniform(*b, kc.seed + 1, -1, 1, true);
      auto c = std::make_shared<std::vector<float>>();
      return [=] { gemm_reference(m, n, k, *a, *b, *c); };
    }
  }
  throw std::logic_error("cpu backend: unknown op");
}

class CpuBackend final : public KernelBackend {
 public:
  DeviceDescription describe() const override {
    DeviceDescription device;
    device.name = cpu_model_name();
    device.backend = "cpu";
    device.sm_count = static_cast<int>(std::thread::hardware_concurrency());
    device.driver_version = "reference kernels, single thread";
    return device;
  }

  TimingOptions default_timing() const override {
    TimingOptions options;
    options.warmup_runs = 1;
    options.min_samples = 3;
    options.max_samples = 15;
    options.time_cap_s = 0.05;  // the CPU grid is a smoke-scale grid: seconds in all
    return options;
  }

  Samples measure(const KernelCase& kernel_case, const TimingOptions& options) override {
    const std::function<void()> run = prepare(kernel_case);
    return run_timing_loop(options, [&] {
      const auto start = std::chrono::steady_clock::now();
      run();
      return std::chrono::duration<double, std::nano>(std::chrono::steady_clock::now() - start).count();
    });
  }
};

}  // namespace

std::unique_ptr<KernelBackend> make_cpu_backend() {
  return std::make_unique<CpuBackend>();
}

}  // namespace sparsesim
