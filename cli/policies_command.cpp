// `sparsesim policies`: every registered budget policy with its rule, its scale knob and its parameters
// (name, default, meaning), so a user can write a `policies:` list without reading the source.
#include <iostream>
#include <sstream>
#include <stdexcept>
#include <string>

#include <boost/program_options.hpp>

#include "cli/command.h"
#include "core/input_error.h"
#include "policies/budget_policy.h"
#include "policies/policy_knob_docs.h"

namespace sparsesim::cli {
namespace {

// " [tunable: 0.05 to 1, log scale]" for a parameter `tune:` may search; "" otherwise.
std::string tunable_text(const ParamSpec& param) {
  if (!param.tune) return "";
  if (param.tune->kind == TuneRange::Kind::boolean) return " [tunable: false or true]";
  std::ostringstream text;
  text << " [tunable: " << param.tune->min << " to " << param.tune->max
       << (param.tune->kind == TuneRange::Kind::integer ? ", integer" : "")
       << (param.tune->log ? ", log scale" : "") << "]";
  return text.str();
}

int run_policies(int argc, char** argv) {
  namespace po = boost::program_options;
  po::options_description options("sparsesim policies: list the budget policies and their parameters");
  options.add_options()("help,h", "show this help")("name", po::value<std::string>(),
                                                    "show only this policy");
  po::positional_options_description positional;
  positional.add("name", 1);
  po::variables_map values;
  po::store(po::command_line_parser(argc, argv).options(options).positional(positional).run(), values);
  po::notify(values);
  if (values.count("help")) {
    std::cout << "usage: sparsesim policies [name]\n\n"
              << options
              << "\nUse a policy in an experiment's `policies:` list as a bare name (defaults) or as\n"
                 "{impl: <name>, <parameter>: <value>, ...}.\n";
    return 0;
  }
  const auto& registry = PolicyRegistry::instance();
  const std::string only = values.count("name") ? values["name"].as<std::string>() : "";
  if (!only.empty()) registry.get_for_input(only, "");  // a usage error (exit 2) listing the known policies
  for (const auto* entry : registry.entries()) {
    if (!only.empty() && entry->name != only) continue;
    std::cout << entry->name << "\n  " << entry->description << "\n";
    if (const PolicyKnobDoc* knob = policy_knob_doc(entry->name))
      std::cout << "  knob: " << knob->name << ": " << knob->doc << "\n";
    if (entry->params.empty()) std::cout << "  parameters: none\n";
    for (const auto& param : entry->params)
      std::cout << "  - " << param.name
                << " (default: " << (param.default_value.empty() ? "required" : param.default_value)
                << "): " << param.doc << tunable_text(param) << "\n";
    std::cout << "\n";
  }
  return 0;
}

const bool registered =
    register_command({"policies", "list budget policies, their scale knobs and parameters", run_policies});

}  // namespace
}  // namespace sparsesim::cli
