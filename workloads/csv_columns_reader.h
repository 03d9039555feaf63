#pragma once
// The CSV engine behind the `csv` (generic, columns mapped in YAML) and `burstgpt` readers: columns found
// by header name (or by 0-based index when the file has no header), arrival as a decimal number in a unit
// or a wall-clock time, optional session column. Streams; no per-row allocation except for new sessions.
#include <string>

#include "workloads/trace_reader.h"

namespace sparsesim {

struct CsvColumnMapping {
  std::string arrival_column;
  std::string arrival_unit = "s";  // "s", "ms", "us", "ns" (decimal numbers) or "datetime" (wall clock)
  std::string input_column;
  std::string output_column;
  std::string session_column;  // "" = the trace has no sessions
  char delimiter = ',';
  bool has_header = true;         // false: the *_column values are 0-based indices
  bool skip_zero_output = false;  // skip (and count in a warning) rows with 0 output tokens
  std::string skip_reason;        // how the warning names skipped rows, e.g. "failed requests"
};

// Throws InputError naming `yaml_path` on a bad mapping (unknown unit, missing column names).
void validate_mapping(const CsvColumnMapping& mapping, const std::string& yaml_path);

// Streams `path` as described by `mapping` (TraceReader::read semantics).
void read_mapped_csv(const CsvColumnMapping& mapping, const std::string& path,
                     const std::function<void(Request&&)>& sink, TraceLoadReport& report);

}  // namespace sparsesim
