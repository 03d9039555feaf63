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
};

class CostModel {
 public:
  virtual ~CostModel() = default;
  // Prices one iteration. Must be deterministic and thread-safe (const). An empty batch costs 0.
  virtual void step_cost(const BatchWork& batch, StepCost& out) const = 0;
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
