#pragma once
// What the calibration harness measures and how: one KernelCase (an op at one shape) timed by a
// KernelBackend into Samples. Backends: `cpu` (the reference kernels, std::chrono) and `cuda` (the CUDA
// kernels, CUDA events). This header is also included by the CUDA sources, so it stays C++17.
#include <cstdint>
#include <string>
#include <vector>

namespace sparsesim {

// The ops a profile prices. Decode is three ops because its stages are timed separately.
enum class KernelOp { kPrefillAttention, kDecodeScore, kDecodeTopk, kDecodeAttention, kGemm };
constexpr int kKernelOpCount = 5;
const char* kernel_op_name(KernelOp op);  // "prefill_attention", ...
// Throws InputError (naming `where`) for an unknown name.
KernelOp parse_kernel_op(const std::string& name, const std::string& where);
std::vector<KernelOp> all_kernel_ops();

struct KernelCase {
  KernelOp op = KernelOp::kPrefillAttention;
  // Attention shapes (prefill and decode ops).
  int batch = 1;
  int query_heads = 1;
  int kv_heads = 1;
  int head_dim = 128;
  std::int64_t seq_tokens = 0;  // prefill: prompt length; decode: context length per sequence
  double density = 1.0;         // prefill: fraction of causal key blocks; decode: fraction of pages kept
  int block_tokens = 64;        // prefill block size / decode page size in tokens
  // GEMM shape: c[m][n] = a[m][k] * b[k][n].
  std::int64_t gemm_m = 0;
  std::int64_t gemm_n = 0;
  std::int64_t gemm_k = 0;
  std::uint64_t seed = 1;  // inputs and the block layout are drawn from it
  std::string describe() const;
};

// Timing summary of one case, nanoseconds of one kernel execution.
struct Samples {
  double median_ns = 0;
  double p10_ns = 0;
  double p90_ns = 0;
  int kept = 0;            // samples that entered the statistics
  int rejected = 0;        // samples dropped (clock throttled)
  bool converged = false;  // (p90 - p10) / median fell under the target before the time cap
  double relative_spread() const { return median_ns > 0 ? (p90_ns - p10_ns) / median_ns : 0.0; }
};

// Median, p10 and p90 (linear interpolation between order statistics) of the kept samples.
Samples summarize_samples(std::vector<double> samples_ns, int rejected);

struct TimingOptions {
  int warmup_runs = 2;
  int min_samples = 5;
  int max_samples = 100;
  double target_relative_spread = 0.02;  // stop once (p90 - p10) / median is below this
  double time_cap_s = 1.0;               // per case, warm-up included
  double max_clock_drop = 0.10;          // CUDA: reject samples run at a clock this far below the case's best
};

// One measured case.
struct Measurement {
  KernelCase kernel_case;
  Samples samples;
};

// The machine a profile was measured on.
struct DeviceDescription {
  std::string name;
  std::string backend;  // "cpu" or "cuda"
  int device_index = 0;
  int sm_count = 0;  // CUDA SMs; CPU: hardware threads
  std::int64_t memory_bytes = 0;
  std::int64_t l2_bytes = 0;
  int sm_clock_mhz = 0;      // CUDA: measured sustained SM clock at calibration
  int memory_clock_mhz = 0;  // CUDA: from the device attributes (0 when unknown)
  std::string driver_version;
  std::string compute_capability;
};

class KernelBackend {
 public:
  virtual ~KernelBackend() = default;
  virtual DeviceDescription describe() const = 0;
  // Times one case: warm-up, then samples until the spread target or the time cap (options).
  virtual Samples measure(const KernelCase& kernel_case, const TimingOptions& options) = 0;
  virtual TimingOptions default_timing() const = 0;
};

}  // namespace sparsesim
