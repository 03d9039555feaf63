// Arrival processes of the synthetic generator: renewal processes with exponential (Poisson), gamma
// (tunable burstiness) or constant gaps.
#include <cmath>
#include <stdexcept>

#include "workloads/synthetic_draws.h"
#include "workloads/synthetic_generator.h"

namespace sparsesim {

std::vector<TimeNs> generate_arrivals(const ArrivalSpec& spec, std::int64_t count, double duration_s,
                                      std::uint64_t seed) {
  if (!(spec.rate_per_s > 0.0) || !std::isfinite(spec.rate_per_s))
    throw std::invalid_argument("arrival rate must be finite and > 0");
  if (!(spec.cv > 0.0)) throw std::invalid_argument("arrival cv must be > 0");
  std::mt19937_64 generator(seed);
  const double mean_gap_s = 1.0 / spec.rate_per_s;
  const double gamma_shape = 1.0 / (spec.cv * spec.cv);
  const TimeNs duration_ns = static_cast<TimeNs>(std::llround(duration_s * 1e9));
  std::vector<TimeNs> arrivals;
  if (count >= 0) arrivals.reserve(static_cast<std::size_t>(count));
  TimeNs now_ns = 0;
  for (;;) {
    if (count >= 0 ? static_cast<std::int64_t>(arrivals.size()) >= count : now_ns >= duration_ns) break;
    arrivals.push_back(now_ns);
    double gap_s = mean_gap_s;
    switch (spec.process) {
      case ArrivalSpec::Process::poisson:
        gap_s = exponential_draw(generator, mean_gap_s);
        break;
      case ArrivalSpec::Process::gamma:
        gap_s = gamma_draw(generator, gamma_shape, mean_gap_s / gamma_shape);
        break;
      case ArrivalSpec::Process::constant:
        break;
    }
    now_ns += static_cast<TimeNs>(std::llround(gap_s * 1e9));
  }
  return arrivals;
}

}  // namespace sparsesim
