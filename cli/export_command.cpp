// sparsesim export RESULTS.db --table runs|requests|sweep_points [-o FILE.csv]
#include <fstream>
#include <iostream>
#include <memory>
#include <stdexcept>

#include <boost/program_options.hpp>

#include "cli/command.h"
#include "cli/command_line.h"
#include "core/atomic_file.h"
#include "core/input_error.h"
#include "experiments/results_store.h"

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
  // To a file: written whole or not at all (a full disk leaves the previous file and exits non-zero).
  std::unique_ptr<AtomicFile> file;
  if (!out_path.empty()) file = std::make_unique<AtomicFile>(out_path);
  std::string buffer;
  auto flush = [&](bool last) {
    if (!last && buffer.size() < (1 << 20)) return;
    if (file) {
      file->write(buffer);
    } else {
      std::cout << buffer;
      if (!std::cout) throw std::runtime_error("export: writing to standard output failed");
    }
    buffer.clear();
  };
  SqliteStatement query(*db, "SELECT * FROM " + table + " ORDER BY 1" + (table == "requests" ? ", 2" : ""));
  for (int c = 0; c < query.column_count(); ++c) buffer += (c ? "," : "") + query.column_name(c);
  buffer += "\n";
  while (query.step()) {
    for (int c = 0; c < query.column_count(); ++c) buffer += (c ? "," : "") + csv_field(query.column_text(c));
    buffer += "\n";
    flush(false);
  }
  flush(true);
  if (file) file->commit();
  std::cout.flush();
  if (!std::cout) throw std::runtime_error("export: writing to standard output failed");
  return 0;
}

const bool registered = register_command(
    {"export", "export a results table (runs, requests, sweep_points) to CSV", export_command});

}  // namespace
}  // namespace sparsesim::cli
