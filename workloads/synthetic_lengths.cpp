// Length distributions of the synthetic generator.
#include <algorithm>
#include <cmath>

#include "workloads/synthetic_draws.h"
#include "workloads/synthetic_generator.h"

namespace sparsesim {

std::int32_t draw_length(const LengthSpec& spec, std::mt19937_64& generator) {
  double tokens = spec.value;
  switch (spec.dist) {
    case LengthSpec::Dist::fixed:
      break;
    case LengthSpec::Dist::lognormal:
      tokens = lognormal_draw(generator, spec.median, spec.sigma);
      break;
    case LengthSpec::Dist::uniform: {
      const auto span = static_cast<std::uint64_t>(static_cast<std::int64_t>(spec.max) - spec.min + 1);
      return static_cast<std::int32_t>(spec.min + static_cast<std::int64_t>(uniform_index(generator, span)));
    }
    case LengthSpec::Dist::empirical:
      tokens = spec.empirical_values[uniform_index(generator, spec.empirical_values.size())];
      break;
  }
  const double clamped =
      std::clamp(std::round(tokens), static_cast<double>(spec.min), static_cast<double>(spec.max));
  return static_cast<std::int32_t>(clamped);
}

}  // namespace sparsesim
