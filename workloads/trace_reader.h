#pragma once
// Trace readers turn a production trace file into Requests. One reader per format, each in its own
// .cpp file, registered by format name; `load_trace` picks one by name or by sniffing the file.
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "core/registry.h"
#include "workloads/request.h"

namespace sparsesim {

// A trace row's parents (DAG workflows read from a trace), by row id: the Request::id the reader emitted
// (0-based index among emitted rows). See TraceLoadReport::parent_links.
struct TraceParentLink {
  std::uint64_t row_id = 0;
  std::vector<std::uint64_t> parent_row_ids;
};

// What loading repaired or warned about; printed and stored with the run.
struct TraceLoadReport {
  std::string path;
  std::string format;
  std::int64_t rows = 0;               // data rows read (header excluded)
  std::int64_t out_of_order_rows = 0;  // rows whose timestamp was earlier than the previous row's
  std::vector<std::string> warnings;   // human-readable, one line each
  // Readers whose traces name parents by the trace's own ids (e.g. `csv` with parent_column) cannot set
  // Request::parent_ids while streaming (a parent may come later in the file, and load_trace renumbers
  // rows after sorting). They resolve and validate the links at the end of read() (unknown parents and
  // cycles are InputErrors naming file:line) and leave them here; load_trace then sets parent_ids to the
  // final ids. Rows streamed by stream_trace carry no parent_ids.
  std::vector<TraceParentLink> parent_links;
};

class TraceReader {
 public:
  virtual ~TraceReader() = default;
  // True when the first non-empty line of a file looks like this format (for sniffing).
  virtual bool sniff(const std::string& first_line) const = 0;
  // Streams every row of `path` to `sink` in file order, in bounded memory. Arrival times are relative to
  // the first row (ns). `id` is the 0-based row index. Throws InputError (file:line, field, expected) on a
  // malformed row and on a missing file; fills `report`.
  virtual void read(const std::string& path, const std::function<void(Request&&)>& sink,
                    TraceLoadReport& report) const = 0;
};

using TraceReaderRegistry = Registry<TraceReader, const Params&>;

// Loads a whole trace: format "" sniffs. Stable-sorts rows by arrival when out of order (counted in the
// report with a warning; times then start at the earliest row) and renumbers ids 0..n-1 in arrival order;
// report.parent_links become Request::parent_ids in the final ids.
// `reader_params`: bound to the reader's ParamSpecs (see bind_trace_reader_params in trace_loading.h); a
// default-constructed Params (empty yaml_path) means the reader's defaults. A trace with no rows is an error.
std::vector<Request> load_trace(const std::string& path, const std::string& format, TraceLoadReport& report,
                                const Params& reader_params = {});

// Chooses the reader for a file by sniffing its first line; throws InputError naming the path if none fits.
std::string sniff_trace_format(const std::string& path);

}  // namespace sparsesim
