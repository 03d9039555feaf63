#include "core/input_error.h"

namespace sparsesim {
namespace {
std::string format_location(const std::string& file, std::int64_t line, const std::string& field,
                            const std::string& what) {
  // Built with append(): GCC 12 warns falsely (-Wrestrict) on chained operator+ here.
  std::string message;
  message.append(file);
  if (line > 0) message.append(":").append(std::to_string(line));
  message.append(": ");
  if (!field.empty()) message.append("field '").append(field).append("': ");
  message.append(what);
  return message;
}
}  // namespace

InputError::InputError(const std::string& file, std::int64_t line, const std::string& field,
                       const std::string& what)
    : std::runtime_error(format_location(file, line, field, what)) {}

}  // namespace sparsesim
