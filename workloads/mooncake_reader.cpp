// mooncake: the Mooncake (FAST'25) JSONL traces. One object per line:
//   {"timestamp": <ms since trace start>, "input_length": N, "output_length": N, "hash_ids": [..]}
// hash_ids are 512-token prefix block hashes (the trace's block size; a reader parameter). No sessions.
#include <memory>

#include "core/text_scan.h"
#include "workloads/trace_reader_support.h"

namespace sparsesim {
namespace {

class MooncakeReader final : public TraceReader {
 public:
  explicit MooncakeReader(const Params& params)
      : timestamp_unit_ns_(params.get_int("timestamp_unit_ns")),
        block_tokens_(static_cast<std::int32_t>(params.get_int("block_tokens"))) {
    if (timestamp_unit_ns_ <= 0) throw InputError(params.yaml_path() + ".timestamp_unit_ns: expected > 0");
    if (block_tokens_ <= 0) throw InputError(params.yaml_path() + ".block_tokens: expected > 0");
  }

  bool sniff(const std::string& first_line) const override {
    std::vector<JsonMember> members;
    if (scan_json_object(first_line, members) != nullptr) return false;
    const JsonMember* timestamp = find_member(members, "timestamp");
    const JsonMember* hashes = find_member(members, "hash_ids");
    return timestamp != nullptr && !timestamp->is_string && find_member(members, "input_length") != nullptr &&
           find_member(members, "output_length") != nullptr &&
           (hashes == nullptr || (!hashes->is_string && hashes->value.front() == '['));
  }

  void read(const std::string& path, const std::function<void(Request&&)>& sink,
            TraceLoadReport& report) const override {
    LineReader lines(path);
    RowEmitter emitter(sink, report);
    std::vector<JsonMember> members;
    Request request;
    std::string_view line;
    while (lines.next(line)) {
      if (trim_blanks(line).empty()) continue;
      if (const char* expected = scan_json_object(line, members)) throw_row_error(lines, "", expected, line);
      const JsonMember* timestamp = find_member(members, "timestamp");
      if (timestamp == nullptr) throw_row_error(lines, "timestamp", "a \"timestamp\" member", line);
      if (timestamp->is_string || !parse_decimal_ns(timestamp->value, timestamp_unit_ns_, request.arrival_ns))
        throw_row_error(lines, "timestamp", "a non-negative number of milliseconds", timestamp->value);
      read_json_lengths(lines, members, line, request);
      if (const JsonMember* hashes = find_member(members, "hash_ids")) {
        if (!parse_uint_array(hashes->value, request.prefix_block_ids))
          throw_row_error(lines, "hash_ids", "an array of non-negative integers", hashes->value);
      }
      request.prefix_block_tokens = block_tokens_;
      emitter.emit(request);
    }
  }

 private:
  TimeNs timestamp_unit_ns_;
  std::int32_t block_tokens_;
};

const bool registered = TraceReaderRegistry::instance().add(
    {"mooncake",
     "Mooncake JSONL: timestamp (ms), input_length, output_length, hash_ids (512-token blocks)",
     {{"timestamp_unit_ns", "1000000", "ns per timestamp unit (the Mooncake traces use milliseconds)"},
      {"block_tokens", "512", "tokens covered by each hash_ids block"}},
     [](const Params& params) { return std::make_unique<MooncakeReader>(params); }});

}  // namespace
}  // namespace sparsesim
