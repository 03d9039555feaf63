#pragma once
// Typed parameters for one component, bound from one YAML subtree. Each component declares its
// ParamSpecs (name, default, meaning); keys not declared are errors naming the YAML path, and a value
// of the wrong type is an error naming the path, line and column.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <yaml-cpp/yaml.h>

namespace sparsesim {

// The range a secondary parameter may be tuned over (experiment `tune:`). Numbers are drawn uniformly
// in [min, max] (in log space when `log`), rounded when `integer`; a boolean draws false or true.
struct TuneRange {
  enum class Kind { real, integer, boolean } kind = Kind::real;
  double min = 0, max = 1;
  bool log = false;
};

struct ParamSpec {
  std::string name;
  std::string default_value;  // as YAML text; empty means required
  std::string doc;            // meaning and unit
  // Set when `tune:` may search this parameter. Only secondary parameters a deployment chooses are
  // tunable; properties of the environment (a predictor's accuracy, a signal's AUROC) never are.
  std::optional<TuneRange> tune = std::nullopt;
};

class Params {
 public:
  Params() = default;
  // node: a YAML map (or null for all defaults); yaml_path: where it sits, e.g. "policies[2]".
  // `ignored_keys` are consumed by the caller (e.g. "impl") and not checked against the specs.
  // Throws InputError on unknown keys.
  Params(YAML::Node node, std::string yaml_path, std::vector<ParamSpec> specs,
         std::vector<std::string> ignored_keys = {"impl"});

  double get_double(const std::string& name) const;
  std::int64_t get_int(const std::string& name) const;
  bool get_bool(const std::string& name) const;
  std::string get_string(const std::string& name) const;
  // The raw node (the given value, or the parsed default). For lists and maps.
  YAML::Node get_node(const std::string& name) const;
  bool was_given(const std::string& name) const;
  // "yaml_path.name (line L, column C)" for error messages; the location only when the value was given.
  std::string where(const std::string& name) const;
  const std::string& yaml_path() const { return yaml_path_; }
  // Resolved values of every declared parameter, as a YAML map (for storing the full config).
  YAML::Node resolved() const;

 private:
  const ParamSpec& spec(const std::string& name) const;
  template <class T>
  T get_as(const std::string& name, const char* expected) const;

  YAML::Node node_;
  std::string yaml_path_;
  std::vector<ParamSpec> specs_;
};

// "line L, column C" of a node, 1-based, for error messages ("" when the node has no mark).
std::string yaml_location(const YAML::Node& node);

}  // namespace sparsesim
