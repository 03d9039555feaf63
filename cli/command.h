#pragma once
// A `sparsesim` subcommand. Each lives in cli/<name>_command.cpp and registers itself; main() dispatches.
// A command parses its own options with Boost.Program_options and supports --help.
#include <functional>
#include <string>
#include <vector>

namespace sparsesim::cli {

struct Command {
  std::string name;     // e.g. "run"
  std::string summary;  // one line for `sparsesim --help`
  // argv[0] is the subcommand name. Returns the process exit code (0 ok, 1 runtime failure, 2 usage/input).
  std::function<int(int argc, char** argv)> run;
};

bool register_command(Command command);
const std::vector<Command>& commands();  // sorted by name

}  // namespace sparsesim::cli
