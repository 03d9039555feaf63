// NNLS and the cost-form fit: known answers, non-negativity, recovery of planted coefficients.
#include <doctest/doctest.h>

#include <cmath>
#include <random>

#include "calibration/fit.h"
#include "calibration/measurement_grid.h"

using namespace sparsesim;

TEST_CASE("NNLS equals least squares when the unconstrained solution is positive") {
  Eigen::MatrixXd a(4, 2);
  a << 1, 0, 0, 1, 1, 1, 2, 1;
  const Eigen::VectorXd truth = (Eigen::VectorXd(2) << 2.0, 3.0).finished();
  const Eigen::VectorXd x = solve_nnls(a, a * truth);
  CHECK(x[0] == doctest::Approx(2.0));
  CHECK(x[1] == doctest::Approx(3.0));
}

TEST_CASE("NNLS clamps a coefficient that least squares would make negative") {
  // b = 1*col0 - 1*col1: the best non-negative fit drops col1 and refits col0.
  Eigen::MatrixXd a(3, 2);
  a << 1, 0, 1, 1, 1, 2;
  const Eigen::VectorXd b = (Eigen::VectorXd(3) << 1.0, 0.0, -1.0).finished();
  const Eigen::VectorXd x = solve_nnls(a, b);
  CHECK(x[1] == 0.0);
  CHECK(x[0] == doctest::Approx(0.0).epsilon(1e-9));  // mean of b is 0
  const Eigen::VectorXd c = (Eigen::VectorXd(3) << 3.0, 2.0, 1.0).finished();
  const Eigen::VectorXd y = solve_nnls(a, c);
  CHECK(y[1] == 0.0);
  CHECK(y[0] == doctest::Approx(2.0));
  CHECK((y.array() >= 0).all());
}

namespace {
// H100-like planted costs: launch floors of microseconds, FLOP and byte terms near peak rates.
const std::array<double, kCostTerms> kPlanted[kKernelOpCount] = {
    {5000.0, 1.0 / 400e3, 1.0 / 3000.0},   // prefill: 5 us, 400 TFLOP/s, 3 TB/s
    {3000.0, 1.0 / 2500.0, 1.0 / 50e3},    // decode score
    {4000.0, 0.02, 0.05},                  // top-k
    {3000.0, 1.0 / 2800.0, 1.0 / 200e3},   // decode attention
    {6000.0, 1.0 / 700e3, 1.0 / 2800.0}};  // gemm

// The quick grid's cases timed by the planted cost forms, times (1 + uniform noise in +-noise).
std::vector<Measurement> synthetic_measurements(double noise) {
  const auto grid = make_calibration_grid(GridMode::kQuick, ModelConfig{}, 7);
  std::mt19937_64 rng(3);
  std::vector<Measurement> measurements;
  for (const auto& kc : grid) {
    Measurement m;
    m.kernel_case = kc;
    const double unit = static_cast<double>(rng() >> 11) * 0x1.0p-53;
    m.samples.median_ns =
        predict_ns(kPlanted[static_cast<int>(kc.op)], case_features(kc)) * (1.0 + noise * (2.0 * unit - 1.0));
    measurements.push_back(m);
  }
  return measurements;
}

double relative_difference(double fitted, double truth) {
  return std::abs(fitted - truth) / truth;
}
}  // namespace

TEST_CASE(
    "the fit recovers planted coefficients exactly from noise-free measurements (every term identifiable)") {
  const auto fits = fit_measurements(synthetic_measurements(0.0), 11);
  REQUIRE(fits.size() == static_cast<std::size_t>(kKernelOpCount));
  for (const auto& fit : fits)
    for (int c = 0; c < kCostTerms; ++c) {
      INFO(kernel_op_name(fit.op), " term ", cost_term_names(fit.op)[c]);
      CHECK(relative_difference(fit.coefficients[c], kPlanted[static_cast<int>(fit.op)][c]) < 1e-6);
    }
}

TEST_CASE(
    "the fit recovers planted coefficients from noisy measurements and reports errors at the noise level") {
  const auto fits = fit_measurements(synthetic_measurements(0.02), 11);
  REQUIRE(fits.size() == static_cast<std::size_t>(kKernelOpCount));
  for (const auto& fit : fits) {
    INFO(kernel_op_name(fit.op));
    for (int c = 0; c < kCostTerms; ++c)
      CHECK(relative_difference(fit.coefficients[c], kPlanted[static_cast<int>(fit.op)][c]) < 0.10);
    for (const char* slice : {"in_sample", "holdout", "extrapolate_length", "extrapolate_sparsity"}) {
      INFO(slice);
      const FitError* error = fit.error(slice);
      if (fit.op == KernelOp::kGemm && std::string(slice).rfind("extrapolate", 0) == 0) {
        CHECK(error == nullptr);
        continue;
      }
      REQUIRE(error != nullptr);
      CHECK(error->test_points > 0);
      CHECK(error->median_relative_error < 0.02);
      CHECK(error->p95_relative_error < 0.04);
    }
  }
}

TEST_CASE("an op whose points follow no linear form reports a large error instead of hiding it") {
  std::vector<Measurement> measurements;
  const auto grid = make_calibration_grid(GridMode::kTiny, ModelConfig{}, 1);
  for (const auto& kc : grid) {
    if (kc.op != KernelOp::kGemm) continue;
    Measurement m;
    m.kernel_case = kc;
    m.samples.median_ns = 1e3 / static_cast<double>(kc.gemm_m);  // faster as it grows: unfittable
    measurements.push_back(m);
  }
  const auto fits = fit_measurements(measurements, 1);
  REQUIRE(fits.size() == 1u);
  CHECK(fits[0].error("in_sample")->p95_relative_error > 0.5);
  for (double c : fits[0].coefficients) CHECK(c >= 0.0);
}
