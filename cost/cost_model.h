#pragma once
// The cost model turns one scheduler iteration (a batch of prefill chunks and decode steps) into a step
// time. Implementations: `roofline` (analytical, default) and `profile` (fitted from calibration
// measurements). They register themselves by name.
#include <cstdint>
#include <limits>
#include <memory>
#include <vector>

#include "core/hardware.h"
#include "core/registry.h"
#include "core/time.h"

namespace sparsesim {

class SparseMethod;  // cost/sparse_method.h

struct PrefillChunkWork {
  std::int32_t new_tokens = 0;     // prompt tokens computed in this chunk
  std::int32_t cached_tokens = 0;  // tokens of this request already in the KV cache before the chunk
  double density = 1.0;            // fraction of causal key blocks attended, (0, 1]
};

struct DecodeStepWork {
  std::int64_t context_tokens = 0;  // tokens in this sequence's KV cache
  std::int64_t kv_tokens_read = 0;  // tokens whose K and V are read this step (<= context_tokens)
};

struct BatchWork {
  std::vector<PrefillChunkWork> prefills;
  std::vector<DecodeStepWork> decodes;
  void clear() {
    prefills.clear();
    decodes.clear();
  }
  std::int64_t total_tokens() const;  // prefill new tokens + one per decode
};

struct StepCost {
  TimeNs duration_ns = 0;      // wall time of the iteration on one replica (all TP ranks together)
  double linear_flops = 0;     // GEMM FLOPs (projections, MLP, LM head), all ranks
  double attention_flops = 0;  // score + value FLOPs over attended keys, all ranks
  double memory_bytes = 0;     // HBM bytes moved (weights, KV reads and writes), all ranks
  // Attention time of each item, prefills first then decodes, in BatchWork order; used to attribute
  // GPU time to requests. Linear time is shared in proportion to tokens.
  std::vector<double> item_attention_ns;
  // item_attention_ns summed in order (a model that has it saves the simulator a pass); NaN = not given.
  double item_attention_ns_sum = std::numeric_limits<double>::quiet_NaN();
  double linear_ns = 0;
  // item_attention_ns summed (item_attention_ns_sum when given, the same sum in the same order); 0 when
  // the model gave no per-item times for a batch of `items` items.
  double attention_ns_sum(std::size_t items) const;
};

// A run of decode-only iterations priced at once (issue 12): step k (k = 0, 1, ...) is the batch `first`
// with every sequence's context grown by k tokens and kv_tokens_read = min(context, kv_budget_tokens[i]).
struct DecodeRunInput {
  const BatchWork* first = nullptr;                // decodes only, at least one
  const std::int64_t* kv_budget_tokens = nullptr;  // one per decode (Budget::decode_kv_budget_tokens)
  std::int64_t max_steps = 1;                      // price at most this many steps, >= 1
  TimeNs time_budget_ns = std::numeric_limits<TimeNs>::max();  // stop after the step whose end reaches it
};

// One priced step of a run: StepCost's aggregates, with the items' attention time summed.
struct DecodeRunStep {
  TimeNs duration_ns = 0;
  double linear_ns = 0, attention_ns = 0;  // as StepCost::linear_ns and the sum of item_attention_ns
  double linear_flops = 0, attention_flops = 0, memory_bytes = 0;
};

// The priced run: its steps, and each item's attention time at every step in one of two forms.
class DecodeRunCost {
 public:
  std::vector<DecodeRunStep> steps;  // at least one; fewer than max_steps when the budget or a closed
                                     // form's regime ends the run
  // out[i] = sum over steps k of item i's attention ns at step k x weights[k], for every item.
  void weighted_item_sums(const double* weights, double* out) const;

  // Form 1 (the stepping default): item_ns_by_step[k * items + i].
  void start_tabulated(std::size_t items);
  std::vector<double> item_ns_by_step;
  // Form 2 (closed forms): item i's attention ns at step k is
  //   ns_per_s[k] x (base_s[i] + slope_s[i] x k + per_page_s[i] x ceil((page_origin[i] + k) / page_tokens)).
  void start_closed_form(std::size_t items, std::int64_t page_tokens);
  bool closed_form() const { return closed_form_; }
  // Drops the steps from `count` on (a run cut short); count <= steps.size().
  void keep_steps(std::size_t count);
  std::vector<double> ns_per_s, base_s, slope_s, per_page_s;
  std::vector<std::int64_t> page_origin;

 private:
  bool closed_form_ = false;
  std::size_t items_ = 0;
  std::int64_t page_tokens_ = 1;
  mutable std::vector<double> scratch_;  // weights x ns_per_s, and their suffix sums
};

class CostModel {
 public:
  virtual ~CostModel() = default;
  // Prices one iteration. Must be deterministic and thread-safe (const). An empty batch costs 0.
  virtual void step_cost(const BatchWork& batch, StepCost& out) const = 0;
  // Prices a run of decode-only iterations (DecodeRunInput): the default steps through step_cost, so a
  // model that only prices single steps works unchanged; models with a closed form override it. Each step
  // must match what step_cost gives for that step's batch (durations exactly, sums within rounding of
  // the order of addition). Prices at least one step; stops after max_steps, or after the first step
  // whose cumulative end reaches time_budget_ns, or (closed forms) before a step where the form changes.
  virtual void decode_run_cost(const DecodeRunInput& input, DecodeRunCost& out) const;
  // The stepping implementation, callable by overrides that have no closed form for an input.
  void decode_run_by_steps(const DecodeRunInput& input, DecodeRunCost& out) const;
  // One line naming the model and its provenance, shown in reports ("roofline (estimate)", ...).
  virtual std::string describe() const = 0;
};

struct CostModelContext {
  GpuSpec gpu;
  ModelConfig model;
  int tensor_parallel = 1;
  // The cluster's sparse methods (cost/sparse_method.h): they price sparse prefill chunks and sparse decode
  // steps. Null = sparse attention priced as its attended keys only (selection free, kernels perfectly
  // efficient): an idealised bound, named so in describe().
  std::shared_ptr<const SparseMethod> prefill_method;
  std::shared_ptr<const SparseMethod> decode_method;
};

using CostModelRegistry = Registry<CostModel, const Params&, const CostModelContext&>;

}  // namespace sparsesim
