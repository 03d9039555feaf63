#pragma once
// Non-throwing file-system probes. std::filesystem's one-argument forms throw on paths the OS cannot
// even look up (a name longer than NAME_MAX, an unreadable parent), which would turn a user's typo into
// an uncaught exception instead of an input error naming the file. These answer "no" instead, and the
// caller's own "file not found" error then names the path.
#include <filesystem>
#include <string>
#include <system_error>

namespace sparsesim {

inline bool path_exists(const std::string& path) {
  std::error_code error;
  return std::filesystem::exists(path, error);
}

inline bool is_regular_file_path(const std::string& path) {
  std::error_code error;
  return std::filesystem::is_regular_file(path, error);
}

inline bool is_directory_path(const std::string& path) {
  std::error_code error;
  return std::filesystem::is_directory(path, error);
}

}  // namespace sparsesim
