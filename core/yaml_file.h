#pragma once
// Loads a YAML file strictly: the path must be a readable regular file (a directory or a missing file is
// an InputError naming it), a syntax error names the line and column, and a map that repeats a key is an
// InputError naming both lines (yaml-cpp would silently keep the first).
#include <string>

#include <yaml-cpp/yaml.h>

namespace sparsesim {

YAML::Node load_yaml_file(const std::string& path);

// Throws InputError("<path>: line L: duplicate key 'k' (first at line M)") for the first map, anywhere in
// `node`, that repeats a key; also for a key that is not a scalar (YAML's `? [a, b]: x`, which no
// sparsesim file uses and yaml-cpp cannot convert to a name) and for a document of more than a million
// nodes after alias expansion. `path` names the file in the message.
void reject_duplicate_keys(const YAML::Node& node, const std::string& path);

}  // namespace sparsesim
