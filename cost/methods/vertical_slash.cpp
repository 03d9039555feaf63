// `vertical_slash` prefill (MInference, arXiv 2407.02490): per layer and head, the last `last_q` queries of
// the chunk attend every key densely to estimate the vertical (column) and slash (diagonal) scores; the top
// verticals and slashes become a sparse index (index_ns_per_key_head per key and query head); then the
// sparse kernel runs over them: the block-sparse kernel's cost times `kernel_slowdown` (column gathers
// and 64 x 64 slash blocks make the measured Vertical-Slash kernel slower per attended key). Coefficients:
// data/sparse_methods.yaml `vertical_slash` and `block_sparse_kernel`.
#include <algorithm>
#include <cstdio>

#include "cost/methods/prefill_methods_common.h"

namespace sparsesim {
namespace {

class VerticalSlashMethod final : public SparseMethod {
 public:
  VerticalSlashMethod()
      : last_q_(sparse_method_coefficient("vertical_slash", "last_q", 1, 4096)),
        index_ns_(sparse_method_coefficient("vertical_slash", "index_ns_per_key_head", 0, 1000)),
        slowdown_(sparse_method_coefficient("vertical_slash", "kernel_slowdown", 1, 100)) {}

  SparsePhase phase() const override { return SparsePhase::prefill; }
  int selection_kernels_per_layer() const override { return 2; }
  std::string quality_curve_key() const override { return "vertical_slash"; }

  SparseAttentionTime prefill_chunk(const PrefillChunkWork& chunk, const AttentionShape& shape,
                                    const AttentionRates& rates) const override {
    SparseAttentionTime time = kernel_.kernel(chunk, shape, rates);
    time.kernel_s *= slowdown_.value;
    add_last_query_estimation(chunk, shape, rates, last_q_.value, index_ns_.value, time);
    return time;
  }

  std::string describe() const override {
    char text[160];
    std::snprintf(
        text, sizeof text,
        "vertical_slash (estimation: last %g queries x all keys + index %g ns/key/head [%s]; kernel "
        "%.2fx the ",
        last_q_.value, index_ns_.value, index_ns_.value_status.c_str(), slowdown_.value);
    return text + kernel_.describe() + ")";
  }
  std::vector<MethodCoefficient> coefficients() const override {
    auto list = std::vector<MethodCoefficient>{last_q_, index_ns_, slowdown_};
    for (const auto& c : kernel_.all()) list.push_back(c);
    return list;
  }

 private:
  MethodCoefficient last_q_;
  MethodCoefficient index_ns_;
  MethodCoefficient slowdown_;
  BlockSparseKernelCoefficients kernel_;
};

const bool registered = SparseMethodRegistry::instance().add(
    {"vertical_slash",
     "prefill: Vertical-Slash (MInference): last-query estimation of column and diagonal patterns, index, "
     "block-sparse kernel",
     {},
     [](const Params&) -> std::unique_ptr<SparseMethod> { return std::make_unique<VerticalSlashMethod>(); }});

}  // namespace
}  // namespace sparsesim
