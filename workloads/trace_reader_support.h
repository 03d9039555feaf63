#pragma once
// Shared plumbing for the trace readers: turning parsed rows into Requests with relative arrival times and
// row ids, and raising InputErrors that name file:line, the field and what was expected.
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "core/input_error.h"
#include "core/text_scan.h"
#include "workloads/line_reader.h"
#include "workloads/request.h"
#include "workloads/trace_reader.h"

namespace sparsesim {

// Throws InputError(path:line, field, "expected <expected>, got '<got>'"). `got` is shortened if long.
[[noreturn]] void throw_row_error(const LineReader& lines, std::string_view field, std::string_view expected,
                                  std::string_view got);

// Parses a strictly positive token count (an integer, 1 .. 2^31-1) or throws naming the field.
std::int32_t parse_token_count(const LineReader& lines, std::string_view field, std::string_view text);

// Sets input_tokens and output_tokens from the "input_length" and "output_length" members of a JSONL row
// (the Mooncake and RAGPulse layouts); throws naming the missing or malformed member.
void read_json_lengths(const LineReader& lines, const std::vector<JsonMember>& members, std::string_view line,
                       Request& request);

// Hands rows to the reader's sink: makes arrival times relative to the first row, numbers rows from 0 in
// file order, counts rows and out-of-order rows into the report. The Request passed to emit() is moved
// from, then cleared for reuse (its vectors keep their capacity when the sink did not take them).
class RowEmitter {
 public:
  RowEmitter(const std::function<void(Request&&)>& sink, TraceLoadReport& report)
      : sink_(sink), report_(report) {}

  // `request.arrival_ns` holds the row's absolute timestamp in ns (any epoch).
  void emit(Request& request);

 private:
  const std::function<void(Request&&)>& sink_;
  TraceLoadReport& report_;
  TimeNs first_arrival_ns_ = 0;
  TimeNs previous_arrival_ns_ = 0;
  std::uint64_t next_id_ = 0;
};

// Clears a Request for the next row while keeping vector capacity (no per-row allocation).
void reset_request(Request& request);

}  // namespace sparsesim
