#include "calibration/measurement.h"

#include <algorithm>
#include <cmath>
#include <sstream>

#include "core/input_error.h"

namespace sparsesim {

namespace {
constexpr const char* kOpNames[kKernelOpCount] = {"prefill_attention", "decode_score", "decode_topk",
                                                  "decode_attention", "gemm"};
}  // namespace

const char* kernel_op_name(KernelOp op) {
  return kOpNames[static_cast<int>(op)];
}

KernelOp parse_kernel_op(const std::string& name, const std::string& where) {
  for (int i = 0; i < kKernelOpCount; ++i)
    if (name == kOpNames[i]) return static_cast<KernelOp>(i);
  throw InputError(where + ": unknown kernel op '" + name +
                   "'; expected prefill_attention, decode_score, decode_topk, decode_attention or gemm");
}

std::vector<KernelOp> all_kernel_ops() {
  std::vector<KernelOp> ops;
  for (int i = 0; i < kKernelOpCount; ++i) ops.push_back(static_cast<KernelOp>(i));
  return ops;
}

std::string KernelCase::describe() const {
  std::ostringstream text;
  text << kernel_op_name(op);
  if (op == KernelOp::kGemm) {
    text << " m=" << gemm_m << " n=" << gemm_n << " k=" << gemm_k;
  } else {
    text << " batch=" << batch << " heads=" << query_heads << "/" << kv_heads << " dim=" << head_dim
         << " tokens=" << seq_tokens << " density=" << density;
  }
  return text.str();
}

Samples summarize_samples(std::vector<double> samples_ns, int rejected) {
  Samples summary;
  summary.rejected = rejected;
  summary.kept = static_cast<int>(samples_ns.size());
  if (samples_ns.empty()) return summary;
  std::sort(samples_ns.begin(), samples_ns.end());
  auto quantile = [&](double q) {
    const double position = q * static_cast<double>(samples_ns.size() - 1);
    const auto below = static_cast<std::size_t>(std::floor(position));
    const std::size_t above = std::min(below + 1, samples_ns.size() - 1);
    const double fraction = position - static_cast<double>(below);
    return samples_ns[below] + fraction * (samples_ns[above] - samples_ns[below]);
  };
  summary.median_ns = quantile(0.5);
  summary.p10_ns = quantile(0.1);
  summary.p90_ns = quantile(0.9);
  return summary;
}

}  // namespace sparsesim
