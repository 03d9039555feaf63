#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <vector>

#include "core/input_error.h"
#include "workloads/request_traits.h"
#include "workloads/seeded_draws.h"

using namespace sparsesim;

namespace {

std::vector<Request> make_requests(int count) {
  std::vector<Request> requests(count);
  for (int index = 0; index < count; ++index) {
    requests[index].id = static_cast<std::uint64_t>(index);
    requests[index].input_tokens = 1000 + 37 * (index % 1000);
    requests[index].output_tokens = 100;
  }
  return requests;
}

RequestTraitsConfig config_from(const char* yaml) {
  return parse_request_traits_config(YAML::Load(yaml), "workload");
}

}  // namespace

TEST_CASE("normal quantile inverts the normal CDF") {
  for (double p : {1e-12, 1e-6, 0.01, 0.2, 0.5, 0.7, 0.975, 1 - 1e-9}) {
    CHECK(standard_normal_cdf(standard_normal_quantile(p)) == doctest::Approx(p).epsilon(1e-9));
  }
  CHECK(standard_normal_quantile(0.975) == doctest::Approx(1.959963984540054).epsilon(1e-12));
  CHECK(standard_normal_quantile(0.5) == doctest::Approx(0.0).epsilon(1e-15));
}

TEST_CASE("request traits: same seed same traits, different seeds differ, order does not matter") {
  const auto config =
      config_from("{task_mix: {single_qa: 0.5, multi_query_retrieval: 0.3, high_scope: 0.2}}");
  auto first = make_requests(500);
  auto second = make_requests(500);
  assign_request_traits(first, config, 7);
  std::reverse(second.begin(), second.end());
  assign_request_traits(second, config, 7);
  std::reverse(second.begin(), second.end());
  for (std::size_t index = 0; index < first.size(); ++index) {
    CHECK(first[index].traits.failure_draw == second[index].traits.failure_draw);
    CHECK(first[index].traits.task_family == second[index].traits.task_family);
    CHECK(first[index].traits.uncertainty_noise == second[index].traits.uncertainty_noise);
  }
  auto third = make_requests(500);
  assign_request_traits(third, config, 8);
  int same = 0;
  for (std::size_t index = 0; index < first.size(); ++index)
    same += first[index].traits.failure_draw == third[index].traits.failure_draw;
  CHECK(same == 0);
}

TEST_CASE("request traits: task mix, uniform failure draws and predictor accuracy match the config") {
  const int count = 20000;
  auto requests = make_requests(count);
  const auto config = config_from(
      "{task_mix: {single_qa: 0.5, multi_query_retrieval: 0.3, high_scope: 0.2}, predictor_accuracy: 0.8,"
      " difficulty_predictor_accuracy: 0.6, difficulty_classes: 4}");
  assign_request_traits(requests, config, 42);
  std::array<int, kTaskFamilyCount> families{};
  int task_right = 0, difficulty_right = 0;
  std::array<int, 4> difficulty_counts{};
  double failure_sum = 0, failure_square_sum = 0, noise_sum = 0, noise_square_sum = 0;
  // Failing at expected quality q means failure_draw > q: the failure rate must be 1 - q for any q.
  const double quality = 0.73;
  int failures = 0;
  for (const auto& request : requests) {
    const auto& traits = request.traits;
    ++families[static_cast<int>(traits.task_family)];
    task_right += traits.predicted_class == static_cast<int>(traits.task_family);
    difficulty_right += traits.predicted_difficulty_class == traits.difficulty_class;
    ++difficulty_counts.at(traits.difficulty_class);
    failure_sum += traits.failure_draw;
    failure_square_sum += traits.failure_draw * traits.failure_draw;
    noise_sum += traits.uncertainty_noise;
    noise_square_sum += traits.uncertainty_noise * traits.uncertainty_noise;
    failures += traits.failure_draw > quality;
    CHECK(traits.predicted_class >= 1);
    CHECK(traits.predicted_class <= 3);
  }
  // Binomial standard errors at n = 20000 are at most 0.0036; allow 4 of them.
  CHECK(families[0] == 0);
  CHECK(families[1] / double(count) == doctest::Approx(0.5).epsilon(0.015 / 0.5));
  CHECK(families[2] / double(count) == doctest::Approx(0.3).epsilon(0.015 / 0.3));
  CHECK(families[3] / double(count) == doctest::Approx(0.2).epsilon(0.015 / 0.2));
  CHECK(std::fabs(task_right / double(count) - 0.8) < 0.015);
  CHECK(std::fabs(difficulty_right / double(count) - 0.6) < 0.015);
  for (int counted : difficulty_counts) CHECK(std::fabs(counted / double(count) - 0.25) < 0.015);
  CHECK(std::fabs(failure_sum / count - 0.5) < 0.01);
  CHECK(std::fabs(failure_square_sum / count - 1.0 / 3.0) < 0.01);
  CHECK(std::fabs(failures / double(count) - (1 - quality)) < 0.015);
  CHECK(std::fabs(noise_sum / count) < 0.03);
  CHECK(std::fabs(noise_square_sum / count - 1.0) < 0.04);
}

TEST_CASE("request traits: harder requests fail more often, failure draws stay uniform") {
  auto requests = make_requests(20000);
  assign_request_traits(requests, config_from("{difficulty_failure_correlation: 0.6}"), 3);
  double hard_sum = 0, easy_sum = 0;
  int hard = 0, easy = 0;
  for (const auto& request : requests) {
    if (request.traits.difficulty_class == 2) {
      hard_sum += request.traits.failure_draw;
      ++hard;
    } else if (request.traits.difficulty_class == 0) {
      easy_sum += request.traits.failure_draw;
      ++easy;
    }
  }
  CHECK(hard_sum / hard > easy_sum / easy + 0.2);
}

TEST_CASE("request traits: length-bucketed task mix") {
  auto requests = make_requests(20000);
  const auto config = config_from(
      "{task_mix: {buckets: [{max_tokens: 10000, mix: {single_qa: 1.0}},"
      " {mix: {high_scope: 0.5, multi_query_retrieval: 0.5}}]}}");
  assign_request_traits(requests, config, 1);
  int long_high_scope = 0, long_count = 0;
  for (const auto& request : requests) {
    if (request.input_tokens <= 10000) {
      CHECK(request.traits.task_family == TaskFamily::single_qa);
    } else {
      CHECK(request.traits.task_family != TaskFamily::single_qa);
      ++long_count;
      long_high_scope += request.traits.task_family == TaskFamily::high_scope;
    }
  }
  CHECK(std::fabs(long_high_scope / double(long_count) - 0.5) < 0.03);
}

TEST_CASE("request traits: a full confusion matrix is honoured") {
  auto requests = make_requests(20000);
  const auto config = config_from(
      "{task_mix: {high_scope: 1.0}, predictor_confusion: [[1, 0, 0], [0, 1, 0], [0.1, 0.6, 0.3]]}");
  assign_request_traits(requests, config, 5);
  std::array<int, 4> predicted{};
  for (const auto& request : requests) ++predicted.at(request.traits.predicted_class);
  CHECK(std::fabs(predicted[1] / 20000.0 - 0.1) < 0.01);
  CHECK(std::fabs(predicted[2] / 20000.0 - 0.6) < 0.015);
  CHECK(std::fabs(predicted[3] / 20000.0 - 0.3) < 0.015);
}

TEST_CASE("request traits: bad YAML names the path and what was expected") {
  CHECK_THROWS_WITH_AS(config_from("{task_mix: {single_qa: 0.5, high_scope: 0.2}}"),
                       doctest::Contains("workload.task_mix"), InputError);
  CHECK_THROWS_WITH_AS(config_from("{task_mix: {reasoning: 1.0}}"),
                       doctest::Contains("workload.task_mix.reasoning"), InputError);
  CHECK_THROWS_WITH_AS(config_from("{predictor_accuracy: 1.5}"),
                       doctest::Contains("workload.predictor_accuracy"), InputError);
  CHECK_THROWS_WITH_AS(config_from("{predictor_confusion: [[1, 0, 0], [0, 1, 0]]}"),
                       doctest::Contains("3 x 3"), InputError);
  CHECK_THROWS_WITH_AS(
      config_from("{task_mix: {buckets: [{max_tokens: 9000, mix: {single_qa: 1}}, {max_tokens: 100, mix: "
                  "{single_qa: 1}}]}}"),
      doctest::Contains("ascending"), InputError);
  CHECK_THROWS_WITH_AS(config_from("{difficulty_failure_correlation: 1.0}"),
                       doctest::Contains("difficulty_failure_correlation"), InputError);
  CHECK_NOTHROW(config_from("{trace: x.jsonl, rate_multiplier: 2}"));  // other keys belong to the caller
}

TEST_CASE("predict_class couples accuracies: a better predictor is right on a superset") {
  const auto weak = uniform_confusion(3, 0.5);
  const auto strong = uniform_confusion(3, 0.9);
  for (int step = 0; step < 1000; ++step) {
    const double draw = step / 1000.0;
    for (int true_class = 0; true_class < 3; ++true_class)
      if (predict_class(weak, true_class, draw) == true_class)
        CHECK(predict_class(strong, true_class, draw) == true_class);
  }
}
