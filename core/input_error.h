#pragma once
// The one error type for bad user input: a trace row, a YAML key, a CSV cell. Its message always names
// where (file and line, or YAML path), which field, and what was expected, so the user can fix it.
#include <cstdint>
#include <stdexcept>
#include <string>

namespace sparsesim {

class InputError : public std::runtime_error {
 public:
  // file: path as given; line: 1-based, 0 when not applicable; field: column/key name, may be empty.
  InputError(const std::string& file, std::int64_t line, const std::string& field, const std::string& what);
  explicit InputError(const std::string& message) : std::runtime_error(message) {}
};

}  // namespace sparsesim
