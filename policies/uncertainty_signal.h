#pragma once
// The decode-time uncertainty score, binormal model: score = separation * failed + z, where `failed` says
// whether the request fails at the budget in force (failure_draw > expected quality at that budget) and z is
// the request's standard normal uncertainty_noise. For such a score the AUROC of separating failing from
// passing requests is Phi(separation / sqrt(2)), so separation = sqrt(2) * Phi^-1(auroc).
#include "workloads/request.h"

namespace sparsesim {

// Separation (d') for an AUROC in [0.5, 1); throws std::invalid_argument outside it.
double separation_for_auroc(double auroc);

// Whether the request fails when its expected quality is `expected_quality` (see workloads/request_traits.h).
inline bool fails_at(const Request& request, double expected_quality) {
  return request.traits.failure_draw > expected_quality;
}

inline double uncertainty_score(const Request& request, double expected_quality, double separation) {
  return separation * (fails_at(request, expected_quality) ? 1.0 : 0.0) + request.traits.uncertainty_noise;
}

}  // namespace sparsesim
