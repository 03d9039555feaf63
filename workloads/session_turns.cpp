#include "workloads/session_turns.h"

#include <stdexcept>
#include <unordered_map>

namespace sparsesim {

void link_session_turns(std::vector<Request>& requests, TimeNs default_think_time_ns) {
  if (default_think_time_ns < 0)
    throw std::invalid_argument("link_session_turns: default think time must be >= 0");
  link_session_turns(requests, ThinkTimeSource::trace_gap,
                     [default_think_time_ns](const Request&) { return default_think_time_ns; });
}

void link_session_turns(std::vector<Request>& requests, ThinkTimeSource source,
                        const std::function<TimeNs(const Request&)>& draw_think_time_ns) {
  std::unordered_map<std::int64_t, std::size_t> last_turn_index;  // session id -> index of its latest turn
  for (std::size_t index = 0; index < requests.size(); ++index) {
    Request& request = requests[index];
    if (request.id != index)
      throw std::invalid_argument("link_session_turns: request ids must be 0..n-1 in order");
    if (index > 0 && request.arrival_ns < requests[index - 1].arrival_ns)
      throw std::invalid_argument("link_session_turns: requests must be sorted by arrival");
    if (request.session_id < 0) continue;
    const auto [entry, first_turn] = last_turn_index.try_emplace(request.session_id, index);
    if (first_turn) continue;
    const Request& previous = requests[entry->second];
    const TimeNs gap_ns = request.arrival_ns - previous.arrival_ns;
    request.parent_ids.assign(1, previous.id);
    if (source == ThinkTimeSource::trace_gap && gap_ns > 0) {
      request.think_time_ns = gap_ns;
    } else {
      request.think_time_ns = draw_think_time_ns(request);
      if (request.think_time_ns < 0)
        throw std::invalid_argument("link_session_turns: a drawn think time must be >= 0");
    }
    entry->second = index;
  }
}

}  // namespace sparsesim
