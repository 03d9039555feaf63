#include <doctest/doctest.h>

#include "core/input_error.h"
#include "policies/budget_policy.h"
#include "sim/simulation.h"
#include "sim_test_support.h"

using namespace sparsesim;
using namespace sparsesim::testing;

TEST_CASE("a session turn arrives think time after the previous turn finishes, never before its own time") {
  const LinearCostModel cost(1000, 10);
  const auto policy = dense_policy();
  const ClusterConfig cluster = tiny_cluster(1000);
  std::vector<Request> requests = {make_request(0, 0, 100, 10), make_request(1, 0, 100, 10),
                                   make_request(2, 50'000, 100, 10)};
  requests[1].parent_ids = {0};
  requests[1].think_time_ns = 500;
  requests[2].parent_ids = {0};  // its own arrival time is later than parent finish + think time
  requests[2].think_time_ns = 500;
  const SimulationResult result = simulate(requests, cluster, cost, *policy, nullptr);
  // Turn 0 alone: finishes at 2000 + 9 x 1010 = 11090; turn 1 arrives at 11590 on an idle replica.
  CHECK(result.requests[0].finish_ns == 11090);
  CHECK(result.requests[1].arrival_ns == 11590);
  CHECK(result.requests[1].first_scheduled_ns == 11590);
  CHECK(result.requests[1].ttft_ns == 2000);
  CHECK(result.requests[1].finish_ns == 11590 + 11090);
  CHECK(result.requests[2].arrival_ns == 50'000);
  CHECK(result.requests[2].finish_ns == 50'000 + 11090);
}

TEST_CASE("a slower system sees later closed-loop arrivals") {
  const auto policy = dense_policy();
  const ClusterConfig cluster = tiny_cluster(1000);
  std::vector<Request> requests = {make_request(0, 0, 100, 10), make_request(1, 0, 100, 10)};
  requests[1].parent_ids = {0};
  requests[1].think_time_ns = 1000;
  const SimulationResult fast = simulate(requests, cluster, LinearCostModel(1000, 10), *policy, nullptr);
  const SimulationResult slow = simulate(requests, cluster, LinearCostModel(2000, 20), *policy, nullptr);
  CHECK(slow.requests[1].arrival_ns - fast.requests[1].arrival_ns == 11090);
}

TEST_CASE("a rejected parent releases its child at the rejection time plus think time") {
  const LinearCostModel cost(1000, 10);
  const auto policy = dense_policy();
  ClusterConfig cluster = tiny_cluster(1000);
  cluster.model.context_tokens = 1000;
  std::vector<Request> requests = {make_request(0, 700, 5000, 10), make_request(1, 0, 100, 10)};
  requests[1].parent_ids = {0};
  requests[1].think_time_ns = 300;
  const SimulationResult result = simulate(requests, cluster, cost, *policy, nullptr);
  CHECK(result.requests[0].status == RequestStatus::rejected);
  CHECK(result.requests[1].status == RequestStatus::done);
  CHECK(result.requests[1].arrival_ns == 1000);
}

TEST_CASE("no workflow call starts before all its parents finish; workflow latency is reported") {
  const LinearCostModel cost(1000, 10);
  const auto policy = dense_policy();
  const ClusterConfig cluster = tiny_cluster(1000, 2);
  // Diamond: 0 -> {1, 2} -> 3, plus a chain 4 -> 5 in a second workflow; some think time.
  std::vector<Request> requests = {make_request(0, 100, 300, 20), make_request(1, 0, 200, 40),
                                   make_request(2, 0, 800, 5),    make_request(3, 0, 100, 10),
                                   make_request(4, 0, 50, 3),     make_request(5, 0, 60, 4)};
  requests[1].parent_ids = {0};
  requests[2].parent_ids = {0};
  requests[3].parent_ids = {1, 2};
  requests[3].think_time_ns = 250;
  requests[5].parent_ids = {4};
  for (int index = 0; index < 4; ++index) requests[static_cast<std::size_t>(index)].workflow_id = 7;
  requests[4].workflow_id = 9;
  requests[5].workflow_id = 9;
  const SimulationResult result = simulate(requests, cluster, cost, *policy, nullptr);
  for (const Request& request : requests) {
    const RequestResult& child = result.requests[request.id];
    REQUIRE(child.status == RequestStatus::done);
    for (std::uint64_t parent : request.parent_ids) {
      CHECK(child.arrival_ns >= result.requests[parent].finish_ns + request.think_time_ns);
      CHECK(child.first_scheduled_ns >= result.requests[parent].finish_ns);
    }
  }
  const TimeNs last_parent = std::max(result.requests[1].finish_ns, result.requests[2].finish_ns);
  CHECK(result.requests[3].arrival_ns == last_parent + 250);
  REQUIRE(result.workflows.size() == 2);
  CHECK(result.workflows[0].workflow_id == 7);
  CHECK(result.workflows[0].calls == 4);
  CHECK(result.workflows[0].first_arrival_ns == 100);
  CHECK(result.workflows[0].e2e_ns == result.requests[3].finish_ns - 100);
  CHECK(result.workflows[1].e2e_ns == result.requests[5].finish_ns - result.requests[4].arrival_ns);
  CHECK(result.summary.workflows == 2);
  CHECK(result.summary.workflow_e2e_s.p99 > 0);
}

TEST_CASE("unknown parents are input errors; dependency cycles are rejected, not dropped") {
  const LinearCostModel cost(1000, 10);
  const auto policy = dense_policy();
  const ClusterConfig cluster = tiny_cluster(1000);
  std::vector<Request> requests = {make_request(0, 0, 100, 10), make_request(1, 0, 100, 10)};
  requests[1].parent_ids = {42};
  CHECK_THROWS_AS(simulate(requests, cluster, cost, *policy, nullptr), InputError);
  requests.push_back(make_request(2, 0, 100, 10));
  requests[1].parent_ids = {2};
  requests[2].parent_ids = {1};
  const SimulationResult result = simulate(requests, cluster, cost, *policy, nullptr);
  CHECK(result.requests[0].status == RequestStatus::done);
  CHECK(result.requests[1].status == RequestStatus::rejected);
  CHECK(result.requests[1].reject_reason.find("cycle") != std::string::npos);
  CHECK(result.summary.rejected == 2);
}
