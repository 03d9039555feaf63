#include "experiments/yaml_fields.h"

#include <algorithm>
#include <cstring>

namespace sparsesim {

std::string yaml_where(const YAML::Node& node, const std::string& path) {
  const std::string location = yaml_location(node);
  return location.empty() ? path : path + " (" + location + ")";
}

void require_keys_within(const YAML::Node& node, const std::string& path,
                         std::initializer_list<const char*> allowed) {
  if (!node.IsMap()) throw InputError(yaml_where(node, path) + ": expected a map");
  for (const auto& item : node) {
    const std::string key = item.first.as<std::string>();
    const bool known =
        std::any_of(allowed.begin(), allowed.end(), [&](const char* name) { return key == name; });
    if (known) continue;
    std::string names;
    for (const char* name : allowed) names += std::string(names.empty() ? "" : ", ") + name;
    throw InputError(yaml_where(item.first, path.empty() ? key : path + "." + key) +
                     ": unknown key; expected one of: " + names);
  }
}

}  // namespace sparsesim
