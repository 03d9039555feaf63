#pragma once
// A run's timeline as Chrome trace / Perfetto JSON (the Trace Event Format: opens in ui.perfetto.dev and
// chrome://tracing). Per replica (a process): an "iterations" track with one slice per iteration (prefill
// tokens, decodes, mean prefill density and decode KV kept, step time), and request tracks with each
// request's phases (queued, prefill, decode) as slices, preemptions and escalations as instant events.
// Times are microseconds of simulated time. The size is bounded: only the replicas and the time window
// asked for, and at most `max_events` events; when the cap cuts the window short, the trace says where
// (otherData.truncated_at_s) and so does the returned summary.
#include <cstdint>
#include <set>
#include <string>

#include "sim/simulation.h"
#include "sim/simulation_observer.h"

namespace sparsesim {

struct TraceWindow {
  double from_s = 0, to_s = 1e300;  // simulated seconds
  std::set<int> replicas;           // empty = every replica
  std::int64_t max_events = 200000;
};

class ChromeTraceRecorder final : public SimulationObserver {
 public:
  explicit ChromeTraceRecorder(TraceWindow window) : window_(std::move(window)) {}
  void on_step(const StepRecord& step) override;
  void on_preemption(int replica, TimeNs at_ns, std::int32_t request_index) override;
  void on_escalation(int replica, TimeNs at_ns, std::int32_t request_index, bool rerun_prefill) override;

  // The whole JSON document: the recorded iterations and instants, plus the request phases from
  // `result`, with `metadata` (a JSON object's members, e.g. "\"run_id\": 3") in otherData.
  std::string json(const SimulationResult& result, const std::string& metadata);
  std::int64_t events() const { return events_; }
  double truncated_at_s() const { return truncated_at_s_; }  // < 0: not truncated

 private:
  bool wanted(int replica, TimeNs at_ns);
  TraceWindow window_;
  std::string body_;
  std::int64_t events_ = 0;
  double truncated_at_s_ = -1;
  std::set<int> seen_replicas_;
};

}  // namespace sparsesim
