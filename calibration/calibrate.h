#pragma once
// The calibration pipeline: measure a grid of kernel cases on a backend, fit each op's cost form,
// validate, and assemble a Profile (profile_store.h) ready to be written.
#include <cstdint>
#include <iosfwd>
#include <string>
#include <vector>

#include "calibration/measurement.h"
#include "calibration/measurement_grid.h"
#include "calibration/profile_store.h"
#include "core/hardware.h"

namespace sparsesim {

struct CalibrationOptions {
  GridMode grid = GridMode::kTiny;
  std::string model_name;  // recorded in the profile; "" = default shapes
  ModelConfig model;       // attention and linear shapes of the grid (zeros: Qwen2.5-7B's)
  std::uint64_t seed = 1;
  bool override_timing = false;  // use `timing` instead of the backend's defaults
  TimingOptions timing;
  std::ostream* progress = nullptr;  // one line per case when set
};

const char* grid_mode_name(GridMode mode);

// Measures every case of the grid (in its shuffled order), fits and validates. Cases whose measurement
// failed (median 0) are kept in the profile but not fitted.
Profile run_calibration(KernelBackend& backend, const CalibrationOptions& options);

// Measures and fits an explicit list of cases (tests use small lists).
Profile calibrate_cases(KernelBackend& backend, const std::vector<KernelCase>& cases,
                        const CalibrationOptions& options);

// The per-op table `sparsesim calibrate` prints: median and p95 relative error per validation slice, then
// the fitted coefficients in readable units (launch floor in us, throughput terms as TFLOP/s and GB/s).
void print_fit_report(const Profile& profile, std::ostream& out);

// The figures a GPU calibration is judged by, from the measurements themselves (not the fit):
//   prefill  TFLOP/s at density 1 (causal FLOPs 4 x head_dim x heads x L^2 / 2 over the median time) at the
//            largest head dim and the length closest to 16K with batch 1, and measured time over ideal
//            linear scaling, t(d) / (d x t(1)), at densities 0.5, 0.2 and 0.1 where measured;
//   decode   attention GB/s (K and V bytes of the selected tokens over the median time) at density 1 for the
//            largest batch, at 32K and 128K (or the longest measured length).
void print_headline_figures(const Profile& profile, std::ostream& out);

}  // namespace sparsesim
