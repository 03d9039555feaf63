// sparsesim export RESULTS.db --table runs|requests|sweep_points [-o FILE.csv]
#include <fstream>
#include <iostream>

#include <boost/program_options.hpp>

#include "cli/command.h"
#include "cli/command_line.h"
#include "experiments/results_store.h"
#include "workloads/input_error.h"

namespace sparsesim::cli {
namespace {

namespace po = boost::program_options;

// RFC 4180 quoting: only when the field needs it.
std::string csv_field(const std::string& text) {
  if (text.find_first_of(",\"\n\r") == std::string::npos) return text;
  std::string quoted = "\"";
  for (char c : text) quoted += c == '"' ? std::string("\"\"") : std::string(1, c);
  return quoted + "\"";
}

int export_command(int argc, char** argv) {
  po::options_description options(
      "sparsesim export RESULTS.db [--table T] [-o FILE.csv]\n\n"
      "Exports one table of a results database as CSV (to stdout by default).\n\noptions");
  std::string db_path, table, out_path;
  options.add_options()("help,h", "show this help")("table,t", po::value(&table)->default_value("runs"),
                                                    "runs, requests or sweep_points")(
      "output,o", po::value(&out_path), "CSV file to write (default: stdout)");
  po::variables_map vm;
  if (!parse_command_line(argc, argv, options, "RESULTS.db", db_path, vm)) return 0;
  if (table != "runs" && table != "requests" && table != "sweep_points")
    throw InputError("--table: expected runs, requests or sweep_points, got '" + table + "'");
  auto db = open_results(db_path);
  std::ofstream file;
  if (!out_path.empty()) {
    file.open(out_path);
    if (!file) throw InputError(out_path + ": cannot write");
  }
  std::ostream& out = out_path.empty() ? std::cout : file;
  SqliteStatement query(*db, "SELECT * FROM " + table + " ORDER BY 1" + (table == "requests" ? ", 2" : ""));
  for (int c = 0; c < query.column_count(); ++c) out << (c ? "," : "") << query.column_name(c);
  out << "\n";
  while (query.step()) {
    for (int c = 0; c < query.column_count(); ++c) out << (c ? "," : "") << csv_field(query.column_text(c));
    out << "\n";
  }
  return 0;
}

const bool registered = register_command(
    {"export", "export a results table (runs, requests, sweep_points) to CSV", export_command});

}  // namespace
}  // namespace sparsesim::cli
