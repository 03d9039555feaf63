#include "cost/decode_run_sums.h"

#include <algorithm>
#include <limits>
#include <stdexcept>

namespace sparsesim {

std::int64_t steps_before_turning_sparse(const DecodeStepWork& work, std::int64_t kv_budget_tokens,
                                         std::int64_t steps) {
  if (work.kv_tokens_read < work.context_tokens ||
      kv_budget_tokens == std::numeric_limits<std::int64_t>::max())
    return steps;
  return std::min<std::int64_t>(steps, std::max<std::int64_t>(1, kv_budget_tokens - work.context_tokens + 1));
}

DecodeRunSums::DecodeRunSums(std::int64_t page_tokens) : page_tokens_(page_tokens) {
  if (page_tokens < 1) throw std::logic_error("DecodeRunSums: page_tokens must be >= 1");
}

void DecodeRunSums::add(std::int64_t context, const DecodeItemTerms& item) {
  time_base_ += item.base_s;
  time_slope_ += item.slope_s;
  flops_base_ += item.base_flops;
  flops_slope_ += item.slope_flops;
  bytes_base_ += item.base_bytes;
  bytes_slope_ += item.slope_bytes;
  if (item.per_page_s == 0 && item.per_page_flops == 0 && item.per_page_bytes == 0) return;
  if (!paged_) gain_.assign(static_cast<std::size_t>(page_tokens_) * 3, 0.0), paged_ = true;
  const auto pages = static_cast<double>((context + page_tokens_ - 1) / page_tokens_);
  time_pages_ += item.per_page_s * pages;
  flops_pages_ += item.per_page_flops * pages;
  bytes_pages_ += item.per_page_bytes * pages;
  double* residue = gain_.data() + static_cast<std::size_t>(context % page_tokens_) * 3;
  residue[0] += item.per_page_s;
  residue[1] += item.per_page_flops;
  residue[2] += item.per_page_bytes;
}

void DecodeRunSums::advance() {
  if (!paged_) return;
  // ceil((x + 1) / P) - ceil(x / P) = 1 exactly when x % P == 0, x = context + k: contexts whose
  // residue is -k mod P. That residue falls by one per step (kept without dividing).
  const double* crossing = gain_.data() + static_cast<std::size_t>(crossing_residue_) * 3;
  crossing_residue_ = crossing_residue_ == 0 ? page_tokens_ - 1 : crossing_residue_ - 1;
  time_pages_ += crossing[0];
  flops_pages_ += crossing[1];
  bytes_pages_ += crossing[2];
}

}  // namespace sparsesim
