// `results: {requests: ...}` chooses which per-request rows a run stores; run summaries never change.
// The real CLI on the shipped Mooncake trace: all, none and a sample store the same run figures, the
// expected number of request rows, and the summary says when rows were left out.
#include <doctest/doctest.h>

#include <string>

#include "cli_support.h"
#include "db_rows.h"

namespace sparsesim::testing {
namespace {

const char* kExperiment = R"(
name: storage
seed: 2
workload:
  trace: data/traces/mooncake/conversation_trace.jsonl
  max_requests: 1000
cluster: {gpu: H100-SXM, model: Qwen2.5-7B, replicas: 2}
quality: data/quality/sparse_frontier_prior.csv
policies: [dense, {impl: fixed, prefill_sparsity: 0.8, decode_sparsity: 0.8}]
)";

CommandResult run_with(const fs::path& dir, const std::string& name, const std::string& results_line) {
  { std::ofstream(dir / (name + ".yaml")) << kExperiment << results_line; }
  return run_cli(
      "run " + (dir / (name + ".yaml")).string() + " --no-progress --out " + (dir / (name + ".db")).string(),
      dir);
}

std::string run_figures(const fs::path& db) {
  std::string text;
  for (const auto& row : rows_of(db,
                                 "SELECT policy, completed, rejected, makespan_s, ttft_p99_s, tpot_p99_ms, "
                                 "mean_expected_quality, gpu_busy_s FROM runs ORDER BY policy"))
    for (const auto& cell : row) text += cell + " ";
  return text;
}

}  // namespace

TEST_CASE("results.requests: none and a sample keep every run figure and store only the rows asked for") {
  const auto dir = test_dir("request_storage");
  const auto all = run_with(dir, "all", "");
  REQUIRE_MESSAGE(all.exit_code == 0, all.output);
  const auto none = run_with(dir, "none", "results: {requests: none}\n");
  REQUIRE_MESSAGE(none.exit_code == 0, none.output);
  const auto sample = run_with(dir, "sample", "results: {requests: {sample: 300}}\n");
  REQUIRE_MESSAGE(sample.exit_code == 0, sample.output);

  CHECK(rows_of(dir / "all.db", "SELECT COUNT(*) FROM requests")[0][0] == "2000");
  CHECK(rows_of(dir / "none.db", "SELECT COUNT(*) FROM requests")[0][0] == "0");
  // 1,000 requests, at most 300 kept: every 4th (ceil(1000/300)), 250 per run.
  CHECK(rows_of(dir / "sample.db", "SELECT COUNT(*) FROM requests")[0][0] == "500");
  CHECK(rows_of(dir / "sample.db", "SELECT MIN(requests_stored), MAX(requests_stored) FROM runs")[0] ==
        std::vector<std::string>{"250", "250"});
  CHECK(rows_of(dir / "sample.db", "SELECT COUNT(*) FROM requests WHERE request_id % 4 != 0")[0][0] == "0");
  // The sampled rows are exactly the full run's rows for those requests.
  const std::string sampled_rows =
      "SELECT r.policy, q.request_id, q.ttft_s, q.e2e_s, q.expected_quality FROM requests q JOIN runs r "
      "USING(run_id) WHERE q.request_id % 4 = 0 ORDER BY r.policy, q.request_id";
  CHECK(rows_of(dir / "sample.db", sampled_rows) == rows_of(dir / "all.db", sampled_rows));

  // Run figures do not depend on what was stored.
  CHECK(run_figures(dir / "none.db") == run_figures(dir / "all.db"));
  CHECK(run_figures(dir / "sample.db") == run_figures(dir / "all.db"));

  // The summary says rows were left out; a full run says nothing.
  CHECK(all.output.find("per-request rows:") == std::string::npos);
  CHECK(none.output.find("per-request rows: 0 of 2000 stored") != std::string::npos);
  CHECK(sample.output.find("per-request rows: 500 of 2000 stored") != std::string::npos);
  CHECK(sample.output.find("quality by task family") != std::string::npos);
  CHECK(none.output.find("no quality breakdown by task family or length") != std::string::npos);
  // The HTML report of a database without request rows still draws what it can and says what it cannot.
  const auto report =
      run_cli("report " + (dir / "none.db").string() + " -o " + (dir / "none.html").string(), dir);
  REQUIRE_MESSAGE(report.exit_code == 0, report.output);
  const std::string html = read_bytes(dir / "none.html");
  CHECK(count_of(html, "Not drawn: no per-request rows") == 5);  // both tails, both budgets, by length
  CHECK(count_of(html, "<svg") == 1);  // quality vs compute, from the run rows
  // The setting is part of the recorded configuration.
  CHECK(rows_of(dir / "sample.db", "SELECT resolved_config FROM runs LIMIT 1")[0][0].find("sample 300") !=
        std::string::npos);
}

TEST_CASE("results.requests: anything but all, none or {sample: N >= 1} is an input error naming the line") {
  const auto dir = test_dir("request_storage_errors");
  for (const std::string bad : {"results: {requests: some}\n", "results: {requests: {sample: 0}}\n",
                                "results: {requests: {every: 3}}\n", "results: {rows: all}\n"}) {
    const auto result = run_with(dir, "bad", bad);
    CHECK_MESSAGE(result.exit_code == 2, bad << result.output);
    CHECK_MESSAGE(result.output.find("line 10") != std::string::npos, bad << result.output);
  }
}

}  // namespace sparsesim::testing
