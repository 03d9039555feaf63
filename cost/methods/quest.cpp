// `quest` decode (Quest, arXiv 2406.10774): query-aware page selection. Each step, per layer:
//   1. score: read each page's per-channel min and max keys (2 x head_dim values per page and KV head) and
//      take the upper bound of q.k per page (4 x head_dim FLOPs per page and query head);
//   2. top-k: choose ceil(budget / page) pages per KV head out of all pages: a batched kernel whose time is
//      nearly constant (topk_us_per_layer, once per iteration) plus topk_ns_per_page_head per candidate;
//   3. paged attention over the selected pages, read whole (page granularity).
// Stages 1 and 2 are one kernel each per layer (the launch floor the cost model applies). The KV cache is
// kept whole; only reads shrink. Coefficients: data/sparse_methods.yaml `quest`.
#include <algorithm>
#include <cmath>
#include <cstdio>

#include "cost/sparse_attention_terms.h"

namespace sparsesim {
namespace {

class QuestMethod final : public SparseMethod {
 public:
  QuestMethod()
      : page_tokens_(sparse_method_coefficient("quest", "page_tokens", 1, 4096)),
        topk_us_(sparse_method_coefficient("quest", "topk_us_per_layer", 0, 1000)),
        topk_ns_(sparse_method_coefficient("quest", "topk_ns_per_page_head", 0, 1000)) {}

  SparsePhase phase() const override { return SparsePhase::decode; }
  int selection_kernels_per_layer() const override { return 2; }
  double selection_fixed_s_per_layer() const override { return topk_us_.value * 1e-6; }
  std::string quality_curve_key() const override { return "quest"; }

  SparseAttentionTime decode_step(const DecodeStepWork& step, const AttentionShape& shape,
                                  const AttentionRates& rates) const override {
    const double page = page_tokens_.value;
    const double pages = std::ceil(static_cast<double>(step.context_tokens) / page);
    const double selected = std::min(pages, std::ceil(static_cast<double>(step.kv_tokens_read) / page));
    const double tokens_read = std::min(selected * page, static_cast<double>(step.context_tokens));
    SparseAttentionTime time = paged_decode_kernel(tokens_read, shape, rates);
    const double metadata_bytes =
        pages * shape.kv_heads * shape.head_dim * 2 * shape.kv_bytes_per_element * shape.layers;
    const double score_flops = pages * shape.query_heads * shape.head_dim * 4 * shape.layers;
    const double score_s =
        std::max(metadata_bytes * rates.kv_s_per_byte, score_flops * rates.attention_s_per_flop);
    const double topk_s =
        topk_ns_.value * 1e-9 * pages * shape.kv_heads * shape.layers / shape.tensor_parallel;
    time.selection_s = score_s + topk_s;
    time.bytes += metadata_bytes;
    return time;
  }

  // Every step of the run is sparse (context > budget), so the selected page count is ceil(budget / page)
  // throughout; the tokens read grow with the context until they reach the selected pages' tokens, then
  // stay. Scoring and top-k grow with the page count: the per-page terms.
  bool decode_run_terms(std::int64_t context, std::int64_t kv_budget_tokens, std::int64_t steps,
                        const AttentionShape& shape, const AttentionRates& rates,
                        DecodeItemTerms& out) const override {
    const double page = page_tokens_.value;
    if (page != std::floor(page) || kv_budget_tokens >= context) return false;
    const double selected = std::ceil(static_cast<double>(kv_budget_tokens) / page);
    const double selected_tokens = selected * page;
    const double context_tokens = static_cast<double>(context);
    if (context_tokens >= selected_tokens) {
      out = paged_decode_kernel_terms(selected_tokens, 0, steps, shape, rates);
    } else {
      const auto growing_steps = static_cast<std::int64_t>(selected_tokens - context_tokens);
      out = paged_decode_kernel_terms(context_tokens, 1, std::min(steps, growing_steps), shape, rates);
    }
    const double metadata_bytes_per_page =
        shape.kv_heads * shape.head_dim * 2 * shape.kv_bytes_per_element * shape.layers;
    const double score_flops_per_page = shape.query_heads * shape.head_dim * 4 * shape.layers;
    out.per_page_s = std::max(metadata_bytes_per_page * rates.kv_s_per_byte,
                              score_flops_per_page * rates.attention_s_per_flop) +
                     topk_ns_.value * 1e-9 * shape.kv_heads * shape.layers / shape.tensor_parallel;
    out.per_page_bytes = metadata_bytes_per_page;
    out.page_tokens = static_cast<std::int64_t>(page);
    return true;
  }

  std::string describe() const override {
    char text[200];
    std::snprintf(text, sizeof text,
                  "quest (page scoring on min/max keys of %g-token pages + top-k %g us/layer [%s] + %g "
                  "ns/page/KV head + paged attention over the selected pages)",
                  page_tokens_.value, topk_us_.value, topk_us_.value_status.c_str(), topk_ns_.value);
    return text;
  }
  std::vector<MethodCoefficient> coefficients() const override { return {page_tokens_, topk_us_, topk_ns_}; }

 private:
  MethodCoefficient page_tokens_;
  MethodCoefficient topk_us_;
  MethodCoefficient topk_ns_;
};

const bool registered = SparseMethodRegistry::instance().add(
    {"quest",
     "decode: query-aware page selection (Quest): min/max key metadata per page scored each step, top-k "
     "pages, "
     "paged attention over them; keeps the whole KV cache",
     {},
     [](const Params&) -> std::unique_ptr<SparseMethod> { return std::make_unique<QuestMethod>(); }});

}  // namespace
}  // namespace sparsesim
