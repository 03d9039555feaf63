#include "experiments/components.h"

#include "experiments/yaml_fields.h"
#include "quality/curve_quality_model.h"

namespace sparsesim {

std::unique_ptr<CostModel> build_cost_model(const ExperimentSpec& spec, int tensor_parallel) {
  const YAML::Node& node = spec.cost_model;
  std::string name;
  YAML::Node parameters;
  if (node.IsScalar()) {
    name = node.as<std::string>();
  } else if (node.IsMap() && node["profile"]) {
    // Shorthand users write: {profile: PATH} is the `profile` cost model with that path.
    name = "profile";
    parameters = YAML::Node(YAML::NodeType::Map);
    for (const auto& item : node) {
      const auto key = item.first.as<std::string>();
      parameters[key == "profile" ? std::string("path") : key] = item.second;
    }
  } else if (node.IsMap() && node["impl"]) {
    name = node["impl"].as<std::string>();
    parameters = node;
  } else {
    throw InputError(yaml_where(node, "cost_model") +
                     ": expected a cost model name, {profile: PATH} or {impl: NAME}");
  }
  const auto& entry = CostModelRegistry::instance().get_for_input(name, yaml_where(node, "cost_model"));
  const Params params(parameters, "cost_model", entry.params);
  CostModelContext context{spec.cluster.gpu, spec.cluster.model, tensor_parallel, spec.sparse_methods.prefill,
                           spec.sparse_methods.decode};
  return entry.factory(params, context);
}

std::unique_ptr<QualityModel> build_quality_model(const ExperimentSpec& spec) {
  if (!yaml_present(spec.quality)) return nullptr;
  return make_quality_model(
      spec.quality, "quality", spec.cluster.model.name,
      {spec.sparse_methods.prefill->quality_curve_key(), spec.sparse_methods.decode->quality_curve_key()});
}

}  // namespace sparsesim
