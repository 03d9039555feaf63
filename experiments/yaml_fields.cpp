#include "experiments/yaml_fields.h"

#include <algorithm>

namespace sparsesim {

std::string yaml_where(const YAML::Node& node, const std::string& path) {
  const std::string location = yaml_location(node);
  return location.empty() ? path : path + " (" + location + ")";
}

void require_keys_within(const YAML::Node& node, const std::string& path,
                         std::initializer_list<const char*> allowed) {
  require_keys_within(node, path, std::vector<std::string>(allowed.begin(), allowed.end()));
}

void require_keys_within(const YAML::Node& node, const std::string& path,
                         const std::vector<std::string>& allowed) {
  if (!node.IsMap()) throw InputError(yaml_where(node, path) + ": expected a map");
  for (const auto& item : node) {
    const std::string key = item.first.as<std::string>();
    if (std::find(allowed.begin(), allowed.end(), key) != allowed.end()) continue;
    std::string names;
    for (const auto& name : allowed) names += (names.empty() ? "" : ", ") + name;
    throw InputError(yaml_where(item.first, join_yaml_path(path, key)) +
                     ": unknown key; expected one of: " + names);
  }
}

}  // namespace sparsesim
