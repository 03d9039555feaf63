#include "calibration/fit.h"

#include <algorithm>
#include <cmath>
#include <random>

namespace sparsesim {

Eigen::VectorXd solve_nnls(const Eigen::MatrixXd& a, const Eigen::VectorXd& b) {
  const Eigen::Index n = a.cols();
  Eigen::VectorXd x = Eigen::VectorXd::Zero(n);
  std::vector<bool> passive(n, false);
  const double tolerance = 1e-12 * std::max(1.0, a.norm() * b.norm());
  auto solve_passive = [&](Eigen::VectorXd& z) {
    std::vector<Eigen::Index> columns;
    for (Eigen::Index j = 0; j < n; ++j)
      if (passive[j]) columns.push_back(j);
    Eigen::MatrixXd sub(a.rows(), static_cast<Eigen::Index>(columns.size()));
    for (std::size_t c = 0; c < columns.size(); ++c)
      sub.col(static_cast<Eigen::Index>(c)) = a.col(columns[c]);
    const Eigen::VectorXd solved = sub.completeOrthogonalDecomposition().solve(b);
    z = Eigen::VectorXd::Zero(n);
    for (std::size_t c = 0; c < columns.size(); ++c) z[columns[c]] = solved[static_cast<Eigen::Index>(c)];
  };
  for (int outer = 0; outer < 3 * n + 10; ++outer) {
    const Eigen::VectorXd gradient = a.transpose() * (b - a * x);
    Eigen::Index best = -1;
    for (Eigen::Index j = 0; j < n; ++j)
      if (!passive[j] && gradient[j] > tolerance && (best < 0 || gradient[j] > gradient[best])) best = j;
    if (best < 0) break;  // Kuhn-Tucker conditions hold
    passive[best] = true;
    Eigen::VectorXd z;
    bool feasible = false;
    for (int inner = 0; inner < 3 * n + 10 && !feasible; ++inner) {
      solve_passive(z);
      feasible = true;
      for (Eigen::Index j = 0; j < n; ++j)
        if (passive[j] && z[j] <= 0) feasible = false;
      if (feasible) break;
      // Step from x toward z as far as feasibility allows, then drop the coefficients that hit zero.
      double alpha = 1.0;
      for (Eigen::Index j = 0; j < n; ++j)
        if (passive[j] && z[j] <= 0) alpha = std::min(alpha, x[j] / (x[j] - z[j]));
      x += alpha * (z - x);
      for (Eigen::Index j = 0; j < n; ++j)
        if (passive[j] && x[j] <= tolerance) {
          passive[j] = false;
          x[j] = 0;
        }
    }
    if (!feasible) break;  // degenerate problem: keep the last feasible x
    x = z;
  }
  return x;
}

const FitError* OpFit::error(const std::string& slice) const {
  for (const auto& e : errors)
    if (e.slice == slice) return &e;
  return nullptr;
}

std::array<double, kCostTerms> fit_cost_form(const std::vector<Measurement>& points) {
  std::array<double, kCostTerms> coefficients{};
  if (points.empty()) return coefficients;
  const auto rows = static_cast<Eigen::Index>(points.size());
  Eigen::MatrixXd design(rows, kCostTerms);
  Eigen::VectorXd target(rows);
  for (Eigen::Index r = 0; r < rows; ++r) {
    const auto& point = points[static_cast<std::size_t>(r)];
    const CostFeatures features = case_features(point.kernel_case);
    const double weight = 1.0 / point.samples.median_ns;  // relative error: (pred - t) / t
    for (int c = 0; c < kCostTerms; ++c) design(r, c) = features[c] * weight;
    target[r] = 1.0;
  }
  Eigen::VectorXd column_scale(kCostTerms);
  for (int c = 0; c < kCostTerms; ++c) {
    const double norm = design.col(c).norm();
    column_scale[c] = norm > 0 ? 1.0 / norm : 0.0;
    design.col(c) *= column_scale[c];
  }
  const Eigen::VectorXd solution = solve_nnls(design, target);
  for (int c = 0; c < kCostTerms; ++c) coefficients[c] = solution[c] * column_scale[c];
  return coefficients;
}

namespace {

double quantile(std::vector<double> values, double q) {
  if (values.empty()) return 0;
  std::sort(values.begin(), values.end());
  const double position = q * static_cast<double>(values.size() - 1);
  const auto below = static_cast<std::size_t>(std::floor(position));
  const std::size_t above = std::min(below + 1, values.size() - 1);
  return values[below] + (position - static_cast<double>(below)) * (values[above] - values[below]);
}

FitError evaluate(const std::string& slice, const std::vector<Measurement>& train,
                  const std::vector<Measurement>& test) {
  const auto coefficients = fit_cost_form(train);
  std::vector<double> errors;
  for (const auto& point : test) {
    const double predicted = predict_ns(coefficients, case_features(point.kernel_case));
    errors.push_back(std::abs(predicted - point.samples.median_ns) / point.samples.median_ns);
  }
  FitError error;
  error.slice = slice;
  error.train_points = static_cast<int>(train.size());
  error.test_points = static_cast<int>(test.size());
  error.median_relative_error = quantile(errors, 0.5);
  error.p95_relative_error = quantile(errors, 0.95);
  return error;
}

bool is_attention(KernelOp op) {
  return op != KernelOp::kGemm;
}

}  // namespace

std::vector<OpFit> fit_measurements(const std::vector<Measurement>& measurements, std::uint64_t seed) {
  std::vector<OpFit> fits;
  for (KernelOp op : all_kernel_ops()) {
    std::vector<Measurement> points;
    for (const auto& m : measurements)
      if (m.kernel_case.op == op && m.samples.median_ns > 0) points.push_back(m);
    if (points.empty()) continue;
    OpFit fit;
    fit.op = op;
    fit.points = static_cast<int>(points.size());
    fit.coefficients = fit_cost_form(points);
    fit.errors.push_back(evaluate("in_sample", points, points));

    // Held-out 20%: a seeded shuffle of the point order (raw mt19937_64 bits, portable).
    if (points.size() >= 5) {
      std::vector<Measurement> shuffled = points;
      std::mt19937_64 rng(seed + static_cast<std::uint64_t>(op) * 101);
      for (std::size_t i = shuffled.size(); i > 1; --i) std::swap(shuffled[i - 1], shuffled[rng() % i]);
      const std::size_t test_count = std::max<std::size_t>(1, shuffled.size() / 5);
      const std::vector<Measurement> test(shuffled.begin(),
                                          shuffled.begin() + static_cast<std::ptrdiff_t>(test_count));
      const std::vector<Measurement> train(shuffled.begin() + static_cast<std::ptrdiff_t>(test_count),
                                           shuffled.end());
      fit.errors.push_back(evaluate("holdout", train, test));
    }
    if (is_attention(op)) {
      std::int64_t longest = 0;
      for (const auto& p : points) longest = std::max(longest, p.kernel_case.seq_tokens);
      std::vector<Measurement> train, test;
      for (const auto& p : points) {
        if (p.kernel_case.seq_tokens == longest) test.push_back(p);
        if (2 * p.kernel_case.seq_tokens <= longest) train.push_back(p);
      }
      if (!train.empty() && !test.empty()) fit.errors.push_back(evaluate("extrapolate_length", train, test));
      train.clear();
      test.clear();
      for (const auto& p : points) (p.kernel_case.density < 0.1 - 1e-9 ? test : train).push_back(p);
      if (!train.empty() && !test.empty())
        fit.errors.push_back(evaluate("extrapolate_sparsity", train, test));
    }
    fits.push_back(fit);
  }
  return fits;
}

}  // namespace sparsesim
