#include "workloads/request_traits.h"

#include <algorithm>
#include <cmath>
#include <random>

#include "core/input_error.h"
#include "core/params.h"
#include "workloads/seeded_draws.h"

namespace sparsesim {

namespace {

constexpr int kTaskClasses = kTaskFamilyCount - 1;  // families without `unknown`

std::string where(const std::string& yaml_path, const YAML::Node& node) {
  const std::string location = yaml_location(node);
  return location.empty() ? yaml_path : yaml_path + " (" + location + ")";
}

double read_probability(const YAML::Node& node, const std::string& path) {
  double value = -1.0;
  try {
    value = node.as<double>();
  } catch (const YAML::Exception&) {
  }
  if (!(value >= 0.0 && value <= 1.0))
    throw InputError(where(path, node) + ": expected a probability in [0, 1]");
  return value;
}

ConfusionMatrix read_confusion(const YAML::Node& node, const std::string& path, int classes) {
  const std::string shape = std::to_string(classes) + " x " + std::to_string(classes);
  if (!node.IsSequence() || static_cast<int>(node.size()) != classes)
    throw InputError(where(path, node) + ": expected a " + shape + " matrix (list of rows)");
  ConfusionMatrix matrix;
  for (int row = 0; row < classes; ++row) {
    const std::string row_path = path + "[" + std::to_string(row) + "]";
    const YAML::Node row_node = node[row];
    if (!row_node.IsSequence() || static_cast<int>(row_node.size()) != classes)
      throw InputError(where(row_path, row_node) + ": expected a row of " + std::to_string(classes) +
                       " probabilities");
    std::vector<double> values;
    double total = 0.0;
    for (int column = 0; column < classes; ++column) {
      values.push_back(read_probability(row_node[column], row_path + "[" + std::to_string(column) + "]"));
      total += values.back();
    }
    if (std::fabs(total - 1.0) > 1e-6)
      throw InputError(where(row_path, row_node) + ": row sums to " + std::to_string(total) + ", expected 1");
    matrix.push_back(std::move(values));
  }
  return matrix;
}

ConfusionMatrix read_predictor(const YAML::Node& workload, const std::string& yaml_path,
                               const std::string& accuracy_key, const std::string& matrix_key, int classes,
                               double default_accuracy) {
  const YAML::Node accuracy = workload[accuracy_key];
  const YAML::Node matrix = workload[matrix_key];
  if (accuracy && matrix)
    throw InputError(where(yaml_path + "." + matrix_key, matrix) + ": give either " + accuracy_key + " or " +
                     matrix_key + ", not both");
  if (matrix) return read_confusion(matrix, yaml_path + "." + matrix_key, classes);
  if (accuracy) return uniform_confusion(classes, read_probability(accuracy, yaml_path + "." + accuracy_key));
  return uniform_confusion(classes, default_accuracy);
}

}  // namespace

ConfusionMatrix uniform_confusion(int classes, double accuracy) {
  ConfusionMatrix matrix(classes, std::vector<double>(classes, 0.0));
  for (int row = 0; row < classes; ++row)
    for (int column = 0; column < classes; ++column)
      matrix[row][column] = row == column ? accuracy : (classes > 1 ? (1.0 - accuracy) / (classes - 1) : 0.0);
  if (classes == 1) matrix[0][0] = 1.0;
  return matrix;
}

int predict_class(const ConfusionMatrix& confusion, int true_class, double uniform_draw) {
  const auto& row = confusion.at(static_cast<std::size_t>(true_class));
  double cumulative = row[true_class];
  if (uniform_draw < cumulative) return true_class;
  int last_possible = true_class;
  for (int column = 0; column < static_cast<int>(row.size()); ++column) {
    if (column == true_class || row[column] <= 0.0) continue;
    last_possible = column;
    cumulative += row[column];
    if (uniform_draw < cumulative) return column;
  }
  return last_possible;  // rounding left the row sum a hair below 1
}

const std::vector<std::string>& request_traits_yaml_keys() {
  static const std::vector<std::string> keys = {"task_mix",
                                                "predictor_accuracy",
                                                "predictor_confusion",
                                                "difficulty_classes",
                                                "difficulty_predictor_accuracy",
                                                "difficulty_confusion",
                                                "difficulty_failure_correlation"};
  return keys;
}

RequestTraitsConfig parse_request_traits_config(const YAML::Node& workload_node,
                                                const std::string& yaml_path) {
  RequestTraitsConfig config;
  if (!workload_node || workload_node.IsNull()) return config;
  if (!workload_node.IsMap()) throw InputError(where(yaml_path, workload_node) + ": expected a map");

  if (const YAML::Node mix = workload_node["task_mix"])
    config.task_mix = parse_task_mix(mix, yaml_path + ".task_mix");

  if (const YAML::Node classes = workload_node["difficulty_classes"]) {
    int value = 0;
    try {
      value = classes.as<int>();
    } catch (const YAML::Exception&) {
    }
    if (value < 1 || value > 100)
      throw InputError(where(yaml_path + ".difficulty_classes", classes) +
                       ": expected an integer in [1, 100]");
    config.difficulty_classes = value;
  }

  if (const YAML::Node correlation = workload_node["difficulty_failure_correlation"]) {
    double value = -1.0;
    try {
      value = correlation.as<double>();
    } catch (const YAML::Exception&) {
    }
    if (!(value >= 0.0 && value < 1.0))
      throw InputError(where(yaml_path + ".difficulty_failure_correlation", correlation) +
                       ": expected a correlation in [0, 1)");
    config.difficulty_failure_correlation = value;
  }

  config.task_confusion = read_predictor(workload_node, yaml_path, "predictor_accuracy",
                                         "predictor_confusion", kTaskClasses, 1.0);
  double difficulty_default_accuracy = 1.0;
  if (const YAML::Node accuracy = workload_node["predictor_accuracy"])
    difficulty_default_accuracy = read_probability(accuracy, yaml_path + ".predictor_accuracy");
  config.difficulty_confusion =
      read_predictor(workload_node, yaml_path, "difficulty_predictor_accuracy", "difficulty_confusion",
                     config.difficulty_classes, difficulty_default_accuracy);
  return config;
}

void assign_request_traits(std::vector<Request>& requests, const RequestTraitsConfig& config,
                           std::uint64_t seed) {
  const double rho = config.difficulty_failure_correlation;
  const double independent_weight = std::sqrt(1.0 - rho * rho);
  const int classes = config.difficulty_classes;
  for (Request& request : requests) {
    CounterDraws generator(mix_seeds(seed, request.id));
    RequestTraits& traits = request.traits;

    const double task_draw = uniform_unit(generator);
    if (traits.task_family == TaskFamily::unknown)
      traits.task_family = config.task_mix.draw(request.input_tokens, task_draw);

    const auto [difficulty_normal, failure_noise] = standard_normal_pair(generator);
    traits.latent_difficulty = standard_normal_cdf(difficulty_normal);
    traits.difficulty_class =
        std::clamp(static_cast<int>(std::floor(traits.latent_difficulty * classes)), 0, classes - 1);
    traits.failure_draw = standard_normal_cdf(rho * difficulty_normal + independent_weight * failure_noise);

    traits.task_predictor_draw = uniform_unit(generator);
    traits.predicted_class =
        1 + predict_class(config.task_confusion, static_cast<int>(traits.task_family) - 1,
                          traits.task_predictor_draw);

    traits.difficulty_predictor_draw = uniform_unit(generator);
    traits.predicted_difficulty_class =
        predict_class(config.difficulty_confusion, traits.difficulty_class, traits.difficulty_predictor_draw);

    traits.uncertainty_noise = standard_normal_pair(generator).first;
  }
}

}  // namespace sparsesim
