#include <doctest/doctest.h>

#include <stdexcept>

#include "workloads/session_turns.h"

using namespace sparsesim;

TEST_CASE("session turns link to the previous turn with the trace gap or the default think time") {
  std::vector<Request> requests(5);
  const TimeNs arrivals[] = {0, 10, 30, 30, 70};
  const std::int64_t sessions[] = {0, 1, 0, 0, -1};
  for (std::size_t i = 0; i < requests.size(); ++i) {
    requests[i].id = i;
    requests[i].arrival_ns = arrivals[i];
    requests[i].session_id = sessions[i];
  }
  link_session_turns(requests, 7);
  CHECK(requests[0].parent_ids.empty());
  CHECK(requests[1].parent_ids.empty());
  CHECK(requests[2].parent_ids == std::vector<std::uint64_t>{0});
  CHECK(requests[2].think_time_ns == 30);
  CHECK(requests[3].parent_ids == std::vector<std::uint64_t>{2});
  CHECK(requests[3].think_time_ns == 7);  // same arrival as its previous turn: default think time
  CHECK(requests[4].parent_ids.empty());
  CHECK(requests[4].think_time_ns == 0);
  CHECK_THROWS_AS(link_session_turns(requests, -1), std::invalid_argument);
  std::swap(requests[0].id, requests[1].id);
  CHECK_THROWS_AS(link_session_turns(requests, 0), std::invalid_argument);
}
