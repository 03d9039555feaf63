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

// Optional columns describing DAG workflows ("" = absent), kept apart from CsvColumnMapping so readers
// that initialise that mapping member by member need not name them: a row's own id (any string, unique),
// its parents' ids (separated by ';' or blanks; empty = none; needs id_column), a workflow key (any
// string -> dense workflow ids in order of first appearance) and the think time in seconds between the
// last parent's end and the row's arrival. Same naming rule as the mapping (index when has_header is off).
struct CsvWorkflowColumns {
  std::string id_column;
  std::string parent_column;
  std::string workflow_column;
  std::string think_time_column;
};

// Throws InputError naming `yaml_path` on a bad mapping (unknown unit, missing column names, parent_column
// without id_column).
void validate_mapping(const CsvColumnMapping& mapping, const std::string& yaml_path,
                      const CsvWorkflowColumns& workflow = {});

// Streams `path` as described by `mapping` (TraceReader::read semantics). With parent_column, parent
// links are resolved at the end of the file into report.parent_links (see trace_reader.h).
void read_mapped_csv(const CsvColumnMapping& mapping, const std::string& path,
                     const std::function<void(Request&&)>& sink, TraceLoadReport& report,
                     const CsvWorkflowColumns& workflow = {});

}  // namespace sparsesim
