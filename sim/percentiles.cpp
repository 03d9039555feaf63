#include "sim/percentiles.h"

#include <algorithm>
#include <cmath>

namespace sparsesim {

double percentile_in_place(std::vector<double>& values, double q) {
  if (values.empty()) return 0.0;
  std::sort(values.begin(), values.end());
  const double rank = q * static_cast<double>(values.size() - 1);
  const auto lower = static_cast<std::size_t>(std::floor(rank));
  const auto upper = std::min(lower + 1, values.size() - 1);
  const double fraction = rank - static_cast<double>(lower);
  return values[lower] + fraction * (values[upper] - values[lower]);
}

}  // namespace sparsesim
