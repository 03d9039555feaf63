#include "workloads/session_turns.h"

#include <stdexcept>
#include <unordered_map>

namespace sparsesim {

void link_session_turns(std::vector<Request>& requests, TimeNs default_think_time_ns) {
  if (default_think_time_ns < 0)
    throw std::invalid_argument("link_session_turns: default think time must be >= 0");
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
    request.think_time_ns = gap_ns > 0 ? gap_ns : default_think_time_ns;
    entry->second = index;
  }
}

}  // namespace sparsesim
