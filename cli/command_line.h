#pragma once
// Command-line parsing shared by the subcommands that take one positional argument (a file).
#include <string>

#include <boost/program_options.hpp>

namespace sparsesim::cli {

// Parses argv against `options` plus one positional argument stored in `positional_value`.
// Returns false when --help was given (the help has been printed; the command should exit 0).
// Throws boost::program_options::error for unknown options or when the positional is missing;
// `positional_name` names it in that message (e.g. "EXPERIMENT.yaml").
bool parse_command_line(int argc, char** argv, const boost::program_options::options_description& options,
                        const std::string& positional_name, std::string& positional_value,
                        boost::program_options::variables_map& values);

}  // namespace sparsesim::cli
