// Streaming and compression: gzip files are read directly, long lines and odd line endings work, and a
// generated million-row CSV streams through stream_trace without being loaded.
#include <doctest/doctest.h>

#include <cstdio>
#include <fstream>

#include "core/input_error.h"
#include "tests/workloads/trace_test_files.h"
#include "workloads/line_reader.h"
#include "workloads/trace_loading.h"

using namespace sparsesim;

TEST_CASE("a gzip-compressed copy of a shipped trace loads identically, sniffed through zlib") {
  const auto folder = test::temp_folder("gzip");
  const auto plain = test::shipped_trace("mooncake/conversation_trace.jsonl");
  const auto compressed = test::gzip_copy(plain, folder / "conversation_trace.jsonl.gz");
  CHECK(sniff_trace_format(compressed) == "mooncake");
  TraceLoadReport plain_report, gzip_report;
  const auto expected = load_trace(plain, "", plain_report);
  const auto actual = load_trace(compressed, "", gzip_report);
  REQUIRE(actual.size() == expected.size());
  for (std::size_t i = 0; i < actual.size(); ++i) {
    REQUIRE(actual[i].arrival_ns == expected[i].arrival_ns);
    REQUIRE(actual[i].input_tokens == expected[i].input_tokens);
    REQUIRE(actual[i].prefix_block_ids == expected[i].prefix_block_ids);
  }
  const auto azure_gz = test::gzip_copy(test::shipped_trace("azure2023/AzureLLMInferenceTrace_conv.csv"),
                                        folder / "conv.csv.gz");
  TraceLoadReport azure_report;
  CHECK(load_trace(azure_gz, "", azure_report).size() == 19366);
}

TEST_CASE("a truncated gzip file is an error naming the file") {
  const auto folder = test::temp_folder("gzip_truncated");
  const auto compressed =
      test::gzip_copy(test::shipped_trace("mooncake/conversation_trace.jsonl"), folder / "whole.jsonl.gz");
  std::ifstream in(compressed, std::ios::binary);
  std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const auto truncated = test::write_text(folder / "cut.jsonl.gz", bytes.substr(0, bytes.size() / 2));
  TraceLoadReport report;
  CHECK_THROWS_WITH_AS(load_trace(truncated, "mooncake", report), doctest::Contains("cut.jsonl.gz:"),
                       InputError);
}

TEST_CASE("line reader: CRLF, a missing final newline, blank lines and lines longer than the buffer") {
  const std::string long_line(3 << 20, 'x');  // longer than the 1 MiB initial buffer
  const auto path =
      test::write_text(test::temp_folder("lines") / "lines.txt", "a\r\n\nb\n" + long_line + "\nlast");
  LineReader lines(path);
  std::string_view line;
  std::vector<std::string> seen;
  while (lines.next(line)) seen.emplace_back(line);
  REQUIRE(seen.size() == 5);
  CHECK(seen[0] == "a");
  CHECK(seen[1].empty());
  CHECK(seen[2] == "b");
  CHECK(seen[3] == long_line);
  CHECK(seen[4] == "last");
  CHECK(lines.line_number() == 5);
}

TEST_CASE("a UTF-8 byte-order mark before a CSV header is ignored") {
  const auto path = test::write_text(test::temp_folder("bom") / "bom.csv",
                                     "\xEF\xBB\xBFTIMESTAMP,ContextTokens,GeneratedTokens\n"
                                     "2023-11-16 18:17:03.9799600,4808,10\n");
  TraceLoadReport report;
  const auto requests = load_trace(path, "", report);
  CHECK(report.format == "azure");
  CHECK(requests.size() == 1);
}

namespace {
// Resident-set size or high-water mark ("VmRSS:" / "VmHWM:") in MiB; -1 when /proc is unavailable.
double proc_status_mib(const std::string& key) {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line))
    if (line.rfind(key, 0) == 0) return std::stod(line.substr(key.size())) / 1024.0;
  return -1.0;
}
}  // namespace

TEST_CASE("a generated 1,000,000-row CSV streams row by row with exact count and sums") {
  const auto path = test::temp_folder("million") / "million.csv";
  constexpr int kRows = 1'000'000;
  {
    std::FILE* out = std::fopen(path.c_str(), "w");
    REQUIRE(out != nullptr);
    std::fputs("arrival_s,input_tokens,output_tokens\n", out);
    for (int row = 0; row < kRows; ++row)
      std::fprintf(out, "%d.%03d,%d,%d\n", row / 1000, row % 1000, 1 + row % 8000, 1 + row % 500);
    std::fclose(out);
  }
  const Params params = bind_trace_reader_params("csv", YAML::Load("{arrival_column: arrival_s}"));
  // Bounded memory: reset the kernel's resident-set high-water mark (Linux clear_refs "5") and check
  // that streaming a million rows raised it by little (the line buffer and zlib's, a few MiB).
  const double rss_before_mib = proc_status_mib("VmRSS:");
  bool peak_was_reset = false;
  if (std::FILE* clear_refs = std::fopen("/proc/self/clear_refs", "w")) {
    peak_was_reset = std::fputs("5", clear_refs) >= 0;
    peak_was_reset = std::fclose(clear_refs) == 0 && peak_was_reset;
  }
  std::int64_t rows = 0, input_sum = 0, output_sum = 0;
  TimeNs last_arrival_ns = -1;
  TraceLoadReport report;
  stream_trace(
      path.string(), "csv",
      [&](Request&& request) {
        ++rows;
        input_sum += request.input_tokens;
        output_sum += request.output_tokens;
        last_arrival_ns = request.arrival_ns;
      },
      report, params);
  std::int64_t expected_input = 0, expected_output = 0;
  for (int row = 0; row < kRows; ++row) {
    expected_input += 1 + row % 8000;
    expected_output += 1 + row % 500;
  }
  CHECK(rows == kRows);
  CHECK(report.rows == kRows);
  CHECK(input_sum == expected_input);
  CHECK(output_sum == expected_output);
  CHECK(last_arrival_ns == 999'999'000'000);
  if (peak_was_reset && rss_before_mib > 0) {
    const double added_mib = proc_status_mib("VmHWM:") - rss_before_mib;
    CAPTURE(added_mib);
    CHECK(added_mib < 32.0);
  }
  std::filesystem::remove(path);
}
