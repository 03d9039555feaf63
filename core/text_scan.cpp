#include "core/text_scan.h"

#include <charconv>
#include <cmath>
#include <cstring>
#include <limits>

namespace sparsesim {
namespace {

bool is_digit(char c) {
  return c >= '0' && c <= '9';
}

// Reads exactly `count` digits at text[pos..] into `value`.
bool fixed_digits(std::string_view text, std::size_t pos, int count, std::int64_t& value) {
  if (pos + static_cast<std::size_t>(count) > text.size()) return false;
  value = 0;
  for (int i = 0; i < count; ++i) {
    const char c = text[pos + static_cast<std::size_t>(i)];
    if (!is_digit(c)) return false;
    value = value * 10 + (c - '0');
  }
  return true;
}

// Days from 1970-01-01 to y-m-d in the proleptic Gregorian calendar (era arithmetic; exact for all years).
std::int64_t days_from_civil(std::int64_t year, std::int64_t month, std::int64_t day) {
  year -= month <= 2 ? 1 : 0;
  const std::int64_t era = (year >= 0 ? year : year - 399) / 400;
  const std::int64_t year_of_era = year - era * 400;
  const std::int64_t day_of_year = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1;
  const std::int64_t day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
  return era * 146097 + day_of_era - 719468;
}

constexpr std::int64_t kPow10[] = {1, 10, 100, 1000, 10000, 100000, 1000000, 10000000, 100000000, 1000000000};

// Skips a JSON string starting at text[pos] == '"'; returns the index after the closing quote or npos.
std::size_t skip_json_string(std::string_view text, std::size_t pos) {
  for (std::size_t i = pos + 1; i < text.size(); ++i) {
    if (text[i] == '\\') {
      ++i;
    } else if (text[i] == '"') {
      return i + 1;
    }
  }
  return std::string_view::npos;
}

// Skips a nested array or object starting at text[pos]; returns the index after its closing bracket.
std::size_t skip_json_nested(std::string_view text, std::size_t pos) {
  int depth = 0;
  for (std::size_t i = pos; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '"') {
      i = skip_json_string(text, i);
      if (i == std::string_view::npos) return i;
      --i;
    } else if (c == '[' || c == '{') {
      ++depth;
    } else if (c == ']' || c == '}') {
      if (--depth == 0) return i + 1;
    }
  }
  return std::string_view::npos;
}

std::size_t skip_space(std::string_view text, std::size_t pos) {
  while (pos < text.size() &&
         (text[pos] == ' ' || text[pos] == '\t' || text[pos] == '\r' || text[pos] == '\n'))
    ++pos;
  return pos;
}

}  // namespace

bool parse_int64(std::string_view text, std::int64_t& value) {
  if (text.empty()) return false;
  // Fast path for short unsigned integers (token counts): at most 18 digits cannot overflow.
  if (text.size() <= 18) {
    std::int64_t number = 0;
    bool digits_only = true;
    for (const char c : text) {
      if (!is_digit(c)) {
        digits_only = false;
        break;
      }
      number = number * 10 + (c - '0');
    }
    if (digits_only) {
      value = number;
      return true;
    }
  }
  const char* first = text.data();
  if (*first == '+') ++first;
  const char* last = text.data() + text.size();
  const auto [end, error] = std::from_chars(first, last, value);
  return error == std::errc() && end == last;
}

bool parse_decimal_ns(std::string_view text, TimeNs unit_ns, TimeNs& value) {
  if (text.empty() || unit_ns <= 0) return false;
  std::size_t pos = 0;
  std::int64_t whole = 0;
  while (pos < text.size() && is_digit(text[pos])) {
    if (pos >= 18) return false;  // 18 digits fit in int64; a longer whole part is out of range anyway
    whole = whole * 10 + (text[pos++] - '0');
  }
  bool any_digit = pos > 0;
  std::int64_t fraction = 0;
  int fraction_digits = 0;
  if (pos < text.size() && text[pos] == '.') {
    ++pos;
    while (pos < text.size() && is_digit(text[pos])) {
      if (fraction_digits < 9) {
        fraction = fraction * 10 + (text[pos] - '0');
        ++fraction_digits;
      }
      ++pos;
      any_digit = true;
    }
  }
  if (!any_digit) return false;
  if (pos != text.size()) {
    if (text[pos] != 'e' && text[pos] != 'E') return false;
    double number = 0.0;
    const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), number);
    if (error != std::errc() || end != text.data() + text.size() || !(number >= 0.0)) return false;
    const double scaled = number * static_cast<double>(unit_ns);
    if (!(scaled < 9.2e18)) return false;
    value = static_cast<TimeNs>(scaled);
    return true;
  }
  if (whole > std::numeric_limits<std::int64_t>::max() / unit_ns) return false;
  // fraction < 10^9, so the integer product is exact for units up to 9 s; larger units go through double.
  const TimeNs fraction_ns =
      unit_ns <= 9 * kNsPerSecond
          ? fraction * unit_ns / kPow10[fraction_digits]
          : static_cast<TimeNs>(static_cast<double>(fraction) / static_cast<double>(kPow10[fraction_digits]) *
                                static_cast<double>(unit_ns));
  if (whole * unit_ns > std::numeric_limits<std::int64_t>::max() - fraction_ns) return false;
  value = whole * unit_ns + fraction_ns;
  return true;
}

bool parse_wall_clock_ns(std::string_view text, TimeNs& value) {
  std::int64_t year, month, day, hour, minute, second;
  if (!fixed_digits(text, 0, 4, year) || text.size() < 19 || text[4] != '-' ||
      !fixed_digits(text, 5, 2, month) || text[7] != '-' || !fixed_digits(text, 8, 2, day) ||
      (text[10] != ' ' && text[10] != 'T') || !fixed_digits(text, 11, 2, hour) || text[13] != ':' ||
      !fixed_digits(text, 14, 2, minute) || text[16] != ':' || !fixed_digits(text, 17, 2, second))
    return false;
  // Impossible dates and times (2023-02-30, 25:00) are refused, not normalised into another day.
  static const int kDaysInMonth[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (month < 1 || month > 12 || day < 1 || hour > 23 || minute > 59 || second > 60) return false;
  const bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
  if (day > kDaysInMonth[month - 1] + (month == 2 && leap ? 1 : 0)) return false;
  std::size_t pos = 19;
  std::int64_t fraction = 0;
  int fraction_digits = 0;
  if (pos < text.size() && text[pos] == '.') {
    ++pos;
    const std::size_t digits_begin = pos;
    while (pos < text.size() && is_digit(text[pos])) {
      if (fraction_digits < 9) {
        fraction = fraction * 10 + (text[pos] - '0');
        ++fraction_digits;
      }
      ++pos;
    }
    if (pos == digits_begin) return false;
  }
  std::int64_t offset_seconds = 0;
  if (pos < text.size()) {
    const char sign = text[pos];
    if (sign == 'Z' && pos + 1 == text.size()) {
      ++pos;
    } else if (sign == '+' || sign == '-') {
      std::int64_t offset_hours, offset_minutes;
      if (!fixed_digits(text, pos + 1, 2, offset_hours)) return false;
      std::size_t minutes_at = pos + 3;
      if (minutes_at < text.size() && text[minutes_at] == ':') ++minutes_at;
      if (!fixed_digits(text, minutes_at, 2, offset_minutes)) return false;
      pos = minutes_at + 2;
      if (offset_hours > 14 || offset_minutes > 59) return false;
      offset_seconds = (offset_hours * 3600 + offset_minutes * 60) * (sign == '+' ? 1 : -1);
    }
  }
  if (pos != text.size()) return false;
  const std::int64_t seconds =
      days_from_civil(year, month, day) * 86400 + hour * 3600 + minute * 60 + second - offset_seconds;
  // Nanoseconds since 1970 fit int64 only from 1677-09-21 to 2262-04-11; outside, refuse, never wrap.
  constexpr std::int64_t kMaxSeconds = std::numeric_limits<std::int64_t>::max() / kNsPerSecond - 1;
  if (seconds > kMaxSeconds || seconds < -kMaxSeconds) return false;
  value = seconds * kNsPerSecond + fraction * (kNsPerSecond / kPow10[fraction_digits]);
  return true;
}

bool parse_uint_array(std::string_view text, std::vector<std::uint64_t>& values) {
  text = trim_blanks(text);
  if (text.size() < 2 || text.front() != '[' || text.back() != ']') return false;
  const char* cursor = text.data() + 1;
  const char* last = text.data() + text.size() - 1;
  auto skip = [&] {
    while (cursor < last && (*cursor == ' ' || *cursor == '\t')) ++cursor;
  };
  skip();
  if (cursor == last) return true;  // empty array
  for (;;) {
    std::uint64_t number = 0;
    const auto [end, error] = std::from_chars(cursor, last, number);
    if (error != std::errc()) return false;
    values.push_back(number);
    cursor = end;
    skip();
    if (cursor == last) return true;
    if (*cursor != ',') return false;
    ++cursor;
    skip();
  }
}

const char* scan_json_object(std::string_view line, std::vector<JsonMember>& members) {
  members.clear();
  std::size_t pos = skip_space(line, 0);
  if (pos >= line.size() || line[pos] != '{') return "a JSON object starting with '{'";
  pos = skip_space(line, pos + 1);
  if (pos < line.size() && line[pos] == '}')
    return skip_space(line, pos + 1) == line.size() ? nullptr : "end of line after '}'";
  for (;;) {
    if (pos >= line.size() || line[pos] != '"') return "a quoted key";
    const std::size_t key_end = skip_json_string(line, pos);
    if (key_end == std::string_view::npos) return "a closing quote";
    JsonMember member;
    member.key = line.substr(pos + 1, key_end - pos - 2);
    pos = skip_space(line, key_end);
    if (pos >= line.size() || line[pos] != ':') return "':' after a key";
    pos = skip_space(line, pos + 1);
    if (pos >= line.size()) return "a value";
    const char c = line[pos];
    std::size_t value_end;
    if (c == '"') {
      value_end = skip_json_string(line, pos);
      if (value_end == std::string_view::npos) return "a closing quote";
      member.value = line.substr(pos + 1, value_end - pos - 2);
      member.is_string = true;
    } else if (c == '[' || c == '{') {
      value_end = skip_json_nested(line, pos);
      if (value_end == std::string_view::npos) return "a closing bracket";
      member.value = line.substr(pos, value_end - pos);
    } else {
      value_end = pos;
      while (value_end < line.size() && line[value_end] != ',' && line[value_end] != '}' &&
             line[value_end] != ' ' && line[value_end] != '\t')
        ++value_end;
      if (value_end == pos) return "a value";
      member.value = line.substr(pos, value_end - pos);
    }
    // A repeated key is ambiguous (which one counts?): refuse it rather than let the first win.
    for (const auto& earlier : members)
      if (earlier.key == member.key) return "each key once per object (this one repeats a key)";
    members.push_back(member);
    pos = skip_space(line, value_end);
    if (pos >= line.size()) return "',' or '}'";
    if (line[pos] == '}') return skip_space(line, pos + 1) == line.size() ? nullptr : "end of line after '}'";
    if (line[pos] != ',') return "',' or '}'";
    pos = skip_space(line, pos + 1);
  }
}

const JsonMember* find_member(const std::vector<JsonMember>& members, std::string_view key) {
  for (const auto& member : members)
    if (member.key == key) return &member;
  return nullptr;
}

bool split_csv_line(std::string_view line, char delimiter, std::vector<std::string_view>& fields) {
  fields.clear();
  // Fast path: one byte loop over an unquoted line (trace lines are short, so this beats memchr calls).
  std::size_t start = 0;
  bool quoted = false;
  for (std::size_t at = 0; at < line.size(); ++at) {
    const char c = line[at];
    if (c == delimiter) {
      fields.push_back(line.substr(start, at - start));
      start = at + 1;
    } else if (c == '"') {
      quoted = true;
      break;
    }
  }
  if (!quoted) {
    fields.push_back(line.substr(start));
    return true;
  }
  fields.clear();
  std::size_t pos = 0;
  for (;;) {
    if (pos < line.size() && line[pos] == '"') {
      std::size_t close = pos + 1;
      for (;; ++close) {
        if (close >= line.size()) return false;
        if (line[close] == '"') {
          if (close + 1 < line.size() && line[close + 1] == '"') {
            ++close;
            continue;
          }
          break;
        }
      }
      fields.push_back(line.substr(pos + 1, close - pos - 1));
      pos = close + 1;
      while (pos < line.size() && line[pos] != delimiter) ++pos;  // tolerate blanks after the quote
    } else {
      std::size_t at = pos;
      while (at < line.size() && line[at] != delimiter) ++at;
      fields.push_back(line.substr(pos, at - pos));
      pos = at;
    }
    if (pos >= line.size()) return true;
    ++pos;  // skip the delimiter
  }
}

}  // namespace sparsesim
