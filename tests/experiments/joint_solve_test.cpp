// The knob is a deployment setting: one value per (policy, sweep point) for every replication, with the
// reachable range measured first and the conditioning of the answer assessed. Stored runs are keyed by
// the build identity as well as the configuration.
#include <doctest/doctest.h>

#include <map>
#include <set>

#include "experiment_test_support.h"
#include "experiments/build_identity.h"
#include "experiments/iso_compute.h"
#include "experiments/run_aggregates.h"
#include "experiments/summary_table.h"

using namespace sparsesim;
using namespace sparsesim::testing;

namespace {

// The first ten minutes of the Mooncake conversation trace on the demo's cluster, three replications.
std::string mooncake_experiment(const std::string& compute) {
  return R"(
name: joint-solve
seed: 3
replications: 3
workload:
  trace: data/traces/mooncake/conversation_trace.jsonl
  time_window: {start_s: 0, end_s: 600}
  task_mix: {single_qa: 0.5, multi_query_retrieval: 0.3, high_scope: 0.2}
  predictor_accuracy: 0.8
cluster: {gpu: H100-SXM, model: Qwen2.5-7B, replicas: 4}
quality: data/quality/sparse_frontier_prior.csv
compute: )" +
         compute + R"(
policies:
  - dense
  - fixed
  - {impl: uncertainty_triggered, auroc: 0.8, check_after_tokens: 32}
)";
}

struct Row {
  std::set<double> knobs;
  std::string status;
  double range_min = 0, range_max = 0, target = 0;
};

std::map<std::string, Row> rows_by_policy(const std::string& db) {
  auto store = open_results(db);
  SqliteStatement query(*store,
                        "SELECT policy, knob, solver_status, range_min_compute, range_max_compute, "
                        "compute_target FROM runs");
  std::map<std::string, Row> rows;
  while (query.step()) {
    Row& row = rows[query.column_text(0)];
    row.knobs.insert(query.column_double(1));
    row.status = query.column_text(2);
    row.range_min = query.column_double(3), row.range_max = query.column_double(4);
    row.target = query.column_double(5);
  }
  return rows;
}

}  // namespace

TEST_CASE("one knob per policy for all replications; a flat, noisy compute curve is ill_conditioned") {
  // GPU time at 95% of dense, matched to +/-0.5%: the uncertainty-triggered policy's whole knob range
  // spans a few percent of compute, so the window holds knobs of very different quality.
  const std::string db = fresh_db("joint_solve.db");
  const ExperimentRunReport report = run_inline(
      mooncake_experiment("{metric: gpu_seconds, target: {fraction_of_dense: 0.925}, tolerance: 0.005}"), db);
  REQUIRE(report.simulated == 12);  // three policies and the oracle bound, three replications each
  const auto rows = rows_by_policy(db);
  for (const auto& entry : rows) {
    const Row& row = entry.second;
    INFO(entry.first);
    CHECK(row.knobs.size() == 1);  // every replication at the same knob
    CHECK(row.range_min <= row.range_max);
  }
  const Row& uncertainty = rows.at("uncertainty_triggered");
  CHECK(uncertainty.status == "ill_conditioned");
  CHECK(uncertainty.range_max / uncertainty.range_min < 1.1);  // a near-flat compute curve
  auto store = open_results(db);
  const std::string table = format_summary_table(aggregate_runs(*store, report.run_ids));
  INFO(table);
  CHECK(table.find("ill_conditioned") != std::string::npos);
  CHECK(table.find("reachable compute") != std::string::npos);
  CHECK(table.find("the target does not determine this policy's quality") != std::string::npos);
}

TEST_CASE("an unreachable target is reported with the reachable range, before any bisection") {
  // Half of dense GPU time: below what any sparse setting of a 7B model on Mooncake can reach.
  const std::string db = fresh_db("unreachable_low.db");
  run_inline(mooncake_experiment("{metric: gpu_seconds, target: {fraction_of_dense: 0.5}}"), db);
  const auto rows = rows_by_policy(db);
  for (const char* policy : {"fixed", "uncertainty_triggered"}) {
    INFO(policy);
    const Row& row = rows.at(policy);
    CHECK(row.status == "unreachable_low");
    CHECK(row.range_min > row.target);
    CHECK(row.range_max > row.range_min);
  }
  auto store = open_results(db);
  const std::string table = format_summary_table(aggregate_runs(*store, {}));
  CHECK(table.find("off target") != std::string::npos);
}

TEST_CASE("the tolerance window is located between evaluated knobs") {
  // compute = 100 + 10 * knob on [0, 10]; target 150 with +/-2% spans compute 147..153, knobs 4.7..5.3.
  std::vector<KnobEvaluation> evaluations;
  for (double knob : {0.0, 10.0, 5.0, 2.5, 7.5}) evaluations.push_back({knob, 100 + 10 * knob, 0});
  const KnobWindow window = tolerance_window(evaluations, 150, 0.02, 0, 10);
  CHECK(window.low_knob == doctest::Approx(4.7));
  CHECK(window.high_knob == doctest::Approx(5.3));
  CHECK(largest_compute_fall(evaluations) == 0);
  evaluations.push_back({6.0, 140, 0});  // a dip: compute falls by 10 from knob 5 to knob 6
  CHECK(largest_compute_fall(evaluations) == doctest::Approx(10));
}

TEST_CASE("stored runs of another build are ignored, said so, and simulated again") {
  const std::string yaml = R"(
name: build-identity
workload: {trace: data/traces/azure2023/AzureLLMInferenceTrace_conv.csv, max_requests: 100}
cluster: {gpu: H100-SXM, model: Qwen2.5-7B}
policies: [dense]
)";
  const std::string db = fresh_db("build_identity.db");
  CHECK(run_inline(yaml, db).simulated == 1);
  CHECK(run_inline(yaml, db).skipped == 1);
  {
    // What an older build left: same configuration, another identity and key.
    auto store = open_results(db);
    store->execute("UPDATE runs SET build_identity = 'old-build', config_hash = 'stale'");
  }
  const ExperimentRunReport again = run_inline(yaml, db);
  CHECK(again.simulated == 1);
  CHECK(again.other_build_runs == 1);
  bool said = false;
  for (const auto& note : again.notes) said = said || note.find("another build ignored") != std::string::npos;
  CHECK(said);
  CHECK(std::string(build_identity()).find("+src.") != std::string::npos);
}
