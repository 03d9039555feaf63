#include "experiments/workload_builder.h"

#include <cmath>

#include "experiments/yaml_fields.h"
#include "workloads/session_turns.h"
#include "workloads/synthetic_generator.h"
#include "workloads/trace_loading.h"
#include "workloads/trace_reader.h"

namespace sparsesim {

BuiltWorkload read_workload_source(const WorkloadSpec& workload, std::uint64_t seed) {
  BuiltWorkload built;
  if (yaml_present(workload.generator)) {
    built.requests = generate_requests(workload.generator, seed, "workload.generator");
    built.rows_read = static_cast<std::int64_t>(built.requests.size());
    built.notes.push_back("workload: " + std::to_string(built.rows_read) + " synthetic requests (seed " +
                          std::to_string(seed) + ")");
    return built;
  }
  TraceLoadReport report;
  const std::string format = workload.format.empty() ? sniff_trace_format(workload.trace_path) : workload.format;
  const Params reader_params = bind_trace_reader_params(format, workload.reader_params, "workload.reader");
  built.requests = load_trace(workload.trace_path, format, report, reader_params);
  built.rows_read = report.rows;
  built.notes = report.warnings;
  return built;
}

BuiltWorkload build_workload(const BuiltWorkload& source, const WorkloadSpec& workload, std::uint64_t seed) {
  BuiltWorkload built;
  built.rows_read = source.rows_read;
  built.notes = source.notes;
  const TimeNs window_start = static_cast<TimeNs>(std::llround(workload.window_start_s * 1e9));
  const TimeNs window_end = std::isinf(workload.window_end_s)
                                ? std::numeric_limits<TimeNs>::max()
                                : static_cast<TimeNs>(std::llround(workload.window_end_s * 1e9));
  std::int64_t outside_window = 0, outside_lengths = 0, over_cap = 0;
  for (const Request& request : source.requests) {
    if (request.arrival_ns < window_start || request.arrival_ns >= window_end) {
      ++outside_window;
      continue;
    }
    if (request.input_tokens < workload.min_input_tokens || request.input_tokens > workload.max_input_tokens) {
      ++outside_lengths;
      continue;
    }
    if (workload.max_requests >= 0 && static_cast<std::int64_t>(built.requests.size()) >= workload.max_requests) {
      ++over_cap;
      continue;
    }
    built.requests.push_back(request);
  }
  auto note_selection = [&](std::int64_t count, const std::string& why) {
    if (count > 0) built.notes.push_back("selection: " + std::to_string(count) + " requests " + why + " (not simulated)");
  };
  note_selection(outside_window, "outside workload.time_window");
  note_selection(outside_lengths, "outside workload.input_tokens");
  note_selection(over_cap, "beyond workload.max_requests");

  // Selection keeps arrival order; ids are renumbered densely and times restart at the first kept arrival,
  // scaled by the rate multiplier (> 1 compresses the trace).
  const TimeNs origin = built.requests.empty() ? 0 : built.requests.front().arrival_ns;
  for (std::size_t index = 0; index < built.requests.size(); ++index) {
    Request& request = built.requests[index];
    request.id = index;
    request.parent_ids.clear();
    request.arrival_ns = static_cast<TimeNs>(
        std::llround(static_cast<double>(request.arrival_ns - origin) / workload.rate_multiplier));
  }
  if (workload.closed_loop_sessions) {
    link_session_turns(built.requests, static_cast<TimeNs>(std::llround(workload.think_time_s * 1e9)));
    std::int64_t linked = 0;
    for (const Request& request : built.requests) linked += request.parent_ids.empty() ? 0 : 1;
    built.notes.push_back("sessions: " + std::to_string(linked) +
                          " turns wait for the previous turn of their session (closed loop)");
  }
  assign_request_traits(built.requests, workload.traits, seed);
  return built;
}

}  // namespace sparsesim
