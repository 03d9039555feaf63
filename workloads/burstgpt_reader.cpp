// burstgpt: the BurstGPT CSV traces (Wang et al., KDD'25), header
//   Timestamp,Model,Request tokens,Response tokens,Total tokens,Log Type
// Timestamp is seconds since the trace start. Rows with 0 response tokens are failed requests in
// BurstGPT; they are skipped and counted in a warning (set skip_failed: false to treat them as errors).
// The Model and Log Type columns are not used.
#include <memory>

#include "core/text_scan.h"
#include "workloads/csv_columns_reader.h"

namespace sparsesim {
namespace {

class BurstGptReader final : public TraceReader {
 public:
  explicit BurstGptReader(const Params& params)
      : mapping_{.arrival_column = std::string("Timestamp"),
                 .arrival_unit = std::string("s"),
                 .input_column = std::string("Request tokens"),
                 .output_column = std::string("Response tokens"),
                 .session_column = std::string(),
                 .delimiter = ',',
                 .has_header = true,
                 .skip_zero_output = params.get_bool("skip_failed"),
                 .skip_reason = std::string("failed requests")} {}

  bool sniff(const std::string& first_line) const override {
    std::vector<std::string_view> fields;
    if (!split_csv_line(first_line, ',', fields)) return false;
    bool timestamp = false, request = false, response = false;
    for (auto field : fields) {
      field = trim_blanks(field);
      timestamp |= field == "Timestamp";
      request |= field == "Request tokens";
      response |= field == "Response tokens";
    }
    return timestamp && request && response;
  }

  void read(const std::string& path, const std::function<void(Request&&)>& sink,
            TraceLoadReport& report) const override {
    read_mapped_csv(mapping_, path, sink, report);
  }

 private:
  CsvColumnMapping mapping_;
};

const bool registered = TraceReaderRegistry::instance().add(
    {"burstgpt",
     "BurstGPT CSV: Timestamp (s), Model, Request tokens, Response tokens, Total tokens, Log Type",
     {{"skip_failed", "true", "skip rows with 0 response tokens (failed requests), counted in a warning"}},
     [](const Params& params) { return std::make_unique<BurstGptReader>(params); }});

}  // namespace
}  // namespace sparsesim
