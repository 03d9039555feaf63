#include "experiments/chrome_trace.h"

#include <algorithm>
#include <cstdio>
#include <map>
#include <vector>

namespace sparsesim {
namespace {

std::string microseconds(TimeNs ns) {
  char text[40];
  std::snprintf(text, sizeof text, "%.3f", static_cast<double>(ns) / 1000.0);
  return text;
}

std::string number(double value) {
  char text[40];
  std::snprintf(text, sizeof text, "%.6g", value);
  return text;
}

constexpr int kIterationsTrack = 0;

}  // namespace

bool ChromeTraceRecorder::wanted(int replica, TimeNs at_ns) {
  if (!window_.replicas.empty() && !window_.replicas.count(replica)) return false;
  const double at_s = static_cast<double>(at_ns) * 1e-9;
  if (at_s < window_.from_s || at_s > window_.to_s) return false;
  if (events_ >= window_.max_events) {
    if (truncated_at_s_ < 0) truncated_at_s_ = at_s;
    return false;
  }
  if (truncated_at_s_ >= 0 && at_s >= truncated_at_s_) return false;
  seen_replicas_.insert(replica);
  ++events_;
  return true;
}

void ChromeTraceRecorder::on_step(const StepRecord& step) {
  if (!wanted(step.replica, step.start_ns)) return;
  const std::string name = step.prefill_chunks > 0 && step.decodes > 0 ? "mixed"
                           : step.prefill_chunks > 0                   ? "prefill"
                                                                       : "decode";
  body_ += ",\n{\"name\":\"" + name + "\",\"ph\":\"X\",\"pid\":" + std::to_string(step.replica) +
           ",\"tid\":" + std::to_string(kIterationsTrack) + ",\"ts\":" + microseconds(step.start_ns) +
           ",\"dur\":" + microseconds(step.duration_ns) +
           ",\"args\":{\"prefill_tokens\":" + std::to_string(step.prefill_tokens) +
           ",\"prefill_chunks\":" + std::to_string(step.prefill_chunks) +
           ",\"decodes\":" + std::to_string(step.decodes) +
           ",\"mean_prefill_density\":" + number(step.mean_prefill_density) +
           ",\"mean_decode_kv_kept\":" + number(step.mean_decode_keep) +
           ",\"step_ms\":" + number(static_cast<double>(step.duration_ns) / 1e6) + "}}";
}

void ChromeTraceRecorder::on_preemption(int replica, TimeNs at_ns, std::int32_t request_index) {
  if (!wanted(replica, at_ns)) return;
  body_ += ",\n{\"name\":\"preemption\",\"ph\":\"i\",\"s\":\"p\",\"pid\":" + std::to_string(replica) +
           ",\"tid\":" + std::to_string(kIterationsTrack) + ",\"ts\":" + microseconds(at_ns) +
           ",\"args\":{\"request_index\":" + std::to_string(request_index) + "}}";
}

void ChromeTraceRecorder::on_escalation(int replica, TimeNs at_ns, std::int32_t request_index,
                                        bool rerun_prefill) {
  if (!wanted(replica, at_ns)) return;
  body_ += ",\n{\"name\":\"escalation\",\"ph\":\"i\",\"s\":\"p\",\"pid\":" + std::to_string(replica) +
           ",\"tid\":" + std::to_string(kIterationsTrack) + ",\"ts\":" + microseconds(at_ns) +
           ",\"args\":{\"request_index\":" + std::to_string(request_index) +
           ",\"rerun_prefill\":" + (rerun_prefill ? "true" : "false") + "}}";
}

std::string ChromeTraceRecorder::json(const SimulationResult& result, const std::string& metadata) {
  // Request phases on lanes (tracks) per replica: a request takes the first lane free at its arrival.
  std::vector<std::size_t> order;
  for (std::size_t i = 0; i < result.requests.size(); ++i)
    if (result.requests[i].status == RequestStatus::done) order.push_back(i);
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
    return result.requests[a].arrival_ns < result.requests[b].arrival_ns;
  });
  std::map<int, std::vector<TimeNs>> lanes_free_at;
  std::map<int, std::size_t> lanes_used;
  std::string spans;
  for (std::size_t index : order) {
    const RequestResult& r = result.requests[index];
    if (!wanted(r.replica, r.arrival_ns)) continue;
    auto& lanes = lanes_free_at[r.replica];
    std::size_t lane = 0;
    while (lane < lanes.size() && lanes[lane] > r.arrival_ns) ++lane;
    if (lane == lanes.size()) lanes.push_back(0);
    lanes[lane] = r.finish_ns;
    lanes_used[r.replica] = std::max(lanes_used[r.replica], lane + 1);
    const std::string track =
        ",\"pid\":" + std::to_string(r.replica) + ",\"tid\":" + std::to_string(lane + 1);
    const std::string args = ",\"args\":{\"request_id\":" + std::to_string(r.request_id) +
                             ",\"input_tokens\":" + std::to_string(r.input_tokens) +
                             ",\"output_tokens\":" + std::to_string(r.output_tokens) +
                             ",\"prefill_density\":" + number(1 - r.prefill_sparsity) +
                             ",\"decode_kv_budget_tokens\":" + std::to_string(r.decode_kv_budget_tokens) +
                             ",\"preemptions\":" + std::to_string(r.preemptions) +
                             ",\"escalated\":" + (r.escalated ? "true" : "false") +
                             ",\"expected_quality\":" + number(r.quality.expected_quality) + "}";
    auto slice = [&](const char* phase, TimeNs from, TimeNs to) {
      if (from < 0 || to < from) return;
      spans += ",\n{\"name\":\"" + std::string(phase) + " " + std::to_string(r.request_id) + "\",\"cat\":\"" +
               phase + "\",\"ph\":\"X\"" + track + ",\"ts\":" + microseconds(from) +
               ",\"dur\":" + microseconds(to - from) + args + "}";
    };
    slice("queued", r.arrival_ns, r.first_scheduled_ns);
    slice("prefill", r.first_scheduled_ns, r.first_token_ns);
    slice("decode", r.first_token_ns, r.finish_ns);
  }
  std::string names;
  for (int replica : seen_replicas_) {
    names += ",\n{\"name\":\"process_name\",\"ph\":\"M\",\"pid\":" + std::to_string(replica) +
             ",\"args\":{\"name\":\"replica " + std::to_string(replica) + "\"}}";
    names += ",\n{\"name\":\"thread_name\",\"ph\":\"M\",\"pid\":" + std::to_string(replica) +
             ",\"tid\":0,\"args\":{\"name\":\"iterations\"}}";
    for (std::size_t lane = 0; lane < lanes_used[replica]; ++lane)
      names += ",\n{\"name\":\"thread_name\",\"ph\":\"M\",\"pid\":" + std::to_string(replica) +
               ",\"tid\":" + std::to_string(lane + 1) + ",\"args\":{\"name\":\"requests " +
               std::to_string(lane + 1) + "\"}}";
  }
  std::string document = "{\"displayTimeUnit\":\"ms\",\"otherData\":{" + metadata;
  if (truncated_at_s_ >= 0) document += ",\"truncated_at_s\":" + number(truncated_at_s_);
  document +=
      "},\n\"traceEvents\":[\n{\"name\":\"process_sort_index\",\"ph\":\"M\",\"pid\":0,\"args\":{\"sort_"
      "index\":0}}";
  return document + names + body_ + spans + "\n]}\n";
}

}  // namespace sparsesim
