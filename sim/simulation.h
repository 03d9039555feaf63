#pragma once
// The public entry point of the discrete-event serving simulator: a cluster of identical replicas behind
// a router, each running iteration-level continuous batching with chunked prefill and a paged KV cache,
// replays a list of requests under one budget policy and returns per-request and per-run figures.
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "cost/cost_model.h"
#include "policies/budget_policy.h"
#include "quality/quality_model.h"
#include "sim/simulation_observer.h"
#include "workloads/request.h"

namespace sparsesim {

struct SchedulerConfig {
  std::int32_t max_batch_tokens = 8192;      // token budget per iteration (decodes count 1 each)
  std::int32_t max_running = 256;            // cap on sequences holding KV blocks
  std::int32_t chunk_tokens = 2048;          // largest prefill chunk of one request per iteration
  std::int32_t kv_block_tokens = 16;         // paged KV block size
  double activation_reserve_fraction = 0.1;  // of GPU memory kept for activations and workspace
};

struct ClusterConfig {
  GpuSpec gpu;
  ModelConfig model;
  int tensor_parallel = 1;
  int replicas = 1;
  std::string router = "least_outstanding_tokens";  // or "round_robin", "prefix_affinity"
  SchedulerConfig scheduler;
  // Per-replica prefix cache over Request::prefix_block_ids: cached leading blocks skip prefill.
  bool prefix_caching = false;
  // The decode method evicts KV (SnapKV-style, cost/sparse_method.h): a request whose decode budget is
  // sparse keeps only the budget's tokens after prefill (Budget::evicts_kv is set from this).
  bool decode_evicts_kv = false;
  // Engine option, not a deployment property: a decode-only batch with nothing waiting is advanced as one
  // run of steps up to the next batch change (a finish, a budget revision, the KV blocks running out, an
  // arrival routed to its replica), priced at once by CostModel::decode_run_cost: one event instead of one
  // per token. Every step keeps its own duration and attribution as step by step; false runs step by
  // step, each step priced alone (tests compare the two).
  bool decode_runs = true;
};

enum class RequestStatus : std::uint8_t { done = 0, rejected };

struct RequestResult {
  std::uint64_t request_id = 0;
  int replica = -1;
  RequestStatus status = RequestStatus::done;
  std::string reject_reason;  // empty when done
  TimeNs arrival_ns = 0;
  TimeNs first_scheduled_ns = -1;
  TimeNs first_token_ns = -1;
  TimeNs finish_ns = -1;
  TimeNs ttft_ns = -1;  // first token - arrival
  double tpot_ns = 0;   // mean time per output token after the first
  TimeNs e2e_ns = -1;   // finish - arrival
  std::int32_t input_tokens = 0;
  std::int32_t output_tokens = 0;
  std::int32_t preemptions = 0;
  double prefill_sparsity = 0;  // of the budget that produced the answer
  std::int64_t decode_kv_budget_tokens = Budget::kDenseKv;
  bool escalated = false;  // the policy revised the budget mid-decode
  double attention_flops = 0;
  double gpu_time_ns = 0;  // busy time attributed to this request
  QualityScore quality;    // expected quality (1 when no quality model)
  TaskFamily task_family = TaskFamily::unknown;
  std::int32_t prefix_cached_tokens = 0;  // prompt tokens found in the prefix cache at first admission
  std::int64_t workflow_id = -1;
};

// One agentic workflow (Request::workflow_id): first call's arrival to last call's finish.
struct WorkflowResult {
  std::int64_t workflow_id = -1;
  std::int32_t calls = 0;
  std::int32_t rejected_calls = 0;
  TimeNs first_arrival_ns = 0;
  TimeNs finish_ns = -1;  // last finish (or rejection) of any call
  TimeNs e2e_ns = -1;     // finish - first arrival; -1 when a call was rejected
};

struct Percentiles {
  double p50 = 0, p90 = 0, p99 = 0;
};

struct RunSummary {
  std::int64_t requests = 0;
  std::int64_t completed = 0;
  std::int64_t rejected = 0;
  std::int64_t preemptions = 0;
  TimeNs makespan_ns = 0;  // first arrival to last finish
  double throughput_requests_per_s = 0;
  double throughput_output_tokens_per_s = 0;
  Percentiles ttft_s, tpot_ms, e2e_s;  // over completed requests
  double gpu_busy_s = 0;               // total compute: busy time summed over replicas (x TP GPUs)
  double attention_flops = 0;
  double memory_bytes = 0;
  double kv_peak_bytes = 0;          // largest KV footprint of any replica
  double mean_expected_quality = 0;  // over completed requests
  std::int64_t lookups_exact = 0, lookups_interpolated = 0, lookups_extrapolated = 0;
  std::int64_t escalations = 0;
  // Requests whose sparse budget ran dense in a phase because the method priced it above dense
  // (sim/sparse_fallback.h).
  std::int64_t dense_fallback_prefills = 0;
  std::int64_t dense_fallback_decodes = 0;
  std::int64_t events = 0;     // simulator events processed
  double prefix_hit_rate = 0;  // prefix-cached prompt tokens / prompt tokens, over completed
  std::int64_t workflows = 0;  // distinct workflow ids
  Percentiles workflow_e2e_s;  // over workflows whose calls all completed
  // Energy of the run's GPUs (joules) from the power model: every GPU draws idle_power_w for the whole
  // makespan, and a busy step adds (peak_power_w - idle_power_w) x its utilisation (the larger of its
  // FLOP/s and HBM bytes/s as fractions of the GPUs' peaks, at most 1). NaN when the GPU file gives no
  // power figures. mean_utilisation: that utilisation averaged over busy GPU time.
  double energy_j = std::numeric_limits<double>::quiet_NaN();
  double mean_utilisation = std::numeric_limits<double>::quiet_NaN();
};

struct SimulationResult {
  std::vector<RequestResult> requests;  // one per input request, in request-id order
  RunSummary summary;
  std::vector<WorkflowResult> workflows;  // in workflow-id order; empty when no request has one
};

// Runs one simulation. `policy` is used (const) for every admission; `quality_model` may be null.
// Deterministic: the same inputs give identical results. Never drops a request: each is done or rejected.
//
// Semantics worth knowing (details in sim/replica.h, sim/kv_cache.h):
// - KV capacity per replica: (tensor_parallel x GPU memory - weights - activation_reserve_fraction x
//   tensor_parallel x GPU memory) / (kv_bytes_per_token x kv_block_tokens); weights and KV split evenly
//   over the TP ranks.
// - Rejection (at arrival, reason in RequestResult::reject_reason): input + output > model context, or the
//   KV of input + output tokens needs more blocks than a replica has (checked before any budget is known,
//   so eviction-style budgets are not credited), or non-positive lengths.
// - The budget is chosen when the request is first admitted and kept across preemptions; revise() is
//   called once, when the output tokens emitted (the first token included) reach revision_after_tokens().
//   An escalation with rerun_prefill recomputes the prompt and the tokens so far at the new density
//   (charged like any prefill) and keeps the KV blocks. The first token comes from the step that completes
//   the prefill; TPOT = (finish - first token) / (output tokens - 1), 0 for one-token answers (left out of
//   the TPOT percentiles).
// - Eviction budgets (Budget::evicts_kv) hold the whole prompt during prefill, then min(context, budget)
//   tokens; they do not use the prefix cache.
// - GPU time: each step's duration x tensor_parallel is attributed to its items (own attention time plus
//   linear time shared by tokens, scaled to sum exactly to the step's GPU time); RunSummary::gpu_busy_s is
//   the sum over all steps of all replicas. kv_peak_bytes counts blocks held by requests (idle prefix-cache
//   blocks are reclaimable and not counted).
// - Closed loop: a request with parent_ids arrives max(arrival_ns, last parent end + think_time_ns), where a
//   rejected parent ends at its rejection (its arrival); RequestResult::arrival_ns is that actual arrival.
//   Parents must be in the list (InputError otherwise); requests in a dependency cycle are rejected.
// - Prefix cache (ClusterConfig::prefix_caching): whole prefix blocks of the prompt, LRU over idle entries,
//   evicted before any preemption; at least one prompt token is always computed. Routers: round_robin,
//   least_outstanding_tokens (input + output of unfinished routed requests), prefix_affinity (longest
//   cached prefix unless 32,768 tokens more outstanding than the least-loaded replica); ties go to the
//   lowest index.
// `observer` (optional) sees every iteration, preemption and escalation (sim/simulation_observer.h).
SimulationResult simulate(const std::vector<Request>& requests, const ClusterConfig& cluster,
                          const CostModel& cost_model, const BudgetPolicy& policy,
                          const QualityModel* quality_model, SimulationObserver* observer = nullptr);

}  // namespace sparsesim
