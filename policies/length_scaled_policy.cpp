// length_scaled: kept tokens grow sub-linearly with prompt length, k = c * L^alpha per phase (see
// policies/length_scaling.h), so long prompts run sparser than short ones.
#include <algorithm>

#include "policies/budget_policy.h"
#include "policies/length_scaling.h"
#include "policies/policy_knob_docs.h"

namespace sparsesim {
namespace {

// Longest prompt the knob's upper bound must make dense when the model names no context length.
constexpr std::int64_t kDefaultMaxInputTokens = std::int64_t{1} << 20;

class LengthScaledPolicy final : public BudgetPolicy {
 public:
  LengthScaledPolicy(const Params& params, const PolicyContext& context)
      : scaling_(LengthScaling::from_params(params)),
        max_scale_(scaling_.dense_scale(context.model && context.model->context_tokens > 0
                                            ? context.model->context_tokens
                                            : kDefaultMaxInputTokens)) {}

  Budget initial_budget(const Request& request, const SystemLoad&) const override {
    return scaling_.budget(request.input_tokens, scale_);
  }

  KnobSpec knob() const override {
    return {
        "c_scale", scale_, 0.0, max_scale_,
        "multiplies c in both phases: 0 = min_kept_tokens everywhere, max = dense up to the model's context"};
  }
  void set_knob(double value) override { scale_ = std::clamp(value, 0.0, max_scale_); }

 private:
  LengthScaling scaling_;
  double max_scale_;
  double scale_ = 1.0;
};

const bool registered = PolicyRegistry::instance().add(
    {"length_scaled", "kept tokens k = c * L^alpha per phase, clamped to [min_kept_tokens, L]",
     LengthScaling::param_specs(), [](const Params& params, const PolicyContext& context) {
       return std::make_unique<LengthScaledPolicy>(params, context);
     }});
const bool documented = register_policy_knob_doc(
    "length_scaled",
    {"c_scale",
     "multiplier on c (both phases), from 0 (every prompt keeps min_kept_tokens) up to the scale at "
     "which the model's longest context is dense; kept tokens never fall as it rises, so compute "
     "is non-decreasing"});

}  // namespace
}  // namespace sparsesim
