#include "policies/length_scaling.h"

#include <algorithm>
#include <cmath>

#include "core/input_error.h"
#include "policies/budget_shapes.h"

namespace sparsesim {

std::vector<ParamSpec> LengthScaling::param_specs() {
  return {{"c", "12.8", "kept tokens k = c * L^alpha (prefill); the knob multiplies it, > 0"},
          {"alpha", "0.5", "length exponent, in [0, 1]: 0 = fixed token budget, 1 = fixed sparsity",
           TuneRange{TuneRange::Kind::real, 0.2, 0.9, false}},
          {"decode_c_ratio", "1.0", "decode kept tokens = decode_c_ratio * prefill kept tokens, > 0",
           TuneRange{TuneRange::Kind::real, 0.25, 4.0, true}},
          {"min_kept_tokens", "128", "smallest kept-token count in either phase, >= 1"}};
}

LengthScaling LengthScaling::from_params(const Params& params) {
  LengthScaling scaling;
  scaling.c = params.get_double("c");
  scaling.alpha = params.get_double("alpha");
  scaling.decode_c_ratio = params.get_double("decode_c_ratio");
  scaling.min_kept_tokens = params.get_int("min_kept_tokens");
  const std::string& path = params.yaml_path();
  if (!(scaling.c > 0.0)) throw InputError(path + ".c: expected a positive number");
  if (!(scaling.alpha >= 0.0 && scaling.alpha <= 1.0))
    throw InputError(path + ".alpha: expected a value in [0, 1]");
  if (!(scaling.decode_c_ratio > 0.0)) throw InputError(path + ".decode_c_ratio: expected a positive number");
  if (scaling.min_kept_tokens < 1) throw InputError(path + ".min_kept_tokens: expected an integer >= 1");
  return scaling;
}

double LengthScaling::prefill_kept_tokens(std::int64_t input_tokens, double scale) const {
  return std::max(static_cast<double>(min_kept_tokens),
                  scale * c * std::pow(static_cast<double>(input_tokens), alpha));
}

double LengthScaling::decode_kept_tokens(std::int64_t input_tokens, double scale) const {
  return std::max(static_cast<double>(min_kept_tokens),
                  scale * c * decode_c_ratio * std::pow(static_cast<double>(input_tokens), alpha));
}

Budget LengthScaling::budget(std::int64_t input_tokens, double scale) const {
  Budget result;
  result.prefill_density =
      prefill_density_for_kept_tokens(prefill_kept_tokens(input_tokens, scale), input_tokens);
  result.decode_kv_budget_tokens =
      decode_budget_for_kept_tokens(decode_kept_tokens(input_tokens, scale), input_tokens, min_kept_tokens);
  return result;
}

double LengthScaling::dense_scale(std::int64_t max_input_tokens) const {
  const double length = static_cast<double>(std::max<std::int64_t>(max_input_tokens, 1));
  // k >= L  <=>  scale >= L^(1 - alpha) / (c * ratio); the largest L needs the most.
  // The factor covers rounding in pow(L, 1 - alpha) * pow(L, alpha), which may land a hair below L.
  return (1.0 + 1e-9) * std::pow(length, 1.0 - alpha) / (c * std::min(1.0, decode_c_ratio));
}

}  // namespace sparsesim
