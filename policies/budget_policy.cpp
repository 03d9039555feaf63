#include "policies/budget_policy.h"

#include "core/input_error.h"

namespace sparsesim {

std::unique_ptr<BudgetPolicy> make_policy(const YAML::Node& entry, const std::string& yaml_path,
                                          const PolicyContext& context, std::string* name_out) {
  std::string name;
  YAML::Node parameters;
  if (entry.IsScalar()) {
    name = entry.as<std::string>();
  } else if (entry.IsMap() && entry["impl"]) {
    name = entry["impl"].as<std::string>();
    parameters = entry;
  } else {
    throw InputError(yaml_path + " (" + yaml_location(entry) +
                     "): expected a policy name or a map with 'impl:' and parameters");
  }
  const std::string location = yaml_location(entry);
  const auto& registered = PolicyRegistry::instance().get_for_input(
      name, yaml_path + (location.empty() ? "" : " (" + location + ")"));
  // `label:` and `model:` belong to the experiment's policy entry, not to the policy.
  Params params(parameters, yaml_path, registered.params, {"impl", "label", "model"});
  if (name_out) *name_out = name;
  return registered.factory(params, context);
}

}  // namespace sparsesim
