#include "calibration/calibrate.h"

#include <cstdio>
#include <ostream>

#include "calibration/fit.h"

namespace sparsesim {

const char* grid_mode_name(GridMode mode) {
  switch (mode) {
    case GridMode::kTiny:
      return "tiny";
    case GridMode::kQuick:
      return "quick";
    case GridMode::kFull:
      return "full";
  }
  return "?";
}

Profile calibrate_cases(KernelBackend& backend, const std::vector<KernelCase>& cases,
                        const CalibrationOptions& options) {
  Profile profile;
  profile.grid = grid_mode_name(options.grid);
  profile.model = options.model_name;
  profile.seed = options.seed;
  const TimingOptions timing = options.override_timing ? options.timing : backend.default_timing();
  std::size_t index = 0;
  for (const auto& kernel_case : cases) {
    Measurement m;
    m.kernel_case = kernel_case;
    m.samples = backend.measure(kernel_case, timing);
    ++index;
    if (options.progress) {
      char line[96];
      std::snprintf(line, sizeof line, "[%zu/%zu] %12.1f us  spread %5.1f%%%s  ", index, cases.size(),
                    m.samples.median_ns / 1e3, 100 * m.samples.relative_spread(),
                    m.samples.converged ? "" : " (cap)");
      *options.progress << line << kernel_case.describe();
      if (m.samples.rejected > 0)
        *options.progress << "  (" << m.samples.rejected << " samples rejected: clock)";
      if (m.samples.kept == 0) *options.progress << "  NO SAMPLE KEPT: not fitted";
      *options.progress << "\n" << std::flush;
    }
    profile.measurements.push_back(m);
  }
  profile.device = backend.describe();  // after measuring: the CUDA backend reports the measured SM clock
  profile.fits = fit_measurements(profile.measurements, options.seed);
  return profile;
}

Profile run_calibration(KernelBackend& backend, const CalibrationOptions& options) {
  return calibrate_cases(backend, make_calibration_grid(options.grid, options.model, options.seed), options);
}

void print_fit_report(const Profile& profile, std::ostream& out) {
  out << "device: " << profile.device.name << " (" << profile.device.backend << "), grid " << profile.grid
      << ", " << profile.measurements.size() << " measurements\n";
  out << "relative error |predicted - measured| / measured, median / p95 (train -> test points):\n";
  char line[512];
  std::snprintf(line, sizeof line, "  %-18s %6s  %-22s %-22s %-22s %-22s\n", "op", "points", "in-sample",
                "holdout 20%", "extrapolate length", "extrapolate sparsity");
  out << line;
  for (const auto& fit : profile.fits) {
    char cells[4][64];
    const char* slices[4] = {"in_sample", "holdout", "extrapolate_length", "extrapolate_sparsity"};
    for (int s = 0; s < 4; ++s) {
      const FitError* e = fit.error(slices[s]);
      if (!e) {
        std::snprintf(cells[s], sizeof cells[s], "-");
        continue;
      }
      std::snprintf(cells[s], sizeof cells[s], "%5.1f%% / %5.1f%% (%d)", 100 * e->median_relative_error,
                    100 * e->p95_relative_error, e->test_points);
    }
    std::snprintf(line, sizeof line, "  %-18s %6d  %-22s %-22s %-22s %-22s\n", kernel_op_name(fit.op),
                  fit.points, cells[0], cells[1], cells[2], cells[3]);
    out << line;
  }
  out << "fitted cost forms (time = launch + work / rate):\n";
  for (const auto& fit : profile.fits) {
    out << "  " << kernel_op_name(fit.op) << ": launch " << fit.coefficients[0] / 1e3 << " us";
    for (int term = 1; term < kCostTerms; ++term) {
      const std::string name = cost_term_names(fit.op)[term];
      const double c = fit.coefficients[term];
      char text[96];
      if (c <= 0)
        std::snprintf(text, sizeof text, ", %s 0 (term not needed)", name.c_str());
      else if (name == "ns_per_flop")
        std::snprintf(text, sizeof text, ", %.3g TFLOP/s", 1e-3 / c);
      else if (name == "ns_per_byte")
        std::snprintf(text, sizeof text, ", %.3g GB/s", 1.0 / c);
      else
        std::snprintf(text, sizeof text, ", %s %.3g", name.c_str(), c);
      out << text;
    }
    out << "\n";
  }
}

}  // namespace sparsesim
