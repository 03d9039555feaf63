// sparsesim isocost STUDY.yaml [--points]
// The Sparse Frontier's iso-cost analysis (experiments/isocost_study.h). `sparsesim run` on a file with
// an `isocost:` key runs this too.
#include <iostream>

#include <boost/program_options.hpp>

#include "cli/command.h"
#include "cli/command_line.h"
#include "cli/isocost_command.h"
#include "core/input_error.h"
#include "core/yaml_file.h"
#include "experiments/isocost_study.h"

namespace sparsesim::cli {

int run_isocost_file(const std::string& path, bool all_points) {
  const YAML::Node document = load_yaml_file(path);
  IsocostSpec spec;
  try {
    spec = parse_isocost_study(document, path);
  } catch (const InputError& error) {
    throw InputError(path + ": " + error.what());
  }
  std::cout << format_isocost_report(spec, run_isocost_study(spec), all_points);
  return 0;
}

namespace {

namespace po = boost::program_options;

int isocost_command(int argc, char** argv) {
  po::options_description options(
      "sparsesim isocost STUDY.yaml [options]\n\n"
      "Prices and scores single requests (batch 1) for each model, length, phase and sparsity,\n"
      "and prints the cost-quality Pareto frontier per length and phase and where a larger sparse\n"
      "model beats a smaller dense one at no more cost (The Sparse Frontier, Sec. 4.1).\n\noptions");
  std::string path;
  options.add_options()("help,h", "show this help")("points", "also print every point");
  po::variables_map vm;
  if (!parse_command_line(argc, argv, options, "STUDY.yaml", path, vm)) return 0;
  return run_isocost_file(path, vm.count("points") > 0);
}

const bool registered = register_command(
    {"isocost", "the paper's iso-cost study: Pareto frontier of model size x sparsity at batch 1",
     isocost_command});

}  // namespace
}  // namespace sparsesim::cli
