// difficulty_aware: a predictor's class (task family or difficulty class, with the predictor's mistakes)
// picks a multiplier on the length-scaled kept-token rule, so requests predicted to be fragile get more.
//
// `multipliers` keys are either task family names (single_qa, multi_query_retrieval, high_scope: all three,
// read from traits.predicted_class) or difficulty classes 0..n-1 (all of them, read from
// traits.predicted_difficulty_class). By default the prediction assigned with the workload's traits is used;
// `predictor_accuracy` >= 0 replaces it with a predictor of that accuracy (uniform confusion), re-derived
// from the request's predictor draw so that predictions at different accuracies are coupled.
#include <algorithm>
#include <map>

#include "core/input_error.h"
#include "policies/budget_policy.h"
#include "policies/length_scaling.h"
#include "policies/policy_knob_docs.h"
#include "workloads/request_traits.h"

namespace sparsesim {
namespace {

constexpr std::int64_t kDefaultMaxInputTokens = std::int64_t{1} << 20;

class DifficultyAwarePolicy final : public BudgetPolicy {
 public:
  DifficultyAwarePolicy(const Params& params, const PolicyContext& context)
      : scaling_(LengthScaling::from_params(params)), yaml_path_(params.yaml_path()) {
    read_multipliers(params.get_node("multipliers"), yaml_path_ + ".multipliers");
    predictor_accuracy_ = params.get_double("predictor_accuracy");
    if (predictor_accuracy_ >= 0.0) {
      if (predictor_accuracy_ > 1.0)
        throw InputError(yaml_path_ + ".predictor_accuracy: expected a probability in [0, 1], or -1");
      confusion_ = uniform_confusion(static_cast<int>(multipliers_.size()), predictor_accuracy_);
    }
    const double smallest = *std::min_element(multipliers_.begin(), multipliers_.end());
    max_scale_ = scaling_.dense_scale(context.model && context.model->context_tokens > 0
                                          ? context.model->context_tokens
                                          : kDefaultMaxInputTokens) /
                 smallest;
  }

  Budget initial_budget(const Request& request, const SystemLoad&) const override {
    return scaling_.budget(request.input_tokens, scale_ * multipliers_[predicted_index(request)]);
  }

  KnobSpec knob() const override {
    return {"scale", scale_, 0.0, max_scale_,
            "multiplies every class's kept tokens: 0 = min_kept_tokens everywhere, max = dense"};
  }
  void set_knob(double value) override { scale_ = std::clamp(value, 0.0, max_scale_); }

 private:
  void read_multipliers(const YAML::Node& node, const std::string& path) {
    if (!node.IsMap() || node.size() == 0)
      throw InputError(path + " (" + yaml_location(node) + "): expected a map from class to multiplier");
    std::map<int, double> by_index;
    bool any_task = false, any_difficulty = false;
    for (const auto& item : node) {
      const auto key = item.first.as<std::string>();
      const std::string key_path = path + "." + key;
      int index = -1;
      try {
        index = static_cast<int>(parse_task_family(key)) - 1;  // 0..2 for task families
        any_task = index >= 0;
      } catch (const std::invalid_argument&) {
        try {
          index = item.first.as<int>();
          any_difficulty = true;
        } catch (const YAML::Exception&) {
        }
      }
      if (index < 0)
        throw InputError(key_path + " (" + yaml_location(item.first) +
                         "): expected a task family (single_qa, multi_query_retrieval, high_scope) or a "
                         "difficulty class 0, 1, ...");
      double multiplier = -1.0;
      try {
        multiplier = item.second.as<double>();
      } catch (const YAML::Exception&) {
      }
      if (!(multiplier > 0.0))
        throw InputError(key_path + " (" + yaml_location(item.second) + "): expected a positive multiplier");
      by_index[index] = multiplier;
    }
    if (any_task && any_difficulty)
      throw InputError(path + ": mixes task families and difficulty classes; use one kind of key");
    uses_task_ = any_task;
    const int expected = uses_task_ ? kTaskFamilyCount - 1 : static_cast<int>(by_index.size());
    for (int index = 0; index < expected; ++index)
      if (!by_index.count(index))
        throw InputError(path + ": no multiplier for " +
                         (uses_task_ ? std::string(task_family_name(static_cast<TaskFamily>(index + 1)))
                                     : "difficulty class " + std::to_string(index)) +
                         " (every class needs one)");
    for (const auto& [index, multiplier] : by_index) multipliers_.push_back(multiplier);
  }

  int predicted_index(const Request& request) const {
    const RequestTraits& traits = request.traits;
    const int classes = static_cast<int>(multipliers_.size());
    int predicted = -1;
    if (predictor_accuracy_ >= 0.0) {
      const int truth = uses_task_ ? static_cast<int>(traits.task_family) - 1 : traits.difficulty_class;
      if (truth >= 0 && truth < classes)
        predicted = predict_class(confusion_, truth,
                                  uses_task_ ? traits.task_predictor_draw : traits.difficulty_predictor_draw);
    } else {
      predicted = uses_task_ ? traits.predicted_class - 1 : traits.predicted_difficulty_class;
    }
    if (predicted < 0 || predicted >= classes)
      throw InputError(yaml_path_ + ".multipliers: request " + std::to_string(request.id) +
                       " has no usable predicted " + (uses_task_ ? "task family" : "difficulty class") +
                       " (traits not assigned, or more difficulty classes than multipliers)");
    return predicted;
  }

  LengthScaling scaling_;
  std::string yaml_path_;
  std::vector<double> multipliers_;  // by class index
  bool uses_task_ = true;
  double predictor_accuracy_ = -1.0;
  ConfusionMatrix confusion_;
  double max_scale_ = 1.0;
  double scale_ = 1.0;
};

std::vector<ParamSpec> difficulty_aware_params() {
  auto specs = LengthScaling::param_specs();
  specs.push_back(
      {"multipliers", "{single_qa: 0.5, multi_query_retrieval: 1.0, high_scope: 2.0}",
       "kept-token multiplier per predicted class: task family names, or difficulty classes 0..n-1"});
  specs.push_back(
      {"predictor_accuracy", "-1",
       "-1 = use the workload's predicted class; in [0, 1] = a predictor of this accuracy instead"});
  return specs;
}

const bool registered = PolicyRegistry::instance().add(
    {"difficulty_aware",
     "a noisy predictor's class (task family or difficulty) picks a multiplier on k = c * L^alpha",
     difficulty_aware_params(), [](const Params& params, const PolicyContext& context) {
       return std::make_unique<DifficultyAwarePolicy>(params, context);
     }});
const bool documented = register_policy_knob_doc(
    "difficulty_aware",
    {"scale",
     "multiplier on every class's kept tokens, from 0 (min_kept_tokens everywhere) up to the scale at "
     "which the model's longest context is dense for the least-favoured class; compute is "
     "non-decreasing in it"});

}  // namespace
}  // namespace sparsesim
