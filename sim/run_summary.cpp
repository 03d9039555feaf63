#include "sim/run_summary.h"

#include <algorithm>
#include <limits>
#include <map>

#include "sim/percentiles.h"

namespace sparsesim {
namespace {

Percentiles percentiles_of(std::vector<double>& values) {
  Percentiles out;
  out.p50 = percentile_in_place(values, 0.50);
  out.p90 = percentile_in_place(values, 0.90);
  out.p99 = percentile_in_place(values, 0.99);
  return out;
}

void summarise_workflows(SimulationResult& result) {
  std::map<std::int64_t, WorkflowResult> workflows;
  for (const RequestResult& request : result.requests) {
    if (request.workflow_id < 0) continue;
    auto [it, inserted] = workflows.try_emplace(request.workflow_id);
    WorkflowResult& workflow = it->second;
    if (inserted) {
      workflow.workflow_id = request.workflow_id;
      workflow.first_arrival_ns = std::numeric_limits<TimeNs>::max();
    }
    ++workflow.calls;
    workflow.first_arrival_ns = std::min(workflow.first_arrival_ns, request.arrival_ns);
    // A rejected call ends at its rejection (its arrival).
    const TimeNs end_ns = request.status == RequestStatus::done ? request.finish_ns : request.arrival_ns;
    workflow.finish_ns = std::max(workflow.finish_ns, end_ns);
    if (request.status == RequestStatus::rejected) ++workflow.rejected_calls;
  }
  std::vector<double> e2e_s;
  result.workflows.clear();
  for (auto& [id, workflow] : workflows) {
    if (workflow.rejected_calls == 0) {
      workflow.e2e_ns = workflow.finish_ns - workflow.first_arrival_ns;
      e2e_s.push_back(ns_to_seconds(workflow.e2e_ns));
    }
    result.workflows.push_back(workflow);
  }
  result.summary.workflows = static_cast<std::int64_t>(result.workflows.size());
  result.summary.workflow_e2e_s = percentiles_of(e2e_s);
}

}  // namespace

void summarise_run(const RunTotals& totals, SimulationResult& result) {
  RunSummary& summary = result.summary;
  summary.requests = static_cast<std::int64_t>(result.requests.size());
  summary.preemptions = totals.preemptions;
  summary.escalations = totals.escalations;
  summary.dense_fallback_prefills = totals.dense_fallback_prefills;
  summary.dense_fallback_decodes = totals.dense_fallback_decodes;
  summary.gpu_busy_s = totals.gpu_busy_ns / 1e9;
  summary.attention_flops = totals.attention_flops;
  summary.memory_bytes = totals.memory_bytes;
  summary.lookups_exact = totals.lookups[static_cast<int>(LookupKind::exact)];
  summary.lookups_interpolated = totals.lookups[static_cast<int>(LookupKind::interpolated)];
  summary.lookups_extrapolated = totals.lookups[static_cast<int>(LookupKind::extrapolated)];

  std::vector<double> ttft_s, tpot_ms, e2e_s;
  ttft_s.reserve(result.requests.size());
  e2e_s.reserve(result.requests.size());
  tpot_ms.reserve(result.requests.size());
  TimeNs first_arrival_ns = std::numeric_limits<TimeNs>::max(), last_finish_ns = -1;
  double output_tokens = 0, quality_sum = 0, prompt_tokens = 0, cached_tokens = 0;
  for (const RequestResult& request : result.requests) {
    first_arrival_ns = std::min(first_arrival_ns, request.arrival_ns);
    if (request.status == RequestStatus::rejected) {
      ++summary.rejected;
      continue;
    }
    ++summary.completed;
    last_finish_ns = std::max(last_finish_ns, request.finish_ns);
    ttft_s.push_back(ns_to_seconds(request.ttft_ns));
    e2e_s.push_back(ns_to_seconds(request.e2e_ns));
    // TPOT is undefined for a one-token answer; those requests are left out of its percentiles.
    if (request.output_tokens > 1) tpot_ms.push_back(request.tpot_ns / 1e6);
    output_tokens += request.output_tokens;
    quality_sum += request.quality.expected_quality;
    prompt_tokens += request.input_tokens;
    cached_tokens += request.prefix_cached_tokens;
  }
  summary.makespan_ns = last_finish_ns >= 0 ? last_finish_ns - first_arrival_ns : 0;
  if (summary.makespan_ns > 0) {
    const double seconds = ns_to_seconds(summary.makespan_ns);
    summary.throughput_requests_per_s = static_cast<double>(summary.completed) / seconds;
    summary.throughput_output_tokens_per_s = output_tokens / seconds;
  }
  summary.ttft_s = percentiles_of(ttft_s);
  summary.tpot_ms = percentiles_of(tpot_ms);
  summary.e2e_s = percentiles_of(e2e_s);
  summary.mean_expected_quality =
      summary.completed > 0 ? quality_sum / static_cast<double>(summary.completed) : 0;
  summary.prefix_hit_rate = prompt_tokens > 0 ? cached_tokens / prompt_tokens : 0;
  summarise_workflows(result);
}

}  // namespace sparsesim
