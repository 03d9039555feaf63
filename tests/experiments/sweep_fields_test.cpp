// A swept field must reach the run it labels: two values give two different resolved configurations and
// two different simulated results. (compute.target.fraction_of_dense once changed nothing: the runner
// read the experiment's target instead of the sweep point's.) Numeric fields, named fields (GPU type,
// model, router) and policy parameters by label are all set the same way, through the document.
#include <doctest/doctest.h>

#include <array>
#include <map>
#include <sstream>
#include <vector>

#include "core/input_error.h"
#include "core/path_probe.h"
#include "experiment_test_support.h"
#include "experiments/run_aggregates.h"
#include "experiments/summary_table.h"

using namespace sparsesim;
using namespace sparsesim::testing;

namespace {

// 200 Azure conversation requests, compressed tenfold so that load matters, on two replicas.
const char* kBase = R"(
name: sweep-fields
seed: 5
workload:
  trace: data/traces/azure2023/AzureLLMInferenceTrace_conv.csv
  max_requests: 200
  rate_multiplier: 10
cluster: {gpu: H100-SXM, model: Qwen2.5-7B, replicas: 2, scheduler: {chunk_tokens: 512, max_batch_tokens: 4096}}
quality: data/quality/sparse_frontier_prior.csv
compute: {metric: attention_flops, target: {fraction_of_dense: 0.5}}
slo: {ttft_p99_s: 0.5, tpot_p99_ms: 30}
policies: [dense, fixed]
)";

// Two values per field, chosen where the field matters for this workload.
const std::map<std::string, std::pair<std::string, std::string>> kValues = {
    {"workload.rate_multiplier", {"1", "20"}},
    {"cluster.replicas", {"1", "4"}},
    {"cluster.tensor_parallel", {"1", "2"}},
    {"cluster.scheduler.max_batch_tokens", {"1024", "8192"}},
    {"cluster.scheduler.chunk_tokens", {"128", "1024"}},
    {"cluster.scheduler.max_running", {"2", "256"}},
    {"compute.target.fraction_of_dense", {"0.2", "0.1"}},
    {"slo.ttft_p99_s", {"0.05", "50"}},
    {"slo.tpot_p99_ms", {"10", "1000"}},
    {"cluster.gpu", {"H100-SXM", "A100-SXM-80GB"}},
    {"cluster.model", {"Qwen2.5-7B", "Llama-3.1-8B"}},
    {"cluster.router", {"round_robin", "least_outstanding_tokens"}},
};

struct StoredRun {
  std::string resolved_config;
  std::string figures;  // every per-run figure a field could change, as text
};

}  // namespace

TEST_CASE("each sweepable field, swept over two values, gives two different configurations and results") {
  for (const auto& entry : kValues) {
    const std::string& field = entry.first;
    const auto& values = entry.second;
    INFO("field ", entry.first);
    YAML::Node document = YAML::Load(kBase);
    document["sweep"]["field"] = field;
    document["sweep"]["values"].push_back(values.first);
    document["sweep"]["values"].push_back(values.second);
    std::ostringstream yaml;
    yaml << document;
    const std::string db = fresh_db("sweep_fields.db");
    const ExperimentRunReport report = run_inline(yaml.str(), db);
    REQUIRE(report.simulated == 6);  // dense, fixed and the oracle bound at two points
    auto store = open_results(db);
    SqliteStatement query(*store,
                          "SELECT sweep_value, resolved_config, compute_target, knob, compute_achieved, "
                          "ttft_p99_s, tpot_p99_ms, makespan_s, slo_attainment, gpu_busy_s, meets_slo "
                          "FROM runs WHERE policy = 'fixed' ORDER BY run_id");
    std::vector<StoredRun> runs;
    while (query.step()) {
      std::ostringstream figures;
      figures.precision(17);
      for (int column = 2; column <= 10; ++column) figures << query.column_double(column) << " ";
      runs.push_back({query.column_text(1), figures.str()});
    }
    REQUIRE(runs.size() == 2);
    CHECK(runs[0].resolved_config != runs[1].resolved_config);
    CHECK(runs[0].figures != runs[1].figures);
  }
}

TEST_CASE("swept fractions of dense give each point its own compute target") {
  YAML::Node document = YAML::Load(kBase);
  // Long prompts (Mooncake): on the Azure conversation trace's ~1K-token prompts sparse attention never
  // pays, so every request runs dense (sim/sparse_fallback.h) and no fraction below 1 is reachable.
  document["workload"]["trace"] = "data/traces/mooncake/conversation_trace.jsonl";
  document["sweep"] = YAML::Load("{field: compute.target.fraction_of_dense, values: [0.6, 0.3]}");
  std::ostringstream yaml;
  yaml << document;
  const std::string db = fresh_db("sweep_fraction.db");
  run_inline(yaml.str(), db);
  auto store = open_results(db);
  SqliteStatement query(
      *store,
      "SELECT sweep_value, compute_target, compute_achieved FROM runs WHERE policy = 'fixed' "
      "ORDER BY sweep_value");
  std::vector<std::array<double, 3>> rows;
  while (query.step())
    rows.push_back({query.column_double(0), query.column_double(1), query.column_double(2)});
  REQUIRE(rows.size() == 2);
  // Point 0.3 targets half the attention FLOPs of point 0.6, and fixed meets each (below ~24% of dense the
  // methods' estimation and page-scoring FLOPs make the target unreachable).
  CHECK(rows[0][1] == doctest::Approx(rows[1][1] * 0.5).epsilon(1e-9));
  // 2%: a request whose sparse prefill stops paying runs dense, so compute moves in small jumps.
  CHECK(rows[0][2] == doctest::Approx(rows[0][1]).epsilon(0.02));
  CHECK(rows[1][2] == doctest::Approx(rows[1][1]).epsilon(0.02));
  // Mooncake's short prompts cost more sparse than dense under Vertical-Slash: they run dense, counted.
  SqliteStatement fallback(*store,
                           "SELECT MIN(dense_fallback_prefills) FROM runs WHERE policy = 'fixed' AND "
                           "purpose = 'comparison'");
  REQUIRE(fallback.step());
  CHECK(fallback.column_int(0) > 0);
  const std::string table = format_summary_table(aggregate_runs(*store, {}));
  CHECK(table.find("dense fallback (sparse budgets run and scored dense") != std::string::npos);
}

TEST_CASE("a swept policy parameter reaches the policy it names and changes its quality and compute") {
  // No compute target: with one, the solver would reset fixed's budget and hide the parameter. Mooncake's
  // long prompts, so sparse prefill pays and prefill_sparsity matters.
  YAML::Node document = YAML::Load(kBase);
  document.remove("compute");
  document["workload"]["trace"] = "data/traces/mooncake/conversation_trace.jsonl";
  document["sweep"] = YAML::Load("{field: policies.fixed.prefill_sparsity, values: [0.5, 0.95]}");
  std::ostringstream yaml;
  yaml << document;
  const std::string db = fresh_db("sweep_policy_param.db");
  run_inline(yaml.str(), db);
  auto store = open_results(db);
  SqliteStatement query(*store,
                        "SELECT sweep_point, mean_expected_quality, attention_flops FROM runs "
                        "WHERE policy = 'fixed' ORDER BY sweep_value");
  std::vector<std::pair<double, double>> rows;
  while (query.step()) rows.push_back({query.column_double(1), query.column_double(2)});
  REQUIRE(rows.size() == 2);
  CHECK(rows[0].first > rows[1].first);    // sparser prefill scores lower
  CHECK(rows[0].second > rows[1].second);  // and spends less attention compute
  SqliteStatement dense(*store,
                        "SELECT COUNT(DISTINCT mean_expected_quality) FROM runs WHERE policy = 'dense'");
  REQUIRE(dense.step());
  CHECK(dense.column_int(0) == 1);  // the parameter of fixed leaves dense alone
}

TEST_CASE("sweep values out of a field's range are input errors naming the point, before anything runs") {
  for (const std::string bad :
       {"{field: cluster.replicas, values: [2, 4294967297]}", "{field: cluster.replicas, values: [2, 0]}",
        "{field: workload.rate_multiplier, values: [1e-30]}", "{field: slo.ttft_p99_s, values: [-1]}",
        "{field: cluster.gpu, values: [B300]}"}) {
    YAML::Node document = YAML::Load(kBase);
    document["sweep"] = YAML::Load(bad);
    std::string message;
    try {
      parse_experiment(document, "inline.yaml");
    } catch (const InputError& error) {
      message = error.what();
    }
    INFO(bad, " -> ", message);
    CHECK(message.find("sweep point ") != std::string::npos);
  }
}

TEST_CASE("a sweep point with a bad policy parameter fails before anything runs, naming the point") {
  YAML::Node document = YAML::Load(kBase);
  document["sweep"] =
      YAML::Load("{grid: {cluster.replicas: [1, 2], policies.fixed.prefill_sparsity: [0.5, 1.5]}}");
  std::ostringstream yaml;
  yaml << document;
  const std::string db = fresh_db("sweep_bad_policy.db");
  std::string message;
  try {
    run_inline(yaml.str(), db);
  } catch (const InputError& error) {
    message = error.what();
  }
  CHECK(message.find("sweep point (cluster.replicas=1, policies.fixed.prefill_sparsity=1.5)") !=
        std::string::npos);
  CHECK(message.find("prefill_sparsity") != std::string::npos);
  CHECK(!path_exists(db));  // refused before the database is created
}
