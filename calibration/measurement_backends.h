#pragma once
// Construction of the measurement backends and the timing loop they share.
#include <chrono>
#include <functional>
#include <memory>
#include <string>

#include "calibration/measurement.h"

namespace sparsesim {

// The CPU backend: times the reference kernels with std::chrono::steady_clock.
std::unique_ptr<KernelBackend> make_cpu_backend();

// "cpu", "cuda" (device 0) or "cuda:N". Throws InputError naming the device string when it is malformed,
// when this build has no CUDA, or when no CUDA device N is present.
std::unique_ptr<KernelBackend> make_backend(const std::string& device);

// Whether this build compiled the CUDA kernels (nvcc found at configure time).
bool cuda_backend_compiled();

// Runs `warmup_runs` untimed, then takes samples from `time_one_ns` (which returns one sample's duration
// in ns, or a negative value for a rejected sample) until min_samples are kept and the relative spread is
// under target, or until max_samples or the time cap (checked after each sample, so at least one sample
// is attempted; if every sample was rejected the result has kept == 0 and median_ns == 0).
Samples run_timing_loop(const TimingOptions& options, const std::function<double()>& time_one_ns);

}  // namespace sparsesim
