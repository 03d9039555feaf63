#pragma once
// Internal to sim/: the mutable per-request state of one run and what replicas share. Not a public API.
#include <cstdint>
#include <vector>

#include "core/budget.h"
#include "cost/cost_model.h"
#include "policies/budget_policy.h"
#include "quality/quality_model.h"
#include "sim/simulation.h"
#include "sim/simulation_observer.h"
#include "workloads/request.h"

namespace sparsesim {

enum class RequestPhase : std::uint8_t { not_arrived = 0, waiting, prefilling, decoding, finished };

// Hot scheduling state of one request (results live in RequestResult).
struct RequestState {
  Budget budget;
  std::int32_t input_tokens = 0;  // copies of the Request's, kept here so the hot loop stays in this array
  std::int32_t output_tokens = 0;
  double gpu_time_ns = 0;  // attributed so far (copied to RequestResult at the end)
  double attention_flops = 0;
  // The prefill being run covers prefill_target_tokens: the prompt, plus the tokens generated so far when
  // recomputing after a preemption or re-running after an escalation. Completing it emits one token.
  std::int32_t prefill_target_tokens = 0;
  std::int32_t prefilled_tokens = 0;  // of the current prefill, prefix-cache hits included
  std::int32_t generated_tokens = 0;  // output tokens emitted so far
  std::int32_t private_blocks = 0;    // KV blocks owned by this request alone
  std::int32_t cache_references = 0;  // leading prefix block ids referenced in the replica's prefix cache
  std::int32_t shared_blocks = 0;     // KV blocks of those entries
  std::int32_t pending_parents = 0;   // closed loop: parents not yet finished
  RequestPhase phase = RequestPhase::not_arrived;
  bool budget_assigned = false;
  bool revised = false;
};

// Run-wide counters accumulated by replicas.
struct RunTotals {
  std::int64_t preemptions = 0;
  std::int64_t escalations = 0;
  std::int64_t dense_fallback_prefills = 0;  // sparse prefill budgets run dense: the method cost more
  std::int64_t dense_fallback_decodes = 0;   // sparse decode budgets run dense: the method cost more
  std::int64_t lookups[3] = {0, 0, 0};       // by LookupKind
  double gpu_busy_ns = 0;                    // step durations x tensor_parallel
  double attention_flops = 0;
  double memory_bytes = 0;
  // Sum over steps of GPU time x utilisation (the larger of FLOP/s and HBM bytes/s as fractions of peak,
  // at most 1): the busy part of the power model (sim/simulation.h, RunSummary::energy_j).
  double utilised_gpu_ns = 0;
};

struct RunContext {
  const std::vector<Request>& requests;
  std::vector<RequestState>& states;
  std::vector<RequestResult>& results;
  const CostModel& cost_model;
  const BudgetPolicy& policy;
  const QualityModel* quality_model;
  const SchedulerConfig& scheduler;
  int tensor_parallel;
  bool prefix_caching;
  bool decode_evicts_kv;  // the cluster's decode method evicts KV: sparse decode budgets compress the cache
  int revision_after_tokens;
  bool decode_runs;              // ClusterConfig::decode_runs
  bool runs_evict_prefix_cache;  // a run may take blocks from idle prefix entries (router does not look)
  // 1e9 / one GPU's peak FLOP/s and HBM bytes/s: a step's FLOPs x ns_per_peak_flop is the GPU time
  // (all its tensor-parallel GPUs together) it would take at peak, so utilisation needs no division.
  double ns_per_peak_flop;
  double ns_per_peak_byte;
  SimulationObserver* observer;  // null: nobody watches (the usual case)
  RunTotals totals;
};

}  // namespace sparsesim
