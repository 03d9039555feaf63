// load_trace, sniff_trace_format and the registry helpers of trace_loading.h.
#include "workloads/trace_loading.h"

#include <algorithm>
#include <stdexcept>

#include "core/input_error.h"
#include "core/text_scan.h"
#include "workloads/line_reader.h"
#include "workloads/trace_links.h"

namespace sparsesim {
namespace {

const TraceReaderRegistry::Entry& reader_entry(const std::string& format, const std::string& where) {
  return TraceReaderRegistry::instance().get_for_input(format, where + ": trace format");
}

}  // namespace

Params bind_trace_reader_params(const std::string& format, const YAML::Node& node,
                                const std::string& yaml_path) {
  return Params(node, yaml_path, reader_entry(format, yaml_path).params, {});
}

std::unique_ptr<TraceReader> make_trace_reader(const std::string& format, const Params& params) {
  const auto& entry = reader_entry(format, params.yaml_path().empty() ? "format" : params.yaml_path());
  if (params.yaml_path().empty())
    return entry.factory(Params(YAML::Node(), "workload.reader", entry.params, {}));
  return entry.factory(params);
}

std::string sniff_trace_format(const std::string& path) {
  LineReader lines(path);
  std::string_view line;
  while (lines.next(line) && trim_blanks(line).empty()) {
  }
  if (lines.line_number() == 0 || trim_blanks(line).empty())
    throw InputError(path, 0, "", "empty file: cannot tell its trace format");
  const std::string first_line(line);
  std::string known;
  for (const auto* entry : TraceReaderRegistry::instance().entries()) {
    known += (known.empty() ? "" : ", ") + entry->name;
    const auto reader = make_trace_reader(entry->name);
    if (reader->sniff(first_line)) return entry->name;
  }
  throw InputError(
      path, lines.line_number(), "",
      "cannot tell the trace format from this line; name it with format: (one of " + known + ")");
}

void stream_trace(const std::string& path, const std::string& format,
                  const std::function<void(Request&&)>& sink, TraceLoadReport& report,
                  const Params& reader_params) {
  report.path = path;
  report.format = format.empty() ? sniff_trace_format(path) : format;
  const auto reader = make_trace_reader(report.format, reader_params);
  reader->read(path, sink, report);
}

std::vector<Request> load_trace(const std::string& path, const std::string& format, TraceLoadReport& report,
                                const Params& reader_params) {
  std::vector<Request> requests;
  stream_trace(
      path, format, [&](Request&& request) { requests.push_back(std::move(request)); }, report,
      reader_params);
  if (requests.empty()) throw InputError(path, 0, "", "the trace has no rows");
  if (report.out_of_order_rows > 0) {
    std::stable_sort(requests.begin(), requests.end(),
                     [](const Request& a, const Request& b) { return a.arrival_ns < b.arrival_ns; });
    // Rows earlier than the first row have negative relative times: the trace starts at the earliest row.
    const TimeNs earliest_ns = requests.front().arrival_ns;
    for (auto& request : requests) request.arrival_ns -= earliest_ns;
    report.warnings.push_back(
        std::to_string(report.out_of_order_rows) +
        " rows arrived earlier than the row before them; sorted stably by arrival time");
  }
  std::vector<std::uint64_t> final_id_of_row;  // only needed when the trace names parents
  if (!report.parent_links.empty()) final_id_of_row.resize(requests.size());
  for (std::size_t index = 0; index < requests.size(); ++index) {
    if (!final_id_of_row.empty()) final_id_of_row.at(requests[index].id) = index;
    requests[index].id = index;
  }
  if (!report.parent_links.empty()) apply_parent_links(requests, report.parent_links, final_id_of_row);
  return requests;
}

}  // namespace sparsesim
