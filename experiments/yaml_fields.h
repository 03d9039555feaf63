#pragma once
// Strict reading of experiment YAML: every map declares the keys it accepts, and every error names the
// YAML path (e.g. "cluster.scheduler.max_running"), the line and column, and what was expected.
#include <cmath>
#include <cstdio>
#include <initializer_list>
#include <string>
#include <type_traits>
#include <vector>

#include <yaml-cpp/yaml.h>

#include "core/input_error.h"
#include "core/params.h"

namespace sparsesim {

// Throws InputError if `node` is not a map or has a key outside `allowed`.
void require_keys_within(const YAML::Node& node, const std::string& path,
                         const std::vector<std::string>& allowed);
void require_keys_within(const YAML::Node& node, const std::string& path,
                         std::initializer_list<const char*> allowed);

// True when the node exists and holds something (a default-constructed yaml-cpp node is "defined" but null).
inline bool yaml_present(const YAML::Node& node) {
  return node && !node.IsNull();
}

// "parent.key", or "key" at the top level.
inline std::string join_yaml_path(const std::string& parent, const std::string& key) {
  return parent.empty() ? key : parent + "." + key;
}

// "path (line L, column C)".
std::string yaml_where(const YAML::Node& node, const std::string& path);

// Reads node[key] as T; returns `fallback` when absent. Throws InputError naming path.key when the value
// has the wrong type; `expected` describes the type for the message.
template <class T>
T yaml_value(const YAML::Node& node, const std::string& path, const char* key, const T& fallback,
             const char* expected) {
  const YAML::Node value = node[key];
  if (!value || value.IsNull()) return fallback;
  try {
    return value.as<T>();
  } catch (const YAML::Exception&) {
    throw InputError(yaml_where(value, join_yaml_path(path, key)) + ": expected " + expected + ", got '" +
                     (value.IsScalar() ? value.Scalar() : std::string("a non-scalar")) + "'");
  }
}

// A number read from node[key] (fallback when absent) that must be finite and lie in [minimum, maximum];
// anything else (NaN, .inf, out of range, not a number) is an InputError naming path.key, its line and
// the range. Integers (T integral) must also be whole numbers.
template <class T>
T yaml_in_range(const YAML::Node& node, const std::string& path, const char* key, T fallback, double minimum,
                double maximum) {
  const YAML::Node value = node[key];
  if (!value || value.IsNull()) return fallback;
  const std::string where = yaml_where(value, join_yaml_path(path, key));
  auto range = [&] {
    char text[96];
    std::snprintf(text, sizeof text, "[%.6g, %.6g]", minimum, maximum);
    return std::string(text);
  };
  double number = 0;
  try {
    number = value.as<double>();
  } catch (const YAML::Exception&) {
    throw InputError(where + ": expected " + (std::is_integral_v<T> ? "an integer" : "a number") + " in " +
                     range() + ", got '" + (value.IsScalar() ? value.Scalar() : std::string("a non-scalar")) +
                     "'");
  }
  if (!(number >= minimum && number <= maximum) || (std::is_integral_v<T> && number != std::floor(number)))
    throw InputError(where + ": expected " + (std::is_integral_v<T> ? "an integer" : "a number") + " in " +
                     range() + ", got '" + value.Scalar() + "'");
  return static_cast<T>(number);
}

// Like yaml_value but the key is required.
template <class T>
T yaml_required(const YAML::Node& node, const std::string& path, const char* key, const char* expected) {
  if (!node[key] || node[key].IsNull())
    throw InputError(yaml_where(node, path) + ": missing required key '" + key + "' (" + expected + ")");
  return yaml_value<T>(node, path, key, T{}, expected);
}

}  // namespace sparsesim
