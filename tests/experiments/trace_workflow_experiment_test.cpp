// Workflows and sessions read from a CSV trace, end to end: an experiment YAML maps the workflow columns
// (or session think-time distributions), the workload is built and simulated, and every call starts only
// after its parents finish.
#include <doctest/doctest.h>

#include <string>

#include "../workloads/trace_test_files.h"
#include "core/input_error.h"
#include "experiments/components.h"
#include "experiments/config_hash.h"
#include "experiments/experiment_spec.h"
#include "experiments/resolved_config.h"
#include "experiments/workload_builder.h"
#include "policies/budget_policy.h"
#include "sim/simulation.h"

using namespace sparsesim;

namespace {

// 30 jobs: plan -> {search1, search2} -> answer, rows written answer-first (out of file order) and with
// coarse timestamps so calls arrive before their parents could have finished.
std::string workflow_trace() {
  std::string rows = "call,t,in,out,parents,job,think_s\n";
  for (int job = 0; job < 30; ++job) {
    const std::string j = std::to_string(job), t = std::to_string(job * 0.5);
    rows += "answer" + j + "," + t + ",800,64,search1" + j + ";search2" + j + ",job" + j + ",0.01\n";
    rows += "plan" + j + "," + t + ",2000,128,,job" + j + ",\n";
    rows += "search1" + j + "," + t + ",3000,32,plan" + j + ",job" + j + ",0.05\n";
    rows += "search2" + j + "," + t + ",1000,32,plan" + j + ",job" + j + ",0.05\n";
  }
  return test::write_text(test::temp_folder("trace-workflows") / "jobs.csv", rows);
}

ExperimentSpec parse(const std::string& text) {
  return parse_experiment(YAML::Load(text), "inline.yaml");
}

}  // namespace

TEST_CASE("a CSV trace with workflow columns simulates every call after its parents finish") {
  const ExperimentSpec spec =
      parse("name: trace-workflows\nseed: 5\nworkload:\n  trace: " + workflow_trace() +
            "\n  format: csv\n"
            "  reader: {arrival_column: t, input_column: in, output_column: out, "
            "id_column: call, parent_column: parents, workflow_column: job, "
            "think_time_column: think_s}\n"
            "  max_requests: 90\n"
            "cluster: {gpu: H100-SXM, model: Qwen2.5-7B}\npolicies: [dense]\n");
  const BuiltWorkload built =
      build_workload(read_workload_source(spec.workload, spec.seed), spec.workload, spec.seed);
  REQUIRE(built.requests.size() == 88);  // whole jobs only: 22 of 4 calls fit the cap of 90
  std::size_t with_parents = 0;
  for (const Request& request : built.requests) {
    with_parents += request.parent_ids.empty() ? 0 : 1;
    for (std::uint64_t parent : request.parent_ids)
      CHECK(built.requests.at(parent).workflow_id == request.workflow_id);
  }
  CHECK(with_parents == 66);

  const auto cost_model = build_cost_model(spec, spec.cluster.tensor_parallel);
  const PolicyContext context{&spec.cluster.model, cost_model.get(), nullptr};
  const auto policy = make_policy(YAML::Load("dense"), "policies[0]", context);
  const SimulationResult result = simulate(built.requests, spec.cluster, *cost_model, *policy, nullptr);
  REQUIRE(result.requests.size() == built.requests.size());
  for (std::size_t index = 0; index < built.requests.size(); ++index) {
    const Request& request = built.requests[index];
    const RequestResult& call = result.requests[index];
    REQUIRE(call.status == RequestStatus::done);
    TimeNs last_parent_finish_ns = -1;
    for (std::uint64_t parent : request.parent_ids) {
      CHECK(call.first_scheduled_ns >= result.requests[parent].finish_ns);
      last_parent_finish_ns = std::max(last_parent_finish_ns, result.requests[parent].finish_ns);
    }
    if (!request.parent_ids.empty()) {
      CHECK(call.arrival_ns == std::max(request.arrival_ns, last_parent_finish_ns + request.think_time_ns));
      CHECK(call.arrival_ns > request.arrival_ns);  // same trace stamp as the parent: it had to wait
    }
  }
  CHECK(result.summary.workflows == 22);
}

TEST_CASE("session think times come from a seeded distribution and enter the resolved config") {
  std::string rows = "t,in,out,user\n";
  for (int turn = 0; turn < 40; ++turn)
    rows +=
        std::to_string(turn / 8) + ",500,20,u" + std::to_string(turn % 4) + "\n";  // coarse: 2 turns a stamp
  const std::string trace = test::write_text(test::temp_folder("session-think") / "chat.csv", rows);
  const auto experiment = [&](const std::string& sessions) {
    return "name: sessions\nseed: 9\nworkload:\n  trace: " + trace +
           "\n  format: csv\n  reader: {arrival_column: t, input_column: in, output_column: out, "
           "session_column: user}\n  sessions: " +
           sessions + "\ncluster: {gpu: H100-SXM, model: Qwen2.5-7B}\npolicies: [dense]\n";
  };
  const ExperimentSpec spec =
      parse(experiment("{closed_loop: true, think_time: {dist: exponential, mean_s: 3, max_s: 30}, "
                       "think_time_source: distribution}"));
  CHECK(spec.workload.think_time.dist == ThinkTimeSpec::Dist::exponential);
  const BuiltWorkload built =
      build_workload(read_workload_source(spec.workload, spec.seed), spec.workload, spec.seed);
  REQUIRE(built.requests.size() == 40);
  int linked = 0;
  for (const Request& request : built.requests) {
    if (request.parent_ids.empty()) continue;
    ++linked;
    CHECK(request.think_time_ns == draw_think_time_ns(spec.workload.think_time, spec.seed, request.id));
    CHECK(request.think_time_ns <= 30'000'000'000);
  }
  CHECK(linked == 36);

  // trace_gap (the default) keeps positive gaps (1 s here) and draws only where turns share a stamp.
  const ExperimentSpec gap = parse(experiment("{closed_loop: true, think_time: {dist: fixed, value_s: 7}}"));
  const BuiltWorkload gap_built = build_workload(read_workload_source(gap.workload, 1), gap.workload, 1);
  int from_gap = 0, drawn = 0;
  for (const Request& request : gap_built.requests) {
    if (request.parent_ids.empty()) continue;
    from_gap += request.think_time_ns == 1'000'000'000 ? 1 : 0;
    drawn += request.think_time_ns == 7'000'000'000 ? 1 : 0;
  }
  CHECK(from_gap == 16);
  CHECK(drawn == 20);

  CHECK(config_hash_hex(resolved_experiment_yaml(spec)) !=
        config_hash_hex(resolved_experiment_yaml(
            parse(experiment("{closed_loop: true, think_time: {dist: exponential, mean_s: 4, max_s: 30}, "
                             "think_time_source: distribution}")))));
  CHECK_THROWS_WITH_AS(
      parse(experiment("{closed_loop: true, think_time_s: 2, think_time: {dist: fixed, value_s: 1}}")),
      doctest::Contains("at most one"), InputError);
  CHECK_THROWS_WITH_AS(parse(experiment("{closed_loop: true, think_time_source: trace}")),
                       doctest::Contains("workload.sessions.think_time_source"), InputError);
  CHECK_THROWS_WITH_AS(parse(experiment("{closed_loop: true, think_time: {dist: exponential}}")),
                       doctest::Contains("workload.sessions.think_time"), InputError);
}
