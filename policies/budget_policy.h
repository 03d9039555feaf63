#pragma once
// A budget policy decides each request's attention budget from what is observable about it. Each policy
// lives in one .cpp file in policies/ and registers itself by name with its parameters; `sparsesim
// policies` lists them. Every policy has exactly one scale knob, monotone (non-decreasing) in total
// compute, which the iso-compute solver sets by bisection.
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/budget.h"
#include "core/registry.h"
#include "cost/cost_model.h"
#include "quality/quality_model.h"
#include "workloads/request.h"

namespace sparsesim {

// What a policy is built with: the model served and the system's cost and quality models. Pointers are
// non-owning and outlive the policy; quality may be null when the experiment has no quality model.
struct PolicyContext {
  const ModelConfig* model = nullptr;
  const CostModel* cost_model = nullptr;
  const QualityModel* quality_model = nullptr;
};

// System state at admission time (observable).
struct SystemLoad {
  int running_requests = 0;
  std::int64_t queued_tokens = 0;  // prompt tokens waiting on this replica
  double kv_utilisation = 0.0;     // fraction of KV blocks in use, [0, 1]
};

struct KnobSpec {
  std::string name;  // e.g. "prefill_density"
  double value = 0;  // current setting
  double min = 0;    // bisection bounds; compute is non-decreasing from min to max
  double max = 1;
  std::string doc;
};

// A decision to spend more on a request mid-decode.
struct Escalation {
  Budget budget;               // for the rest of the request
  bool rerun_prefill = false;  // recompute the prompt at the new prefill density (charged)
};

class BudgetPolicy {
 public:
  virtual ~BudgetPolicy() = default;

  // Called once with the whole trace before simulation. Only the oracle may read ground-truth traits.
  virtual void prepare(const std::vector<Request>& /*requests*/) {}

  // The budget of a newly admitted request.
  virtual Budget initial_budget(const Request& request, const SystemLoad& load) const = 0;

  // Decode tokens after which `revise` is called once; negative = never.
  virtual int revision_after_tokens() const { return -1; }
  // May escalate a request's budget after revision_after_tokens() decode tokens.
  virtual std::optional<Escalation> revise(const Request& /*request*/, const Budget& /*current*/) const {
    return std::nullopt;
  }

  virtual KnobSpec knob() const = 0;
  // Sets the scale knob; values outside [min, max] are clamped.
  virtual void set_knob(double value) = 0;
};

using PolicyRegistry = Registry<BudgetPolicy, const Params&, const PolicyContext&>;

// Builds a policy from a YAML entry: a bare name ("dense") or a map with `impl:` and parameters.
std::unique_ptr<BudgetPolicy> make_policy(const YAML::Node& entry, const std::string& yaml_path,
                                          const PolicyContext& context, std::string* name_out = nullptr);

}  // namespace sparsesim
