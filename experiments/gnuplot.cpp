#include "experiments/gnuplot.h"

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include <unistd.h>

#include "core/atomic_file.h"
#include "core/shell_quote.h"

namespace sparsesim {
namespace {

namespace fs = std::filesystem;

std::string data_blocks(const Plot& plot) {
  std::string text;
  for (const auto& data : plot.data) text += "$" + data.name + " << EOD\n" + data.rows + "EOD\n";
  return text;
}

void run_gnuplot(const std::string& script_text, const fs::path& work_dir) {
  const fs::path script = work_dir / "plot.gp";
  std::ofstream(script) << script_text;
  const std::string command =
      "gnuplot " + shell_quoted(script.string()) + " 2> " + shell_quoted((work_dir / "gnuplot.err").string());
  if (std::system(command.c_str()) != 0) {
    std::ifstream errors(work_dir / "gnuplot.err");
    std::stringstream text;
    text << errors.rdbuf();
    throw std::runtime_error("gnuplot failed: " + text.str().substr(0, 400));
  }
}

}  // namespace

std::string gnuplot_quoted(const std::string& text) {
  std::string quoted = "'";
  for (char c : text) quoted += c == '\'' ? std::string("''") : std::string(1, c);
  return quoted + "'";
}

bool gnuplot_available() {
  return std::system("gnuplot --version > /dev/null 2>&1") == 0;
}

std::string render_plot(const Plot& plot, const std::string& png_dir) {
  if (!gnuplot_available())
    throw std::runtime_error(
        "gnuplot not found: install the Debian package gnuplot-nox (scripts/install-deps)");
  const fs::path work_dir =
      fs::temp_directory_path() / ("sparsesim-plot-" + std::to_string(::getpid()) + "-" + plot.file_stem);
  fs::create_directories(work_dir);
  const fs::path svg = work_dir / (plot.file_stem + ".svg");
  const std::string body = data_blocks(plot) + plot.script + "\n";
  run_gnuplot("set terminal svg size 860,480 dynamic font 'Helvetica,12'\nset output " +
                  gnuplot_quoted(svg.string()) + "\n" + body,
              work_dir);
  if (!png_dir.empty()) {
    fs::create_directories(png_dir);
    const fs::path png = fs::path(png_dir) / (plot.file_stem + ".png");
    const std::string temporary = temporary_sibling(png.string());
    run_gnuplot("set terminal pngcairo size 1200,680 font 'Helvetica,12'\nset output " +
                    gnuplot_quoted(temporary) + "\n" + body,
                work_dir);
    commit_produced_file(temporary, png.string());
  }
  std::ifstream input(svg);
  std::stringstream text;
  text << input.rdbuf();
  fs::remove_all(work_dir);
  if (text.str().find("<svg") == std::string::npos)
    throw std::runtime_error("gnuplot wrote no SVG for " + plot.file_stem + " (is " +
                             fs::temp_directory_path().string() + " full?)");
  return text.str();
}

}  // namespace sparsesim
