#include "sim/replica.h"

#include "sim/sparse_fallback.h"

#include <algorithm>
#include <cmath>

namespace sparsesim {

Replica::Replica(int index, std::int64_t kv_blocks, RunContext& run)
    : index_(index), run_(run), kv_(kv_blocks, run.scheduler.kv_block_tokens) {}

void Replica::enqueue(std::int32_t request) {
  const Request& spec = run_.requests[request];
  RequestState& state = run_.states[request];
  state.phase = RequestPhase::waiting;
  state.prefill_target_tokens = spec.input_tokens;
  state.prefilled_tokens = 0;
  waiting_.push_back(request);
  waiting_prompt_tokens_ += state.prefill_target_tokens;
  outstanding_tokens_ += static_cast<std::int64_t>(spec.input_tokens) + spec.output_tokens;
  run_.results[request].replica = index_;
}

std::int64_t Replica::held_tokens(const RequestState& state, std::int64_t kv_tokens, bool decoding) {
  return decoding && state.budget.evicts_kv ? std::min(kv_tokens, state.budget.decode_kv_budget_tokens)
                                            : kv_tokens;
}

std::int64_t Replica::private_blocks_needed(const RequestState& state, std::int64_t held) const {
  return std::max<std::int64_t>(0, kv_.blocks_for_tokens(held) - state.shared_blocks);
}

// Prefix entries usable for `tokens` tokens of a request: whole prefix blocks only, and none when
// caching is off or a prefix block is smaller than a KV block.
std::int32_t Replica::prefix_entries_limit(const Request& request, std::int32_t tokens) const {
  if (!run_.prefix_caching || request.prefix_block_ids.empty()) return 0;
  if (request.prefix_block_tokens < kv_.block_tokens()) return 0;
  const auto whole_blocks = static_cast<std::int64_t>(tokens) / request.prefix_block_tokens;
  return static_cast<std::int32_t>(
      std::min<std::int64_t>(whole_blocks, static_cast<std::int64_t>(request.prefix_block_ids.size())));
}

std::int32_t Replica::allocate_chunk(RequestState& state, std::int32_t wanted) {
  if (wanted <= 0) return 0;
  std::int64_t need = private_blocks_needed(state, state.prefilled_tokens + wanted) - state.private_blocks;
  if (need > 0 && !kv_.make_free(need)) {
    // Shrink the chunk to the memory that can be found.
    const std::int64_t reachable_blocks = state.private_blocks + kv_.available_blocks() + state.shared_blocks;
    const std::int64_t fit = reachable_blocks * kv_.block_tokens() - state.prefilled_tokens;
    wanted = static_cast<std::int32_t>(std::min<std::int64_t>(wanted, fit));
    if (wanted <= 0) return 0;
    need = private_blocks_needed(state, state.prefilled_tokens + wanted) - state.private_blocks;
    if (need > 0 && !kv_.make_free(need)) return 0;
  }
  if (need > 0) {
    kv_.allocate(need);
    state.private_blocks += static_cast<std::int32_t>(need);
  }
  return wanted;
}

void Replica::release_kv(std::int32_t request) {
  RequestState& state = run_.states[request];
  kv_.release(state.private_blocks);
  state.private_blocks = 0;
  if (state.cache_references > 0)
    kv_.release_refs(run_.requests[request].prefix_block_ids, state.cache_references);
  state.cache_references = 0;
  state.shared_blocks = 0;
}

void Replica::preempt_newest() {
  const std::int32_t request = running_.back();
  running_.pop_back();
  release_kv(request);
  RequestState& state = run_.states[request];
  state.phase = RequestPhase::waiting;
  state.prefilled_tokens = 0;
  state.prefill_target_tokens = run_.requests[request].input_tokens + state.generated_tokens;
  waiting_.push_front(request);
  waiting_prompt_tokens_ += state.prefill_target_tokens;
  ++run_.results[request].preemptions;
  ++run_.totals.preemptions;
  if (run_.observer) run_.observer->on_preemption(index_, clock_ns_, request);
}

void Replica::schedule_decodes(std::int32_t& budget_tokens) {
  for (std::size_t position = 0; position < running_.size() && budget_tokens > 0; ++position) {
    const std::int32_t request = running_[position];
    RequestState& state = run_.states[request];
    if (state.phase != RequestPhase::decoding) continue;
    // This step appends the KV of the last emitted token: the cache then holds input + generated tokens.
    const std::int64_t context = static_cast<std::int64_t>(state.input_tokens) + state.generated_tokens;
    const std::int64_t held = held_tokens(state, context, true);
    // Most steps stay inside the last block: compare before dividing.
    const std::int64_t capacity_tokens =
        static_cast<std::int64_t>(state.private_blocks + state.shared_blocks) * kv_.block_tokens();
    const std::int64_t need =
        held <= capacity_tokens ? 0 : private_blocks_needed(state, held) - state.private_blocks;
    if (need > 0) {
      bool preempted_self = false;
      while (!kv_.make_free(need)) {
        preempted_self = running_.back() == request;
        preempt_newest();
        if (preempted_self) break;
      }
      if (preempted_self) break;  // it was the newest: nothing after it runs either
      kv_.allocate(need);
      state.private_blocks += static_cast<std::int32_t>(need);
    }
    batch_.decodes.push_back(DecodeStepWork{context, state.budget.kv_tokens_read(context)});
    decode_items_.push_back(StepItem{request, 1});
    --budget_tokens;
  }
}

void Replica::schedule_running_prefills(std::int32_t& budget_tokens) {
  for (std::size_t position = 0; position < running_.size() && budget_tokens > 0; ++position) {
    const std::int32_t request = running_[position];
    RequestState& state = run_.states[request];
    if (state.phase != RequestPhase::prefilling) continue;
    const std::int32_t wanted = std::min(
        {run_.scheduler.chunk_tokens, state.prefill_target_tokens - state.prefilled_tokens, budget_tokens});
    const std::int32_t chunk = allocate_chunk(state, wanted);
    if (chunk <= 0) continue;
    batch_.prefills.push_back(PrefillChunkWork{chunk, state.prefilled_tokens, state.budget.prefill_density});
    prefill_items_.push_back(StepItem{request, chunk});
    budget_tokens -= chunk;
  }
}

Budget Replica::keep_profitable_sparsity(const Request& spec, const Budget& budget) {
  if (budget.is_dense()) return budget;
  const FallbackDecision decision = drop_unprofitable_sparsity(run_.cost_model, spec, budget);
  run_.totals.dense_fallback_prefills += decision.prefill_fell_back ? 1 : 0;
  run_.totals.dense_fallback_decodes += decision.decode_fell_back ? 1 : 0;
  return decision.budget;
}

void Replica::admit_waiting(TimeNs now_ns, std::int32_t& budget_tokens) {
  while (budget_tokens > 0 && !waiting_.empty() &&
         running_.size() < static_cast<std::size_t>(run_.scheduler.max_running)) {
    const std::int32_t request = waiting_.front();
    const Request& spec = run_.requests[request];
    RequestState& state = run_.states[request];
    Budget budget = state.budget;
    if (!state.budget_assigned) {
      SystemLoad load;
      load.running_requests = static_cast<int>(running_.size());
      load.queued_tokens = waiting_prompt_tokens_;
      load.kv_utilisation = kv_.total_blocks() > 0 ? static_cast<double>(kv_.used_blocks()) /
                                                         static_cast<double>(kv_.total_blocks())
                                                   : 1.0;
      budget = run_.policy.initial_budget(spec, load);
      budget.evicts_kv = run_.decode_evicts_kv && budget.decode_kv_budget_tokens != Budget::kDenseKv;
      budget = keep_profitable_sparsity(spec, budget);
    }
    // Leading prefix blocks already cached are referenced, not recomputed; at least one token is computed
    // so that the prefill emits the next token. Eviction budgets compress the KV, so they share nothing.
    std::int32_t hits = 0;
    if (!budget.evicts_kv) {
      const std::int32_t limit = prefix_entries_limit(spec, state.prefill_target_tokens - 1);
      if (limit > 0) {
        const std::int32_t blocks_per_entry = spec.prefix_block_tokens / kv_.block_tokens();
        hits = kv_.acquire(spec.prefix_block_ids, 0, limit, blocks_per_entry, false);
        state.cache_references = hits;
        state.shared_blocks = hits * blocks_per_entry;
      }
    }
    state.prefilled_tokens = hits * spec.prefix_block_tokens;
    const std::int32_t wanted = std::min(
        {run_.scheduler.chunk_tokens, state.prefill_target_tokens - state.prefilled_tokens, budget_tokens});
    const std::int32_t chunk = allocate_chunk(state, wanted);
    if (chunk <= 0) {
      release_kv(request);
      state.prefilled_tokens = 0;
      return;  // FCFS: the head waits for memory, and so does everyone behind it
    }
    waiting_.pop_front();
    waiting_prompt_tokens_ -= state.prefill_target_tokens;
    state.budget = budget;
    state.budget_assigned = true;
    state.phase = RequestPhase::prefilling;
    running_.push_back(request);
    RequestResult& result = run_.results[request];
    if (result.first_scheduled_ns < 0) {
      result.first_scheduled_ns = now_ns;
      result.prefix_cached_tokens = state.prefilled_tokens;
    }
    batch_.prefills.push_back(PrefillChunkWork{chunk, state.prefilled_tokens, budget.prefill_density});
    prefill_items_.push_back(StepItem{request, chunk});
    budget_tokens -= chunk;
  }
}

TimeNs Replica::start_step(TimeNs now_ns) {
  clock_ns_ = now_ns;
  batch_.clear();
  prefill_items_.clear();
  decode_items_.clear();
  for (;;) {
    std::int32_t budget_tokens = run_.scheduler.max_batch_tokens;
    schedule_decodes(budget_tokens);
    schedule_running_prefills(budget_tokens);
    admit_waiting(now_ns, budget_tokens);
    if (!decode_items_.empty() || !prefill_items_.empty() || running_.empty()) break;
    // Every running request is a prefill stuck without memory: free the newest and try again.
    preempt_newest();
  }
  if (decode_items_.empty() && prefill_items_.empty()) {
    busy_ = false;
    return -1;
  }
  kv_peak_blocks_ = std::max(kv_peak_blocks_, kv_.used_blocks());
  busy_ = true;
  if (run_.decode_runs && prefill_items_.empty() && waiting_.empty() &&
      decode_items_.size() == running_.size())
    return run_decodes(now_ns);
  run_.cost_model.step_cost(batch_, cost_);
  const double gpu_ns = static_cast<double>(cost_.duration_ns) * run_.tensor_parallel;
  add_step_totals(gpu_ns, cost_.linear_flops + cost_.attention_flops, cost_.attention_flops,
                  cost_.memory_bytes);
  const std::size_t items = prefill_items_.size() + decode_items_.size();
  const bool have_attention = cost_.item_attention_ns.size() == items;
  const double attention_ns = cost_.attention_ns_sum(items);
  double total_tokens = static_cast<double>(decode_items_.size());
  for (const auto& item : prefill_items_) total_tokens += item.tokens;
  shares_ = step_shares(gpu_ns, cost_.linear_ns, attention_ns, cost_.attention_flops, total_tokens);
  shares_.item_attention_ns = have_attention ? cost_.item_attention_ns.data() : nullptr;
  if (!have_attention) shares_.attention_scale = 0;
  if (run_.observer) observe_step(now_ns);
  return cost_.duration_ns;
}

void Replica::attribute(RequestState& state, std::int32_t tokens, const double*& attention_ns) const {
  const double own_attention_ns = attention_ns ? *attention_ns++ : 0.0;
  state.gpu_time_ns += own_attention_ns * shares_.attention_scale + shares_.linear_ns_per_token * tokens;
  state.attention_flops +=
      own_attention_ns * shares_.flops_per_attention_ns + shares_.flops_per_token * tokens;
}

// Adds a step to the run totals: GPU time (duration x tensor_parallel), FLOPs, bytes, and the utilised
// part of the GPU time for the power model.
void Replica::add_step_totals(double gpu_ns, double flops, double attention_flops, double memory_bytes) {
  run_.totals.gpu_busy_ns += gpu_ns;
  run_.totals.attention_flops += attention_flops;
  run_.totals.memory_bytes += memory_bytes;
  // gpu_ns x min(1, the larger of the FLOP/s and bytes/s fractions of peak), without dividing.
  run_.totals.utilised_gpu_ns +=
      std::min(gpu_ns, std::max(flops * run_.ns_per_peak_flop, memory_bytes * run_.ns_per_peak_byte));
}

void Replica::complete_prefill(std::int32_t request, TimeNs now_ns) {
  const Request& spec = run_.requests[request];
  RequestState& state = run_.states[request];
  state.phase = RequestPhase::decoding;
  ++state.generated_tokens;
  RequestResult& result = run_.results[request];
  if (result.first_token_ns < 0) result.first_token_ns = now_ns;
  // The prompt's whole prefix blocks join the prefix cache (or are deduplicated against it).
  if (!state.budget.evicts_kv) {
    const std::int32_t limit = prefix_entries_limit(spec, spec.input_tokens);
    if (limit > state.cache_references) {
      const std::int32_t blocks_per_entry = spec.prefix_block_tokens / kv_.block_tokens();
      const std::int32_t added =
          kv_.acquire(spec.prefix_block_ids, state.cache_references, limit, blocks_per_entry, true);
      state.cache_references += added;
      state.shared_blocks += added * blocks_per_entry;
      state.private_blocks -= added * blocks_per_entry;
    }
  }
  // Eviction-style budgets compress the cache to the budget once the prompt is in.
  const std::int64_t kv_tokens = static_cast<std::int64_t>(spec.input_tokens) + state.generated_tokens - 1;
  const std::int64_t needed = private_blocks_needed(state, held_tokens(state, kv_tokens, true));
  if (state.private_blocks > needed) {
    kv_.release(state.private_blocks - needed);
    state.private_blocks = static_cast<std::int32_t>(needed);
  }
}

void Replica::after_token(std::int32_t request, TimeNs now_ns, std::vector<std::int32_t>& finished) {
  RequestState& state = run_.states[request];
  if (state.generated_tokens >= state.output_tokens) {
    finish_request(request, now_ns, finished);
    return;
  }
  if (state.revised || run_.revision_after_tokens < 0 || state.generated_tokens < run_.revision_after_tokens)
    return;
  state.revised = true;
  const Request& spec = run_.requests[request];
  const auto escalation = run_.policy.revise(spec, state.budget);
  if (!escalation) return;
  const Budget before = state.budget;
  state.budget = escalation->budget;
  // Evicted tokens are gone: without a prefill rerun, an evicting decode keeps reading what it kept.
  state.budget.evicts_kv = before.evicts_kv;
  if (before.evicts_kv && !escalation->rerun_prefill)
    state.budget.decode_kv_budget_tokens =
        std::min(state.budget.decode_kv_budget_tokens, before.decode_kv_budget_tokens);
  state.budget = keep_profitable_sparsity(spec, state.budget);
  run_.results[request].escalated = true;
  ++run_.totals.escalations;
  if (run_.observer) run_.observer->on_escalation(index_, clock_ns_, request, escalation->rerun_prefill);
  if (escalation->rerun_prefill) {
    // Recompute the prompt and the tokens so far at the new density; the KV blocks are kept.
    state.phase = RequestPhase::prefilling;
    state.prefilled_tokens = 0;
    state.prefill_target_tokens = spec.input_tokens + state.generated_tokens;
  }
}

void Replica::finish_request(std::int32_t request, TimeNs now_ns, std::vector<std::int32_t>& finished) {
  const Request& spec = run_.requests[request];
  RequestState& state = run_.states[request];
  release_kv(request);
  state.phase = RequestPhase::finished;
  running_changed_ = true;
  outstanding_tokens_ -= static_cast<std::int64_t>(spec.input_tokens) + spec.output_tokens;

  RequestResult& result = run_.results[request];
  result.status = RequestStatus::done;
  result.finish_ns = now_ns;
  result.ttft_ns = result.first_token_ns - result.arrival_ns;
  result.e2e_ns = now_ns - result.arrival_ns;
  result.tpot_ns = spec.output_tokens > 1 ? static_cast<double>(now_ns - result.first_token_ns) /
                                                static_cast<double>(spec.output_tokens - 1)
                                          : 0.0;
  result.prefill_sparsity = state.budget.prefill_sparsity();
  result.decode_kv_budget_tokens = state.budget.decode_kv_budget_tokens;
  result.gpu_time_ns = state.gpu_time_ns;
  result.attention_flops = state.attention_flops;
  if (run_.quality_model) {
    result.quality = run_.quality_model->score(spec, state.budget);
    ++run_.totals.lookups[static_cast<int>(result.quality.prefill_lookup)];
    ++run_.totals.lookups[static_cast<int>(result.quality.decode_lookup)];
  }
  finished.push_back(request);
}

void Replica::observe_step(TimeNs start_ns) const {
  StepRecord step;
  step.replica = index_;
  step.start_ns = start_ns;
  step.duration_ns = cost_.duration_ns;
  step.prefill_chunks = static_cast<std::int32_t>(batch_.prefills.size());
  step.decodes = static_cast<std::int32_t>(batch_.decodes.size());
  double density = 0, keep = 0;
  for (const auto& chunk : batch_.prefills) step.prefill_tokens += chunk.new_tokens, density += chunk.density;
  for (const auto& decode : batch_.decodes)
    keep += static_cast<double>(decode.kv_tokens_read) /
            static_cast<double>(std::max<std::int64_t>(1, decode.context_tokens));
  if (step.prefill_chunks > 0) step.mean_prefill_density = density / step.prefill_chunks;
  if (step.decodes > 0) step.mean_decode_keep = keep / step.decodes;
  run_.observer->on_step(step);
}

void Replica::finish_step(TimeNs now_ns, std::vector<std::int32_t>& finished) {
  clock_ns_ = now_ns;
  const bool ends_run = in_run_;  // a decode run attributes every one of its steps when committed
  if (ends_run) commit_run();
  // Attribution and progress in one pass over the items (prefills first, as in item_attention_ns).
  const double* attention_ns = shares_.item_attention_ns;
  for (const auto& item : prefill_items_) {
    RequestState& state = run_.states[item.request];
    attribute(state, item.tokens, attention_ns);
    state.prefilled_tokens += item.tokens;
    if (state.prefilled_tokens >= state.prefill_target_tokens) {
      complete_prefill(item.request, now_ns);
      after_token(item.request, now_ns, finished);
    }
  }
  for (const auto& item : decode_items_) {
    RequestState& state = run_.states[item.request];
    if (!ends_run) attribute(state, 1, attention_ns);
    ++state.generated_tokens;
    after_token(item.request, now_ns, finished);
  }
  if (running_changed_) {
    std::erase_if(running_,
                  [&](std::int32_t request) { return run_.states[request].phase == RequestPhase::finished; });
    running_changed_ = false;
  }
  busy_ = false;
}

}  // namespace sparsesim
