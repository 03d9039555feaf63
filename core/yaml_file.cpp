#include "core/yaml_file.h"

#include <filesystem>
#include <map>

#include "core/input_error.h"

namespace sparsesim {

namespace {

// Aliases share nodes, so a few lines can expand to billions of nodes ("billion laughs"); no sparsesim
// file needs more than this many after expansion.
constexpr std::size_t kMaxNodes = 1'000'000;

int line_of(const YAML::Node& node) {
  return node.Mark().is_null() ? 0 : node.Mark().line + 1;
}

void check_keys(const YAML::Node& node, const std::string& path, std::size_t& visited) {
  if (++visited > kMaxNodes)
    throw InputError(path, line_of(node), "",
                     "more than " + std::to_string(kMaxNodes) +
                         " YAML nodes after expanding aliases; expected a plain configuration file");
  if (node.IsSequence()) {
    for (const auto& item : node) check_keys(item, path, visited);
    return;
  }
  if (!node.IsMap()) return;
  std::map<std::string, int> first_line;
  for (const auto& item : node) {
    const int line = line_of(item.first);
    if (!item.first.IsScalar())
      throw InputError(path, line, "",
                       "a map key that is itself a list or map ('? ' syntax); expected a name");
    const auto [found, inserted] = first_line.emplace(item.first.Scalar(), line);
    if (!inserted)
      throw InputError(path, line, item.first.Scalar(),
                       "duplicate key (first at line " + std::to_string(found->second) +
                           "); a key may appear once per map");
    check_keys(item.second, path, visited);
  }
}

}  // namespace

void reject_duplicate_keys(const YAML::Node& node, const std::string& path) {
  std::size_t visited = 0;
  check_keys(node, path, visited);
}

YAML::Node load_yaml_file(const std::string& path) {
  std::error_code error;
  if (!std::filesystem::exists(path, error)) throw InputError(path, 0, "", "file not found");
  if (!std::filesystem::is_regular_file(path, error))
    throw InputError(path, 0, "", "not a regular file (a directory?); expected a YAML file");
  YAML::Node document;
  try {
    document = YAML::LoadFile(path);
  } catch (const YAML::BadFile&) {
    throw InputError(path, 0, "", "cannot open file");
  } catch (const YAML::ParserException& parse) {
    throw InputError(path + ": line " + std::to_string(parse.mark.line + 1) + ", column " +
                     std::to_string(parse.mark.column + 1) + ": malformed YAML (syntax error): " + parse.msg);
  }
  reject_duplicate_keys(document, path);
  return document;
}

}  // namespace sparsesim
