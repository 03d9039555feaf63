#include "sim/percentiles.h"

#include <algorithm>
#include <cmath>

namespace sparsesim {

// Selection instead of a sort: nth_element puts the lower rank's value in place with everything above it
// after it, so the upper rank's value is the smallest of those. The same values as sorting, in O(n).
double percentile_in_place(std::vector<double>& values, double q) {
  if (values.empty()) return 0.0;
  const double rank = q * static_cast<double>(values.size() - 1);
  const auto lower = static_cast<std::size_t>(std::floor(rank));
  const double fraction = rank - static_cast<double>(lower);
  const auto lower_at = values.begin() + static_cast<std::ptrdiff_t>(lower);
  std::nth_element(values.begin(), lower_at, values.end());
  const double lower_value = *lower_at;
  const double upper_value =
      lower + 1 < values.size() ? *std::min_element(lower_at + 1, values.end()) : lower_value;
  return lower_value + fraction * (upper_value - lower_value);
}

}  // namespace sparsesim
