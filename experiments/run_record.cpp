#include "experiments/run_record.h"

#include <stdexcept>

namespace sparsesim {

double run_compute(const RunSummary& summary, const std::string& metric) {
  if (metric == "gpu_seconds") return summary.gpu_busy_s;
  if (metric == "attention_flops") return summary.attention_flops;
  if (metric == "memory_bytes") return summary.memory_bytes;
  throw std::invalid_argument("unknown compute metric '" + metric + "'");
}

}  // namespace sparsesim
