// uncertainty_triggered: start every request at a cheap budget; after check_after_tokens decode tokens
// read the uncertainty score (policies/uncertainty_signal.h: binormal with the configured AUROC against
// failing at the budget in force) and, when it exceeds the threshold, escalate to a denser budget for the
// rest of the request, optionally re-running prefill at the denser prefill density (charged).
//
// Knob: escalation_eagerness = -threshold. A request's score does not depend on the threshold (the cheap
// budget, hence whether it fails there, is fixed), so lowering the threshold only adds escalations:
// compute is non-decreasing in the knob for every request, not just on average. From the lowest knob
// (no request escalates: all cheap) to the highest (every request escalates) it spans the cheap-to-
// escalated range; scaling the cheap budget instead would not be monotone, because a denser cheap budget
// makes fewer requests fail and so fewer escalate.
#include <algorithm>

#include "core/input_error.h"
#include "policies/budget_policy.h"
#include "policies/budget_shapes.h"
#include "policies/policy_knob_docs.h"
#include "policies/uncertainty_signal.h"

namespace sparsesim {
namespace {

// |uncertainty_noise| <= 8.57 (53-bit Box-Muller), so thresholds beyond these bounds are all-or-nothing.
constexpr double kNoiseBound = 9.0;

class UncertaintyTriggeredPolicy final : public BudgetPolicy {
 public:
  UncertaintyTriggeredPolicy(const Params& params, const PolicyContext& context)
      : quality_model_(context.quality_model),
        check_after_tokens_(params.get_int("check_after_tokens")),
        cheap_prefill_keep_(params.get_double("cheap_prefill_keep")),
        cheap_decode_keep_(params.get_double("cheap_decode_keep")),
        escalated_prefill_keep_(params.get_double("escalated_prefill_keep")),
        escalated_decode_keep_(params.get_double("escalated_decode_keep")),
        rerun_prefill_(params.get_bool("rerun_prefill")),
        min_kv_tokens_(params.get_int("min_kv_tokens")) {
    const std::string& path = params.yaml_path();
    const double auroc = params.get_double("auroc");
    if (!(auroc >= 0.5 && auroc < 1.0)) throw InputError(path + ".auroc: expected a value in [0.5, 1)");
    separation_ = separation_for_auroc(auroc);
    eagerness_ = -params.get_double("threshold");
    if (check_after_tokens_ < 0 || check_after_tokens_ > 1'000'000)
      throw InputError(path + ".check_after_tokens: expected an integer in [0, 1000000]");
    for (const char* name :
         {"cheap_prefill_keep", "cheap_decode_keep", "escalated_prefill_keep", "escalated_decode_keep"}) {
      const double keep = params.get_double(name);
      if (!(keep > 0.0 && keep <= 1.0))
        throw InputError(path + "." + name + ": expected a kept fraction in (0, 1]");
    }
    if (escalated_prefill_keep_ < cheap_prefill_keep_ || escalated_decode_keep_ < cheap_decode_keep_)
      throw InputError(path + ": escalated_*_keep must be at least the matching cheap_*_keep");
    if (min_kv_tokens_ < 1) throw InputError(path + ".min_kv_tokens: expected an integer >= 1");
    if (!quality_model_)
      throw InputError(path +
                       ": uncertainty_triggered needs the experiment's quality model (its signal "
                       "separates requests that fail at the current budget)");
    eagerness_ = std::clamp(eagerness_, min_eagerness(), kNoiseBound);
  }

  Budget initial_budget(const Request& request, const SystemLoad&) const override {
    return budget_from_kept_fractions(cheap_prefill_keep_, cheap_decode_keep_, request.input_tokens,
                                      min_kv_tokens_);
  }

  int revision_after_tokens() const override { return static_cast<int>(check_after_tokens_); }

  std::optional<Escalation> revise(const Request& request, const Budget& current) const override {
    const double quality = quality_model_->score(request, current).expected_quality;
    if (!(uncertainty_score(request, quality, separation_) > -eagerness_)) return std::nullopt;
    Escalation escalation;
    escalation.budget = budget_from_kept_fractions(escalated_prefill_keep_, escalated_decode_keep_,
                                                   request.input_tokens, min_kv_tokens_);
    // Never de-escalate a phase, whatever the current budget was.
    escalation.budget.decode_kv_budget_tokens =
        std::max(escalation.budget.decode_kv_budget_tokens, current.decode_kv_budget_tokens);
    escalation.budget.prefill_density = std::max(escalation.budget.prefill_density, current.prefill_density);
    escalation.rerun_prefill = rerun_prefill_ && escalation.budget.prefill_density > current.prefill_density;
    if (!escalation.rerun_prefill) escalation.budget.prefill_density = current.prefill_density;
    return escalation;
  }

  KnobSpec knob() const override {
    return {"escalation_eagerness", eagerness_, min_eagerness(), kNoiseBound,
            "minus the escalation threshold: min = no request escalates, max = every request escalates"};
  }
  void set_knob(double value) override { eagerness_ = std::clamp(value, min_eagerness(), kNoiseBound); }

 private:
  double min_eagerness() const { return -(kNoiseBound + separation_); }

  const QualityModel* quality_model_;
  std::int64_t check_after_tokens_;
  double cheap_prefill_keep_, cheap_decode_keep_, escalated_prefill_keep_, escalated_decode_keep_;
  bool rerun_prefill_;
  std::int64_t min_kv_tokens_;
  double separation_ = 0.0;
  double eagerness_ = 0.0;
};

const bool registered = PolicyRegistry::instance().add(
    {"uncertainty_triggered",
     "start cheap; after check_after_tokens decode tokens escalate requests whose uncertainty score "
     "(configurable AUROC against failing) exceeds the threshold",
     {{"auroc", "0.8", "AUROC of the uncertainty score against failing at the cheap budget, [0.5, 1)"},
      {"threshold", "1.0",
       "escalate when score > threshold; score = sqrt(2) Phi^-1(auroc) * failed + N(0,1)"},
      {"check_after_tokens", "32", "decode tokens generated before the score is read",
       TuneRange{TuneRange::Kind::integer, 8, 256, true}},
      {"cheap_prefill_keep", "0.2", "initial kept fraction of prefill key blocks, (0, 1]",
       TuneRange{TuneRange::Kind::real, 0.05, 1.0, true}},
      {"cheap_decode_keep", "0.05", "initial decode KV budget as a fraction of the prompt, (0, 1]",
       TuneRange{TuneRange::Kind::real, 0.02, 0.5, true}},
      {"escalated_prefill_keep", "1.0", "prefill kept fraction after escalation (used when rerun_prefill)"},
      {"escalated_decode_keep", "1.0", "decode KV fraction after escalation; 1 = dense"},
      {"rerun_prefill", "false", "on escalation, recompute the prompt at the escalated prefill density",
       TuneRange{TuneRange::Kind::boolean, 0, 1, false}},
      {"min_kv_tokens", "64", "smallest decode KV budget in tokens"}},
     [](const Params& params, const PolicyContext& context) {
       return std::make_unique<UncertaintyTriggeredPolicy>(params, context);
     }});
const bool documented = register_policy_knob_doc(
    "uncertainty_triggered",
    {"escalation_eagerness",
     "minus the threshold, in [-(9 + d'), 9] where d' = sqrt(2) Phi^-1(auroc): at the bottom no request "
     "escalates, at the top every request does; lowering the threshold only adds escalations, so compute "
     "is non-decreasing per request"});

}  // namespace
}  // namespace sparsesim
