#pragma once
// One model replica: iteration-level continuous batching as in vLLM and Sarathi-Serve. Internal to sim/.
//
// Each iteration has a token budget (max_batch_tokens). Running sequences in decode go first, one token
// each (oldest first); the rest of the budget goes to prefill chunks (at most chunk_tokens per request):
// first to running requests whose prefill is partly done, then to waiting requests in FCFS order, which
// are admitted while fewer than max_running sequences hold KV and their chunk's blocks can be found.
// Admission is strictly FCFS: a head that does not fit blocks those behind it (no starvation).
//
// KV memory (see kv_cache.h): a decode step that crosses a block boundary allocates a block; when none is
// free (after evicting idle prefix-cache entries) the newest running request is preempted: its blocks are
// freed and it goes back to the front of the queue to recompute its prompt and generated tokens later.
// If an iteration would otherwise be empty while requests run (prefills stuck without memory), the newest
// is preempted too, so the replica cannot deadlock.
#include <cstdint>
#include <deque>
#include <vector>

#include "sim/kv_cache.h"
#include "sim/run_state.h"

namespace sparsesim {

class Replica {
 public:
  Replica(int index, std::int64_t kv_blocks, RunContext& run);

  // A request routed here (arrival or nothing else): joins the back of the queue.
  void enqueue(std::int32_t request);
  bool busy() const { return busy_; }
  // Forms the next iteration at now_ns and returns its duration; -1 (and not busy) when there is no work.
  // A decode-only iteration with nothing waiting (and RunContext::decode_runs) is extended into a run of
  // steps priced at once by the cost model (CostModel::decode_run_cost: a closed form for the roofline),
  // up to the step at which a request finishes or is revised, the KV blocks run out (free blocks, plus
  // idle prefix-cache entries unless the router reads the cache), the cost model's form changes regime,
  // or kMaxRunSteps; the returned duration is the
  // run's. Nothing of the run is committed before finish_step, so an arrival can cut it (cut_run).
  TimeNs start_step(TimeNs now_ns);
  // A request was just routed here at now_ns: a decode run under way keeps only the steps that start
  // before now_ns (at least one), as step by step the next step would admit the newcomer. Returns the
  // cut run's new end, or -1 when nothing changes (no run, or now_ns falls in its last step).
  TimeNs cut_run(TimeNs now_ns);
  // Longest run priced at once: bounds the pricing an arrival's cut throws away.
  static constexpr std::int64_t kMaxRunSteps = 256;
  // Applies the iteration started by start_step, ending at now_ns; appends finished requests' indices.
  void finish_step(TimeNs now_ns, std::vector<std::int32_t>& finished);

  std::int64_t outstanding_tokens() const { return outstanding_tokens_; }
  const KvCache& kv() const { return kv_; }
  std::int64_t kv_peak_blocks() const { return kv_peak_blocks_; }

 private:
  struct StepItem {
    std::int32_t request;
    std::int32_t tokens;  // prefill: new tokens of the chunk; decode: 1
  };

  void schedule_decodes(std::int32_t& budget_tokens);
  void schedule_running_prefills(std::int32_t& budget_tokens);
  void admit_waiting(TimeNs now_ns, std::int32_t& budget_tokens);
  // Largest chunk <= wanted whose KV fits (evicting idle prefix blocks), allocated; 0 if none fits.
  std::int32_t allocate_chunk(RequestState& state, std::int32_t wanted);
  // KV tokens a request holds once `kv_tokens` tokens are computed (eviction budgets cap it in decode).
  static std::int64_t held_tokens(const RequestState& state, std::int64_t kv_tokens, bool decoding);
  std::int64_t private_blocks_needed(const RequestState& state, std::int64_t held) const;
  void preempt_newest();
  void release_kv(std::int32_t request);
  void complete_prefill(std::int32_t request, TimeNs now_ns);
  void after_token(std::int32_t request, TimeNs now_ns, std::vector<std::int32_t>& finished);
  void finish_request(std::int32_t request, TimeNs now_ns, std::vector<std::int32_t>& finished);
  // Coefficients attributing a step's GPU time (duration x tensor_parallel) and attention FLOPs to its
  // items: each item's own attention time plus linear time shared by tokens, scaled so the shares sum to
  // the step's GPU time.
  struct StepShares {
    const double* item_attention_ns = nullptr;  // null when the cost model gives no per-item times
    double attention_scale = 0, linear_ns_per_token = 0, flops_per_attention_ns = 0, flops_per_token = 0;
  };
  // Inline: a decode run calls it every step, and 1 / total_tokens is then hoisted out of its loop.
  static StepShares step_shares(double gpu_ns, double linear_ns, double attention_ns, double attention_flops,
                                double total_tokens) {
    StepShares shares;
    const double raw_ns = linear_ns + attention_ns;
    const double per_token = 1.0 / total_tokens;
    shares.attention_scale = raw_ns > 0 ? gpu_ns / raw_ns : 0.0;
    shares.linear_ns_per_token = (raw_ns > 0 ? linear_ns * shares.attention_scale : gpu_ns) * per_token;
    shares.flops_per_attention_ns = attention_ns > 0 ? attention_flops / attention_ns : 0.0;
    shares.flops_per_token = attention_ns > 0 ? 0.0 : attention_flops * per_token;
    return shares;
  }
  void add_step_totals(double gpu_ns, double flops, double attention_flops, double memory_bytes);
  // Tells RunContext::observer about the step just priced, starting at start_ns.
  void observe_step(TimeNs start_ns) const;
  void observe_run_step(TimeNs start_ns, TimeNs duration_ns, std::int64_t step) const;
  // Prices the decode-only batch just formed as a run of steps (see start_step) through the cost model's
  // decode_run_cost; returns the run's duration.
  TimeNs run_decodes(TimeNs now_ns);
  // Commits the run's kept steps: totals, attribution, tokens and KV of all but the last step.
  void commit_run();
  // How many steps (1..max_steps) the run's KV growth fits in the free blocks.
  std::int64_t steps_with_free_blocks(std::int64_t max_steps) const;
  // Attributes the current step's shares to one item (prefills first, in item_attention_ns order).
  void attribute(RequestState& state, std::int32_t tokens, const double*& attention_ns) const;
  std::int32_t prefix_entries_limit(const Request& request, std::int32_t prefill_target) const;

  int index_;
  RunContext& run_;
  TimeNs clock_ns_ = 0;  // time of the step being formed or finished, for the observer
  KvCache kv_;
  bool busy_ = false;
  std::deque<std::int32_t> waiting_;
  std::vector<std::int32_t> running_;  // admission order: the back is the newest
  std::int64_t waiting_prompt_tokens_ = 0;
  std::int64_t outstanding_tokens_ = 0;
  std::int64_t kv_peak_blocks_ = 0;
  bool running_changed_ = false;  // some running request finished this step (compact running_)

  // Reused every iteration (no per-step allocation once warmed up).
  BatchWork batch_;
  // The budget with each phase's sparsity dropped where the method prices it above dense (counted).
  Budget keep_profitable_sparsity(const Request& spec, const Budget& budget);
  StepCost cost_;
  StepShares shares_;
  std::vector<StepItem> prefill_items_;
  std::vector<StepItem> decode_items_;
  // The current decode run: its pricing, each item's KV budget, per-step weights, per-item sums.
  DecodeRunCost run_cost_;
  std::vector<std::int64_t> run_budgets_;
  std::vector<double> run_weights_;
  std::vector<double> run_item_sums_;
  bool in_run_ = false;  // a decode run is priced and not yet committed
  TimeNs run_start_ns_ = 0;
  std::size_t run_steps_ = 0;  // its steps kept so far
};

}  // namespace sparsesim
