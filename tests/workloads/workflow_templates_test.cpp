// Agentic workflow templates: DAG shape (fan-out, fan-in, parent ids), determinism by seed, template mix,
// context accumulation, and every template error naming its YAML path.
#include <doctest/doctest.h>

#include <set>
#include <string>

#include "core/input_error.h"
#include "workloads/dependency_groups.h"
#include "workloads/workflow_templates.h"

using namespace sparsesim;

namespace {

// plan -> 3 x search -> answer, plus a side call `notes` that also feeds answer; listed out of order so
// the emission order has to come from the DAG, not the YAML.
const char* kPlanSearchAnswer = R"(
count: 5
arrival: {process: poisson, rate_per_s: 2}
templates:
  - name: psa
    calls:
      - {name: answer, parents: [search, notes], include_parent_outputs: true,
         input_tokens: {dist: fixed, value: 100}, output_tokens: {dist: fixed, value: 7}}
      - {name: plan, input_tokens: {dist: lognormal, median: 2000, sigma: 0.5},
         output_tokens: {dist: fixed, value: 200}}
      - {name: search, parents: [plan], fan_out: 3, think_time_s: 0.25,
         input_tokens: {dist: uniform, min: 500, max: 900}, output_tokens: {dist: uniform, min: 10, max: 50}}
      - {name: notes, input_tokens: {dist: fixed, value: 50}, output_tokens: {dist: fixed, value: 30}}
)";

std::string error_of(const std::string& yaml) {
  try {
    parse_workflow_spec(YAML::Load(yaml));
  } catch (const InputError& error) {
    return error.what();
  }
  return "";
}

// One template around the given calls list.
std::string with_calls(const std::string& calls) {
  return "{count: 3, arrival: {process: constant, rate_per_s: 1}, templates: [{name: t, calls: " + calls +
         "}]}";
}

const std::string kLengths = "input_tokens: {dist: fixed, value: 10}, output_tokens: {dist: fixed, value: 5}";

}  // namespace

TEST_CASE("fan-out copies wait for their parent and the fan-in call waits for every copy") {
  const auto requests = generate_workflow_requests(YAML::Load(kPlanSearchAnswer), 11);
  REQUIRE(requests.size() == 5 * 6);  // plan, notes, 3 x search, answer
  for (std::size_t index = 0; index < requests.size(); ++index) {
    const Request& request = requests[index];
    CHECK(request.id == index);
    CHECK(request.workflow_id == static_cast<std::int64_t>(index / 6));
    CHECK(request.session_id == -1);
    if (index > 0) CHECK(request.arrival_ns >= requests[index - 1].arrival_ns);
    for (std::uint64_t parent : request.parent_ids) CHECK(parent < request.id);  // parents come first
  }
  for (std::size_t instance = 0; instance < 5; ++instance) {
    const std::uint64_t base = instance * 6;
    // Stage 0 in YAML order: plan (YAML index 1), notes (3); stage 1: search x 3; stage 2: answer.
    const Request& plan = requests[base];
    const Request& notes = requests[base + 1];
    CHECK(plan.parent_ids.empty());
    CHECK(plan.output_tokens == 200);
    CHECK(notes.parent_ids.empty());
    CHECK(notes.input_tokens == 50);
    for (std::uint64_t copy = 2; copy <= 4; ++copy) {
      const Request& search = requests[base + copy];
      CHECK(search.parent_ids == std::vector<std::uint64_t>{base});
      CHECK(search.think_time_ns == 250'000'000);
      CHECK(search.input_tokens >= 500);
      CHECK(search.input_tokens <= 900);
      CHECK(search.arrival_ns == plan.arrival_ns);  // lower bound: the workflow's arrival
    }
    const Request& answer = requests[base + 5];
    CHECK(answer.parent_ids == std::vector<std::uint64_t>{base + 2, base + 3, base + 4, base + 1});
    CHECK(answer.think_time_ns == 0);
    // Context accumulation: 100 drawn + the outputs of the three searches and of notes.
    const std::int32_t parents_output = requests[base + 2].output_tokens + requests[base + 3].output_tokens +
                                        requests[base + 4].output_tokens + notes.output_tokens;
    CHECK(answer.input_tokens == 100 + parents_output);
  }
  CHECK(requests.front().arrival_ns == 0);
  // A workflow is one dependency group: its calls are kept or dropped together.
  const auto groups = dependency_groups(requests);
  for (std::size_t index = 0; index < requests.size(); ++index) CHECK(groups[index] == (index / 6) * 6);
}

TEST_CASE("the same seed gives the same workflows; another seed different lengths and arrivals") {
  const auto first = generate_workflow_requests(YAML::Load(kPlanSearchAnswer), 3);
  const auto again = generate_workflow_requests(YAML::Load(kPlanSearchAnswer), 3);
  const auto other = generate_workflow_requests(YAML::Load(kPlanSearchAnswer), 4);
  REQUIRE(first.size() == again.size());
  REQUIRE(first.size() == other.size());
  bool any_difference = false;
  for (std::size_t index = 0; index < first.size(); ++index) {
    CHECK(first[index].arrival_ns == again[index].arrival_ns);
    CHECK(first[index].input_tokens == again[index].input_tokens);
    CHECK(first[index].output_tokens == again[index].output_tokens);
    CHECK(first[index].parent_ids == again[index].parent_ids);
    any_difference = any_difference || first[index].input_tokens != other[index].input_tokens ||
                     first[index].arrival_ns != other[index].arrival_ns;
  }
  CHECK(any_difference);
}

TEST_CASE("templates are mixed by weight and duration_s bounds the arrivals") {
  const std::string yaml =
      "{duration_s: 400, arrival: {process: constant, rate_per_s: 2}, templates: ["
      "{name: single, weight: 3, calls: [{name: a, " +
      kLengths +
      "}]},"
      "{name: pair, calls: [{name: a, " +
      kLengths + "}, {name: b, parents: [a], " + kLengths + "}]}]}";
  const auto requests = generate_workflow_requests(YAML::Load(yaml), 5);
  std::set<std::int64_t> workflows;
  std::int64_t pairs = 0;
  for (const Request& request : requests) {
    workflows.insert(request.workflow_id);
    pairs += request.parent_ids.empty() ? 0 : 1;
    CHECK(request.arrival_ns < 400'000'000'000);
  }
  REQUIRE(workflows.size() == 800);
  CHECK(requests.size() == 800 + static_cast<std::size_t>(pairs));
  // Expected 200 pair instances (weight 1 of 4); binomial sd ~12.
  CHECK(pairs > 150);
  CHECK(pairs < 250);
}

TEST_CASE("bad templates are InputErrors naming the YAML path") {
  const std::string unknown =
      error_of(with_calls("[{name: a, " + kLengths + "}, {name: b, parents: [z], " + kLengths + "}]"));
  CHECK(unknown.find("workload.workflows.templates[0].calls[1].parents[0]") != std::string::npos);
  CHECK(unknown.find("unknown parent 'z'") != std::string::npos);

  const std::string cycle =
      error_of(with_calls("[{name: a, parents: [c], " + kLengths + "}, {name: b, parents: [a], " + kLengths +
                          "}, {name: c, parents: [b], " + kLengths + "}]"));
  CHECK(cycle.find("workload.workflows.templates[0].calls[") != std::string::npos);
  CHECK(cycle.find("cycle") != std::string::npos);

  const std::string self = error_of(with_calls("[{name: a, parents: [a], " + kLengths + "}]"));
  CHECK(self.find("templates[0].calls[0].parents") != std::string::npos);
  CHECK(self.find("itself") != std::string::npos);

  CHECK(error_of(with_calls("[]")).find("templates[0].calls") != std::string::npos);
  CHECK(error_of("{count: 3, arrival: {process: poisson, rate_per_s: 1}, templates: []}")
            .find("workload.workflows.templates") != std::string::npos);
  CHECK(error_of(with_calls("[{name: a, " + kLengths + "}, {name: a, " + kLengths + "}]"))
            .find("calls[1].name: duplicate call name 'a'") != std::string::npos);
  CHECK(error_of(with_calls("[{name: a, " + kLengths + "}, {name: b, parents: [a, a], " + kLengths + "}]"))
            .find("calls[1].parents[1]: parent 'a' listed twice") != std::string::npos);
  CHECK(error_of(with_calls("[{name: a, fan_out: 0, " + kLengths + "}]")).find("calls[0].fan_out") !=
        std::string::npos);
  CHECK(
      error_of(with_calls("[{name: a, think_time_s: 1, " + kLengths + "}]")).find("calls[0].think_time_s") !=
      std::string::npos);
  CHECK(error_of(with_calls("[{name: a, colour: red, " + kLengths + "}]")).find("calls[0].colour") !=
        std::string::npos);
  CHECK(error_of(with_calls("[{name: a, input_tokens: {dist: fixed, value: 10}}]"))
            .find("calls[0].output_tokens") != std::string::npos);
  CHECK(
      error_of(with_calls("[{name: a, input_tokens: {dist: zipf}, output_tokens: {dist: fixed, value: 1}}]"))
          .find("calls[0].input_tokens.dist") != std::string::npos);
  CHECK(error_of("{arrival: {process: poisson, rate_per_s: 1}, templates: [{name: t, calls: [{name: a, " +
                 kLengths + "}]}]}")
            .find("exactly one of count and duration_s") != std::string::npos);
  CHECK(error_of(
            "{count: 2, arrival: {process: poisson, rate_per_s: 1}, templates: [{name: t, weight: 0, calls: "
            "[{name: a, " +
            kLengths + "}]}]}")
            .find("templates[0].weight") != std::string::npos);
}

TEST_CASE("dependency groups join parent links and workflow ids and reject a dangling parent") {
  std::vector<Request> requests(5);
  for (std::size_t index = 0; index < requests.size(); ++index) requests[index].id = index;
  requests[3].parent_ids = {1};
  requests[2].workflow_id = 7;
  requests[4].workflow_id = 7;
  const auto groups = dependency_groups(requests);
  CHECK(groups == std::vector<std::size_t>{0, 1, 2, 1, 2});
  requests[4].parent_ids = {42};
  CHECK_THROWS_AS(dependency_groups(requests), InputError);
}
