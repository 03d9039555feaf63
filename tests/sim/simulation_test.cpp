#include <doctest/doctest.h>

#include <numeric>
#include <optional>

#include "policies/budget_policy.h"
#include "sim/simulation.h"
#include "sim_test_support.h"

using namespace sparsesim;
using namespace sparsesim::testing;

namespace {

void check_identical(const SimulationResult& a, const SimulationResult& b) {
  REQUIRE(a.requests.size() == b.requests.size());
  for (std::size_t index = 0; index < a.requests.size(); ++index) {
    const RequestResult& x = a.requests[index];
    const RequestResult& y = b.requests[index];
    CHECK(x.replica == y.replica);
    CHECK(x.first_scheduled_ns == y.first_scheduled_ns);
    CHECK(x.first_token_ns == y.first_token_ns);
    CHECK(x.finish_ns == y.finish_ns);
    CHECK(x.preemptions == y.preemptions);
    CHECK(x.gpu_time_ns == y.gpu_time_ns);
    CHECK(x.attention_flops == y.attention_flops);
  }
  CHECK(a.summary.events == b.summary.events);
  CHECK(a.summary.gpu_busy_s == b.summary.gpu_busy_s);
  CHECK(a.summary.ttft_s.p99 == b.summary.ttft_s.p99);
}

}  // namespace

TEST_CASE("a single request on an idle replica matches the hand-computed latency") {
  const LinearCostModel cost(1000, 10);  // 1 us per step + 10 ns per token
  const auto policy = dense_policy();
  const ClusterConfig cluster = tiny_cluster(1000);
  const std::vector<Request> requests = {make_request(0, 5000, 100, 10)};
  const SimulationResult result = simulate(requests, cluster, cost, *policy, nullptr);
  REQUIRE(result.requests.size() == 1);
  const RequestResult& request = result.requests[0];
  CHECK(request.status == RequestStatus::done);
  CHECK(request.first_scheduled_ns == 5000);
  // Prefill of 100 tokens emits the first token: 1000 + 100 x 10.
  CHECK(request.ttft_ns == 2000);
  CHECK(request.first_token_ns == 7000);
  // Nine decode steps of one token each: 1000 + 10.
  CHECK(request.tpot_ns == doctest::Approx(1010));
  CHECK(request.e2e_ns == 2000 + 9 * 1010);
  CHECK(request.finish_ns == 5000 + 11090);
  CHECK(request.gpu_time_ns == doctest::Approx(11090));
  CHECK(result.summary.gpu_busy_s == doctest::Approx(11090e-9));
  CHECK(result.summary.ttft_s.p50 == doctest::Approx(2e-6));
  CHECK(result.summary.tpot_ms.p99 == doctest::Approx(1.010e-3));
  CHECK(result.summary.e2e_s.p90 == doctest::Approx(11.09e-6));
  CHECK(result.summary.makespan_ns == 11090);
  CHECK(result.summary.throughput_output_tokens_per_s == doctest::Approx(10 / 11090e-9));
  // One arrival, the prefill step, and the nine decode steps as one decode run.
  CHECK(result.summary.events == 1 + 1 + 1);
  CHECK(result.summary.kv_peak_bytes == doctest::Approx(7 * 16 * 32));  // 109 tokens -> 7 blocks
  // Step by step: one event per step, the same answers.
  ClusterConfig step_by_step = cluster;
  step_by_step.decode_runs = false;
  const SimulationResult slow = simulate(requests, step_by_step, cost, *policy, nullptr);
  CHECK(slow.summary.events == 1 + 10);
  CHECK(slow.requests[0].finish_ns == request.finish_ns);
  CHECK(slow.requests[0].gpu_time_ns == doctest::Approx(request.gpu_time_ns).epsilon(1e-12));
  CHECK(slow.summary.kv_peak_bytes == result.summary.kv_peak_bytes);
}

TEST_CASE("chunked prefill splits a long prompt into chunk_tokens pieces") {
  const LinearCostModel cost(1000, 10);
  const auto policy = dense_policy();
  ClusterConfig cluster = tiny_cluster(1000);
  cluster.scheduler.chunk_tokens = 2048;
  const std::vector<Request> requests = {make_request(0, 0, 5000, 2)};
  const SimulationResult result = simulate(requests, cluster, cost, *policy, nullptr);
  // Chunks of 2048, 2048 and 904 tokens: three steps.
  CHECK(result.requests[0].ttft_ns == 3 * 1000 + 5000 * 10);
  CHECK(result.requests[0].e2e_ns == 3 * 1000 + 5000 * 10 + 1010);
}

TEST_CASE("decodes go first and share the iteration with a prefill chunk") {
  const LinearCostModel cost(1000, 10);
  const auto policy = dense_policy();
  ClusterConfig cluster = tiny_cluster(1000);
  // Request 1 arrives while request 0 is prefilling; from then on both run in the same iterations.
  const std::vector<Request> requests = {make_request(0, 0, 100, 5), make_request(1, 1, 50, 3)};
  const SimulationResult result = simulate(requests, cluster, cost, *policy, nullptr);
  // Step 1 [0, 2000): prefill 0 (100). Step 2 [2000, 3510): decode 0 + prefill 1 (50) = 51 tokens.
  CHECK(result.requests[0].first_token_ns == 2000);
  CHECK(result.requests[1].first_scheduled_ns == 2000);
  CHECK(result.requests[1].first_token_ns == 3510);
  // Step 3: two decodes (1020) -> 4530; step 4 -> 5550: request 1 has its 3 tokens.
  CHECK(result.requests[1].finish_ns == 5550);
  // Request 0: 5 tokens at 2000, 3510, 4530, 5550, then alone 6560.
  CHECK(result.requests[0].finish_ns == 6560);
}

TEST_CASE("runs are deterministic and conserve requests") {
  const LinearCostModel cost(20'000, 50, 0.5);
  const auto policy = dense_policy();
  ClusterConfig cluster = tiny_cluster(600, 3);
  cluster.scheduler.max_running = 16;
  cluster.scheduler.max_batch_tokens = 1024;
  cluster.scheduler.chunk_tokens = 512;
  std::vector<Request> requests = synthetic_requests(400, 2000);
  requests.push_back(make_request(400, 1'000'000, 90'000, 20'000));  // over the model context
  const SimulationResult first = simulate(requests, cluster, cost, *policy, nullptr);
  const SimulationResult second = simulate(requests, cluster, cost, *policy, nullptr);
  check_identical(first, second);

  REQUIRE(first.requests.size() == requests.size());
  std::int64_t done = 0, rejected = 0;
  double attributed_ns = 0;
  for (std::size_t index = 0; index < requests.size(); ++index) {
    const RequestResult& request = first.requests[index];
    CHECK(request.request_id == index);
    if (request.status == RequestStatus::done) {
      ++done;
      CHECK(request.reject_reason.empty());
      CHECK(request.first_scheduled_ns >= request.arrival_ns);
      CHECK(request.first_token_ns > request.first_scheduled_ns);
      CHECK(request.finish_ns >= request.first_token_ns);
      CHECK(request.replica >= 0);
      CHECK(request.replica < 3);
    } else {
      ++rejected;
      CHECK_FALSE(request.reject_reason.empty());
    }
    attributed_ns += request.gpu_time_ns;
  }
  CHECK(done + rejected == static_cast<std::int64_t>(requests.size()));
  CHECK(first.summary.completed == done);
  CHECK(first.summary.rejected == rejected);
  CHECK(rejected == 1);
  // Attributed GPU time sums to the total busy time.
  CHECK(attributed_ns == doctest::Approx(first.summary.gpu_busy_s * 1e9).epsilon(1e-9));
  double attention_flops = 0;
  for (const auto& request : first.requests) attention_flops += request.attention_flops;
  CHECK(attention_flops == doctest::Approx(first.summary.attention_flops).epsilon(1e-9));
}

TEST_CASE("a request waits for KV blocks before admission") {
  const LinearCostModel cost(1000, 10);
  const auto policy = dense_policy();
  // 32 blocks = 512 tokens: request 0 (500 + 10 tokens) fills the cache alone.
  const ClusterConfig cluster = tiny_cluster(32);
  const std::vector<Request> requests = {make_request(0, 0, 500, 10), make_request(1, 10, 500, 10)};
  const SimulationResult result = simulate(requests, cluster, cost, *policy, nullptr);
  REQUIRE(result.requests[0].status == RequestStatus::done);
  REQUIRE(result.requests[1].status == RequestStatus::done);
  CHECK(result.requests[1].first_scheduled_ns == result.requests[0].finish_ns);
  CHECK(result.summary.preemptions == 0);
  CHECK(result.summary.kv_peak_bytes <= 32 * 16 * 32);
}

TEST_CASE("running out of KV mid-decode preempts the newest request, which recomputes and finishes") {
  const LinearCostModel cost(1000, 10);
  const auto policy = dense_policy();
  // 64 blocks = 1024 tokens; each request grows to 200 + 300 tokens (32 blocks) but is admitted with 13.
  const ClusterConfig cluster = tiny_cluster(64);
  std::vector<Request> requests;
  for (int index = 0; index < 6; ++index)
    requests.push_back(make_request(static_cast<std::uint64_t>(index), 0, 200, 300));
  const SimulationResult result = simulate(requests, cluster, cost, *policy, nullptr);
  CHECK(result.summary.completed == 6);
  CHECK(result.summary.preemptions > 0);
  std::int64_t counted = 0;
  for (const auto& request : result.requests) {
    CHECK(request.status == RequestStatus::done);
    counted += request.preemptions;
  }
  CHECK(counted == result.summary.preemptions);
  // The oldest request is never preempted (it always fits alone).
  CHECK(result.requests[0].preemptions == 0);
  CHECK(result.summary.kv_peak_bytes <= 64 * 16 * 32);
}

TEST_CASE("over-long requests are rejected with a reason and still returned") {
  const LinearCostModel cost(1000, 10);
  const auto policy = dense_policy();
  ClusterConfig cluster = tiny_cluster(100);  // 1600 tokens of KV
  cluster.model.context_tokens = 4096;
  const std::vector<Request> requests = {make_request(0, 0, 4000, 100), make_request(1, 0, 1500, 200),
                                         make_request(2, 0, 100, 10)};
  const SimulationResult result = simulate(requests, cluster, cost, *policy, nullptr);
  REQUIRE(result.requests.size() == 3);
  CHECK(result.requests[0].status == RequestStatus::rejected);
  CHECK(result.requests[0].reject_reason.find("model context") != std::string::npos);
  CHECK(result.requests[1].status == RequestStatus::rejected);
  CHECK(result.requests[1].reject_reason.find("blocks") != std::string::npos);
  CHECK(result.requests[2].status == RequestStatus::done);
  CHECK(result.summary.rejected == 2);
  CHECK(result.summary.completed == 1);
}

TEST_CASE("round-robin and least-outstanding-tokens routing") {
  const LinearCostModel cost(1000, 10);
  const auto policy = dense_policy();
  ClusterConfig cluster = tiny_cluster(1000, 2);
  const std::vector<Request> requests = {make_request(0, 0, 1000, 1), make_request(1, 0, 10, 1),
                                         make_request(2, 0, 10, 1), make_request(3, 0, 10, 1)};
  cluster.router = "round_robin";
  SimulationResult result = simulate(requests, cluster, cost, *policy, nullptr);
  CHECK(result.requests[0].replica == 0);
  CHECK(result.requests[1].replica == 1);
  CHECK(result.requests[2].replica == 0);
  CHECK(result.requests[3].replica == 1);
  cluster.router = "least_outstanding_tokens";
  result = simulate(requests, cluster, cost, *policy, nullptr);
  CHECK(result.requests[0].replica == 0);  // tie: lowest index
  CHECK(result.requests[1].replica == 1);
  CHECK(result.requests[2].replica == 1);
  CHECK(result.requests[3].replica == 1);
  cluster.router = "no_such_router";
  CHECK_THROWS(simulate(requests, cluster, cost, *policy, nullptr));
}

namespace {

// Starts sparse; after 3 output tokens escalates to dense, re-running the prefill.
class EscalateOncePolicy final : public BudgetPolicy {
 public:
  explicit EscalateOncePolicy(bool rerun) : rerun_(rerun) {}
  Budget initial_budget(const Request&, const SystemLoad&) const override {
    Budget budget;
    budget.prefill_density = 0.5;
    budget.decode_kv_budget_tokens = 64;
    return budget;
  }
  int revision_after_tokens() const override { return 3; }
  std::optional<Escalation> revise(const Request&, const Budget&) const override {
    return Escalation{Budget{}, rerun_};
  }
  KnobSpec knob() const override { return {"none", 1, 1, 1, ""}; }
  void set_knob(double) override {}

 private:
  bool rerun_;
};

class ConstantQuality final : public QualityModel {
 public:
  QualityScore score(const Request&, const Budget& budget) const override {
    QualityScore score;
    score.expected_quality = budget.is_dense() ? 0.9 : 0.5;
    score.prefill_lookup = LookupKind::interpolated;
    score.decode_lookup = LookupKind::extrapolated;
    return score;
  }
  std::string describe() const override { return "constant"; }
};

}  // namespace

TEST_CASE("escalation with a prefill re-run is charged and recorded") {
  const LinearCostModel cost(1000, 10);
  const ClusterConfig cluster = tiny_cluster(1000);
  const ConstantQuality quality;
  const std::vector<Request> requests = {make_request(0, 0, 100, 10)};

  const EscalateOncePolicy rerun(true);
  SimulationResult result = simulate(requests, cluster, cost, rerun, &quality);
  const RequestResult& request = result.requests[0];
  CHECK(request.escalated);
  CHECK(result.summary.escalations == 1);
  CHECK(request.prefill_sparsity == doctest::Approx(0.0));
  CHECK(request.decode_kv_budget_tokens == Budget::kDenseKv);
  // Prefill (2000), decodes to 3 tokens (2 x 1010), re-run over 103 tokens emitting token 4 (2030),
  // then six decodes (6 x 1010).
  CHECK(request.e2e_ns == 2000 + 2 * 1010 + 2030 + 6 * 1010);
  CHECK(request.quality.expected_quality == doctest::Approx(0.9));
  CHECK(result.summary.mean_expected_quality == doctest::Approx(0.9));
  CHECK(result.summary.lookups_interpolated == 1);
  CHECK(result.summary.lookups_extrapolated == 1);
  CHECK(result.summary.lookups_exact == 0);

  const EscalateOncePolicy no_rerun(false);
  result = simulate(requests, cluster, cost, no_rerun, &quality);
  CHECK(result.requests[0].escalated);
  CHECK(result.requests[0].e2e_ns == 2000 + 9 * 1010);
}

TEST_CASE("a sparse decode budget reads fewer KV tokens, and eviction budgets hold less memory") {
  const LinearCostModel cost(1000, 10, 1.0);
  const ClusterConfig cluster = tiny_cluster(1000);
  const std::vector<Request> requests = {make_request(0, 0, 1000, 50)};
  const auto dense = dense_policy();
  const PolicyContext context;
  const auto fixed = make_policy(YAML::Load("{impl: fixed, prefill_sparsity: 0.5, decode_sparsity: 0.9}"),
                                 "policies[1]", context);
  const SimulationResult dense_result = simulate(requests, cluster, cost, *dense, nullptr);
  const SimulationResult sparse_result = simulate(requests, cluster, cost, *fixed, nullptr);
  CHECK(sparse_result.requests[0].prefill_sparsity == doctest::Approx(0.5));
  CHECK(sparse_result.requests[0].decode_kv_budget_tokens == 100);
  CHECK(sparse_result.summary.attention_flops < 0.6 * dense_result.summary.attention_flops);
}

TEST_CASE("decode runs under KV pressure: preemptions and prefix caching give the step-by-step answers") {
  const LinearCostModel cost(1000, 10, 0.5);
  const auto policy = dense_policy();
  std::vector<Request> requests = synthetic_requests(400, 2000);
  for (auto& request : requests)  // shared leading blocks, so the prefix cache is exercised too
    for (std::uint64_t block = 0; block < static_cast<std::uint64_t>(request.input_tokens / 512); ++block)
      request.prefix_block_ids.push_back(block % 3 == 0 ? block : request.id * 1000 + block);
  ClusterConfig cluster = tiny_cluster(300, 2);  // 4,800 tokens per replica: runs stop at KV misses
  cluster.prefix_caching = true;
  ClusterConfig step_by_step = cluster;
  step_by_step.decode_runs = false;
  const SimulationResult fast = simulate(requests, cluster, cost, *policy, nullptr);
  const SimulationResult slow = simulate(requests, step_by_step, cost, *policy, nullptr);
  CHECK(slow.summary.preemptions > 0);
  CHECK(fast.summary.events < slow.summary.events);
  REQUIRE(fast.requests.size() == slow.requests.size());
  for (std::size_t i = 0; i < fast.requests.size(); ++i) {
    const RequestResult &a = fast.requests[i], &b = slow.requests[i];
    CHECK(a.status == b.status);
    CHECK(a.finish_ns == b.finish_ns);
    CHECK(a.first_token_ns == b.first_token_ns);
    CHECK(a.preemptions == b.preemptions);
    // Attribution sums: a run adds all its steps' shares at once, so only the order of addition differs.
    CHECK(a.gpu_time_ns == doctest::Approx(b.gpu_time_ns).epsilon(1e-12));
    CHECK(a.attention_flops == doctest::Approx(b.attention_flops).epsilon(1e-12));
    CHECK(a.prefix_cached_tokens == b.prefix_cached_tokens);
    CHECK(a.replica == b.replica);
  }
  CHECK(fast.summary.preemptions == slow.summary.preemptions);
  CHECK(fast.summary.kv_peak_bytes == slow.summary.kv_peak_bytes);
  CHECK(fast.summary.gpu_busy_s == slow.summary.gpu_busy_s);
}
