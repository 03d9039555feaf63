// ragpulse: the RAGPulse (arXiv 2511.12979) JSONL trace of a RAG service. One object per line:
//   {"timestamp": "<seconds, as a string>", "input_length": N, "output_length": N,
//    "hash_ids": {"sys_prompt": [..], "passages_ids": [..], "history": [..], "web_search": [..],
//                 "user_input": [..]},
//    "session_id": "<opaque string>"}
// The per-component hash ids are flattened into Request::prefix_block_ids in the fixed order
//   sys_prompt, passages_ids, history, web_search, user_input, then any other component in file order,
// which is the order the prompt is assembled in (stable system prompt first, so shared prefixes match).
// Session strings become dense ids 0, 1, 2, ... in order of first appearance in the file.
// RAGPulse hash ids name content items (a passage, a prompt part), not fixed-size blocks, so the tokens
// per id are unknown: `block_tokens` 0 (default) estimates them per request as input_length / ids.
#include <algorithm>
#include <array>
#include <memory>
#include <string>
#include <unordered_map>

#include "core/text_scan.h"
#include "workloads/trace_reader_support.h"

namespace sparsesim {
namespace {

constexpr std::array<std::string_view, 5> kComponentOrder = {"sys_prompt", "passages_ids", "history",
                                                             "web_search", "user_input"};

class RagPulseReader final : public TraceReader {
 public:
  explicit RagPulseReader(const Params& params)
      : block_tokens_(static_cast<std::int32_t>(params.get_int("block_tokens"))) {
    if (block_tokens_ < 0) throw InputError(params.yaml_path() + ".block_tokens: expected >= 0");
  }

  bool sniff(const std::string& first_line) const override {
    std::vector<JsonMember> members;
    if (scan_json_object(first_line, members) != nullptr) return false;
    const JsonMember* timestamp = find_member(members, "timestamp");
    const JsonMember* hashes = find_member(members, "hash_ids");
    return timestamp != nullptr && find_member(members, "input_length") != nullptr &&
           (timestamp->is_string || find_member(members, "session_id") != nullptr ||
            (hashes != nullptr && !hashes->is_string && hashes->value.front() == '{'));
  }

  void read(const std::string& path, const std::function<void(Request&&)>& sink,
            TraceLoadReport& report) const override {
    LineReader lines(path);
    RowEmitter emitter(sink, report);
    std::vector<JsonMember> members;
    std::vector<JsonMember> components;
    std::unordered_map<std::string, std::int64_t> session_ids;
    Request request;
    std::string_view line;
    while (lines.next(line)) {
      if (trim_blanks(line).empty()) continue;
      if (const char* expected = scan_json_object(line, members)) throw_row_error(lines, "", expected, line);
      const JsonMember* timestamp = find_member(members, "timestamp");
      if (timestamp == nullptr) throw_row_error(lines, "timestamp", "a \"timestamp\" member", line);
      if (!parse_decimal_ns(trim_blanks(timestamp->value), kNsPerSecond, request.arrival_ns))
        throw_row_error(lines, "timestamp", "a non-negative number of seconds", timestamp->value);
      read_json_lengths(lines, members, line, request);
      if (const JsonMember* hashes = find_member(members, "hash_ids"))
        read_hash_ids(lines, *hashes, components, request);
      if (const JsonMember* session = find_member(members, "session_id")) {
        if (!session->is_string && session->value == "null") {
          request.session_id = -1;
        } else {
          const auto [entry, inserted] = session_ids.try_emplace(
              std::string(session->value), static_cast<std::int64_t>(session_ids.size()));
          request.session_id = entry->second;
        }
      }
      const auto block_count = static_cast<std::int32_t>(request.prefix_block_ids.size());
      request.prefix_block_tokens =
          block_tokens_ > 0
              ? block_tokens_
              : std::max<std::int32_t>(1, block_count > 0 ? request.input_tokens / block_count : 1);
      emitter.emit(request);
    }
  }

 private:
  static void read_hash_ids(const LineReader& lines, const JsonMember& hashes,
                            std::vector<JsonMember>& components, Request& request) {
    if (hashes.is_string || hashes.value.front() != '{' ||
        scan_json_object(hashes.value, components) != nullptr)
      throw_row_error(lines, "hash_ids", "an object of component name -> array of integers", hashes.value);
    auto append = [&](const JsonMember& component) {
      if (component.is_string || !parse_uint_array(component.value, request.prefix_block_ids))
        throw_row_error(lines, "hash_ids." + std::string(component.key), "an array of non-negative integers",
                        component.value);
    };
    for (const auto name : kComponentOrder)
      if (const JsonMember* component = find_member(components, name)) append(*component);
    for (const auto& component : components)
      if (std::find(kComponentOrder.begin(), kComponentOrder.end(), component.key) == kComponentOrder.end())
        append(component);
  }

  std::int32_t block_tokens_;
};

const bool registered = TraceReaderRegistry::instance().add(
    {"ragpulse",
     "RAGPulse JSONL: string timestamp (s), input/output_length, per-component hash_ids, session_id",
     {{"block_tokens", "0", "tokens per hash id; 0 = estimate per request as input_length / number of ids"}},
     [](const Params& params) { return std::make_unique<RagPulseReader>(params); }});

}  // namespace
}  // namespace sparsesim
