// The CUDA measurement backend: the kernels of calibration/kernels/*.cu timed with CUDA events. The
// timing loop is the shared one (measurement_timing.cpp); this file adds the clock check: after every
// sample the SM clock is probed, and a sample taken while the clock sat more than max_clock_drop below
// the best clock seen in the same case (throttling mid-case) is rejected.
//
// Built only into the CUDA plugin (see cuda_plugin_abi.h), never into sparsesim_calibration: the folder
// glob excludes calibration/cuda_plugin/. Compiled with hidden visibility, so only the extern "C" entry
// points below are exported and the plugin's own copies of the kernels never interpose on anything.
#include <algorithm>
#include <type_traits>
#include <vector>

#include "calibration/cuda_plugin/cuda_plugin_abi.h"
#include "calibration/kernels/cuda_kernels.h"
#include "calibration/kernels/reference_kernels.h"
#include "calibration/measurement_backends.h"

namespace sparsesim {
namespace {

class CudaBackend final : public KernelBackend {
 public:
  explicit CudaBackend(int device) : device_(device), description_(cuda::describe_device(device)) {}

  DeviceDescription describe() const override {
    DeviceDescription description = description_;
    if (!clocks_mhz_.empty()) {
      std::vector<double> sorted = clocks_mhz_;
      std::sort(sorted.begin(), sorted.end());
      description.sm_clock_mhz = static_cast<int>(sorted[sorted.size() / 2]);  // measured, not rated
    }
    return description;
  }

  TimingOptions default_timing() const override {
    TimingOptions options;
    options.warmup_runs = 3;
    options.min_samples = 5;
    options.max_samples = 50;
    options.time_cap_s = 2.0;
    return options;
  }

  Samples measure(const KernelCase& kernel_case, const TimingOptions& options) override {
    kernels::BlockSparseLayout layout;
    if (kernel_case.op == KernelOp::kPrefillAttention)
      layout = kernels::make_causal_block_layout(
          static_cast<int>(kernel_case.seq_tokens / kernel_case.block_tokens), kernel_case.density,
          kernel_case.seed + 3);
    const auto prepared = cuda::prepare_case(device_, kernel_case, &layout);
    // The reference is the best clock within this case (warm-up included): a sustained, power-limited
    // clock under a heavy kernel is the clock that kernel really runs at, while a dip within the case
    // (thermal throttling, another process) is what gets rejected.
    double best_clock_mhz = 0;
    return run_timing_loop(options, [&] {
      const double sample_ns = prepared->time_once_ns();
      const double clock_mhz = cuda::measure_sm_clock_mhz(device_);
      best_clock_mhz = std::max(best_clock_mhz, clock_mhz);
      clocks_mhz_.push_back(clock_mhz);
      if (clock_mhz < (1.0 - options.max_clock_drop) * best_clock_mhz) return -1.0;  // throttled: reject
      return sample_ns;
    });
  }

 private:
  int device_;
  DeviceDescription description_;
  std::vector<double> clocks_mhz_;
};

}  // namespace
}  // namespace sparsesim

#define SPARSESIM_PLUGIN_EXPORT __attribute__((visibility("default")))

extern "C" SPARSESIM_PLUGIN_EXPORT int sparsesim_cuda_plugin_abi_version() {
  return SPARSESIM_CUDA_PLUGIN_ABI_VERSION;
}

extern "C" SPARSESIM_PLUGIN_EXPORT int sparsesim_cuda_device_count() {
  return sparsesim::cuda::device_count();
}

extern "C" SPARSESIM_PLUGIN_EXPORT sparsesim::KernelBackend* sparsesim_make_cuda_backend(int device) {
  return new sparsesim::CudaBackend(device);
}

// The factory calls these through pointers of the ABI header's types: a signature drift is a build error.
static_assert(
    std::is_same_v<decltype(sparsesim_cuda_plugin_abi_version), sparsesim_cuda_plugin_abi_version_fn>);
static_assert(std::is_same_v<decltype(sparsesim_cuda_device_count), sparsesim_cuda_device_count_fn>);
static_assert(std::is_same_v<decltype(sparsesim_make_cuda_backend), sparsesim_make_cuda_backend_fn>);
