#include <doctest/doctest.h>

#include "policies/budget_policy.h"
#include "sim/simulation.h"
#include "sim_test_support.h"

using namespace sparsesim;
using namespace sparsesim::testing;

namespace {

Request with_prefix(Request request, std::vector<std::uint64_t> ids) {
  request.prefix_block_ids = std::move(ids);
  request.prefix_block_tokens = 512;
  return request;
}

}  // namespace

TEST_CASE("a repeated prefix skips the prefill of its cached blocks") {
  const LinearCostModel cost(1000, 10);
  const auto policy = dense_policy();
  ClusterConfig cluster = tiny_cluster(1000);
  cluster.prefix_caching = true;
  // 1600-token prompts: three whole 512-token blocks (1536 tokens) can be shared.
  const std::vector<Request> requests = {with_prefix(make_request(0, 0, 1600, 2), {1, 2, 3, 4}),
                                         with_prefix(make_request(1, 100'000, 1600, 2), {1, 2, 3, 4}),
                                         with_prefix(make_request(2, 200'000, 1600, 2), {1, 2, 9, 10}),
                                         with_prefix(make_request(3, 300'000, 1600, 2), {5, 6, 7, 8})};
  const SimulationResult result = simulate(requests, cluster, cost, *policy, nullptr);
  CHECK(result.requests[0].prefix_cached_tokens == 0);
  CHECK(result.requests[0].ttft_ns == 1000 + 1600 * 10);
  CHECK(result.requests[1].prefix_cached_tokens == 1536);
  CHECK(result.requests[1].ttft_ns == 1000 + 64 * 10);
  CHECK(result.requests[2].prefix_cached_tokens == 1024);
  CHECK(result.requests[2].ttft_ns == 1000 + 576 * 10);
  CHECK(result.requests[3].prefix_cached_tokens == 0);
  CHECK(result.summary.prefix_hit_rate == doctest::Approx((1536.0 + 1024.0) / (4 * 1600.0)));

  cluster.prefix_caching = false;
  const SimulationResult uncached = simulate(requests, cluster, cost, *policy, nullptr);
  CHECK(uncached.requests[1].prefix_cached_tokens == 0);
  CHECK(uncached.summary.prefix_hit_rate == 0);
}

TEST_CASE("the prefix cache is bounded by KV memory and gives way to running requests") {
  const LinearCostModel cost(1000, 10);
  const auto policy = dense_policy();
  // 128 blocks = 2048 tokens: request 0's cached prefix (3 x 32 blocks) must be evicted for request 1.
  ClusterConfig cluster = tiny_cluster(128);
  cluster.prefix_caching = true;
  const std::vector<Request> requests = {with_prefix(make_request(0, 0, 1600, 2), {1, 2, 3}),
                                         with_prefix(make_request(1, 100'000, 2000, 2), {7, 8, 9}),
                                         with_prefix(make_request(2, 200'000, 1600, 2), {1, 2, 3})};
  const SimulationResult result = simulate(requests, cluster, cost, *policy, nullptr);
  for (const auto& request : result.requests) CHECK(request.status == RequestStatus::done);
  CHECK(result.requests[1].prefix_cached_tokens == 0);
  // Request 1 needed 126 blocks, so at most one idle 32-block entry of request 0 could survive, and
  // chains are evicted from the tail: only block 1 can still be there.
  CHECK(result.requests[2].prefix_cached_tokens <= 512);
  CHECK(result.summary.kv_peak_bytes <= 128 * 16 * 32);
}

TEST_CASE("prefix_affinity routes to the replica holding the prefix unless it is overloaded") {
  const LinearCostModel cost(1000, 10);
  const auto policy = dense_policy();
  ClusterConfig cluster = tiny_cluster(10000, 2);
  cluster.prefix_caching = true;
  cluster.router = "prefix_affinity";
  // Request 0 lands on replica 0 and caches {1,2,3}; request 1 (another prefix) arrives while replica 0
  // is busy and goes to replica 1. Both are idle again when request 2 (prefix {1,2,3}, long answer)
  // arrives: replica 0. Request 3 shares the prefix: replica 0 although replica 1 has no work.
  std::vector<Request> requests = {with_prefix(make_request(0, 0, 1600, 2), {1, 2, 3}),
                                   with_prefix(make_request(1, 10'000, 1600, 2), {4, 5, 6}),
                                   with_prefix(make_request(2, 100'000, 1600, 3000), {1, 2, 3}),
                                   with_prefix(make_request(3, 100'001, 1600, 2), {1, 2, 3})};
  SimulationResult result = simulate(requests, cluster, cost, *policy, nullptr);
  CHECK(result.requests[0].replica == 0);
  CHECK(result.requests[1].replica == 1);
  CHECK(result.requests[2].replica == 0);
  CHECK(result.requests[2].prefix_cached_tokens == 1536);
  CHECK(result.requests[3].replica == 0);
  CHECK(result.requests[3].prefix_cached_tokens == 1536);

  // Overloaded: 41,600 outstanding tokens on replica 0 is more than the 32,768 accepted for a hit.
  requests[2].output_tokens = 40'000;
  result = simulate(requests, cluster, cost, *policy, nullptr);
  CHECK(result.requests[3].replica == 1);

  cluster.router = "least_outstanding_tokens";
  requests[2].output_tokens = 3000;
  result = simulate(requests, cluster, cost, *policy, nullptr);
  CHECK(result.requests[2].replica == 0);  // tie: lowest index
  CHECK(result.requests[3].replica == 1);  // least outstanding ignores the prefix
}
