#pragma once
// Closed-loop session turns: an opt-in step after load_trace for traces with session ids.
#include <functional>
#include <vector>

#include "workloads/request.h"

namespace sparsesim {

// For requests sorted by arrival (as load_trace returns them) with dense ids equal to their index: makes
// each turn of a session (same session_id >= 0) depend on the session's previous turn, so the simulator
// releases it only after that turn finishes (Request::parent_ids = {previous turn's id}).
// think_time_ns = the gap between the two turns' trace arrivals when it is positive, else
// default_think_time_ns (traces with coarse timestamps give turns the same arrival). The trace gap also
// includes the previous turn's service time in the traced system, so it is an upper bound on the real
// think time; closed-loop arrival = max(arrival_ns, previous turn's finish + think_time_ns).
// First turns and requests without a session are left open-loop (parent_ids empty, think time unchanged).
// Throws std::invalid_argument when default_think_time_ns < 0 or ids are not 0..n-1 in order.
void link_session_turns(std::vector<Request>& requests, TimeNs default_think_time_ns);

// Where a linked turn's think time comes from. trace_gap: the gap between the two turns' arrivals when it
// is positive, else a draw (today's rule, with a distribution instead of one default). distribution:
// always a draw (for traces whose gaps are not think times, e.g. arrival stamps of a replay).
enum class ThinkTimeSource { trace_gap, distribution };

// As above, with think times from `draw_think_time_ns(turn)` (called once for each turn that needs a draw,
// with the turn's final id set; must return >= 0, else std::invalid_argument). Typically a seeded draw
// keyed by the turn's id (workloads/think_time.h), so results do not depend on call order.
void link_session_turns(std::vector<Request>& requests, ThinkTimeSource source,
                        const std::function<TimeNs(const Request&)>& draw_think_time_ns);

}  // namespace sparsesim
