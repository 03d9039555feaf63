// Trace statistics against values computed independently (Python) from the shipped traces, and on a tiny
// hand-computed case.
#include <doctest/doctest.h>

#include "tests/workloads/trace_test_files.h"
#include "workloads/trace_loading.h"
#include "workloads/trace_stats.h"

using namespace sparsesim;

TEST_CASE("trace stats of a tiny hand-computed trace") {
  std::vector<Request> requests(4);
  const TimeNs arrivals_s[] = {0, 1, 3, 6};
  const std::int32_t inputs[] = {100, 8192, 40000, 200000};
  const std::int64_t sessions[] = {0, 0, 1, -1};
  for (std::size_t i = 0; i < requests.size(); ++i) {
    requests[i].arrival_ns = arrivals_s[i] * kNsPerSecond;
    requests[i].input_tokens = inputs[i];
    requests[i].output_tokens = static_cast<std::int32_t>(i + 1);
    requests[i].session_id = sessions[i];
  }
  requests[0].prefix_block_ids = {1, 2};
  requests[1].prefix_block_ids = {1, 2, 3};
  requests[2].prefix_block_ids = {3, 3};
  const TraceStats stats = compute_trace_stats(requests);
  CHECK(stats.requests == 4);
  CHECK(stats.span_ns == 6 * kNsPerSecond);
  CHECK(stats.mean_rate_per_s == doctest::Approx(0.5));
  // Gaps 1, 2, 3 s: mean 2, population std sqrt(2/3).
  CHECK(stats.interarrival_cv == doctest::Approx(std::sqrt(2.0 / 3.0) / 2.0));
  CHECK(stats.share_input_at_least_8k == doctest::Approx(0.75));
  CHECK(stats.share_input_at_least_32k == doctest::Approx(0.5));
  CHECK(stats.share_input_at_least_128k == doctest::Approx(0.25));
  CHECK(stats.input_tokens.p50 == 8192);
  CHECK(stats.input_tokens.p90 == 200000);
  CHECK(stats.input_tokens.min == 100);
  CHECK(stats.output_tokens.mean == doctest::Approx(2.5));
  CHECK(stats.sessions == 2);
  CHECK(stats.session_turns == 3);
  CHECK(stats.max_turns_per_session == 2);
  CHECK(stats.prefix_block_ids == 7);
  CHECK(stats.reused_prefix_block_ids ==
        4);  // 1 and 2 in request 1; both 3s in request 2 (3 came in request 1)
  CHECK(stats.input_log2_histogram[6] == 1);   // 100 in [64, 128)
  CHECK(stats.input_log2_histogram[13] == 1);  // 8192 in [8192, 16384)
  std::int64_t bucketed = 0;
  for (auto count : stats.arrivals_per_bucket) bucketed += count;
  CHECK(bucketed == 4);
  CHECK(compute_trace_stats({}).requests == 0);
}

TEST_CASE("trace stats of the Mooncake conversation trace") {
  TraceLoadReport report;
  const TraceStats stats =
      compute_trace_stats(load_trace(test::shipped_trace("mooncake/conversation_trace.jsonl"), "", report));
  CHECK(stats.requests == 12031);
  CHECK(stats.span_ns == 3536999 * kNsPerMs);
  CHECK(stats.mean_rate_per_s == doctest::Approx(3.4011884085915773));
  CHECK(stats.interarrival_cv == doctest::Approx(3.03373744294613).epsilon(1e-9));
  CHECK(stats.input_tokens.mean == doctest::Approx(12035.061341534369));
  CHECK(stats.input_tokens.p50 == 6909);
  CHECK(stats.input_tokens.p90 == 27367);
  CHECK(stats.input_tokens.p99 == 85401);
  CHECK(stats.input_tokens.max == 126195);
  CHECK(stats.output_tokens.p50 == 350);
  CHECK(stats.output_tokens.p99 == 1120);
  CHECK(stats.share_input_at_least_8k == doctest::Approx(5412.0 / 12031));
  CHECK(stats.share_input_at_least_32k == doctest::Approx(829.0 / 12031));
  CHECK(stats.share_input_at_least_128k == 0.0);
  CHECK(stats.sessions == 0);
  CHECK(stats.prefix_block_ids == 288500);
  CHECK(stats.reused_prefix_block_ids == 105710);
}

TEST_CASE("trace stats streamed from the RAGPulse trace: sessions and reuse in file order") {
  TraceStatsBuilder builder;
  TraceLoadReport report;
  stream_trace(
      test::shipped_trace("ragpulse/0_trace.jsonl"), "", [&](Request&& request) { builder.add(request); },
      report);
  const TraceStats stats = builder.finish();
  CHECK(stats.requests == 7106);
  CHECK(stats.span_ns == 604603 * kNsPerSecond);
  CHECK(stats.interarrival_cv == doctest::Approx(3.061089755929651).epsilon(1e-9));
  CHECK(stats.input_tokens.p50 == 3139);
  CHECK(stats.output_tokens.max == 2183);
  CHECK(stats.sessions == 3990);
  CHECK(stats.session_turns == 7106);
  CHECK(stats.max_turns_per_session == 25);
  CHECK(stats.prefix_block_ids == 71583);
  CHECK(stats.reused_prefix_block_ids == 49726);
}
