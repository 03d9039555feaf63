// `snapkv` and `ada_snapkv` decode (SnapKV, arXiv 2404.14469; Ada-KV's head-adaptive budgets, arXiv
// 2407.11550): eviction. After prefill the KV cache is compressed to the budget's tokens (chosen from the
// attention of an observation window of the last prompt queries) and decode reads all of what is left: no
// per-step selection cost, and the cache holds only the budget (the simulator frees the rest). The one-off
// selection at the end of prefill (one window-sized attention over the prompt per layer, about
// window / prompt of the prefill attention) is not priced. Both share this cost; their quality curves
// differ (`method` keys snapkv and ada_snapkv).
#include <algorithm>

#include "cost/sparse_attention_terms.h"

namespace sparsesim {
namespace {

class SnapKvMethod final : public SparseMethod {
 public:
  explicit SnapKvMethod(std::string name) : name_(std::move(name)) {}
  SparsePhase phase() const override { return SparsePhase::decode; }
  bool evicts_kv() const override { return true; }
  std::string quality_curve_key() const override { return name_; }

  SparseAttentionTime decode_step(const DecodeStepWork& step, const AttentionShape& shape,
                                  const AttentionRates& rates) const override {
    return paged_decode_kernel(static_cast<double>(std::min(step.kv_tokens_read, step.context_tokens)), shape,
                               rates);
  }

  // Reads the kept tokens every step, whatever the context: constant terms.
  bool decode_run_terms(std::int64_t context, std::int64_t kv_budget_tokens, std::int64_t steps,
                        const AttentionShape& shape, const AttentionRates& rates,
                        DecodeItemTerms& out) const override {
    if (kv_budget_tokens >= context) return false;
    out = paged_decode_kernel_terms(static_cast<double>(kv_budget_tokens), 0, steps, shape, rates);
    return true;
  }

  std::string describe() const override {
    return name_ +
           " (eviction: decode reads the kept tokens only, no per-step selection; KV memory shrinks to "
           "the budget)";
  }

 private:
  std::string name_;
};

const bool registered_snapkv = SparseMethodRegistry::instance().add(
    {"snapkv",
     "decode: KV eviction after prefill (SnapKV); reads and stores only the budget's tokens",
     {},
     [](const Params&) -> std::unique_ptr<SparseMethod> {
       return std::make_unique<SnapKvMethod>("snapkv");
     }});
const bool registered_ada = SparseMethodRegistry::instance().add(
    {"ada_snapkv",
     "decode: SnapKV with head-adaptive budgets (Ada-KV); same cost as snapkv, its own quality curves",
     {},
     [](const Params&) -> std::unique_ptr<SparseMethod> {
       return std::make_unique<SnapKvMethod>("ada_snapkv");
     }});

}  // namespace
}  // namespace sparsesim
