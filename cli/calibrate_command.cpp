// `sparsesim calibrate`: measure the kernels on a device, fit each op's cost form, store the profile, and
// print how well the fit predicts held-out and extrapolated points.
#include <iostream>
#include <string>

#include <boost/program_options.hpp>

#include "calibration/calibrate.h"
#include "calibration/measurement_backends.h"
#include "cli/command.h"
#include "core/input_error.h"

namespace sparsesim::cli {
namespace {

int run_calibrate(int argc, char** argv) {
  namespace po = boost::program_options;
  po::options_description options(
      "sparsesim calibrate: measure kernel costs on a device and fit a cost profile");
  options.add_options()("help,h", "show this help")("device", po::value<std::string>()->default_value("cpu"),
                                                    "cpu, cuda (device 0) or cuda:N")(
      "quick", "CUDA: the quick grid (sized to finish within 10 minutes on an H100) instead of the full one")(
      "out", po::value<std::string>(), "profile file to write (SQLite); replaced if it exists")(
      "model", po::value<std::string>(),
      "model name or YAML path whose head shape and linear-layer shapes the grid uses (default Qwen2.5-7B)")(
      "seed", po::value<std::uint64_t>()->default_value(1),
      "seed of the inputs, the grid order and the holdout split")("verbose,v",
                                                                  "print one line per measured case");
  po::variables_map values;
  po::store(po::command_line_parser(argc, argv).options(options).run(), values);
  po::notify(values);
  if (values.count("help")) {
    std::cout
        << "usage: sparsesim calibrate --device cuda[:N] | cpu [--quick] --out PROFILE.db [--model NAME]\n\n"
        << options
        << "\nThe CPU backend runs the reference kernels on a tiny grid (seconds): it exercises the "
           "pipeline\n"
           "and describes this CPU only. Use the profile in an experiment with\n"
           "  cost_model: {profile: PROFILE.db}\n"
           "The report gives, per op, the median and p95 of |predicted - measured| / measured on the\n"
           "points themselves, on a held-out 20%, on the longest length (fitted on lengths up to half\n"
           "of it) and on density 0.05 (fitted on density >= 0.1).\n";
    return 0;
  }
  if (!values.count("out")) throw InputError("--out: required (the profile file to write)");
  const std::string device = values["device"].as<std::string>();
  const std::string out_path = values["out"].as<std::string>();

  CalibrationOptions calibration;
  calibration.seed = values["seed"].as<std::uint64_t>();
  if (values.count("model")) {
    calibration.model_name = values["model"].as<std::string>();
    calibration.model = load_model_config(calibration.model_name);
    calibration.model_name = calibration.model.name.empty() ? calibration.model_name : calibration.model.name;
  }
  auto backend = make_backend(device);  // clear InputError for cuda without CUDA or without a device
  calibration.grid = device == "cpu"         ? GridMode::kTiny
                     : values.count("quick") ? GridMode::kQuick
                                             : GridMode::kFull;
  if (values.count("verbose")) calibration.progress = &std::cerr;

  const auto grid_size = make_calibration_grid(calibration.grid, calibration.model, calibration.seed).size();
  std::cout << "calibrating " << backend->describe().name << " (" << device << "), "
            << grid_mode_name(calibration.grid) << " grid, " << grid_size << " cases\n"
            << std::flush;
  const Profile profile = run_calibration(*backend, calibration);
  write_profile(profile, out_path);
  print_fit_report(profile, std::cout);
  std::cout << "measured figures:\n";
  print_headline_figures(profile, std::cout);
  std::cout << "wrote " << out_path << "\n";
  return 0;
}

const bool registered = register_command(
    {"calibrate", "measure kernel costs on a GPU (or the CPU) and fit a cost profile", run_calibrate});

}  // namespace
}  // namespace sparsesim::cli
