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
    const double block = block_.value;
    const double keys = static_cast<double>(chunk.cached_tokens) + chunk.new_tokens;
    const double queries = std::min(block, static_cast<double>(chunk.new_tokens));
    const double estimate_flops = attention_flops_per_pair(shape) * queries * keys;
    const double estimate_bytes = kv_bytes_per_token(shape) * 0.5 * keys;
    const double estimate_s =
        std::max(estimate_flops * rates.attention_s_per_flop, estimate_bytes * rates.kv_s_per_byte);
    // Searched once per prompt over its keys; a chunk is charged its new keys' share (see vertical_slash).
    const double search_s =
        search_ns_.value * 1e-9 * chunk.new_tokens * shape.query_heads * shape.layers / shape.tensor_parallel;
    time.selection_s = estimate_s + search_s;
    time.bytes += estimate_bytes;
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
