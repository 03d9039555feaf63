// csv: a generic CSV trace whose columns are named in the experiment YAML, e.g.
//   workload: {trace: my.csv, format: csv,
//              reader: {arrival_column: t, arrival_unit: ms, input_column: prompt, output_column: answer}}
// Never chosen by sniffing (any CSV would match): name it with `format: csv`. Workflows (DAGs of calls)
// come from optional columns, e.g. reader: {..., id_column: call, parent_column: parents,
// workflow_column: job, think_time_column: think_s}.
#include <memory>

#include "core/input_error.h"
#include "workloads/csv_columns_reader.h"

namespace sparsesim {
namespace {

class GenericCsvReader final : public TraceReader {
 public:
  explicit GenericCsvReader(const Params& params) {
    mapping_.arrival_column = params.get_string("arrival_column");
    mapping_.arrival_unit = params.get_string("arrival_unit");
    mapping_.input_column = params.get_string("input_column");
    mapping_.output_column = params.get_string("output_column");
    mapping_.session_column = params.get_string("session_column");
    workflow_.id_column = params.get_string("id_column");
    workflow_.parent_column = params.get_string("parent_column");
    workflow_.workflow_column = params.get_string("workflow_column");
    workflow_.think_time_column = params.get_string("think_time_column");
    const std::string delimiter = params.get_string("delimiter");
    if (delimiter.size() != 1 || delimiter[0] == '"')
      throw InputError(params.yaml_path() + ".delimiter: expected one character other than '\"', got '" +
                       delimiter + "'");
    mapping_.delimiter = delimiter[0];
    mapping_.has_header = params.get_bool("has_header");
    mapping_.skip_zero_output = params.get_bool("skip_zero_output");
    mapping_.skip_reason = "skip_zero_output is set";
    validate_mapping(mapping_, params.yaml_path(), workflow_);
  }

  bool sniff(const std::string&) const override { return false; }

  void read(const std::string& path, const std::function<void(Request&&)>& sink,
            TraceLoadReport& report) const override {
    read_mapped_csv(mapping_, path, sink, report, workflow_);
  }

 private:
  CsvColumnMapping mapping_;
  CsvWorkflowColumns workflow_;
};

const bool registered = TraceReaderRegistry::instance().add(
    {"csv",
     "generic CSV, columns named in the YAML (never sniffed)",
     {{"arrival_column", "arrival", "column holding the arrival time"},
      {"arrival_unit", "s", "s, ms, us, ns (decimal numbers) or datetime (YYYY-MM-DD HH:MM:SS[.f][+HH:MM])"},
      {"input_column", "input_tokens", "column holding prompt tokens (> 0)"},
      {"output_column", "output_tokens", "column holding output tokens (> 0)"},
      {"session_column", "''", "column holding a session key (any string); '' = no sessions"},
      {"id_column", "''", "column holding a row's own id (any string, unique); '' = none"},
      {"parent_column", "''",
       "column holding parent ids separated by ';' or blanks (empty = none; needs id_column): the row "
       "arrives after its parents finish"},
      {"workflow_column", "''", "column holding a workflow key (any string); '' = no workflows"},
      {"think_time_column", "''", "column holding seconds between the last parent's end and this row"},
      {"delimiter", "','", "field separator, one character"},
      {"has_header", "true", "first line names the columns; false = columns are 0-based indices"},
      {"skip_zero_output", "false",
       "skip rows with 0 output tokens (counted in a warning) instead of failing"}},
     [](const Params& params) { return std::make_unique<GenericCsvReader>(params); }});

}  // namespace
}  // namespace sparsesim
