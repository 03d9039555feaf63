// `tune:` compares each policy at its best: a seeded search over its registered tunable parameters on a
// tuning split disjoint from the evaluation split.
#include <doctest/doctest.h>

#include "core/input_error.h"
#include "experiment_test_support.h"
#include "experiments/policy_tuning.h"
#include "experiments/run_aggregates.h"
#include "experiments/summary_table.h"
#include "experiments/workload_builder.h"

using namespace sparsesim;
using namespace sparsesim::testing;

namespace {

const char* kTuned = R"(
name: tuning
seed: 2
workload:
  trace: data/traces/mooncake/conversation_trace.jsonl
  time_window: {start_s: 0, end_s: 900}
  task_mix: {single_qa: 0.5, multi_query_retrieval: 0.3, high_scope: 0.2}
cluster: {gpu: H100-SXM, model: Qwen2.5-7B, replicas: 4}
quality: data/quality/sparse_frontier_prior.csv
compute: {metric: attention_flops, target: {fraction_of_dense: 0.3}, tolerance: 0.02}
policies:
  - dense
  - fixed
  - {impl: uncertainty_triggered, auroc: 0.8}
tune: {candidates: 6, seed: 4, tuning_fraction: 0.3, policies: [fixed]}
)";

}  // namespace

TEST_CASE(
    "every shipped policy with secondary parameters declares tunable ranges; environment traits never") {
  for (const char* impl : {"fixed", "length_scaled", "difficulty_aware", "uncertainty_triggered"}) {
    INFO(impl);
    bool any = false;
    for (const auto& spec : PolicyRegistry::instance().get(impl).params) {
      any = any || spec.tune.has_value();
      CHECK(!(spec.tune && (spec.name == "auroc" || spec.name == "predictor_accuracy")));
      if (spec.tune && spec.tune->kind != TuneRange::Kind::boolean) CHECK(spec.tune->min < spec.tune->max);
    }
    CHECK(any);
  }
}

TEST_CASE("the tuning and evaluation splits are disjoint and together the selected trace") {
  const ExperimentSpec spec = parse_experiment(YAML::Load(kTuned), "inline.yaml");
  const BuiltWorkload source = read_workload_source(spec.workload, spec.seed);
  WorkloadSpec all = spec.workload, tuning = spec.workload, evaluation = spec.workload;
  tuning.split = WorkloadSpec::Split::tuning;
  evaluation.split = WorkloadSpec::Split::evaluation;
  const auto everything = build_workload(source, all, 1).requests.size();
  const auto tuned = build_workload(source, tuning, 1).requests.size();
  const auto evaluated = build_workload(source, evaluation, 1).requests.size();
  CHECK(tuned > 0);
  CHECK(evaluated > tuned);
  CHECK(tuned + evaluated == everything);
}

TEST_CASE(
    "tune: finds parameters at least as good as the defaults on the tuning split, and the table says so") {
  const std::string db = fresh_db("tuning.db");
  const ExperimentRunReport report = run_inline(kTuned, db);
  REQUIRE(report.tuning.size() == 1);
  const TuningReport& tuned = report.tuning.front();
  CHECK(tuned.policy == "fixed");
  CHECK(tuned.candidates == 6);
  CHECK(tuned.at_target >= 1);
  CHECK(tuned.best_quality >= tuned.written_quality);
  // At 30% of dense attention FLOPs the defaults' 80%/80% split is not fixed's best; the search finds one.
  CHECK(tuned.parameters != "{}");
  CHECK(tuned.best_quality > tuned.written_quality);
  CHECK(report.tuning_requests > 0);
  CHECK(report.evaluation_requests > report.tuning_requests);
  {
    auto store = open_results(db);
    const AggregateSet set = aggregate_runs(*store, report.run_ids);
    std::string table = format_summary_table(set);
    table += format_tuning_report(report, parse_experiment(YAML::Load(kTuned), "inline.yaml"));
    INFO(table);
    CHECK(table.find("tuned on the tuning split") != std::string::npos);
    CHECK(table.find("fixed *") != std::string::npos);
    CHECK(table.find(tuned.parameters) != std::string::npos);
    CHECK(table.find("uncertainty_triggered *") == std::string::npos);  // not tuned here
    // Evaluation runs see only the evaluation split.
    SqliteStatement requests(*store, "SELECT requests FROM runs LIMIT 1");
    REQUIRE(requests.step());
    CHECK(requests.column_int(0) == report.evaluation_requests);
  }
  // A second run reuses the stored tuning and runs.
  const ExperimentRunReport again = run_inline(kTuned, db);
  CHECK(again.simulated == 0);
  REQUIRE(again.tuning.size() == 1);
  CHECK(again.tuning.front().parameters == tuned.parameters);
}

TEST_CASE("tune: ranges are checked against what the policy declares") {
  YAML::Node document = YAML::Load(kTuned);
  document["tune"]["ranges"] = YAML::Load("{uncertainty_triggered: {auroc: [0.6, 0.9]}}");
  const ExperimentSpec spec = parse_experiment(document, "inline.yaml");
  CHECK_THROWS_WITH_AS(tunable_parameters(spec.policies[2], spec.tune), doctest::Contains("not a tunable"),
                       InputError);
  document["tune"]["ranges"] = YAML::Load("{uncertainty_triggered: {cheap_prefill_keep: [0.5, 0.1]}}");
  const ExperimentSpec reversed = parse_experiment(document, "inline.yaml");
  CHECK_THROWS_AS(tunable_parameters(reversed.policies[2], reversed.tune), InputError);
  document["tune"]["ranges"] = YAML::Load("{nobody: {c: [1, 2]}}");
  CHECK_THROWS_AS(parse_experiment(document, "inline.yaml"), InputError);
  // Candidates are deterministic in the seed, and the entry as written is always the first.
  document["tune"]["ranges"] = YAML::Node();
  const ExperimentSpec plain = parse_experiment(document, "inline.yaml");
  const auto first = tuning_candidates(plain.policies[2], plain.tune);
  const auto second = tuning_candidates(plain.policies[2], plain.tune);
  REQUIRE(first.size() == 6);
  CHECK(first[0].size() == 0);
  CHECK(flow_text(first[3]) == flow_text(second[3]));
}

TEST_CASE("a tuned sweep point gets the tuning it gets alone, whatever ran before it on the thread") {
  // Regression: assigning the winner to a YAML::Node that shared the entry's storage rewrote every sweep
  // point's entry, so the next point's "as written" candidate was the previous point's winner.
  const std::string base = R"(
name: tuned_sweep
workload: {trace: data/traces/mooncake/conversation_trace.jsonl, time_window: {start_s: 0, end_s: 300}}
cluster: {gpu: H100-SXM, model: Qwen2.5-7B, replicas: 2}
quality: data/quality/sparse_frontier_prior.csv
compute: {metric: attention_flops, target: {fraction_of_dense: 0.4}}
policies: [dense, fixed]
tune: {candidates: 3, policies: [fixed]}
)";
  const ExperimentRunReport both =
      run_inline(base + "sweep: {field: workload.rate_multiplier, values: [2, 1]}\n",
                 fresh_db("tuned_sweep_both.db"), 1);
  const ExperimentRunReport alone = run_inline(
      base + "sweep: {field: workload.rate_multiplier, values: [1]}\n", fresh_db("tuned_sweep_alone.db"), 1);
  REQUIRE(both.tuning.size() == 2);
  REQUIRE(alone.tuning.size() == 1);
  const TuningReport& second = both.tuning.back();
  CHECK(second.point == alone.tuning.front().point);
  CHECK(second.written_quality == alone.tuning.front().written_quality);
  CHECK(second.written_status == alone.tuning.front().written_status);
  CHECK(second.best_quality == alone.tuning.front().best_quality);
  CHECK(second.parameters == alone.tuning.front().parameters);
}
