// csv: a generic CSV trace whose columns are named in the experiment YAML, e.g.
//   workload: {trace: my.csv, format: csv,
//              reader: {arrival_column: t, arrival_unit: ms, input_column: prompt, output_column: answer}}
// Never chosen by sniffing (any CSV would match): name it with `format: csv`.
#include <memory>

#include "workloads/csv_columns_reader.h"
#include "workloads/input_error.h"

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
    const std::string delimiter = params.get_string("delimiter");
    if (delimiter.size() != 1 || delimiter[0] == '"')
      throw InputError(params.yaml_path() + ".delimiter: expected one character other than '\"', got '" +
                       delimiter + "'");
    mapping_.delimiter = delimiter[0];
    mapping_.has_header = params.get_bool("has_header");
    mapping_.skip_zero_output = params.get_bool("skip_zero_output");
    mapping_.skip_reason = "skip_zero_output is set";
    validate_mapping(mapping_, params.yaml_path());
  }

  bool sniff(const std::string&) const override { return false; }

  void read(const std::string& path, const std::function<void(Request&&)>& sink,
            TraceLoadReport& report) const override {
    read_mapped_csv(mapping_, path, sink, report);
  }

 private:
  CsvColumnMapping mapping_;
};

const bool registered = TraceReaderRegistry::instance().add(
    {"csv",
     "generic CSV, columns named in the YAML (never sniffed)",
     {{"arrival_column", "arrival", "column holding the arrival time"},
      {"arrival_unit", "s", "s, ms, us, ns (decimal numbers) or datetime (YYYY-MM-DD HH:MM:SS[.f][+HH:MM])"},
      {"input_column", "input_tokens", "column holding prompt tokens (> 0)"},
      {"output_column", "output_tokens", "column holding output tokens (> 0)"},
      {"session_column", "''", "column holding a session key (any string); '' = no sessions"},
      {"delimiter", "','", "field separator, one character"},
      {"has_header", "true", "first line names the columns; false = columns are 0-based indices"},
      {"skip_zero_output", "false",
       "skip rows with 0 output tokens (counted in a warning) instead of failing"}},
     [](const Params& params) { return std::make_unique<GenericCsvReader>(params); }});

}  // namespace
}  // namespace sparsesim
