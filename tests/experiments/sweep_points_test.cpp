// The forms of `sweep:` (experiments/sweep_points.h): how many points each names, in what order, and
// that a seeded sample is reproducible, stratified (Latin hypercube) and inside its ranges.
#include <doctest/doctest.h>

#include <cmath>
#include <set>
#include <string>

#include "core/input_error.h"
#include "experiments/experiment_spec.h"
#include "experiments/sweep_points.h"

using namespace sparsesim;

namespace {

std::vector<SweepPoint> points_of(const std::string& yaml) {
  return parse_sweep_points(YAML::Load(yaml));
}

std::string error_of(const std::string& yaml) {
  try {
    points_of(yaml);
  } catch (const InputError& error) {
    return error.what();
  }
  return "";
}

const char* kExperiment = R"(
name: t
workload: {trace: data/traces/mooncake/conversation_trace.jsonl}
cluster: {gpu: H100-SXM, model: Qwen2.5-7B, replicas: 2}
policies: [dense, fixed, {impl: length_scaled, label: scaled.v2}]
)";

}  // namespace

TEST_CASE("a grid is the full product, the last field varying fastest") {
  const auto points =
      points_of("{grid: {cluster.gpu: [H100-SXM, A100-SXM-80GB], cluster.replicas: [1, 2, 4]}}");
  REQUIRE(points.size() == 6);
  CHECK(points[0].label() == "cluster.gpu=H100-SXM, cluster.replicas=1");
  CHECK(points[2].label() == "cluster.gpu=H100-SXM, cluster.replicas=4");
  CHECK(points[3].label() == "cluster.gpu=A100-SXM-80GB, cluster.replicas=1");
  CHECK(std::isnan(points[0].single_numeric_value()));
  const auto one = points_of("{field: cluster.replicas, values: [3, 5]}");
  CHECK(one[1].single_numeric_value() == 5);
  CHECK(points_of("{points: [{cluster.replicas: 2, cluster.gpu: H200}, {cluster.replicas: 3}]}")[1].label() ==
        "cluster.replicas=3");
}

TEST_CASE("a Latin hypercube uses every stratum of every range once, reproducibly by seed") {
  const std::string yaml =
      "{sample: {method: latin_hypercube, points: 50, seed: 7, ranges: {workload.rate_multiplier: [0.5, "
      "4.5], "
      "cluster.replicas: [1, 50]}, choices: {cluster.gpu: [H100-SXM, A100-SXM-80GB]}}}";
  const auto points = points_of(yaml);
  REQUIRE(points.size() == 50);
  std::set<int> rate_strata, replicas;
  int h100 = 0;
  for (const auto& point : points) {
    REQUIRE(point.assignments.size() == 3);
    const double rate = std::stod(point.assignments[0].value);
    CHECK(rate >= 0.5);
    CHECK(rate < 4.5);
    rate_strata.insert(static_cast<int>((rate - 0.5) / 4.0 * 50));
    // Integer bounds draw integers; 50 strata over 50 integers: each integer exactly once.
    CHECK(point.assignments[1].value.find('.') == std::string::npos);
    replicas.insert(std::stoi(point.assignments[1].value));
    h100 += point.assignments[2].value == "H100-SXM" ? 1 : 0;
  }
  CHECK(rate_strata.size() == 50);
  CHECK(replicas.size() == 50);
  CHECK(*replicas.begin() == 1);
  CHECK(*replicas.rbegin() == 50);
  CHECK(h100 == 25);  // two choices over 50 strata: half each
  // Same seed, same points; another seed, other points.
  CHECK(points_of(yaml)[17].label() == points[17].label());
  std::string reseeded = yaml;
  reseeded.replace(reseeded.find("seed: 7"), 7, "seed: 8");
  CHECK(points_of(reseeded)[17].label() != points[17].label());
}

TEST_CASE("a random sample stays inside its ranges and differs from a Latin hypercube") {
  const auto random =
      points_of("{sample: {method: random, points: 20, seed: 3, ranges: {slo.ttft_p99_s: [0.1, 10]}}}");
  REQUIRE(random.size() == 20);
  for (const auto& point : random) {
    const double value = std::stod(point.assignments[0].value);
    CHECK(value >= 0.1);
    CHECK(value <= 10);
  }
}

TEST_CASE("malformed sweeps are input errors that say what was expected") {
  CHECK(error_of("{field: cluster.replicas, values: [1], grid: {cluster.replicas: [2]}}")
            .find("exactly one of") != std::string::npos);
  CHECK(error_of("{grid: {cluster.replicas: []}}").find("non-empty list") != std::string::npos);
  CHECK(error_of("{points: [{cluster.replicas: 2}, {cluster.replicas: 2}]}").find("repeats point 0") !=
        std::string::npos);
  CHECK(error_of("{sample: {points: 10, ranges: {cluster.replicas: [1, 2]}}}").find("widen a range") !=
        std::string::npos);
  CHECK(error_of("{sample: {points: 10, ranges: {slo.ttft_p99_s: [5, 1]}}}").find("low <= high") !=
        std::string::npos);
  CHECK(error_of("{sample: {points: 10}}").find("ranges or choices") != std::string::npos);
  CHECK(error_of("{sample: {method: sobol, points: 3, ranges: {slo.ttft_p99_s: [1, 2]}}}")
            .find("random or latin_hypercube") != std::string::npos);
  CHECK(error_of("{grid: {a: [1, 2], b: [1, 2], c: [1, 2], d: [1, 2], e: [1, 2], f: [1, 2], g: [1, 2], "
                 "h: [1, 2], i: [1, 2], j: [1, 2], k: [1, 2], l: [1, 2], m: [1, 2], n: [1, 2], o: [1, 2], "
                 "p: [1, 2], q: [1, 2]}}")
            .find("more than 100000") != std::string::npos);
}

TEST_CASE("policy parameters are set by label, named fields and nested keys through the document") {
  YAML::Node document = YAML::Load(kExperiment);
  document["sweep"] = YAML::Load(
      "{points: [{policies.fixed.prefill_sparsity: 0.7, policies.scaled.v2.alpha: 0.3, cluster.gpu: H200, "
      "cluster.scheduler.max_running: 12}]}");
  const ExperimentSpec spec = parse_experiment(document, "inline.yaml");
  const ExperimentSpec point = experiment_for_point(spec, 0);
  CHECK(point.cluster.gpu.name == "H200");
  CHECK(point.cluster.scheduler.max_running == 12);
  CHECK(point.policies[1].node["prefill_sparsity"].as<double>() == 0.7);
  CHECK(point.policies[2].node["alpha"].as<double>() == 0.3);
  CHECK(point.policies[2].label == "scaled.v2");
  // The experiment's own document is untouched.
  CHECK(spec.document["policies"][1].IsScalar());
  CHECK(spec.cluster.gpu.name == "H100-SXM");

  auto error_with = [&](const std::string& sweep) {
    YAML::Node bad = YAML::Load(kExperiment);
    bad["sweep"] = YAML::Load(sweep);
    try {
      parse_experiment(bad, "inline.yaml");
    } catch (const InputError& error) {
      return std::string(error.what());
    }
    return std::string();
  };
  CHECK(
      error_with("{field: policies.nope.alpha, values: [1]}").find("LABEL one of dense, fixed, scaled.v2") !=
      std::string::npos);
  CHECK(error_with("{field: cluster.gpu.x, values: [1]}").find("'gpu' is not a map") != std::string::npos);
  CHECK(error_with("{field: workload.trace, values: [a.jsonl]}").find("chooses the trace itself") !=
        std::string::npos);
}
