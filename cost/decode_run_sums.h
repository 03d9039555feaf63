#pragma once
// The batch sums a closed-form decode run needs at each step k (cost_model.h, DecodeRunInput): over the
// run's sequences, base + slope x k + per_page x ceil((context + k) / page_tokens), for time, FLOPs and
// bytes at once (DecodeItemTerms). The affine parts are summed once; the page part changes only for the
// sequences whose context crosses a page boundary, and those are found by their context's residue modulo
// the page size, so advancing one step is O(1) whatever the batch.
#include <cstdint>
#include <vector>

#include "cost/sparse_method.h"

namespace sparsesim {

// Steps (at most `steps`, at least 1) over which a decode reading its whole context stays dense: its
// context grows one token a step and passes `kv_budget_tokens` (Budget::kDenseKv: never), after which it
// reads the budget, a sparse step with other terms. A step already sparse keeps `steps`.
std::int64_t steps_before_turning_sparse(const DecodeStepWork& work, std::int64_t kv_budget_tokens,
                                         std::int64_t steps);

class DecodeRunSums {
 public:
  explicit DecodeRunSums(std::int64_t page_tokens = 1);
  // Adds a sequence whose context is `context` tokens at step 0.
  void add(std::int64_t context, const DecodeItemTerms& item);
  // The sums at the current step k (start at 0; advance() moves to k + 1).
  double time(double k) const { return time_base_ + time_slope_ * k + time_pages_; }
  double flops(double k) const { return flops_base_ + flops_slope_ * k + flops_pages_; }
  double bytes(double k) const { return bytes_base_ + bytes_slope_ * k + bytes_pages_; }
  // From the current step k to k + 1: sequences whose context at k is a multiple of page_tokens gain a
  // page.
  void advance();

 private:
  std::int64_t page_tokens_;
  double time_base_ = 0, time_slope_ = 0, time_pages_ = 0;
  double flops_base_ = 0, flops_slope_ = 0, flops_pages_ = 0;
  double bytes_base_ = 0, bytes_slope_ = 0, bytes_pages_ = 0;
  std::vector<double> gain_;  // [residue x 3 + {time, flops, bytes}]: per-page terms by context % page
  bool paged_ = false;
  std::int64_t crossing_residue_ = 0;  // (page_tokens - step % page_tokens) % page_tokens, kept by advance
};

}  // namespace sparsesim
