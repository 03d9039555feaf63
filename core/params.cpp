#include "core/params.h"

#include <algorithm>
#include <stdexcept>

#include "core/input_error.h"

namespace sparsesim {

std::string yaml_location(const YAML::Node& node) {
  const YAML::Mark mark = node.Mark();
  if (mark.is_null()) return "";
  return "line " + std::to_string(mark.line + 1) + ", column " + std::to_string(mark.column + 1);
}

Params::Params(YAML::Node node, std::string yaml_path, std::vector<ParamSpec> specs,
               std::vector<std::string> ignored_keys)
    : node_(node), yaml_path_(std::move(yaml_path)), specs_(std::move(specs)) {
  if (!node_ || node_.IsNull()) return;
  if (!node_.IsMap())
    throw InputError(yaml_path_ + " (" + yaml_location(node_) + "): expected a map of parameters");
  for (const auto& item : node_) {
    const auto key = item.first.as<std::string>();
    if (std::find(ignored_keys.begin(), ignored_keys.end(), key) != ignored_keys.end()) continue;
    const bool known =
        std::any_of(specs_.begin(), specs_.end(), [&](const ParamSpec& s) { return s.name == key; });
    if (!known) {
      std::string names;
      for (const auto& s : specs_) names += (names.empty() ? "" : ", ") + s.name;
      throw InputError(yaml_path_ + "." + key + " (" + yaml_location(item.first) +
                       "): unknown key; expected one of: " + (names.empty() ? "(no parameters)" : names));
    }
  }
}

const ParamSpec& Params::spec(const std::string& name) const {
  for (const auto& s : specs_)
    if (s.name == name) return s;
  throw std::logic_error("parameter '" + name + "' read but not declared at " + yaml_path_);
}

bool Params::was_given(const std::string& name) const {
  spec(name);
  return node_ && node_.IsMap() && node_[name];
}

std::string Params::where(const std::string& name) const {
  const std::string location = was_given(name) ? yaml_location(node_[name]) : "";
  return yaml_path_ + "." + name + (location.empty() ? "" : " (" + location + ")");
}

YAML::Node Params::get_node(const std::string& name) const {
  const ParamSpec& declared = spec(name);
  if (was_given(name)) return node_[name];
  if (declared.default_value.empty())
    throw InputError(yaml_path_ + "." + name + ": required parameter missing (" + declared.doc + ")");
  return YAML::Load(declared.default_value);
}

template <class T>
T Params::get_as(const std::string& name, const char* expected) const {
  const YAML::Node value = get_node(name);
  try {
    return value.as<T>();
  } catch (const YAML::Exception&) {
    throw InputError(yaml_path_ + "." + name + " (" + yaml_location(value) + "): expected " + expected +
                     ", got '" + (value.IsScalar() ? value.Scalar() : std::string("a non-scalar")) + "'");
  }
}

double Params::get_double(const std::string& name) const {
  return get_as<double>(name, "a number");
}
std::int64_t Params::get_int(const std::string& name) const {
  return get_as<std::int64_t>(name, "an integer");
}
bool Params::get_bool(const std::string& name) const {
  return get_as<bool>(name, "true or false");
}
std::string Params::get_string(const std::string& name) const {
  return get_as<std::string>(name, "a string");
}

YAML::Node Params::resolved() const {
  YAML::Node out(YAML::NodeType::Map);
  for (const auto& s : specs_) {
    if (s.default_value.empty() && !was_given(s.name)) continue;
    out[s.name] = YAML::Clone(get_node(s.name));
  }
  return out;
}

}  // namespace sparsesim
