// Decode runs of one replica (sim/replica.h, start_step): a decode-only batch priced as a run of steps
// by the cost model, cut by an arrival routed here, and committed (totals, attribution, tokens, KV) when
// it ends. Internal to sim/.
#include <algorithm>
#include <limits>
#include <stdexcept>

#include "sim/replica.h"

namespace sparsesim {

std::int64_t Replica::steps_with_free_blocks(std::int64_t max_steps) const {
  // Step j of the run holds held(c + j) tokens; a sequence needs a block at each step whose held tokens
  // pass its capacity: the first at j1 = capacity - held(c) + 1, then every block_tokens steps while held
  // grows (an eviction budget stops it). The run may go on to step m while the blocks of steps 1..m fit
  // in the free blocks, plus the idle prefix-cache blocks when runs may evict them (commit_run); a
  // preemption is left to a normal step.
  const std::int64_t block_tokens = kv_.block_tokens();
  const std::int64_t free_blocks = run_.runs_evict_prefix_cache ? kv_.available_blocks() : kv_.free_blocks();
  auto blocks_through = [&](std::int64_t m) {
    std::int64_t total = 0;
    for (std::size_t i = 0; i < decode_items_.size() && total <= free_blocks; ++i) {
      const RequestState& state = run_.states[decode_items_[i].request];
      const std::int64_t context = batch_.decodes[i].context_tokens;
      const std::int64_t capacity =
          static_cast<std::int64_t>(state.private_blocks + state.shared_blocks) * block_tokens;
      std::int64_t last = m;
      if (state.budget.evicts_kv) last = std::min(last, state.budget.decode_kv_budget_tokens - context);
      const std::int64_t first = capacity - held_tokens(state, context, true) + 1;
      if (last >= first) total += 1 + (last - first) / block_tokens;
    }
    return total;
  };
  if (blocks_through(max_steps - 1) <= free_blocks) return max_steps;
  std::int64_t fits = 0, fails = max_steps - 1;  // blocks_through(fits) <= free < blocks_through(fails)
  while (fails - fits > 1) {
    const std::int64_t middle = fits + (fails - fits) / 2;
    (blocks_through(middle) <= free_blocks ? fits : fails) = middle;
  }
  return fits + 1;
}

TimeNs Replica::run_decodes(TimeNs now_ns) {
  const std::size_t items = decode_items_.size();
  // Steps until the first finish or revision: the run's last step is the one that causes it.
  std::int64_t max_steps = kMaxRunSteps;
  run_budgets_.resize(items);
  for (std::size_t i = 0; i < items; ++i) {
    const RequestState& state = run_.states[decode_items_[i].request];
    max_steps = std::min<std::int64_t>(max_steps, state.output_tokens - state.generated_tokens);
    if (run_.revision_after_tokens >= 0 && !state.revised)
      max_steps =
          std::min<std::int64_t>(max_steps, std::max(1, run_.revision_after_tokens - state.generated_tokens));
    run_budgets_[i] = state.budget.decode_kv_budget_tokens;
  }
  max_steps = steps_with_free_blocks(std::max<std::int64_t>(1, max_steps));
  const DecodeRunInput input{&batch_, run_budgets_.data(), max_steps, std::numeric_limits<TimeNs>::max()};
  run_.cost_model.decode_run_cost(input, run_cost_);
  run_start_ns_ = now_ns;
  run_steps_ = run_cost_.steps.size();
  in_run_ = true;
  TimeNs duration_ns = 0;
  for (const DecodeRunStep& step : run_cost_.steps) duration_ns += step.duration_ns;
  return duration_ns;
}

TimeNs Replica::cut_run(TimeNs now_ns) {
  if (!in_run_) return -1;
  // Keep the steps that start before now_ns (at least the first, under way): the next one would admit
  // what just arrived.
  TimeNs start_ns = run_start_ns_;
  std::size_t kept = 0;
  while (kept < run_steps_ && (kept == 0 || start_ns < now_ns))
    start_ns += run_cost_.steps[kept++].duration_ns;
  if (kept == run_steps_) return -1;
  run_steps_ = kept;
  return start_ns;
}

void Replica::commit_run() {
  in_run_ = false;
  run_cost_.keep_steps(run_steps_);
  const std::size_t items = decode_items_.size();
  const std::size_t steps = run_steps_;
  // Each step's totals and shares, as step by step; the items' attention times weighted by them.
  run_weights_.resize(2 * steps);
  double linear_ns_per_token = 0, flops_per_token = 0;
  TimeNs start_ns = run_start_ns_;
  const auto tokens = static_cast<double>(items);
  for (std::size_t k = 0; k < steps; ++k) {
    const DecodeRunStep& step = run_cost_.steps[k];
    const double gpu_ns = static_cast<double>(step.duration_ns) * run_.tensor_parallel;
    add_step_totals(gpu_ns, step.linear_flops + step.attention_flops, step.attention_flops,
                    step.memory_bytes);
    const StepShares shares =
        step_shares(gpu_ns, step.linear_ns, step.attention_ns, step.attention_flops, tokens);
    run_weights_[k] = shares.attention_scale;
    run_weights_[steps + k] = shares.flops_per_attention_ns;
    linear_ns_per_token += shares.linear_ns_per_token;
    flops_per_token += shares.flops_per_token;
    if (run_.observer) observe_run_step(start_ns, step.duration_ns, static_cast<std::int64_t>(k));
    start_ns += step.duration_ns;
  }
  run_item_sums_.resize(2 * items);
  run_cost_.weighted_item_sums(run_weights_.data(), run_item_sums_.data());
  run_cost_.weighted_item_sums(run_weights_.data() + steps, run_item_sums_.data() + items);

  // All steps attributed; all but the last committed (finish_step completes it). The blocks they need
  // come from free blocks, then (runs_evict_prefix_cache) from the least recently used idle prefix
  // entries: item by item, as step by step would evict them, since nothing touched the cache during the
  // run. steps_with_free_blocks bounded the run by what is there, so make_free cannot fail.
  const auto advanced = static_cast<std::int32_t>(steps - 1);
  for (std::size_t i = 0; i < items; ++i) {
    RequestState& state = run_.states[decode_items_[i].request];
    state.gpu_time_ns += run_item_sums_[i] + linear_ns_per_token;
    state.attention_flops += run_item_sums_[items + i] + flops_per_token;
    if (advanced == 0) continue;
    state.generated_tokens += advanced;
    DecodeStepWork& work = batch_.decodes[i];
    work.context_tokens += advanced;
    work.kv_tokens_read = state.budget.kv_tokens_read(work.context_tokens);
    const std::int64_t need =
        private_blocks_needed(state, held_tokens(state, work.context_tokens, true)) - state.private_blocks;
    if (need > 0) {
      if (!kv_.make_free(need)) throw std::logic_error("decode run: its KV blocks were not available");
      kv_.allocate(need);
      state.private_blocks += static_cast<std::int32_t>(need);
    }
  }
  kv_peak_blocks_ = std::max(kv_peak_blocks_, kv_.used_blocks());
}

void Replica::observe_run_step(TimeNs start_ns, TimeNs duration_ns, std::int64_t step) const {
  StepRecord record;
  record.replica = index_;
  record.start_ns = start_ns;
  record.duration_ns = duration_ns;
  record.decodes = static_cast<std::int32_t>(batch_.decodes.size());
  double keep = 0;
  for (std::size_t i = 0; i < batch_.decodes.size(); ++i) {
    const std::int64_t context = batch_.decodes[i].context_tokens + step;
    keep += static_cast<double>(std::min(context, run_budgets_[i])) /
            static_cast<double>(std::max<std::int64_t>(1, context));
  }
  if (record.decodes > 0) record.mean_decode_keep = keep / record.decodes;
  run_.observer->on_step(record);
}

}  // namespace sparsesim
