// Each reader on the shipped traces: exact row counts and sums computed independently (Python) from the
// files in data/traces, plus sniffing.
#include <doctest/doctest.h>

#include <algorithm>
#include <numeric>
#include <set>

#include "core/input_error.h"
#include "tests/workloads/trace_test_files.h"
#include "workloads/trace_loading.h"

using namespace sparsesim;
using sparsesim::test::shipped_trace;

namespace {
struct Sums {
  std::int64_t input = 0, output = 0, blocks = 0;
  std::uint64_t block_id_sum = 0;
};
Sums sums_of(const std::vector<Request>& requests) {
  Sums sums;
  for (const auto& request : requests) {
    sums.input += request.input_tokens;
    sums.output += request.output_tokens;
    sums.blocks += static_cast<std::int64_t>(request.prefix_block_ids.size());
    for (auto id : request.prefix_block_ids) sums.block_id_sum += id;
  }
  return sums;
}
void check_ids_and_order(const std::vector<Request>& requests) {
  for (std::size_t i = 0; i < requests.size(); ++i) {
    REQUIRE(requests[i].id == i);
    if (i > 0) REQUIRE(requests[i].arrival_ns >= requests[i - 1].arrival_ns);
  }
  CHECK(requests.front().arrival_ns == 0);
}
}  // namespace

TEST_CASE("mooncake conversation trace: 12,031 rows with exact sums") {
  TraceLoadReport report;
  const auto requests = load_trace(shipped_trace("mooncake/conversation_trace.jsonl"), "", report);
  CHECK(report.format == "mooncake");
  REQUIRE(requests.size() == 12031);
  CHECK(report.rows == 12031);
  CHECK(report.out_of_order_rows == 0);
  CHECK(report.warnings.empty());
  const Sums sums = sums_of(requests);
  CHECK(sums.input == 144793823);
  CHECK(sums.output == 4122048);
  CHECK(sums.blocks == 288500);
  CHECK(sums.block_id_sum == 23407000830ULL);
  CHECK(requests.back().arrival_ns == 3536999 * kNsPerMs);
  CHECK(requests.front().input_tokens == 6758);
  CHECK(requests.front().prefix_block_tokens == 512);
  CHECK(requests.front().session_id == -1);
  check_ids_and_order(requests);
}

TEST_CASE("azure 2023 code and conversation traces: exact counts, sums and span") {
  struct Expected {
    const char* file;
    std::size_t rows;
    std::int64_t input, output;
    TimeNs span_ns;
  };
  for (const Expected& expected :
       {Expected{"azure2023/AzureLLMInferenceTrace_code.csv", 8819, 18059974, 245896, 3435948056000},
        Expected{"azure2023/AzureLLMInferenceTrace_conv.csv", 19366, 22361870, 4088665, 3501721937000}}) {
    CAPTURE(expected.file);
    TraceLoadReport report;
    const auto requests = load_trace(shipped_trace(expected.file), "", report);
    CHECK(report.format == "azure");
    REQUIRE(requests.size() == expected.rows);
    const Sums sums = sums_of(requests);
    CHECK(sums.input == expected.input);
    CHECK(sums.output == expected.output);
    CHECK(sums.blocks == 0);
    CHECK(requests.back().arrival_ns == expected.span_ns);
    CHECK(report.out_of_order_rows == 0);
    check_ids_and_order(requests);
  }
}

TEST_CASE("ragpulse trace: 7,106 rows, sessions, flattened component hash ids, one row sorted") {
  TraceLoadReport report;
  const auto requests = load_trace(shipped_trace("ragpulse/0_trace.jsonl"), "", report);
  CHECK(report.format == "ragpulse");
  REQUIRE(requests.size() == 7106);
  CHECK(report.out_of_order_rows == 1);
  REQUIRE(report.warnings.size() == 1);
  CHECK(report.warnings[0].find("1 rows arrived earlier") != std::string::npos);
  const Sums sums = sums_of(requests);
  CHECK(sums.input == 20917099);
  CHECK(sums.output == 2012676);
  CHECK(sums.blocks == 71583);
  // The file is two runs of week-relative seconds; the second starts at "0" (file line 3801), so after the
  // stable sort the trace starts there and rows of the two runs interleave. The last row is at 604603 s.
  CHECK(requests.back().arrival_ns == 604603 * kNsPerSecond);
  check_ids_and_order(requests);
  std::set<std::int64_t> sessions;
  for (const auto& request : requests) sessions.insert(request.session_id);
  CHECK(sessions.size() == 3990);
  CHECK(*sessions.begin() == 0);
  CHECK(*sessions.rbegin() == 3989);
  // First file row (at 82 s): sys_prompt, passages_ids, history, web_search (empty), user_input.
  const auto first_file_row_at = std::find_if(requests.begin(), requests.end(), [](const Request& request) {
    return request.arrival_ns == 82 * kNsPerSecond && request.input_tokens == 3112;
  });
  REQUIRE(first_file_row_at != requests.end());
  const Request& first_file_row = *first_file_row_at;
  CHECK(first_file_row.session_id == 0);
  CHECK(first_file_row.prefix_block_ids ==
        std::vector<std::uint64_t>{8302, 14332, 15199, 7398, 7370, 7098, 6967, 7405, 7298, 15200, 26923});
  CHECK(first_file_row.prefix_block_tokens == 3112 / 11);
}

TEST_CASE("sniffing picks the format from the first line; generic csv is never sniffed") {
  CHECK(sniff_trace_format(shipped_trace("mooncake/conversation_trace.jsonl")) == "mooncake");
  CHECK(sniff_trace_format(shipped_trace("azure2023/AzureLLMInferenceTrace_code.csv")) == "azure");
  CHECK(sniff_trace_format(shipped_trace("ragpulse/0_trace.jsonl")) == "ragpulse");
  const auto folder = test::temp_folder("sniff");
  CHECK(sniff_trace_format(test::write_text(folder / "burst.csv",
                                            "Timestamp,Model,Request tokens,Response tokens,Total tokens,Log "
                                            "Type\n5,ChatGPT,472,18,490,Conversation log\n")) == "burstgpt");
  CHECK(sniff_trace_format(test::write_text(folder / "azure2024.csv",
                                            "TIMESTAMP,ContextTokens,GeneratedTokens\n"
                                            "2024-05-10 00:00:00.009930+00:00,100,10\n")) == "azure");
  CHECK_THROWS_WITH_AS(sniff_trace_format(test::write_text(folder / "other.csv", "a,b,c\n1,2,3\n")),
                       doctest::Contains("name it with format:"), InputError);
  CHECK_THROWS_WITH_AS(sniff_trace_format(test::write_text(folder / "empty.csv", "\n\n")),
                       doctest::Contains("empty file"), InputError);
}

TEST_CASE("azure 2024 week-long format: UTC offsets and 6 fractional digits") {
  const auto folder = test::temp_folder("azure2024");
  const auto path = test::write_text(folder / "week.csv",
                                     "TIMESTAMP,ContextTokens,GeneratedTokens\r\n"
                                     "2024-05-10 00:00:00.009930+00:00,100,10\r\n"
                                     "2024-05-10 02:00:01.5+02:00,200,20\r\n"
                                     "2024-05-10 00:00:02+00:00,300,30");
  TraceLoadReport report;
  const auto requests = load_trace(path, "azure", report);
  REQUIRE(requests.size() == 3);
  CHECK(requests[1].arrival_ns == 1'500'000'000 - 9'930'000);
  CHECK(requests[2].arrival_ns == 2'000'000'000 - 9'930'000);
  CHECK(requests[2].output_tokens == 30);
}

TEST_CASE("burstgpt reader skips failed rows (0 response tokens) with a warning") {
  const auto folder = test::temp_folder("burstgpt");
  const auto path = test::write_text(folder / "burst.csv",
                                     "Timestamp,Model,Request tokens,Response tokens,Total tokens,Log Type\n"
                                     "5,ChatGPT,472,18,490,Conversation log\n"
                                     "45,ChatGPT,1087,0,1087,Conversation log\n"
                                     "118.5,GPT-4,417,276,693,API log\n");
  TraceLoadReport report;
  const auto requests = load_trace(path, "", report);
  CHECK(report.format == "burstgpt");
  REQUIRE(requests.size() == 2);
  CHECK(requests[1].arrival_ns == 113'500'000'000);
  CHECK(requests[1].input_tokens == 417);
  REQUIRE(report.warnings.size() == 1);
  CHECK(report.warnings[0].find("1 rows with 0 Response tokens skipped") != std::string::npos);
  TraceLoadReport strict_report;
  CHECK_THROWS_WITH_AS(load_trace(path, "burstgpt", strict_report,
                                  bind_trace_reader_params("burstgpt", YAML::Load("{skip_failed: false}"))),
                       doctest::Contains("burst.csv:3: field 'Response tokens'"), InputError);
}

TEST_CASE("generic csv reader maps columns from YAML, with sessions and other units") {
  const auto folder = test::temp_folder("generic_csv");
  const auto path = test::write_text(folder / "t.csv",
                                     "when;user;prompt;answer\n"
                                     "1000;alice;10;1\n"
                                     "1500.5;bob;20;2\n"
                                     "2000;\"alice\";30;3\n");
  const Params params = bind_trace_reader_params(
      "csv",
      YAML::Load("{arrival_column: when, arrival_unit: ms, input_column: prompt, output_column: answer, "
                 "session_column: user, delimiter: ';'}"));
  TraceLoadReport report;
  const auto requests = load_trace(path, "csv", report, params);
  REQUIRE(requests.size() == 3);
  CHECK(requests[1].arrival_ns == 500'500'000);
  CHECK(requests[2].arrival_ns == 1'000'000'000);
  CHECK(requests[0].session_id == 0);
  CHECK(requests[1].session_id == 1);
  CHECK(requests[2].session_id == 0);
  CHECK(requests[2].input_tokens == 30);

  const auto headerless = test::write_text(folder / "n.csv", "7,0.25,9\n8,1.25,10\n");
  const Params by_index = bind_trace_reader_params(
      "csv", YAML::Load("{has_header: false, arrival_column: '1', input_column: '0', output_column: '2'}"));
  const auto rows = load_trace(headerless, "csv", report, by_index);
  REQUIRE(rows.size() == 2);
  CHECK(rows[1].arrival_ns == kNsPerSecond);
  CHECK(rows[1].output_tokens == 10);

  CHECK_THROWS_WITH_AS(bind_trace_reader_params("csv", YAML::Load("{arrival_colum: t}")),
                       doctest::Contains("workload.reader.arrival_colum"), InputError);
  CHECK_THROWS_WITH_AS(
      make_trace_reader("csv", bind_trace_reader_params("csv", YAML::Load("{arrival_unit: h}"))),
      doctest::Contains("arrival_unit"), InputError);
  CHECK_THROWS_WITH_AS(load_trace(path, "nosuch", report), doctest::Contains("unknown component 'nosuch'"),
                       InputError);
}
