#include "cost/cost_model.h"

namespace sparsesim {

std::int64_t BatchWork::total_tokens() const {
  std::int64_t tokens = static_cast<std::int64_t>(decodes.size());
  for (const auto& chunk : prefills) tokens += chunk.new_tokens;
  return tokens;
}

}  // namespace sparsesim
