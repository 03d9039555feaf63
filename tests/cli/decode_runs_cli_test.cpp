// Decode runs (sim/replica.h) priced in closed form (cost/roofline_decode_run.cpp) change how many events
// a run takes and how much work each costs, never its answers: the real CLI on shipped traces, with and
// without --step-by-step, must store the same figures for every request and run (to the order of addition
// for sums).
#include <doctest/doctest.h>

#include <cmath>
#include <string>
#include <vector>

#include "cli_support.h"
#include "db_rows.h"

namespace sparsesim::testing {
namespace {

void compare_modes(const std::string& name, const std::string& yaml, double min_event_ratio) {
  const auto dir = test_dir(name);
  { std::ofstream(dir / "experiment.yaml") << yaml; }
  const auto fast = run_cli(
      "run " + (dir / "experiment.yaml").string() + " --no-progress --out " + (dir / "fast.db").string(),
      dir);
  REQUIRE_MESSAGE(fast.exit_code == 0, fast.output);
  const auto slow = run_cli("run " + (dir / "experiment.yaml").string() +
                                " --no-progress --step-by-step --out " + (dir / "slow.db").string(),
                            dir);
  REQUIRE_MESSAGE(slow.exit_code == 0, slow.output);
  // Every per-request figure, exactly.
  const std::string requests =
      "SELECT r.policy, r.replication, q.request_id, q.replica, q.status, q.first_scheduled_s, "
      "q.first_token_s, "
      "q.finish_s, q.ttft_s, q.tpot_ms, q.e2e_s, q.preemptions, q.prefill_sparsity, "
      "q.decode_kv_budget_tokens, "
      "q.escalated, q.attention_flops, q.gpu_time_s, q.expected_quality, q.prefix_cached_tokens FROM "
      "requests q "
      "JOIN runs r USING(run_id) ORDER BY r.policy, r.replication, q.request_id";
  const auto fast_rows = rows_of(dir / "fast.db", requests), slow_rows = rows_of(dir / "slow.db", requests);
  REQUIRE(fast_rows.size() == slow_rows.size());
  REQUIRE(fast_rows.size() > 1000);
  // Every column exactly, except the per-request GPU time and FLOP attributions: a run adds each
  // request's share of all its steps at once (closed-form sums), step by step adds them one by one, so
  // only the order of addition differs: relative 1e-9.
  constexpr std::size_t kAttentionFlops = 15, kGpuTime = 16;
  std::size_t differing = 0;
  double worst = 0;
  for (std::size_t i = 0; i < fast_rows.size(); ++i)
    for (std::size_t column = 0; column < fast_rows[i].size(); ++column) {
      if (column == kAttentionFlops || column == kGpuTime) {
        const double a = std::stod(fast_rows[i][column]), b = std::stod(slow_rows[i][column]);
        const double relative = std::abs(a - b) / std::max(1e-300, std::abs(b));
        worst = std::max(worst, relative);
        differing += relative > 1e-9 ? 1 : 0;
      } else {
        differing += fast_rows[i][column] != slow_rows[i][column] ? 1 : 0;
      }
    }
  MESSAGE(name << ": largest relative difference in per-request GPU time or FLOPs " << worst);
  CHECK(differing == 0);
  // Per-run figures: exact except run totals of FLOPs and bytes, whose summation order across replicas
  // differs (each replica's run of steps is added at once): relative 1e-12.
  const std::string runs =
      "SELECT policy, replication, knob, completed, rejected, preemptions, escalations, makespan_s, "
      "ttft_p99_s, "
      "tpot_p99_ms, e2e_p99_s, gpu_busy_s, mean_expected_quality, attention_flops, memory_bytes, "
      "kv_peak_bytes "
      "FROM runs ORDER BY policy, replication";
  const auto fast_runs = rows_of(dir / "fast.db", runs), slow_runs = rows_of(dir / "slow.db", runs);
  REQUIRE(fast_runs.size() == slow_runs.size());
  for (std::size_t i = 0; i < fast_runs.size(); ++i)
    for (std::size_t column = 0; column < fast_runs[i].size(); ++column) {
      if (column == 13 || column == 14) {
        const double a = std::stod(fast_runs[i][column]), b = std::stod(slow_runs[i][column]);
        CHECK(std::abs(a - b) <= 1e-12 * std::abs(b));
      } else {
        CHECK(fast_runs[i][column] == slow_runs[i][column]);
      }
    }
  // And the point of it: fewer events (how many fewer depends on how often arrivals bound a run).
  const double fast_events = std::stod(rows_of(dir / "fast.db", "SELECT SUM(events) FROM runs")[0][0]);
  const double slow_events = std::stod(rows_of(dir / "slow.db", "SELECT SUM(events) FROM runs")[0][0]);
  MESSAGE(name << ": " << slow_events << " events step by step, " << fast_events << " with decode runs");
  CHECK(fast_events * min_event_ratio < slow_events);
}

}  // namespace

TEST_CASE("decode runs: Mooncake with prefix caching, sparse and escalating policies, same answers") {
  compare_modes("decode_runs_mooncake", R"(
name: decode_runs_mooncake
seed: 3
workload:
  trace: data/traces/mooncake/conversation_trace.jsonl
  max_requests: 3000
  task_mix: {single_qa: 0.5, multi_query_retrieval: 0.3, high_scope: 0.2}
cluster: {gpu: H100-SXM, model: Qwen2.5-7B, replicas: 2, prefix_caching: true, router: prefix_affinity,
          scheduler: {max_running: 64}}
quality: data/quality/sparse_frontier_prior.csv
policies:
  - dense
  - {impl: fixed, prefill_sparsity: 0.9, decode_sparsity: 0.9}
  - {impl: uncertainty_triggered, auroc: 0.8, check_after_tokens: 16}
)",
                3.0);
}

TEST_CASE("decode runs: prefix cache under KV pressure, runs evicting its idle entries, same answers") {
  // A 14B model on one H100 (about 220,000 tokens of KV) at a twentieth of the trace's rate: the prefix
  // cache fills the free memory, and decode runs take blocks from its idle entries (the router does not
  // read the cache), thousands of preemptions included.
  const std::string yaml = R"(
name: decode_runs_prefix_pressure
seed: 4
workload:
  trace: data/traces/mooncake/conversation_trace.jsonl
  max_requests: 1500
  rate_multiplier: 0.05
cluster: {gpu: H100-SXM, model: Qwen2.5-14B, replicas: 1, prefix_caching: true,
          router: ROUTER, scheduler: {max_running: 64}}
quality: data/quality/sparse_frontier_prior.csv
policies:
  - dense
  - {impl: fixed, prefill_sparsity: 0.9, decode_sparsity: 0.9}
)";
  auto with_router = [&](const std::string& router) {
    std::string text = yaml;
    text.replace(text.find("ROUTER"), 6, router);
    return text;
  };
  compare_modes("decode_runs_prefix_pressure", with_router("least_outstanding_tokens"), 3.0);
  // With one replica every router routes alike; prefix_affinity reads the cache, so its runs stop where a
  // block needs an eviction. Same answers, more events: the evictions inside runs are what saves them.
  const auto dir = test_dir("decode_runs_prefix_pressure_affinity");
  { std::ofstream(dir / "experiment.yaml") << with_router("prefix_affinity"); }
  const auto affinity = run_cli(
      "run " + (dir / "experiment.yaml").string() + " --no-progress --out " + (dir / "runs.db").string(),
      dir);
  REQUIRE_MESSAGE(affinity.exit_code == 0, affinity.output);
  const std::string answers =
      "SELECT policy, completed, preemptions, makespan_s, gpu_busy_s FROM runs ORDER BY policy";
  const auto evicting_dir =
      fs::path(SPARSESIM_TEST_TMP) / "cli" / "decode_runs_prefix_pressure";  // compare_modes' folder
  CHECK(rows_of(dir / "runs.db", answers) == rows_of(evicting_dir / "fast.db", answers));
  const double evicting_events =
      std::stod(rows_of(evicting_dir / "fast.db", "SELECT SUM(events) FROM runs")[0][0]);
  const double affinity_events = std::stod(rows_of(dir / "runs.db", "SELECT SUM(events) FROM runs")[0][0]);
  MESSAGE("events: " << evicting_events << " evicting inside runs, " << affinity_events
                     << " stopping at evictions");
  CHECK(evicting_events < affinity_events);
}

TEST_CASE("decode runs: RAGPulse closed-loop sessions and SnapKV eviction, same answers") {
  compare_modes("decode_runs_ragpulse", R"(
name: decode_runs_ragpulse
seed: 5
workload:
  trace: data/traces/ragpulse/0_trace.jsonl
  max_requests: 2000
  rate_multiplier: 200
  sessions: {closed_loop: true, think_time: {dist: exponential, mean_s: 20}}
cluster: {gpu: H100-SXM, model: Qwen2.5-7B, replicas: 2, sparse_methods: {decode: snapkv},
          scheduler: {max_running: 32}}
quality: data/quality/sparse_frontier_prior.csv
policies:
  - {impl: fixed, prefill_sparsity: 0.8, decode_sparsity: 0.9}
  - {impl: length_scaled, alpha: 0.6}
)",
                1.0);
}

}  // namespace sparsesim::testing
