#pragma once
// Allocation-free scanning of trace text: numbers, one-line JSON objects, CSV fields. Trace readers call
// these once per row, so none of them allocates on the common path.
#include <cstdint>
#include <string_view>
#include <vector>

#include "core/time.h"

namespace sparsesim {

// Strips spaces and tabs from both ends (inline: called for every CSV cell).
inline std::string_view trim_blanks(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  return text;
}

// Whole-string integer (optional leading '-'); false on anything else, including "", "1.5", "12x".
bool parse_int64(std::string_view text, std::int64_t& value);

// A non-negative decimal number ("12", "12.5", ".5", "1.5e3") times `unit_ns` nanoseconds, truncated to
// whole ns. Plain decimals are converted exactly (integer arithmetic, fractional digits beyond ns are
// dropped); exponent forms go through double. False when not a number or negative or out of range.
bool parse_decimal_ns(std::string_view text, TimeNs unit_ns, TimeNs& value);

// Wall-clock "YYYY-MM-DD HH:MM:SS[.fraction][+HH:MM|-HH:MM|Z]" (a 'T' separator is accepted) as ns since
// 1970-01-01 UTC, proleptic Gregorian. The fraction may have 0-9 digits (more are truncated). Without an
// offset the time is taken as UTC. False when malformed, impossible (2023-02-30, 24:00, an offset over
// 14 h) or outside the int64-nanosecond range (before 1677-09-22 or after 2262-04-11).
bool parse_wall_clock_ns(std::string_view text, TimeNs& value);

// A JSON array of non-negative integers "[1, 2, 3]" appended to `values`; false when malformed.
bool parse_uint_array(std::string_view text, std::vector<std::uint64_t>& values);

// One top-level member of a JSON object: the key (escapes not decoded) and the raw value text. For a
// string value `value` excludes the quotes and `is_string` is true; arrays and objects include brackets.
struct JsonMember {
  std::string_view key;
  std::string_view value;
  bool is_string = false;
};

// Scans a one-line JSON object's top-level members into `members` (cleared first). Nested arrays and
// objects are skipped over, not parsed. Returns nullptr on success, else a short description of what was
// expected where the text went wrong (a key repeated at the top level is such an error).
const char* scan_json_object(std::string_view line, std::vector<JsonMember>& members);

// Finds a member by key; nullptr when absent.
const JsonMember* find_member(const std::vector<JsonMember>& members, std::string_view key);

// Splits one CSV line into fields (cleared first). Fields in double quotes may contain the delimiter;
// the quotes are removed ("" inside a quoted field stays doubled: readers only need numbers and ids).
// Returns false on an unterminated quote.
bool split_csv_line(std::string_view line, char delimiter, std::vector<std::string_view>& fields);

}  // namespace sparsesim
