#include "workloads/trace_reader_support.h"

#include <limits>

#include "core/input_error.h"
#include "core/text_scan.h"

namespace sparsesim {

void throw_row_error(const LineReader& lines, std::string_view field, std::string_view expected,
                     std::string_view got) {
  constexpr std::size_t kMaxShown = 60;
  std::string shown(got.substr(0, kMaxShown));
  if (got.size() > kMaxShown) shown += "...";
  std::string what = "expected ";
  what.append(expected).append(", got '").append(shown).append("'");
  throw InputError(lines.path(), lines.line_number(), std::string(field), what);
}

std::int32_t parse_token_count(const LineReader& lines, std::string_view field, std::string_view text) {
  std::int64_t value = 0;
  if (!parse_int64(trim_blanks(text), value)) throw_row_error(lines, field, "an integer token count", text);
  if (value <= 0) throw_row_error(lines, field, "a positive token count (> 0)", text);
  if (value > std::numeric_limits<std::int32_t>::max())
    throw_row_error(lines, field, "a token count below 2^31", text);
  return static_cast<std::int32_t>(value);
}

void RowEmitter::emit(Request& request) {
  const TimeNs absolute_ns = request.arrival_ns;
  if (next_id_ == 0) {
    first_arrival_ns_ = absolute_ns;
  } else if (absolute_ns < previous_arrival_ns_) {
    ++report_.out_of_order_rows;
  }
  previous_arrival_ns_ = absolute_ns;
  request.arrival_ns = absolute_ns - first_arrival_ns_;
  request.id = next_id_++;
  ++report_.rows;
  sink_(std::move(request));
  reset_request(request);
}

void reset_request(Request& request) {
  request.id = 0;
  request.arrival_ns = 0;
  request.input_tokens = 0;
  request.output_tokens = 0;
  request.session_id = -1;
  request.prefix_block_ids.clear();
  request.prefix_block_tokens = 512;
  request.parent_ids.clear();
  request.think_time_ns = 0;
  request.workflow_id = -1;
  request.traits = RequestTraits{};
}

void read_json_lengths(const LineReader& lines, const std::vector<JsonMember>& members, std::string_view line,
                       Request& request) {
  const JsonMember* input = find_member(members, "input_length");
  if (input == nullptr) throw_row_error(lines, "input_length", "an \"input_length\" member", line);
  // A quoted "10" is a string, not a count: accepting it would hide a producer's bug.
  if (input->is_string)
    throw_row_error(lines, "input_length", "a JSON number (not a quoted string)", input->value);
  request.input_tokens = parse_token_count(lines, "input_length", input->value);
  const JsonMember* output = find_member(members, "output_length");
  if (output == nullptr) throw_row_error(lines, "output_length", "an \"output_length\" member", line);
  if (output->is_string)
    throw_row_error(lines, "output_length", "a JSON number (not a quoted string)", output->value);
  request.output_tokens = parse_token_count(lines, "output_length", output->value);
}

}  // namespace sparsesim
