#pragma once
// Fitting measured kernel times to each op's cost form (fit_features.h) by non-negative least squares
// with relative (1/time) weights, and validating the fit on held-out and extrapolation slices.
#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include <Eigen/Dense>

#include "calibration/fit_features.h"
#include "calibration/measurement.h"

namespace sparsesim {

// Lawson-Hanson active-set NNLS: argmin ||a x - b||_2 subject to x >= 0.
Eigen::VectorXd solve_nnls(const Eigen::MatrixXd& a, const Eigen::VectorXd& b);

// Relative error |predicted - measured| / measured over one slice of an op's points.
struct FitError {
  std::string slice;  // "in_sample", "holdout", "extrapolate_length", "extrapolate_sparsity"
  int train_points = 0;
  int test_points = 0;
  double median_relative_error = 0;
  double p95_relative_error = 0;
};

struct OpFit {
  KernelOp op = KernelOp::kGemm;
  std::array<double, kCostTerms> coefficients{};  // fitted on all of the op's points
  int points = 0;
  std::vector<FitError> errors;
  const FitError* error(const std::string& slice) const;
};

// Weighted NNLS of one op's cost form over `points` (all of one op). Minimises the sum of squared relative
// errors; columns are scaled to unit norm first because FLOP and byte counts span many decades.
std::array<double, kCostTerms> fit_cost_form(const std::vector<Measurement>& points);

// Fits every op present and validates it:
//   holdout               a seeded random 20% of the points, fitted on the other 80%
//   extrapolate_length    attention ops: fit on lengths <= half the largest, test on the largest
//   extrapolate_sparsity  attention ops: fit on density >= 0.1 (sparsity <= 0.9), test on density < 0.1
//   in_sample             the final all-points fit on its own points
// Slices without points on both sides are omitted.
std::vector<OpFit> fit_measurements(const std::vector<Measurement>& measurements, std::uint64_t seed);

}  // namespace sparsesim
