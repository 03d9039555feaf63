// azure: the Azure LLM inference traces, CSV with header "TIMESTAMP,ContextTokens,GeneratedTokens".
// 2023 (Splitwise, ISCA'24): "2023-11-16 18:17:03.9799600" (wall clock, 7 fractional digits, no zone).
// 2024 week-long (DynamoLLM, HPCA'25): same columns, "2024-05-10 00:00:00.009930+00:00" (6 digits, UTC
// offset). Columns are found by header name, so their order does not matter. No sessions, no prefixes.
#include <algorithm>
#include <memory>

#include "core/text_scan.h"
#include "workloads/trace_reader_support.h"

namespace sparsesim {
namespace {

constexpr std::string_view kTimestamp = "TIMESTAMP";
constexpr std::string_view kContext = "ContextTokens";
constexpr std::string_view kGenerated = "GeneratedTokens";

class AzureReader final : public TraceReader {
 public:
  explicit AzureReader(const Params&) {}

  bool sniff(const std::string& first_line) const override {
    std::vector<std::string_view> fields;
    if (!split_csv_line(first_line, ',', fields)) return false;
    bool timestamp = false, context = false, generated = false;
    for (auto field : fields) {
      field = trim_blanks(field);
      timestamp |= field == kTimestamp;
      context |= field == kContext;
      generated |= field == kGenerated;
    }
    return timestamp && context && generated;
  }

  void read(const std::string& path, const std::function<void(Request&&)>& sink,
            TraceLoadReport& report) const override {
    LineReader lines(path);
    std::string_view line;
    std::vector<std::string_view> fields;
    while (lines.next(line) && trim_blanks(line).empty()) {
    }
    if (lines.line_number() == 0 || trim_blanks(line).empty())
      throw InputError(path, 0, "", "empty file, expected a header TIMESTAMP,ContextTokens,GeneratedTokens");
    split_csv_line(line, ',', fields);
    std::size_t timestamp_at = fields.size(), context_at = fields.size(), generated_at = fields.size();
    for (std::size_t i = 0; i < fields.size(); ++i) {
      const auto name = trim_blanks(fields[i]);
      if (name == kTimestamp) timestamp_at = i;
      if (name == kContext) context_at = i;
      if (name == kGenerated) generated_at = i;
    }
    for (auto [at, name] :
         {std::pair{timestamp_at, kTimestamp}, {context_at, kContext}, {generated_at, kGenerated}})
      if (at == fields.size())
        throw_row_error(lines, name, "a header with column '" + std::string(name) + "'", line);
    const std::size_t needed = std::max({timestamp_at, context_at, generated_at}) + 1;

    RowEmitter emitter(sink, report);
    Request request;
    while (lines.next(line)) {
      if (trim_blanks(line).empty()) continue;
      if (!split_csv_line(line, ',', fields)) throw_row_error(lines, "", "a closing quote", line);
      if (fields.size() < needed)
        throw_row_error(lines, "", std::to_string(needed) + " comma-separated fields", line);
      const auto timestamp = trim_blanks(fields[timestamp_at]);
      if (!parse_wall_clock_ns(timestamp, request.arrival_ns))
        throw_row_error(lines, kTimestamp,
                        "a time 'YYYY-MM-DD HH:MM:SS.fffffff[+HH:MM]' on a real date between 1678 and 2261",
                        timestamp);
      request.input_tokens = parse_token_count(lines, kContext, fields[context_at]);
      request.output_tokens = parse_token_count(lines, kGenerated, fields[generated_at]);
      emitter.emit(request);
    }
  }
};

const bool registered = TraceReaderRegistry::instance().add(
    {"azure",
     "Azure LLM inference CSV (2023 and 2024 week-long): TIMESTAMP, ContextTokens, GeneratedTokens",
     {},
     [](const Params& params) { return std::make_unique<AzureReader>(params); }});

}  // namespace
}  // namespace sparsesim
