// fixed: one prefill sparsity and one decode sparsity for every request, what production does today.
#include <algorithm>
#include <cmath>

#include "core/input_error.h"
#include "policies/budget_policy.h"
#include "policies/policy_knob_docs.h"

namespace sparsesim {
namespace {

class FixedPolicy final : public BudgetPolicy {
 public:
  explicit FixedPolicy(const Params& params)
      : prefill_kept_(1.0 - params.get_double("prefill_sparsity")),
        decode_kept_(1.0 - params.get_double("decode_sparsity")),
        min_kv_tokens_(params.get_int("min_kv_tokens")) {
    for (const char* name : {"prefill_sparsity", "decode_sparsity"}) {
      const double sparsity = params.get_double(name);
      if (!(sparsity >= 0.0 && sparsity < 1.0))
        throw InputError(params.yaml_path() + "." + name + ": expected a sparsity in [0, 1), got " +
                         std::to_string(sparsity));
    }
    if (min_kv_tokens_ < 1) throw InputError(params.yaml_path() + ".min_kv_tokens: expected >= 1");
    max_scale_ = 1.0 / std::min(prefill_kept_, decode_kept_);
  }

  Budget initial_budget(const Request& request, const SystemLoad&) const override {
    Budget budget;
    budget.prefill_density = std::min(1.0, scale_ * prefill_kept_);
    const double decode_kept = std::min(1.0, scale_ * decode_kept_);
    if (decode_kept < 1.0) {
      const auto kept = static_cast<std::int64_t>(std::ceil(decode_kept * request.input_tokens));
      budget.decode_kv_budget_tokens = std::max(min_kv_tokens_, kept);
    }
    return budget;
  }

  KnobSpec knob() const override {
    return {"keep_scale", scale_, 0.01, max_scale_,
            "multiplies both kept fractions (1 - sparsity); 1 = as configured, max = dense"};
  }
  void set_knob(double value) override { scale_ = std::clamp(value, 0.01, max_scale_); }

 private:
  double prefill_kept_;
  double decode_kept_;
  std::int64_t min_kv_tokens_;
  double scale_ = 1.0;
  double max_scale_ = 1.0;
};

const bool registered = PolicyRegistry::instance().add(
    {"fixed",
     "one prefill sparsity and one decode sparsity for every request",
     {{"prefill_sparsity", "0.8", "fraction of causal key blocks skipped in prefill, [0, 1)",
       TuneRange{TuneRange::Kind::real, 0.3, 0.95, false}},
      {"decode_sparsity", "0.8", "fraction of the prompt's KV tokens not read per decode step, [0, 1)",
       TuneRange{TuneRange::Kind::real, 0.5, 0.98, false}},
      {"min_kv_tokens", "64", "smallest decode KV budget in tokens"}},
     [](const Params& params, const PolicyContext&) { return std::make_unique<FixedPolicy>(params); }});

const bool documented =
    register_policy_knob_doc("fixed", {"keep_scale",
                                       "multiplies both kept fractions (1 - sparsity), from 0.01 to 1 / the "
                                       "smaller kept fraction (dense); compute is non-decreasing in it"});

}  // namespace
}  // namespace sparsesim
