#include "experiments/workload_builder.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <unordered_map>

#include "core/input_error.h"
#include "experiments/yaml_fields.h"
#include "workloads/dependency_groups.h"
#include "workloads/session_turns.h"
#include "workloads/synthetic_generator.h"
#include "workloads/think_time.h"
#include "workloads/trace_loading.h"
#include "workloads/trace_reader.h"
#include "workloads/workflow_templates.h"

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
  if (yaml_present(workload.workflows)) {
    built.requests = generate_workflow_requests(workload.workflows, seed, "workload.workflows");
    built.rows_read = static_cast<std::int64_t>(built.requests.size());
    const std::int64_t instances = built.requests.empty() ? 0 : built.requests.back().workflow_id + 1;
    built.notes.push_back("workload: " + std::to_string(instances) + " agentic workflows, " +
                          std::to_string(built.rows_read) + " calls (seed " + std::to_string(seed) + ")");
    return built;
  }
  std::int64_t session_offset = 0, workflow_offset = 0;
  for (const std::string& path : workload.trace_paths) {
    TraceLoadReport report;
    const std::string format = workload.format.empty() ? sniff_trace_format(path) : workload.format;
    const Params reader_params = bind_trace_reader_params(format, workload.reader_params, "workload.reader");
    std::vector<Request> requests = load_trace(path, format, report, reader_params);
    // Session and workflow ids are per trace; offset them so two traces' never merge. Request ids (and the
    // parent ids of workflows read from a trace) continue after the previous trace's, so they stay unique
    // until the merge below renumbers them.
    const std::uint64_t id_offset = built.requests.size();
    std::int64_t largest_session = -1, largest_workflow = -1;
    for (Request& request : requests) {
      if (request.session_id >= 0) request.session_id += session_offset;
      if (request.workflow_id >= 0) request.workflow_id += workflow_offset;
      largest_session = std::max(largest_session, request.session_id);
      largest_workflow = std::max(largest_workflow, request.workflow_id);
      request.id += id_offset;
      for (std::uint64_t& parent : request.parent_ids) parent += id_offset;
    }
    session_offset = largest_session + 1;
    workflow_offset = largest_workflow + 1;
    built.requests.insert(built.requests.end(), std::make_move_iterator(requests.begin()),
                          std::make_move_iterator(requests.end()));
    built.rows_read += report.rows;
    built.notes.insert(built.notes.end(), report.warnings.begin(), report.warnings.end());
  }
  if (workload.trace_paths.size() > 1) {
    // Merged by arrival; ties keep trace order, so the merge is deterministic.
    std::stable_sort(built.requests.begin(), built.requests.end(),
                     [](const Request& a, const Request& b) { return a.arrival_ns < b.arrival_ns; });
    std::unordered_map<std::uint64_t, std::uint64_t> new_id_of;
    for (std::size_t index = 0; index < built.requests.size(); ++index) {
      new_id_of.emplace(built.requests[index].id, index);
      built.requests[index].id = index;
    }
    for (Request& request : built.requests)
      for (std::uint64_t& parent : request.parent_ids) parent = new_id_of.at(parent);
    built.notes.push_back("workload: " + std::to_string(workload.trace_paths.size()) +
                          " traces merged by arrival (" + std::to_string(built.rows_read) + " requests)");
  }
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
  // Selection keeps or drops whole dependency groups (a workflow's calls, requests linked by parent ids),
  // so no kept request waits on a dropped one. Without links every request is its own group. A group is
  // outside the window when its first request is, outside the lengths when any request is, and beyond the
  // cap when it does not fit whole (later groups are then dropped too, so the kept ones are a prefix).
  const std::vector<Request>& all = source.requests;
  const std::vector<std::size_t> group = dependency_groups(all);
  std::vector<std::int64_t> group_size(all.size(), 0);
  std::vector<char> group_lengths_ok(all.size(), 1);
  for (std::size_t index = 0; index < all.size(); ++index) {
    const Request& request = all[index];
    ++group_size[group[index]];
    if (request.input_tokens < workload.min_input_tokens || request.input_tokens > workload.max_input_tokens)
      group_lengths_ok[group[index]] = 0;
  }
  std::int64_t outside_window = 0, outside_lengths = 0, over_cap = 0, linked_groups = 0;
  std::vector<char> keep_group(all.size(), 0);
  bool cap_reached = false;
  std::int64_t kept = 0;  // requests of the groups kept so far
  for (std::size_t index = 0; index < all.size(); ++index) {
    const std::size_t root = group[index];
    if (root == index) {  // a group's first request (lowest index) decides for the whole group
      const std::int64_t size = group_size[root];

      if (all[index].arrival_ns < window_start || all[index].arrival_ns >= window_end) {
        outside_window += size;
      } else if (!group_lengths_ok[root]) {
        outside_lengths += size;
      } else if (cap_reached || (workload.max_requests >= 0 && kept + size > workload.max_requests)) {
        cap_reached = true;
        over_cap += size;
      } else {
        keep_group[root] = 1;
        kept += size;
        linked_groups += size > 1 ? 1 : 0;
      }
    }
  }
  // The tuning / evaluation split (`tune:`): by the arrival of each kept group's first request, the first
  // tuning_fraction of the selected span tunes and the rest evaluates, so the two never share a request.
  std::int64_t other_split = 0;
  if (workload.split != WorkloadSpec::Split::all) {
    TimeNs first = std::numeric_limits<TimeNs>::max(), last = std::numeric_limits<TimeNs>::min();
    for (std::size_t index = 0; index < all.size(); ++index)
      if (group[index] == index && keep_group[index])
        first = std::min(first, all[index].arrival_ns), last = std::max(last, all[index].arrival_ns);
    const double cut =
        static_cast<double>(first) + workload.tuning_fraction * static_cast<double>(last - first);
    for (std::size_t index = 0; index < all.size(); ++index) {
      if (group[index] != index || !keep_group[index]) continue;
      const bool in_tuning = static_cast<double>(all[index].arrival_ns) < cut;
      if (in_tuning != (workload.split == WorkloadSpec::Split::tuning)) {
        keep_group[index] = 0;
        other_split += group_size[index];
      }
    }
  }
  for (std::size_t index = 0; index < all.size(); ++index)
    if (keep_group[group[index]]) built.requests.push_back(all[index]);
  auto note_selection = [&](std::int64_t count, const std::string& why) {
    if (count > 0)
      built.notes.push_back("selection: " + std::to_string(count) + " requests " + why + " (not simulated)");
  };
  note_selection(outside_window, "outside workload.time_window");
  note_selection(outside_lengths, "outside workload.input_tokens");
  note_selection(over_cap, "beyond workload.max_requests");
  if (workload.split == WorkloadSpec::Split::evaluation)
    note_selection(other_split,
                   "in the tuning split (the first " +
                       std::to_string(static_cast<int>(std::lround(100 * workload.tuning_fraction))) +
                       "% of the arrival span), used only to tune");
  if (linked_groups > 0 && outside_window + outside_lengths + over_cap > 0)
    built.notes.push_back(
        "selection: " + std::to_string(linked_groups) +
        " workflows (linked requests) kept whole; a workflow is dropped whole when its first "
        "call is outside the window, any call is outside the input lengths, or it does not fit "
        "the request cap");

  // Selection keeps arrival order; ids are renumbered densely (parent ids follow) and times restart at the
  // first kept arrival, scaled by the rate multiplier (> 1 compresses the trace).
  std::unordered_map<std::uint64_t, std::uint64_t> new_id_of;
  new_id_of.reserve(built.requests.size());
  for (std::size_t index = 0; index < built.requests.size(); ++index)
    new_id_of.emplace(built.requests[index].id, index);
  const TimeNs origin = built.requests.empty() ? 0 : built.requests.front().arrival_ns;
  for (std::size_t index = 0; index < built.requests.size(); ++index) {
    Request& request = built.requests[index];
    request.id = index;
    for (std::uint64_t& parent : request.parent_ids) parent = new_id_of.at(parent);  // kept with its group
    const double scaled = static_cast<double>(request.arrival_ns - origin) / workload.rate_multiplier;
    // Leave headroom for the simulated service after the last arrival; beyond it the clock would wrap.
    if (!(scaled <= 4.0e18))
      throw InputError(
          "workload.rate_multiplier: " + std::to_string(workload.rate_multiplier) +
          " stretches the trace's arrivals beyond the simulator's clock (int64 nanoseconds, about "
          "146 years); use a larger multiplier or a time_window");
    request.arrival_ns = static_cast<TimeNs>(std::llround(scaled));
  }
  if (workload.closed_loop_sessions) {
    // Draws are keyed by (seed, final request id), so they do not depend on order or threads. Think times
    // are user behaviour: the rate multiplier scales the trace gaps (arrivals) but not the drawn times.
    link_session_turns(built.requests, workload.think_time_source, [&](const Request& turn) {
      return draw_think_time_ns(workload.think_time, seed, turn.id);
    });
    std::int64_t linked = 0;
    for (const Request& request : built.requests) linked += request.parent_ids.empty() ? 0 : 1;
    built.notes.push_back("sessions: " + std::to_string(linked) +
                          " turns wait for the previous turn of their session (closed loop)");
  }
  assign_request_traits(built.requests, workload.traits, seed);
  return built;
}

}  // namespace sparsesim
