#pragma once
// Sub-linear kept-token rule shared by length_scaled and difficulty_aware: a prompt of L tokens keeps
//   k_prefill = scale * c * L^alpha,   k_decode = scale * c * decode_c_ratio * L^alpha
// tokens, clamped to [min_kept_tokens, L] and turned into a Budget by policies/budget_shapes.h (prefill
// rounded up to 64-token blocks; k >= L is dense). The Sparse Frontier's budgets that keep relative error
// near 0.2 are 1/10 of 16K and 1/20 of 64K, i.e. k ~ 12.8 * L^0.5: hence the defaults.
#include <cstdint>
#include <vector>

#include "core/budget.h"
#include "core/params.h"

namespace sparsesim {

struct LengthScaling {
  double c = 12.8;
  double alpha = 0.5;
  double decode_c_ratio = 1.0;
  std::int64_t min_kept_tokens = 128;

  // The ParamSpecs above (c, alpha, decode_c_ratio, min_kept_tokens), for a policy's registry entry.
  static std::vector<ParamSpec> param_specs();
  // Reads and validates them; throws InputError naming params.yaml_path().
  static LengthScaling from_params(const Params& params);

  // Kept tokens before clamping, for a multiplier `scale` (>= 0) on c.
  double prefill_kept_tokens(std::int64_t input_tokens, double scale) const;
  double decode_kept_tokens(std::int64_t input_tokens, double scale) const;
  Budget budget(std::int64_t input_tokens, double scale) const;
  // The smallest scale at which every prompt up to `max_input_tokens` is dense in both phases.
  double dense_scale(std::int64_t max_input_tokens) const;
};

}  // namespace sparsesim
