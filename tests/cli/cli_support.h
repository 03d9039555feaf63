#pragma once
// Shared by the CLI integration tests: a fresh folder per test, and running the real binary in it.
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

namespace sparsesim::testing {

namespace fs = std::filesystem;

inline fs::path test_dir(const std::string& name) {
  const fs::path dir = fs::path(SPARSESIM_TEST_TMP) / "cli" / name;
  fs::remove_all(dir);
  fs::create_directories(dir);
  return dir;
}

struct CommandResult {
  int exit_code;
  std::string output;  // stdout and stderr together
};

// `environment`: VAR=value assignments put before the command ("" for none).
inline CommandResult run_cli(const std::string& arguments, const fs::path& dir,
                             const std::string& environment = "") {
  const fs::path log = dir / "output.txt";
  const std::string command =
      environment + " " + std::string(SPARSESIM_BINARY) + " " + arguments + " > '" + log.string() + "' 2>&1";
  const int status = std::system(command.c_str());
  std::ifstream input(log);
  std::stringstream text;
  text << input.rdbuf();
  return {WEXITSTATUS(status), text.str()};
}

// Any shell command (a browser, a Slurm client), its stdout and stderr captured.
inline CommandResult run_shell(const std::string& command, const fs::path& dir) {
  const fs::path log = dir / "shell-output.txt";
  const int status = std::system(("(" + command + ") > '" + log.string() + "' 2>&1").c_str());
  std::ifstream input(log);
  std::stringstream text;
  text << input.rdbuf();
  return {WEXITSTATUS(status), text.str()};
}

inline std::string read_bytes(const fs::path& path) {
  std::ifstream input(path, std::ios::binary);
  std::stringstream bytes;
  bytes << input.rdbuf();
  return bytes.str();
}

inline std::size_t count_of(const std::string& text, const std::string& needle) {
  std::size_t count = 0;
  for (auto at = text.find(needle); at != std::string::npos; at = text.find(needle, at + 1)) ++count;
  return count;
}

}  // namespace sparsesim::testing
