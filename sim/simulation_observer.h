#pragma once
// A window into one simulation, for timelines (`sparsesim trace`): called as iterations are formed and
// as requests are preempted or escalated. Observing never changes the run: the same inputs give the
// same results with or without an observer. Calls come in simulated-time order per replica.
#include <cstdint>

#include "core/time.h"

namespace sparsesim {

struct StepRecord {
  int replica = 0;
  TimeNs start_ns = 0, duration_ns = 0;
  std::int32_t prefill_chunks = 0, prefill_tokens = 0, decodes = 0;
  double mean_prefill_density = 1;  // over the step's prefill chunks (1 = dense)
  double mean_decode_keep = 1;      // KV tokens read / context tokens, over its decodes (1 = dense)
};

class SimulationObserver {
 public:
  virtual ~SimulationObserver() = default;
  virtual void on_step(const StepRecord& step) = 0;
  // `request_index`: the request's position in the simulated list.
  virtual void on_preemption(int replica, TimeNs at_ns, std::int32_t request_index) = 0;
  virtual void on_escalation(int replica, TimeNs at_ns, std::int32_t request_index, bool rerun_prefill) = 0;
};

}  // namespace sparsesim
