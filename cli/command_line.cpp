#include "cli/command_line.h"

#include <iostream>

namespace sparsesim::cli {

namespace po = boost::program_options;

bool parse_command_line(int argc, char** argv, const po::options_description& options,
                        const std::string& positional_name, std::string& positional_value,
                        po::variables_map& values) {
  po::options_description hidden;
  hidden.add_options()("positional-argument", po::value(&positional_value));
  po::options_description all;
  all.add(options).add(hidden);
  po::positional_options_description positional;
  positional.add("positional-argument", 1);
  po::store(po::command_line_parser(argc, argv).options(all).positional(positional).run(), values);
  if (values.count("help")) {
    std::cout << options << "\n";
    return false;
  }
  po::notify(values);
  if (positional_value.empty()) throw po::error("missing " + positional_name);
  return true;
}

}  // namespace sparsesim::cli
