#include "workloads/csv_columns_reader.h"

#include <algorithm>
#include <string_view>
#include <unordered_map>

#include "core/text_scan.h"
#include "workloads/trace_links.h"
#include "workloads/trace_reader_support.h"

namespace sparsesim {
namespace {

// Heterogeneous lookup so a session cell (string_view) is looked up without building a std::string.
struct StringHash {
  using is_transparent = void;
  std::size_t operator()(std::string_view text) const { return std::hash<std::string_view>{}(text); }
};

TimeNs unit_ns(const std::string& unit) {
  if (unit == "s") return kNsPerSecond;
  if (unit == "ms") return kNsPerMs;
  if (unit == "us") return kNsPerUs;
  if (unit == "ns") return 1;
  return 0;  // "datetime" or invalid
}

constexpr std::size_t kAbsent = static_cast<std::size_t>(-1);

}  // namespace

void validate_mapping(const CsvColumnMapping& mapping, const std::string& yaml_path,
                      const CsvWorkflowColumns& workflow) {
  if (mapping.arrival_unit != "datetime" && unit_ns(mapping.arrival_unit) == 0)
    throw InputError(yaml_path + ".arrival_unit: expected one of s, ms, us, ns, datetime; got '" +
                     mapping.arrival_unit + "'");
  if (!workflow.parent_column.empty() && workflow.id_column.empty())
    throw InputError(yaml_path + ".parent_column: needs id_column (parents are named by their ids)");
  for (auto [name, value] :
       {std::pair<const char*, const std::string*>{"arrival_column", &mapping.arrival_column},
        {"input_column", &mapping.input_column},
        {"output_column", &mapping.output_column}}) {
    if (value->empty()) throw InputError(yaml_path + "." + name + ": expected a column name");
    std::int64_t index = 0;
    if (!mapping.has_header && (!parse_int64(*value, index) || index < 0))
      throw InputError(yaml_path + "." + name + ": without a header, expected a 0-based column index, got '" +
                       *value + "'");
  }
  for (auto [name, value] :
       {std::pair<const char*, const std::string*>{"session_column", &mapping.session_column},
        {"id_column", &workflow.id_column},
        {"parent_column", &workflow.parent_column},
        {"workflow_column", &workflow.workflow_column},
        {"think_time_column", &workflow.think_time_column}}) {
    std::int64_t index = 0;
    if (!mapping.has_header && !value->empty() && (!parse_int64(*value, index) || index < 0))
      throw InputError(yaml_path + "." + name + ": without a header, expected a 0-based column index, got '" +
                       *value + "'");
  }
}

void read_mapped_csv(const CsvColumnMapping& mapping, const std::string& path,
                     const std::function<void(Request&&)>& sink, TraceLoadReport& report,
                     const CsvWorkflowColumns& workflow) {
  LineReader lines(path);
  std::vector<std::string_view> fields;
  std::string_view line;
  std::size_t arrival_at = kAbsent, input_at = kAbsent, output_at = kAbsent, session_at = kAbsent;
  std::size_t id_at = kAbsent, parent_at = kAbsent, workflow_at = kAbsent, think_time_at = kAbsent;
  const std::pair<const std::string*, std::size_t*> columns[] = {
      {&mapping.arrival_column, &arrival_at},
      {&mapping.input_column, &input_at},
      {&mapping.output_column, &output_at},
      {&mapping.session_column, &session_at},
      {&workflow.id_column, &id_at},
      {&workflow.parent_column, &parent_at},
      {&workflow.workflow_column, &workflow_at},
      {&workflow.think_time_column, &think_time_at}};
  if (mapping.has_header) {
    while (lines.next(line) && trim_blanks(line).empty()) {
    }
    if (trim_blanks(line).empty() || lines.line_number() == 0)
      throw InputError(path, 0, "", "empty file, expected a header line");
    if (!split_csv_line(line, mapping.delimiter, fields)) throw_row_error(lines, "", "a closing quote", line);
    for (const auto& [name, at] : columns) {
      if (name->empty()) continue;
      for (std::size_t i = 0; i < fields.size(); ++i)
        if (trim_blanks(fields[i]) == *name) *at = i;
      if (*at == kAbsent) throw_row_error(lines, *name, "a header with column '" + *name + "'", line);
    }
  } else {
    for (const auto& [name, at] : columns) {
      std::int64_t index = 0;
      if (!name->empty() && parse_int64(*name, index)) *at = static_cast<std::size_t>(index);
    }
  }
  std::size_t needed = 0;
  for (const auto& [name, at] : columns)
    if (*at != kAbsent) needed = std::max(needed, *at + 1);

  const TimeNs arrival_unit_ns = unit_ns(mapping.arrival_unit);
  const std::string arrival_expected = arrival_unit_ns == 0
                                           ? "a time 'YYYY-MM-DD HH:MM:SS[.f][+HH:MM]'"
                                           : "a non-negative number of " + mapping.arrival_unit;
  std::unordered_map<std::string, std::int64_t, StringHash, std::equal_to<>> session_ids;
  std::unordered_map<std::string, std::int64_t, StringHash, std::equal_to<>> workflow_ids;
  TraceLinkCollector links(path, workflow.id_column, workflow.parent_column);
  std::uint64_t next_row_id = 0;  // the id RowEmitter gives the next emitted row
  std::int64_t skipped = 0;
  RowEmitter emitter(sink, report);
  Request request;
  while (lines.next(line)) {
    if (trim_blanks(line).empty()) continue;
    if (!split_csv_line(line, mapping.delimiter, fields)) throw_row_error(lines, "", "a closing quote", line);
    if (fields.size() < needed)
      throw_row_error(lines, "", "at least " + std::to_string(needed) + " fields", line);
    const auto arrival = trim_blanks(fields[arrival_at]);
    const bool arrival_ok = arrival_unit_ns == 0
                                ? parse_wall_clock_ns(arrival, request.arrival_ns)
                                : parse_decimal_ns(arrival, arrival_unit_ns, request.arrival_ns);
    if (!arrival_ok) throw_row_error(lines, mapping.arrival_column, arrival_expected, arrival);
    if (mapping.skip_zero_output) {
      std::int64_t output = 0;
      if (parse_int64(trim_blanks(fields[output_at]), output) && output == 0) {
        ++skipped;
        continue;
      }
    }
    request.input_tokens = parse_token_count(lines, mapping.input_column, fields[input_at]);
    request.output_tokens = parse_token_count(lines, mapping.output_column, fields[output_at]);
    if (session_at != kAbsent) {
      const auto session = trim_blanks(fields[session_at]);
      auto found = session_ids.find(session);
      if (found == session_ids.end())
        found =
            session_ids.emplace(std::string(session), static_cast<std::int64_t>(session_ids.size())).first;
      request.session_id = found->second;
    }
    if (workflow_at != kAbsent) {
      const auto workflow = trim_blanks(fields[workflow_at]);
      auto found = workflow_ids.find(workflow);
      if (found == workflow_ids.end())
        found =
            workflow_ids.emplace(std::string(workflow), static_cast<std::int64_t>(workflow_ids.size())).first;
      request.workflow_id = found->second;
    }
    if (think_time_at != kAbsent) {
      const auto think_time = trim_blanks(fields[think_time_at]);
      if (!think_time.empty() && !parse_decimal_ns(think_time, kNsPerSecond, request.think_time_ns))
        throw_row_error(lines, workflow.think_time_column, "a non-negative number of seconds", think_time);
    }
    if (id_at != kAbsent && parent_at != kAbsent)
      links.add_row(next_row_id, lines.line_number(), trim_blanks(fields[id_at]));
    if (parent_at != kAbsent)
      links.add_parents(next_row_id, lines.line_number(), trim_blanks(fields[parent_at]));
    emitter.emit(request);
    ++next_row_id;
  }
  if (parent_at != kAbsent) links.finish(report);
  if (skipped > 0)
    report.warnings.push_back(std::to_string(skipped) + " rows with 0 " + mapping.output_column +
                              " skipped (" + mapping.skip_reason + ")");
}

}  // namespace sparsesim
