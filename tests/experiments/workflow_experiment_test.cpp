// Agentic workflows end to end: an experiment YAML with `workload.workflows` is parsed, built (selection
// keeps whole workflows and remaps parent ids) and simulated; no call starts before its parents finish.
#include <doctest/doctest.h>

#include <map>
#include <set>
#include <string>

#include "core/input_error.h"
#include "experiments/components.h"
#include "experiments/experiment_spec.h"
#include "experiments/workload_builder.h"
#include "policies/budget_policy.h"
#include "sim/simulation.h"

using namespace sparsesim;

namespace {

// 40 instances of plan -> 4 x search -> answer (6 calls) or a single chat call (weight 1 of 4).
std::string experiment_yaml(const std::string& extra_workload_keys = "") {
  return R"(
name: workflows
seed: 3
workload:
  workflows:
    count: 40
    arrival: {process: poisson, rate_per_s: 4}
    templates:
      - name: plan_search_answer
        weight: 3
        calls:
          - {name: plan, input_tokens: {dist: lognormal, median: 2000, sigma: 0.5}, output_tokens: {dist: fixed, value: 64}}
          - {name: search, parents: [plan], fan_out: 4, think_time_s: 0.05,
             input_tokens: {dist: uniform, min: 1000, max: 3000}, output_tokens: {dist: uniform, min: 16, max: 64}}
          - {name: answer, parents: [search], include_parent_outputs: true,
             input_tokens: {dist: fixed, value: 500}, output_tokens: {dist: fixed, value: 128}}
      - name: chat
        weight: 1
        calls:
          - {name: reply, input_tokens: {dist: fixed, value: 800}, output_tokens: {dist: fixed, value: 100}}
)" + extra_workload_keys +
         R"(
cluster: {gpu: H100-SXM, model: Qwen2.5-7B}
policies: [dense]
)";
}

ExperimentSpec parse(const std::string& text) {
  return parse_experiment(YAML::Load(text), "inline.yaml");
}

// Every parent id names an earlier kept request of the same workflow.
void check_parents_consistent(const std::vector<Request>& requests) {
  for (std::size_t index = 0; index < requests.size(); ++index) {
    REQUIRE(requests[index].id == index);
    for (std::uint64_t parent : requests[index].parent_ids) {
      REQUIRE(parent < requests[index].id);
      CHECK(requests[parent].workflow_id == requests[index].workflow_id);
    }
  }
}

// workflow id -> number of calls.
std::map<std::int64_t, int> calls_per_workflow(const std::vector<Request>& requests) {
  std::map<std::int64_t, int> calls;
  for (const Request& request : requests) ++calls[request.workflow_id];
  return calls;
}

}  // namespace

TEST_CASE("a workflow experiment simulates every DAG in order and reports each workflow's latency") {
  const ExperimentSpec spec = parse(experiment_yaml());
  const BuiltWorkload source = read_workload_source(spec.workload, spec.seed);
  const BuiltWorkload built = build_workload(source, spec.workload, spec.seed);
  REQUIRE(built.requests.size() == source.requests.size());
  check_parents_consistent(built.requests);
  const auto calls = calls_per_workflow(built.requests);
  REQUIRE(calls.size() == 40);
  for (const auto& [workflow, count] : calls) CHECK((count == 6 || count == 1));

  const auto cost_model = build_cost_model(spec, spec.cluster.tensor_parallel);
  const PolicyContext context{&spec.cluster.model, cost_model.get(), nullptr};
  const auto policy = make_policy(YAML::Load("dense"), "policies[0]", context);
  const SimulationResult result = simulate(built.requests, spec.cluster, *cost_model, *policy, nullptr);

  REQUIRE(result.requests.size() == built.requests.size());
  bool any_waited = false;
  for (std::size_t index = 0; index < built.requests.size(); ++index) {
    const Request& request = built.requests[index];
    const RequestResult& call = result.requests[index];
    REQUIRE(call.status == RequestStatus::done);
    CHECK(call.workflow_id == request.workflow_id);
    TimeNs last_parent_finish_ns = -1;
    for (std::uint64_t parent : request.parent_ids) {
      const RequestResult& parent_result = result.requests[parent];
      CHECK(call.first_scheduled_ns >= parent_result.finish_ns);  // no call starts before a parent ends
      last_parent_finish_ns = std::max(last_parent_finish_ns, parent_result.finish_ns);
    }
    if (!request.parent_ids.empty()) {
      CHECK(call.arrival_ns == std::max(request.arrival_ns, last_parent_finish_ns + request.think_time_ns));
      any_waited = any_waited || call.arrival_ns > request.arrival_ns;
    }
  }
  CHECK(any_waited);

  CHECK(result.summary.workflows == 40);
  REQUIRE(result.workflows.size() == 40);
  for (const WorkflowResult& workflow : result.workflows) {
    CHECK(workflow.e2e_ns > 0);
    CHECK(workflow.calls == calls.at(workflow.workflow_id));
    TimeNs slowest_call_ns = 0;  // the workflow spans at least its longest call
    for (std::size_t index = 0; index < built.requests.size(); ++index)
      if (result.requests[index].workflow_id == workflow.workflow_id)
        slowest_call_ns = std::max(slowest_call_ns, result.requests[index].e2e_ns);
    CHECK(workflow.e2e_ns >= slowest_call_ns);
  }
  CHECK(result.summary.workflow_e2e_s.p50 > 0);
  CHECK(result.summary.workflow_e2e_s.p99 >= result.summary.workflow_e2e_s.p50);
}

TEST_CASE("selection keeps whole workflows and remaps parent ids") {
  SUBCASE("a request cap that falls inside a workflow drops that workflow whole") {
    const ExperimentSpec spec = parse(experiment_yaml("  max_requests: 20"));
    const BuiltWorkload built =
        build_workload(read_workload_source(spec.workload, spec.seed), spec.workload, 1);
    CHECK(built.requests.size() <= 20);
    CHECK(built.requests.size() >= 15);  // at most one 6-call workflow short of the cap
    check_parents_consistent(built.requests);
    const auto calls = calls_per_workflow(built.requests);
    for (const auto& [workflow, count] : calls) CHECK((count == 6 || count == 1));
    // The kept workflows are the first ones: ids 0..k-1.
    CHECK(calls.rbegin()->first == static_cast<std::int64_t>(calls.size()) - 1);
  }
  SUBCASE("a time window and a length filter renumber ids and keep parents pointing at their calls") {
    const ExperimentSpec spec =
        parse(experiment_yaml("  time_window: {start_s: 2}\n  input_tokens: {max: 4000}"));
    const BuiltWorkload source = read_workload_source(spec.workload, spec.seed);
    const BuiltWorkload built = build_workload(source, spec.workload, 1);
    REQUIRE(!built.requests.empty());
    REQUIRE(built.requests.size() < source.requests.size());
    CHECK(built.requests.front().arrival_ns == 0);
    check_parents_consistent(built.requests);
    for (const auto& [workflow, count] : calls_per_workflow(built.requests))
      CHECK((count == 6 || count == 1));
    // Each kept call still has the parents it had in the source (same workflow, same shape).
    std::map<std::int64_t, std::uint64_t> first_source_id;
    for (const Request& request : source.requests)
      first_source_id.try_emplace(request.workflow_id, request.id);
    std::map<std::int64_t, std::uint64_t> first_built_id;
    for (const Request& request : built.requests) first_built_id.try_emplace(request.workflow_id, request.id);
    for (const Request& request : built.requests) {
      const std::uint64_t offset = request.id - first_built_id.at(request.workflow_id);
      const Request& original = source.requests[first_source_id.at(request.workflow_id) + offset];
      REQUIRE(original.parent_ids.size() == request.parent_ids.size());
      CHECK(original.input_tokens == request.input_tokens);
      for (std::size_t slot = 0; slot < request.parent_ids.size(); ++slot)
        CHECK(original.parent_ids[slot] - first_source_id.at(request.workflow_id) ==
              request.parent_ids[slot] - first_built_id.at(request.workflow_id));
    }
  }
}

TEST_CASE("a workload names exactly one of trace, generator and workflows") {
  std::string error;
  try {
    parse(
        experiment_yaml("  generator: {count: 3, arrival: {process: poisson, rate_per_s: 1}, "
                        "input_tokens: {dist: fixed, value: 5}, output_tokens: {dist: fixed, value: 5}}"));
  } catch (const InputError& caught) {
    error = caught.what();
  }
  CHECK(error.find("'workflows'") != std::string::npos);
  const ExperimentSpec bad = parse(
      "workload: {workflows: {count: 2, arrival: {process: poisson, rate_per_s: 1}, templates: [{name: t, "
      "calls: "
      "[{name: a, parents: [b], input_tokens: {dist: fixed, value: 5}, output_tokens: {dist: fixed, value: "
      "5}}]}]}}\n"
      "cluster: {gpu: H100-SXM, model: Qwen2.5-7B}\npolicies: [dense]\n");
  CHECK_THROWS_WITH_AS(read_workload_source(bad.workload, 1),
                       doctest::Contains("workload.workflows.templates[0].calls[0].parents[0]"), InputError);
}
