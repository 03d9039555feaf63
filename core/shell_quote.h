#pragma once
// Quoting for command lines passed to /bin/sh (std::system, popen, job scripts).
#include <string>

namespace sparsesim {

// `text` single-quoted for the shell: safe for any path, quotes and '$' included.
inline std::string shell_quoted(const std::string& text) {
  std::string quoted = "'";
  for (char c : text) quoted += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return quoted + "'";
}

}  // namespace sparsesim
