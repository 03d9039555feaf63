// The `sparsesim` command: dispatches to the registered subcommands and turns errors into clear messages
// and exit codes (2 for bad input or usage, 1 for other failures).
#include <algorithm>
#include <exception>
#include <iostream>
#include <new>
#include <string>

#include <boost/program_options/errors.hpp>

#include "cli/command.h"
#include "core/input_error.h"

namespace sparsesim::cli {

namespace {
std::vector<Command>& command_list() {
  static std::vector<Command> list;
  return list;
}
}  // namespace

bool register_command(Command command) {
  auto& list = command_list();
  list.push_back(std::move(command));
  std::sort(list.begin(), list.end(), [](const Command& a, const Command& b) { return a.name < b.name; });
  return true;
}

const std::vector<Command>& commands() {
  return command_list();
}

}  // namespace sparsesim::cli

namespace {
void print_usage() {
  std::cout
      << "sparsesim: how should a sparse-attention model spend its attention budget per request?\n\n"
         "usage: sparsesim <command> [options]   (sparsesim <command> --help for details)\n\ncommands:\n";
  for (const auto& command : sparsesim::cli::commands())
    std::cout << "  " << command.name
              << std::string(command.name.size() < 14 ? 14 - command.name.size() : 1, ' ') << command.summary
              << "\n";
}
}  // namespace

int main(int argc, char** argv) {
  if (argc < 2 || std::string(argv[1]) == "--help" || std::string(argv[1]) == "-h" ||
      std::string(argv[1]) == "help") {
    print_usage();
    return argc < 2 ? 2 : 0;
  }
  const std::string name = argv[1];
  for (const auto& command : sparsesim::cli::commands()) {
    if (command.name != name) continue;
    try {
      return command.run(argc - 1, argv + 1);
    } catch (const sparsesim::InputError& error) {
      std::cerr << "sparsesim " << name << ": error: " << error.what() << "\n";
      return 2;
    } catch (const boost::program_options::error& error) {
      std::cerr << "sparsesim " << name << ": " << error.what() << " (see sparsesim " << name << " --help)\n";
      return 2;
    } catch (const std::bad_alloc&) {
      // Never a bare bad_alloc: say what was being run.
      std::string what;
      for (int index = 2; index < argc; ++index) what += std::string(" ") + argv[index];
      std::cerr
          << "sparsesim " << name << ": error: out of memory running `sparsesim " << name << what
          << "`; reduce the workload (workload.max_requests, time_window), the sweep or the replications\n";
      return 1;
    } catch (const std::exception& error) {
      std::cerr << "sparsesim " << name << ": error: " << error.what() << "\n";
      return 1;
    }
  }
  std::cerr << "sparsesim: unknown command '" << name << "'\n";
  print_usage();
  return 2;
}
