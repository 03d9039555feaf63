#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>

#include "experiments/results_store.h"
#include "experiments/run_aggregates.h"
#include "workloads/input_error.h"

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
