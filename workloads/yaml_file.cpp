#include "workloads/yaml_file.h"

#include <filesystem>
#include <map>

#include "workloads/input_error.h"

namespace sparsesim {

void reject_duplicate_keys(const YAML::Node& node, const std::string& path) {
  if (node.IsSequence()) {
    for (const auto& item : node) reject_duplicate_keys(item, path);
    return;
  }
  if (!node.IsMap()) return;
  std::map<std::string, int> first_line;
  for (const auto& item : node) {
    const int line = item.first.Mark().is_null() ? 0 : item.first.Mark().line + 1;
    if (item.first.IsScalar()) {
      const auto [found, inserted] = first_line.emplace(item.first.Scalar(), line);
      if (!inserted)
        throw InputError(path, line, item.first.Scalar(),
                         "duplicate key (first at line " + std::to_string(found->second) +
                             "); a key may appear once per map");
    }
    reject_duplicate_keys(item.second, path);
  }
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
