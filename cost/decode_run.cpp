// Decode runs priced at once (cost_model.h): the per-item attention sums in their two forms, and the
// stepping default every cost model inherits.
#include <cmath>
#include <stdexcept>

#include "cost/cost_model.h"

namespace sparsesim {

void DecodeRunCost::start_tabulated(std::size_t items) {
  closed_form_ = false;
  items_ = items;
  steps.clear();
  item_ns_by_step.clear();
}

void DecodeRunCost::start_closed_form(std::size_t items, std::int64_t page_tokens) {
  if (page_tokens < 1) throw std::logic_error("DecodeRunCost: page_tokens must be >= 1");
  closed_form_ = true;
  items_ = items;
  page_tokens_ = page_tokens;
  steps.clear();
  ns_per_s.clear();
  base_s.assign(items, 0.0);
  slope_s.assign(items, 0.0);
  per_page_s.assign(items, 0.0);
  page_origin.assign(items, 1);
}

void DecodeRunCost::keep_steps(std::size_t count) {
  if (count > steps.size()) throw std::logic_error("DecodeRunCost::keep_steps: more steps than priced");
  steps.resize(count);
  if (closed_form_) {
    ns_per_s.resize(count);
  } else {
    item_ns_by_step.resize(count * items_);
  }
}

void DecodeRunCost::weighted_item_sums(const double* weights, double* out) const {
  const std::size_t step_count = steps.size();
  if (!closed_form_) {
    for (std::size_t i = 0; i < items_; ++i) out[i] = 0;
    if (item_ns_by_step.size() != step_count * items_)
      throw std::logic_error("DecodeRunCost: tabulated item times do not cover the steps");
    for (std::size_t k = 0; k < step_count; ++k) {
      const double* row = item_ns_by_step.data() + k * items_;
      for (std::size_t i = 0; i < items_; ++i) out[i] += row[i] * weights[k];
    }
    return;
  }
  if (ns_per_s.size() != step_count)
    throw std::logic_error("DecodeRunCost: ns_per_s does not cover the steps");
  // v[k] = weights[k] x ns_per_s[k]; the affine terms need sum v and sum k v.
  const auto page = static_cast<std::size_t>(page_tokens_);
  scratch_.assign(step_count + 1 + page + 1, 0.0);
  double* suffix = scratch_.data();                     // suffix[k] = sum_{j >= k} v[j]
  double* by_phase = scratch_.data() + step_count + 1;  // H[phase], NaN until needed
  double sum_kv = 0;
  for (std::size_t k = step_count; k-- > 0;) {
    const double v = weights[k] * ns_per_s[k];
    suffix[k] = suffix[k + 1] + v;
    sum_kv += static_cast<double>(k) * v;
  }
  const double sum_v = suffix[0];
  for (std::size_t phase = 0; phase <= page; ++phase) by_phase[phase] = std::nan("");
  // For a context c = q P + phase (phase in 1..P), ceil((c + k) / P) = q + ceil((phase + k) / P), and
  // sum_k ceil((phase + k) / P) v[k] = sum_{j >= 0} suffix[max(0, j P - phase + 1)]: each page boundary
  // j P crossed at step j P - phase + 1 adds every later step's weight once.
  auto phase_sum = [&](std::size_t phase) {
    double& memo = by_phase[phase];
    if (!std::isnan(memo)) return memo;
    double sum = sum_v;  // j = 0: every step holds at least one page
    for (std::size_t boundary = page; boundary - phase + 1 < step_count; boundary += page)
      sum += suffix[boundary - phase + 1];
    return memo = sum;
  };
  for (std::size_t i = 0; i < items_; ++i) {
    double total = base_s[i] * sum_v + slope_s[i] * sum_kv;
    if (per_page_s[i] != 0) {
      const std::int64_t origin = page_origin[i];
      const std::int64_t phase = (origin - 1) % page_tokens_ + 1;
      const double whole_pages = static_cast<double>((origin - phase) / page_tokens_);
      total += per_page_s[i] * (whole_pages * sum_v + phase_sum(static_cast<std::size_t>(phase)));
    }
    out[i] = total;
  }
}

void CostModel::decode_run_cost(const DecodeRunInput& input, DecodeRunCost& out) const {
  decode_run_by_steps(input, out);
}

void CostModel::decode_run_by_steps(const DecodeRunInput& input, DecodeRunCost& out) const {
  const std::size_t items = input.first->decodes.size();
  out.start_tabulated(items);
  BatchWork batch;
  batch.decodes = input.first->decodes;
  StepCost cost;
  TimeNs elapsed_ns = 0;
  for (std::int64_t step = 0;; ++step) {
    step_cost(batch, cost);
    const DecodeRunStep priced{cost.duration_ns,  cost.linear_ns,       cost.attention_ns_sum(items),
                               cost.linear_flops, cost.attention_flops, cost.memory_bytes};
    if (cost.item_attention_ns.size() == items) {
      out.item_ns_by_step.insert(out.item_ns_by_step.end(), cost.item_attention_ns.begin(),
                                 cost.item_attention_ns.end());
    } else {
      out.item_ns_by_step.insert(out.item_ns_by_step.end(), items, 0.0);  // no per-item times: none shared
    }
    out.steps.push_back(priced);
    elapsed_ns += cost.duration_ns;
    if (step + 1 >= input.max_steps || elapsed_ns >= input.time_budget_ns) break;
    for (std::size_t i = 0; i < items; ++i) {
      DecodeStepWork& work = batch.decodes[i];
      ++work.context_tokens;
      work.kv_tokens_read = std::min(work.context_tokens, input.kv_budget_tokens[i]);
    }
  }
}

}  // namespace sparsesim
