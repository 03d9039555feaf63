#include <doctest/doctest.h>

#include "core/input_error.h"
#include "experiments/experiment_spec.h"
#include "policies/budget_policy.h"

using namespace sparsesim;

namespace {

const char* kMinimal = R"(
name: t
workload: {trace: data/traces/mooncake/conversation_trace.jsonl}
cluster: {gpu: H100-SXM, model: Qwen2.5-7B, replicas: 2}
policies: [dense, fixed]
)";

ExperimentSpec parse(const std::string& text) {
  return parse_experiment(YAML::Load(text), "inline.yaml");
}

std::string error_of(const std::string& text) {
  try {
    parse(text);
  } catch (const InputError& error) {
    return error.what();
  }
  return "";
}

}  // namespace

TEST_CASE("a minimal experiment parses with documented defaults") {
  const ExperimentSpec spec = parse(kMinimal);
  CHECK(spec.name == "t");
  CHECK(spec.seed == 1);
  CHECK(spec.replications == 1);
  CHECK(spec.cluster.replicas == 2);
  CHECK(spec.cluster.gpu.name == "H100-SXM");
  CHECK(spec.cluster.model.layers == 28);
  CHECK(spec.cluster.scheduler.max_batch_tokens == 8192);
  CHECK(spec.compute.kind == ComputeTargetSpec::Kind::none);
  REQUIRE(spec.policies.size() == 2);
  CHECK(spec.policies[1].label == "fixed");
}

TEST_CASE("unknown keys name the YAML path, line and column") {
  const std::string message = error_of(std::string(kMinimal) + "cluster_size: 3\n");
  CHECK(message.find("cluster_size") != std::string::npos);
  CHECK(message.find("line 6, column 1") != std::string::npos);
  CHECK(message.find("unknown key") != std::string::npos);

  const std::string nested = error_of(R"(
workload: {trace: data/traces/mooncake/conversation_trace.jsonl}
cluster:
  gpu: H100-SXM
  model: Qwen2.5-7B
  scheduler: {max_batch_tokenz: 10}
policies: [dense]
)");
  CHECK(nested.find("cluster.scheduler.max_batch_tokenz") != std::string::npos);
  CHECK(nested.find("line 6") != std::string::npos);
}

TEST_CASE("wrong types and bad values are errors naming the field and the expectation") {
  CHECK(error_of(std::string(kMinimal) + "seed: abc\n").find("seed") != std::string::npos);
  const std::string replicas = error_of(R"(
workload: {trace: data/traces/mooncake/conversation_trace.jsonl}
cluster: {gpu: H100-SXM, model: Qwen2.5-7B, replicas: many}
policies: [dense]
)");
  CHECK(replicas.find("cluster.replicas") != std::string::npos);
  CHECK(replicas.find("expected an integer") != std::string::npos);
  CHECK(error_of(std::string(kMinimal) + "compute: {target: {fraction_of_dense: 1.5}}\n").find("(0, 1]") !=
        std::string::npos);
  CHECK(error_of(std::string(kMinimal) + "compute: {metric: joules}\n").find("gpu_seconds") !=
        std::string::npos);
  CHECK(error_of(std::string(kMinimal) + "compute: {target: {same_as: {policy: nope, knob: 1}}}\n")
            .find("no policy labelled 'nope'") != std::string::npos);
  const std::string unknown_field =
      error_of(std::string(kMinimal) + "sweep: {field: cluster.colour, values: [1]}\n");
  CHECK(unknown_field.find("sweep point 0 (cluster.colour=1)") != std::string::npos);
  CHECK(unknown_field.find("colour") != std::string::npos);
  CHECK(error_of("cluster: {gpu: H100-SXM, model: Qwen2.5-7B}\npolicies: [dense]\n").find("workload") !=
        std::string::npos);
  CHECK(error_of("workload: {trace: x.jsonl, generator: {}}\ncluster: {gpu: H100-SXM, model: Qwen2.5-7B}\n"
                 "policies: [dense]\n")
            .find("exactly one of 'trace' or 'generator'") != std::string::npos);
}

TEST_CASE("duplicate policy labels are made unique and sweeps set fields") {
  ExperimentSpec spec = parse(std::string(kMinimal) + "sweep: {field: cluster.replicas, values: [1, 3]}\n");
  CHECK(spec.sweep.points.size() == 2);
  CHECK(experiment_for_point(spec, 1).cluster.replicas == 3);
  CHECK(spec.cluster.replicas == 2);  // the experiment itself is untouched
  CHECK(error_of(std::string(kMinimal) + "sweep: {field: cluster.replicas, values: [1, 2.5]}\n")
            .find("sweep point 1 (cluster.replicas=2.5)") != std::string::npos);
  const ExperimentSpec twice = parse(R"(
workload: {trace: data/traces/mooncake/conversation_trace.jsonl}
cluster: {gpu: H100-SXM, model: Qwen2.5-7B}
policies: [fixed, {impl: fixed, prefill_sparsity: 0.5}, {impl: fixed, label: half}]
)");
  CHECK(twice.policies[0].label == "fixed");
  CHECK(twice.policies[1].label == "fixed#2");
  CHECK(twice.policies[2].label == "half");
  // The entry keeps its parsed node (with line numbers); `label:` is the entry's, and the policy
  // built from it does not see it as a parameter.
  const PolicyContext context{&twice.cluster.model, nullptr, nullptr};
  CHECK_NOTHROW(make_policy(twice.policies[2].node, twice.policies[2].yaml_path, context));
}

TEST_CASE("every number in an experiment has a range: NaN, infinities, negatives and overflows are errors") {
  struct Case {
    const char* yaml;
    const char* expected;
  };
  const Case cases[] = {
      {"workload: {trace: data/traces/mooncake/conversation_trace.jsonl, rate_multiplier: 1e-30}",
       "workload.rate_multiplier"},
      {"workload: {trace: data/traces/mooncake/conversation_trace.jsonl, rate_multiplier: .inf}",
       "[1e-06, 1e+06]"},
      {"workload: {trace: data/traces/mooncake/conversation_trace.jsonl, max_requests: -5}", "max_requests"},
      {"slo: {ttft_p99_s: .nan}", "slo.ttft_p99_s"},
      {"slo: {tpot_p99_ms: -1}", "slo.tpot_p99_ms"},
      {"cluster: {gpu: H100-SXM, model: Qwen2.5-7B, replicas: 4294967297}", "cluster.replicas"},
      {"cluster: {gpu: H100-SXM, model: Qwen2.5-7B, scheduler: {max_batch_tokens: 1024, chunk_tokens: 2048}}",
       "below chunk_tokens"},
      {"compute: {tolerance: .nan}", "compute.tolerance"},
      {"replications: 1000000", "replications"},
      {"capacity: {quality_floor: 2}", "capacity.quality_floor"},
  };
  for (const Case& c : cases) {
    INFO(c.yaml);
    YAML::Node document = YAML::Load(kMinimal);
    const YAML::Node override_node = YAML::Load(c.yaml);
    for (const auto& item : override_node) document[item.first.as<std::string>()] = item.second;
    std::string message;
    try {
      parse_experiment(document, "inline.yaml");
    } catch (const InputError& error) {
      message = error.what();
    }
    CHECK(message.find(c.expected) != std::string::npos);
  }
}

TEST_CASE("a key given twice in an experiment is an error naming both lines") {
  const std::string message = error_of(R"(
workload: {trace: data/traces/mooncake/conversation_trace.jsonl}
cluster: {gpu: H100-SXM, model: Qwen2.5-7B, replicas: 2}
policies: [dense]
cluster: {gpu: H100-SXM, model: Qwen2.5-14B}
)");
  CHECK(message.find("duplicate key") != std::string::npos);
  CHECK(message.find("inline.yaml:5") != std::string::npos);
  CHECK(message.find("first at line 3") != std::string::npos);
}

TEST_CASE("a policy map without impl is an error naming the entry, whatever else it has (fuzzer finding)") {
  const std::string base = R"(
name: t
workload: {trace: data/traces/mooncake/conversation_trace.jsonl}
cluster: {gpu: H100-SXM, model: Qwen2.5-7B, replicas: 2}
)";
  for (const char* policies :
       {"policies: [dense, {impn: fixed, label: large-fixed}]\n",
        "policies: [dense, {label: only-a-label}]\n", "policies: [dense, [fixed]]\n",
        "policies: [dense, {impl: [fixed]}]\n", "policies: [dense, {impl: {a: 1}}]\n"}) {
    INFO(policies);
    const std::string error = error_of(base + policies);
    CHECK(error.find("policies[1]") != std::string::npos);
    CHECK(error.find("expected a policy name") != std::string::npos);
  }
}

TEST_CASE("complex keys and alias bombs are input errors, not exceptions or hangs (fuzzer findings)") {
  const std::string complex_key = error_of(std::string(kMinimal) + "? [a, b]\n: 1\n");
  INFO(complex_key);
  CHECK(complex_key.find("inline.yaml:6") != std::string::npos);
  CHECK(complex_key.find("expected a name") != std::string::npos);
  // Nine levels of ten aliases each: 10^9 nodes once expanded, from a dozen lines.
  std::string bomb = std::string(kMinimal) + "x0: &a0 [1, 1, 1, 1, 1, 1, 1, 1, 1, 1]\n";
  for (int level = 1; level <= 9; ++level) {
    const std::string previous = std::string("*a").append(std::to_string(level - 1));
    bomb.append("x").append(std::to_string(level)).append(": &a").append(std::to_string(level)).append(" [");
    for (int copy = 0; copy < 10; ++copy) {
      if (copy > 0) bomb += ", ";
      bomb += previous;
    }
    bomb += "]\n";
  }
  CHECK(error_of(bomb).find("after expanding aliases") != std::string::npos);
}

// Found by fuzzing: a path component longer than the OS allows made std::filesystem throw its own
// exception from the path lookup, escaping as a crash instead of an input error naming the file.
TEST_CASE("a trace path too long for the file system is an input error naming it, not a crash") {
  const std::string long_name(5000, 'x');
  const std::string text = "name: t\nworkload: {trace: " + long_name +
                           ".jsonl}\ncluster: {gpu: H100-SXM, model: Qwen2.5-7B}\npolicies: [dense]\n";
  try {
    const ExperimentSpec spec = parse(text);
    // Parsing may accept the path as typed; reading it must then fail as input, which the workload
    // loader checks. Either way no non-InputError exception may escape the parser.
    CHECK(spec.workload.trace_paths.front().find(long_name) != std::string::npos);
  } catch (const InputError& error) {
    CHECK(std::string(error.what()).find("xxxx") != std::string::npos);
  }
}

TEST_CASE("an experiment path too long for the file system is an input error, not a crash") {
  CHECK_THROWS_AS(load_experiment(std::string(5000, 'y') + ".yaml"), InputError);
}
