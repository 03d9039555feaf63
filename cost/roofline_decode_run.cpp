// The roofline's closed form for a run of decode-only iterations (cost_model.h, DecodeRunInput).
//
// With no prefill in the batch, every step has the same tokens and logits rows, so the linear layers, the
// LM head, the elementwise kernels, the all-reduces and the host work cost the same at every step. Only
// attention changes: each sequence's context grows by one token per step, so its attention time, FLOPs
// and bytes are base + slope x k (a dense or eviction kernel on one side of its roofline) plus, for
// Quest-style selection, a per-page term that steps up every page_tokens tokens. The batch's sums are
// then affine in k plus a page sum that changes only for the sequences crossing a page boundary, counted
// per context residue modulo the page size: O(1) per step after O(items) set-up. Each step is then
// finished exactly as step_cost finishes one (decode class floor and fixed time, stretch, duration).
//
// The form holds while no sequence changes regime: a dense read reaching its budget, a kernel turning
// compute-bound, Quest's reads reaching the selected pages. The run is cut before such a step (the
// simulator starts a new run there), so no approximation is made; sums differ from step_cost's only in
// the order of addition.
#include <algorithm>
#include <cmath>
#include <limits>

#include "cost/decode_run_sums.h"
#include "cost/roofline_cost_model.h"
#include "cost/sparse_attention_terms.h"

namespace sparsesim {

void RooflineCostModel::decode_run_cost(const DecodeRunInput& input, DecodeRunCost& out) const {
  if (!decode_run_closed_form(input, out)) decode_run_by_steps(input, out);
}

bool RooflineCostModel::decode_run_closed_form(const DecodeRunInput& input, DecodeRunCost& out) const {
  const std::vector<DecodeStepWork>& decodes = input.first->decodes;
  const std::size_t items = decodes.size();
  if (items == 0 || !input.first->prefills.empty()) return false;
  std::int64_t steps = std::max<std::int64_t>(1, input.max_steps);

  // Each sequence's terms; the run shortens to the steps every form covers.
  thread_local std::vector<DecodeItemTerms> terms;
  terms.resize(items);
  bool sparse = false;
  std::int64_t page_tokens = 0;
  for (std::size_t i = 0; i < items; ++i) {
    const DecodeStepWork& work = decodes[i];
    const std::int64_t budget = input.kv_budget_tokens[i];
    DecodeItemTerms& item = terms[i];
    if (work.kv_tokens_read < work.context_tokens && decode_method_) {
      if (!decode_method_->decode_run_terms(work.context_tokens, budget, steps, attention_shape_,
                                            attention_rates_, item))
        return false;
      sparse = true;
    } else {
      // The dense kernel over read tokens: the whole growing context, or (no method: sparsity priced
      // ideally) a budget already below it. A dense read that would pass its budget ends the form there.
      const bool growing = work.kv_tokens_read >= work.context_tokens;
      const std::int64_t item_steps = steps_before_turning_sparse(work, budget, steps);
      const double read0 = static_cast<double>(work.kv_tokens_read);
      const double slope = growing ? 1.0 : 0.0;
      item.base_flops = attention_flops_per_key_ * read0;
      item.slope_flops = attention_flops_per_key_ * slope;
      item.base_bytes = kv_bytes_per_token_ * (read0 + 1) + query_output_bytes_per_token_;
      item.slope_bytes = kv_bytes_per_token_ * slope;
      const AffinePiece time =
          larger_affine(item.base_flops * attention_s_per_flop_, item.slope_flops * attention_s_per_flop_,
                        item.base_bytes * kv_s_per_byte_, item.slope_bytes * kv_s_per_byte_, item_steps);
      item.base_s = time.base;
      item.slope_s = time.slope;
      item.per_page_s = item.per_page_flops = item.per_page_bytes = 0;
      item.valid_steps = time.valid_steps;
    }
    if (item.per_page_s != 0 || item.per_page_flops != 0 || item.per_page_bytes != 0) {
      if (page_tokens != 0 && page_tokens != item.page_tokens) return false;
      page_tokens = item.page_tokens;
    }
    steps = std::min(steps, std::max<std::int64_t>(1, item.valid_steps));
  }
  if (page_tokens == 0) page_tokens = 1;

  out.start_closed_form(items, page_tokens);
  DecodeRunSums sums(page_tokens);
  for (std::size_t i = 0; i < items; ++i) {
    const DecodeItemTerms& item = terms[i];
    sums.add(decodes[i].context_tokens, item);
    out.base_s[i] = item.base_s;
    out.slope_s[i] = item.slope_s;
    out.per_page_s[i] = item.per_page_s;
    out.page_origin[i] = decodes[i].context_tokens;
  }
  // stretch_to's equal split of a zero sum has no closed form; the sum only grows over the run.
  if (!(sums.time(0) > 0)) return false;

  const double rows = static_cast<double>(items);
  const NonAttentionTerms rest = non_attention(rows, rows);
  const DecodeClass decode = decode_class(sparse);
  const double host_s = host_seconds(rows);
  TimeNs elapsed_ns = 0;
  out.steps.reserve(static_cast<std::size_t>(std::min<std::int64_t>(steps, 4096)));
  for (std::int64_t step = 0; step < steps; ++step) {
    const double k = static_cast<double>(step);
    const double sum_s = sums.time(k);
    const double class_s = std::max(sum_s + decode.fixed_s, decode.floor_s);
    const double stretch = class_s > sum_s ? class_s / sum_s : 1.0;
    DecodeRunStep priced;
    priced.duration_ns = iteration_ns(rest.seconds + class_s, host_s);
    priced.attention_ns = sum_s * stretch * 1e9;
    priced.linear_ns = std::max(0.0, static_cast<double>(priced.duration_ns) - priced.attention_ns);
    priced.linear_flops = rest.linear_flops;
    priced.attention_flops = sums.flops(k);
    priced.memory_bytes = rest.bytes + sums.bytes(k);
    out.steps.push_back(priced);
    out.ns_per_s.push_back(stretch * 1e9);
    elapsed_ns += priced.duration_ns;
    if (elapsed_ns >= input.time_budget_ns) break;
    sums.advance();
  }
  return true;
}

}  // namespace sparsesim
