#include <chrono>
#include <vector>

#include "calibration/measurement_backends.h"

namespace sparsesim {

Samples run_timing_loop(const TimingOptions& options, const std::function<double()>& time_one_ns) {
  using Clock = std::chrono::steady_clock;
  const auto start = Clock::now();
  auto elapsed_s = [&] { return std::chrono::duration<double>(Clock::now() - start).count(); };
  for (int i = 0; i < options.warmup_runs; ++i) time_one_ns();
  std::vector<double> kept;
  int rejected = 0;
  Samples summary;
  // The rejection budget stops a loop that would otherwise spin on a permanently throttled device.
  while (static_cast<int>(kept.size()) < options.max_samples && rejected < 4 * options.max_samples) {
    const double sample_ns = time_one_ns();
    if (sample_ns < 0) {
      ++rejected;
    } else {
      kept.push_back(sample_ns);
    }
    if (static_cast<int>(kept.size()) >= options.min_samples) {
      summary = summarize_samples(kept, rejected);
      if (summary.relative_spread() < options.target_relative_spread) {
        summary.converged = true;
        return summary;
      }
    }
    // At the cap, stop even with nothing kept: the summary then has kept == 0 and median 0, the fit skips
    // it, and the profile records how many samples were rejected.
    if (elapsed_s() > options.time_cap_s) break;
  }
  return summarize_samples(kept, rejected);
}

}  // namespace sparsesim
