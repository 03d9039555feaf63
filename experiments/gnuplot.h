#pragma once
// Renders plots with gnuplot (Debian package gnuplot-nox). A plot is a gnuplot script body plus named
// inline data blocks; it is rendered to SVG (embedded in HTML reports) and to PNG. Throws
// std::runtime_error naming the problem when gnuplot is missing or fails.
#include <string>
#include <vector>

namespace sparsesim {

struct PlotData {
  std::string name;  // referenced in the script as $name
  std::string rows;  // whitespace-separated columns, one row per line; blank lines separate blocks
};

struct Plot {
  std::string file_stem;  // "quality_vs_compute"
  std::string script;     // gnuplot commands after the terminal is set (set xlabel ..., plot $data ...)
  std::vector<PlotData> data;
};

// A gnuplot single-quoted string literal holding `text` exactly (a quote inside is doubled).
std::string gnuplot_quoted(const std::string& text);

bool gnuplot_available();
// Returns the SVG text and writes `<png_dir>/<file_stem>.png` when png_dir is not empty.
std::string render_plot(const Plot& plot, const std::string& png_dir);

}  // namespace sparsesim
