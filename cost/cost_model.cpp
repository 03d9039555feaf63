#include "cost/cost_model.h"

#include <cmath>

namespace sparsesim {

double StepCost::attention_ns_sum(std::size_t items) const {
  if (item_attention_ns.size() != items) return 0;
  if (!std::isnan(item_attention_ns_sum)) return item_attention_ns_sum;
  double sum = 0;
  for (double ns : item_attention_ns) sum += ns;
  return sum;
}

std::int64_t BatchWork::total_tokens() const {
  std::int64_t tokens = static_cast<std::int64_t>(decodes.size());
  for (const auto& chunk : prefills) tokens += chunk.new_tokens;
  return tokens;
}

}  // namespace sparsesim
