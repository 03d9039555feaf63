// dense: no sparsity in either phase. The reference every other policy is compared against.
#include "policies/budget_policy.h"
#include "policies/policy_knob_docs.h"

namespace sparsesim {
namespace {

class DensePolicy final : public BudgetPolicy {
 public:
  Budget initial_budget(const Request&, const SystemLoad&) const override { return Budget{}; }
  // Dense has nothing to scale; its knob is fixed so the solver reports the target as unreachable
  // unless it equals dense compute.
  KnobSpec knob() const override { return {"none", 1.0, 1.0, 1.0, "dense has no knob"}; }
  void set_knob(double) override {}
};

const bool registered = PolicyRegistry::instance().add(
    {"dense",
     "no sparsity: attend every key block in prefill and read the whole KV cache in decode",
     {},
     [](const Params&, const PolicyContext&) { return std::make_unique<DensePolicy>(); }});

const bool documented =
    register_policy_knob_doc("dense", {"none", "dense has no knob: its compute is fixed"});

}  // namespace
}  // namespace sparsesim
