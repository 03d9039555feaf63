#include "policies/budget_policy.h"

#include "workloads/input_error.h"

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
  const auto& registry = PolicyRegistry::instance();
  if (!registry.contains(name)) {
    try {
      registry.get(name);
    } catch (const std::out_of_range& unknown) {
      throw InputError(yaml_path + " (" + yaml_location(entry) + "): " + unknown.what());
    }
  }
  const auto& registered = registry.get(name);
  Params params(parameters, yaml_path, registered.params);
  if (name_out) *name_out = name;
  return registered.factory(params, context);
}

}  // namespace sparsesim
