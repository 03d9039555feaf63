// `flexprefill` prefill (FlexPrefill, arXiv 2502.20766): per layer and head, the last query block attends
// every key (the pattern test), then pooled scores rank the key blocks and a sort / cumulative sum picks
// them: a pattern search whose measured time grows with the keys (search_ns_per_key_head per key and
// query head), not with density; then the block-sparse kernel runs. Coefficients:
// data/sparse_methods.yaml `flexprefill` and `block_sparse_kernel`.
#include <algorithm>
#include <cstdio>

#include "cost/methods/prefill_methods_common.h"

namespace sparsesim {
namespace {

class FlexPrefillMethod final : public SparseMethod {
 public:
  FlexPrefillMethod()
      : block_(sparse_method_coefficient("flexprefill", "block_tokens", 1, 4096)),
        search_ns_(sparse_method_coefficient("flexprefill", "search_ns_per_key_head", 0, 1e4)) {}

  SparsePhase phase() const override { return SparsePhase::prefill; }
  int selection_kernels_per_layer() const override { return 2; }
  std::string quality_curve_key() const override { return "flexprefill"; }

  SparseAttentionTime prefill_chunk(const PrefillChunkWork& chunk, const AttentionShape& shape,
                                    const AttentionRates& rates) const override {
    SparseAttentionTime time = kernel_.kernel(chunk, shape, rates);
    add_last_query_estimation(chunk, shape, rates, block_.value, search_ns_.value, time);
    return time;
  }

  std::string describe() const override {
    char text[240];
    std::snprintf(text, sizeof text,
                  "flexprefill (estimation: last %g-token block x all keys + pattern search %g "
                  "ns/key/head [%s]; ",
                  block_.value, search_ns_.value, search_ns_.value_status.c_str());
    return text + kernel_.describe() + ")";
  }
  std::vector<MethodCoefficient> coefficients() const override {
    auto list = std::vector<MethodCoefficient>{block_, search_ns_};
    for (const auto& c : kernel_.all()) list.push_back(c);
    return list;
  }

 private:
  MethodCoefficient block_;
  MethodCoefficient search_ns_;
  BlockSparseKernelCoefficients kernel_;
};

const bool registered = SparseMethodRegistry::instance().add(
    {"flexprefill",
     "prefill: FlexPrefill: query-aware block selection from pooled scores, block-sparse kernel",
     {},
     [](const Params&) -> std::unique_ptr<SparseMethod> { return std::make_unique<FlexPrefillMethod>(); }});

}  // namespace
}  // namespace sparsesim
