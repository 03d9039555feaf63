#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "core/input_error.h"
#include "experiments/results_store.h"
#include "experiments/run_aggregates.h"
#include "experiments/summary_table.h"

using namespace sparsesim;

namespace {

std::string temp_db(const std::string& name) {
  const auto dir = std::filesystem::path(SPARSESIM_TEST_TMP);
  std::filesystem::create_directories(dir);
  const auto path = dir / name;
  std::filesystem::remove(path);
  return path.string();
}

RunRecord sample_record(const std::string& hash, const std::string& policy, double quality) {
  RunRecord record;
  record.experiment = "unit";
  record.config_hash = hash;
  record.policy_label = record.policy_impl = policy;
  record.knob_name = "keep_scale";
  record.knob = 0.5;
  record.compute_metric = "gpu_seconds";
  record.solver.status = "matched";
  for (int id = 0; id < 3; ++id) {
    RequestResult request;
    request.request_id = id;
    request.input_tokens = 1000 * (id + 1) * 10;
    request.output_tokens = 10;
    request.ttft_ns = 1'000'000;
    request.e2e_ns = 2'000'000;
    request.quality.expected_quality = quality;
    request.task_family = TaskFamily::single_qa;
    record.result.requests.push_back(request);
  }
  record.result.requests[2].status = RequestStatus::rejected;
  record.result.requests[2].reject_reason = "longer than the model context";
  record.result.summary.requests = 3;
  record.result.summary.completed = 2;
  record.result.summary.rejected = 1;
  record.result.summary.mean_expected_quality = quality;
  record.result.summary.gpu_busy_s = 12.5;
  record.result.summary.prefix_hit_rate = quality / 2;
  return record;
}

}  // namespace

TEST_CASE("results store writes runs with their requests and finds them by config hash") {
  const std::string path = temp_db("store.db");
  {
    ResultsStore store(path);
    CHECK(!store.has_run("abc"));
    const auto id = store.write_run(sample_record("abc", "fixed", 0.9));
    CHECK(store.has_run("abc"));
    SqliteStatement count(store.db(),
                          "SELECT COUNT(*), SUM(status = 'rejected') FROM requests WHERE run_id = ?");
    count << id;
    REQUIRE(count.step());
    CHECK(count.column_int(0) == 3);
    CHECK(count.column_int(1) == 1);
    // The same config hash twice violates the key: the run's transaction rolls back whole.
    CHECK_THROWS(store.write_run(sample_record("abc", "fixed", 0.9)));
    SqliteStatement runs(store.db(), "SELECT COUNT(*) FROM runs");
    REQUIRE(runs.step());
    CHECK(runs.column_int(0) == 1);
    SqliteStatement requests(store.db(), "SELECT COUNT(*) FROM requests");
    REQUIRE(requests.step());
    CHECK(requests.column_int(0) == 3);
  }
  ResultsStore reopened(path);  // existing file with the right schema opens again
  CHECK(reopened.has_run("abc"));
}

TEST_CASE("aggregates average replications with a 95% confidence interval") {
  const std::string path = temp_db("aggregate.db");
  ResultsStore store(path);
  RunRecord first = sample_record("h1", "fixed", 0.80), second = sample_record("h2", "fixed", 0.90);
  second.replication = 1;
  store.write_run(first);
  store.write_run(second);
  const AggregateSet set = aggregate_runs(store.db(), {});
  REQUIRE(set.rows.size() == 1);
  CHECK(set.rows[0].replications == 2);
  CHECK(set.rows[0].quality_mean == doctest::Approx(0.85));
  // t(0.975, 1 dof) = 12.706; sample sd = 0.0707; half-width = 12.706 * 0.0707 / sqrt(2).
  CHECK(set.rows[0].quality_ci95 == doctest::Approx(12.706 * 0.05).epsilon(1e-3));
  CHECK(set.rows[0].quality_by_family.at("single_qa") == doctest::Approx(0.85));
  CHECK(set.rows[0].prefix_hit_rate == doctest::Approx(0.425));  // averaged, like every per-run figure
  CHECK(set.rows[0].gpu_busy_s == doctest::Approx(12.5));
  CHECK(length_bucket_label(3000) == "<4K");
  CHECK(length_bucket_label(16384) == "16K-32K");
  CHECK(length_bucket_label(200000) == ">=64K");
}

TEST_CASE("a file that is not a results database is a clear error") {
  const std::string path = temp_db("foreign.db");
  std::ofstream(path) << "not sqlite at all";
  CHECK_THROWS_AS(open_results(path), InputError);
  CHECK_THROWS_WITH_AS(open_results(temp_db("missing.db")), doctest::Contains("not found"), InputError);
}

TEST_CASE("the table reports rejected requests per run, a mean like every other column") {
  const std::string path = temp_db("rejected_mean.db");
  ResultsStore store(path);
  RunRecord first = sample_record("r1", "fixed", 0.8), second = sample_record("r2", "fixed", 0.8);
  first.result.summary.rejected = 3;
  second.result.summary.rejected = 6;
  second.replication = 1;
  store.write_run(first);
  store.write_run(second);
  const AggregateSet set = aggregate_runs(store.db(), {});
  REQUIRE(set.rows.size() == 1);
  CHECK(set.rows[0].rejected_mean == doctest::Approx(4.5));
  const std::string table = format_summary_table(set);
  CHECK(table.find("rejected/run") != std::string::npos);
  CHECK(table.find(" 4.5 ") != std::string::npos);
  CHECK(table.find(" 9 ") == std::string::npos);  // never the sum over replications
}

TEST_CASE("runs of different configurations, and capacity probes, are never blended into one row") {
  const std::string path = temp_db("grouping.db");
  ResultsStore store(path);
  // The same experiment and policy label, before and after an edit of the YAML: different group and
  // point hashes, so two rows in two sections, each named by its configuration.
  RunRecord before = sample_record("g1", "fixed", 0.80), after = sample_record("g2", "fixed", 0.60);
  before.group_hash = "groupA", before.point_hash = "pointAAAAAAA";
  after.group_hash = "groupB", after.point_hash = "pointBBBBBBB";
  after.result.summary.requests = 7;
  RunRecord probe = sample_record("g3", "fixed", 0.10);
  probe.group_hash = "groupC", probe.point_hash = "pointCCCCCCC", probe.purpose = "capacity_probe";
  store.write_run(before);
  store.write_run(after);
  store.write_run(probe);
  const AggregateSet set = aggregate_runs(store.db(), {});
  REQUIRE(set.rows.size() == 2);
  CHECK(set.rows[0].quality_mean == doctest::Approx(0.80));
  CHECK(set.rows[1].quality_mean == doctest::Approx(0.60));
  CHECK(set.rows[0].replications == 1);
  const std::string table = format_summary_table(set);
  CHECK(table.find("(configuration pointAAA)") != std::string::npos);
  CHECK(table.find("(configuration pointBBB)") != std::string::npos);
  CHECK(table.find("0.1000") == std::string::npos);  // the probe is not in the comparison
}

TEST_CASE("an unreachable policy's quality is marked off target and not compared with the oracle") {
  const std::string path = temp_db("unreachable.db");
  ResultsStore store(path);
  RunRecord fixed = sample_record("u1", "fixed", 0.30), oracle = sample_record("u2", "oracle", 0.95);
  for (RunRecord* record : {&fixed, &oracle}) {
    record->solver.target = 100;
    record->solver.tolerance = 0.005;
    record->result.summary.gpu_busy_s = 140;
    record->group_hash = record->policy_label;
    record->point_hash = "point";
  }
  fixed.solver.status = "unreachable_low";
  oracle.solver.status = "matched";
  oracle.result.summary.gpu_busy_s = 100;
  store.write_run(fixed);
  store.write_run(oracle);
  // write_run stores compute_achieved from the solver; set it as the runner does.
  store.db().execute("UPDATE runs SET compute_achieved = gpu_busy_s");
  const std::string table = format_summary_table(aggregate_runs(store.db(), {}));
  std::istringstream lines(table);
  std::string fixed_line;
  for (std::string line; std::getline(lines, line);)
    if (line.rfind("fixed ", 0) == 0 && fixed_line.empty()) fixed_line = line;
  INFO(table);
  CHECK(fixed_line.find("(0.3000) off target") != std::string::npos);
  CHECK(fixed_line.find("-0.65") == std::string::npos);  // no "vs oracle" figure for it
  CHECK(fixed_line.substr(fixed_line.size() - 1) == "-");
}
