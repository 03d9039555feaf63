// sparsesim export RESULTS.db --table runs|requests|sweep_points|sweep_plan [--format csv|jsonl] [-o FILE]
#include <charconv>
#include <cmath>
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
using ColumnType = SqliteStatement::ColumnType;

// RFC 4180 quoting: only when the field needs it.
std::string csv_field(const std::string& text) {
  if (text.find_first_of(",\"\n\r") == std::string::npos) return text;
  std::string quoted = "\"";
  for (char c : text) quoted += c == '"' ? std::string("\"\"") : std::string(1, c);
  return quoted + "\"";
}

// The shortest decimal that reads back as the same double (SQLite's own text keeps 15 digits only).
std::string exact_real(double value) {
  char text[32];
  const auto end = std::to_chars(text, text + sizeof text, value).ptr;
  return std::string(text, end);
}

std::string json_string(const std::string& text) {
  std::string out = "\"";
  for (unsigned char c : text) {
    if (c == '"' || c == '\\') {
      out += '\\', out += static_cast<char>(c);
    } else if (c == '\n') {
      out += "\\n";
    } else if (c == '\t') {
      out += "\\t";
    } else if (c == '\r') {
      out += "\\r";
    } else if (c < 0x20) {
      char escaped[8];
      std::snprintf(escaped, sizeof escaped, "\\u%04x", c);
      out += escaped;
    } else {
      out += static_cast<char>(c);
    }
  }
  return out + "\"";
}

std::string csv_value(const SqliteStatement& query, int column) {
  switch (query.column_type(column)) {
    case ColumnType::real:
      return exact_real(query.column_double(column));
    case ColumnType::null:
      return "";
    default:
      return csv_field(query.column_text(column));
  }
}

// JSON has no NaN or infinity: those (never stored by sparsesim, but possible in a hand-edited file)
// become null rather than invalid JSON.
std::string json_value(const SqliteStatement& query, int column) {
  switch (query.column_type(column)) {
    case ColumnType::integer:
      return query.column_text(column);
    case ColumnType::real: {
      const double value = query.column_double(column);
      return std::isfinite(value) ? exact_real(value) : "null";
    }
    case ColumnType::null:
      return "null";
    default:
      return json_string(query.column_text(column));
  }
}

bool ends_with(const std::string& text, const std::string& suffix) {
  return text.size() >= suffix.size() &&
         text.compare(text.size() - suffix.size(), suffix.size(), suffix) == 0;
}

int export_command(int argc, char** argv) {
  po::options_description options(
      "sparsesim export RESULTS.db [--table T] [--format csv|jsonl] [-o FILE]\n\n"
      "Exports one table of a results database as CSV (a header row, RFC 4180 quoting) or JSON\n"
      "Lines (one object per row, column names as keys, NULL as null), to stdout by default.\n"
      "Reals are written in the shortest form that reads back as the same double.\n\noptions");
  std::string db_path, table, out_path, format;
  options.add_options()("help,h", "show this help")("table,t", po::value(&table)->default_value("runs"),
                                                    "runs, requests, sweep_points or sweep_plan")(
      "format,f", po::value(&format), "csv or jsonl (default: jsonl when FILE ends in .jsonl, else csv)")(
      "output,o", po::value(&out_path), "file to write (default: stdout)");
  po::variables_map vm;
  if (!parse_command_line(argc, argv, options, "RESULTS.db", db_path, vm)) return 0;
  if (table != "runs" && table != "requests" && table != "sweep_points" && table != "sweep_plan")
    throw InputError("--table: expected runs, requests, sweep_points or sweep_plan, got '" + table + "'");
  if (format.empty())
    format = ends_with(out_path, ".jsonl") || ends_with(out_path, ".ndjson") ? "jsonl" : "csv";
  if (format != "csv" && format != "jsonl")
    throw InputError("--format: expected csv or jsonl, got '" + format + "'");
  const bool jsonl = format == "jsonl";
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
  SqliteStatement query(*db, "SELECT * FROM " + table + " ORDER BY 1, 2");
  std::vector<std::string> keys;
  for (int c = 0; c < query.column_count(); ++c)
    keys.push_back(jsonl ? json_string(query.column_name(c)) + ":" : query.column_name(c));
  if (!jsonl) {
    for (int c = 0; c < query.column_count(); ++c)
      buffer += (c ? "," : "") + keys[static_cast<std::size_t>(c)];
    buffer += "\n";
  }
  while (query.step()) {
    if (jsonl) {
      buffer += "{";
      for (int c = 0; c < query.column_count(); ++c)
        buffer += (c ? "," : "") + keys[static_cast<std::size_t>(c)] + json_value(query, c);
      buffer += "}\n";
    } else {
      for (int c = 0; c < query.column_count(); ++c) buffer += (c ? "," : "") + csv_value(query, c);
      buffer += "\n";
    }
    flush(false);
  }
  flush(true);
  if (file) file->commit();
  std::cout.flush();
  if (!std::cout) throw std::runtime_error("export: writing to standard output failed");
  return 0;
}

const bool registered = register_command(
    {"export", "export a results table (runs, requests, sweep points, sweep plan) as CSV or JSON Lines",
     export_command});

}  // namespace
}  // namespace sparsesim::cli
