#pragma once
// Where sparse attention does not pay, a serving engine runs the dense kernel: MInference applies its
// sparse prefill only above a length (its own end-to-end table shows it slower than FlashAttention-2 below
// about 50K tokens), and a paged selection method only helps once its metadata and top-k cost less than
// reading the whole cache. At admission (and after a revision) each phase's sparse budget is kept only
// when the cluster's method prices it below dense for this request (the whole prompt as one chunk; one
// decode step at the prompt's context); otherwise that phase runs dense and is scored dense.
#include "core/budget.h"
#include "cost/cost_model.h"
#include "workloads/request.h"

namespace sparsesim {

struct FallbackDecision {
  Budget budget;
  bool prefill_fell_back = false;
  bool decode_fell_back = false;
};

FallbackDecision drop_unprofitable_sparsity(const CostModel& cost_model, const Request& request,
                                            Budget budget);

}  // namespace sparsesim
