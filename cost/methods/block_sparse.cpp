// `block_sparse` prefill: a static block pattern (The Sparse Frontier's Block-Sparse baseline picks blocks
// from pooled scores; its selection is priced as negligible here, the kernel as measured block-sparse
// kernels run). Coefficients: data/sparse_methods.yaml `block_sparse_kernel`.
#include "cost/methods/prefill_methods_common.h"

namespace sparsesim {
namespace {

class BlockSparseMethod final : public SparseMethod {
 public:
  SparsePhase phase() const override { return SparsePhase::prefill; }
  std::string quality_curve_key() const override { return "block_sparse"; }
  SparseAttentionTime prefill_chunk(const PrefillChunkWork& chunk, const AttentionShape& shape,
                                    const AttentionRates& rates) const override {
    return kernel_.kernel(chunk, shape, rates);
  }
  std::string describe() const override { return "block_sparse (" + kernel_.describe() + ")"; }
  std::vector<MethodCoefficient> coefficients() const override {
    auto list = std::vector<MethodCoefficient>{};
    for (const auto& c : kernel_.all()) list.push_back(c);
    return list;
  }

 private:
  BlockSparseKernelCoefficients kernel_;
};

const bool registered = SparseMethodRegistry::instance().add(
    {"block_sparse",
     "prefill: block-sparse attention over a chosen block pattern; kernel cost only",
     {},
     [](const Params&) -> std::unique_ptr<SparseMethod> { return std::make_unique<BlockSparseMethod>(); }});

}  // namespace
}  // namespace sparsesim
