// Every bad-input path of the trace readers, on small hand-made files: the error names file:line, the
// field and what was expected.
#include <doctest/doctest.h>

#include "core/input_error.h"
#include "tests/workloads/trace_test_files.h"
#include "workloads/trace_loading.h"

using namespace sparsesim;

namespace {
// Loads `text` written to a temp file as `format` and returns the InputError message ("" if none).
std::string load_error(const std::string& name, const std::string& text, const std::string& format,
                       const Params& params = {}) {
  const auto path = test::write_text(test::temp_folder("errors") / name, text);
  TraceLoadReport report;
  try {
    load_trace(path, format, report, params);
  } catch (const InputError& error) {
    return error.what();
  }
  return "";
}
}  // namespace

TEST_CASE("a missing file or a directory names the path") {
  TraceLoadReport report;
  CHECK_THROWS_WITH_AS(load_trace("/nonexistent/trace.jsonl", "mooncake", report),
                       "/nonexistent/trace.jsonl: file not found", InputError);
  CHECK_THROWS_WITH_AS(load_trace("/nonexistent/trace.jsonl", "", report),
                       "/nonexistent/trace.jsonl: file not found", InputError);
  const auto folder = test::temp_folder("errors_dir");
  CHECK_THROWS_WITH_AS(load_trace(folder.string(), "azure", report), doctest::Contains("is a directory"),
                       InputError);
}

TEST_CASE("mooncake: malformed rows name file:line, field and expectation") {
  const std::string good =
      "{\"timestamp\": 0, \"input_length\": 10, \"output_length\": 5, \"hash_ids\": [1]}\n";
  std::string message = load_error(
      "m1.jsonl", good + "{\"timestamp\": 5, \"input_length\": 0, \"output_length\": 5}\n", "mooncake");
  CHECK(message.find("m1.jsonl:2: field 'input_length': expected a positive token count (> 0), got '0'") !=
        std::string::npos);
  message =
      load_error("m2.jsonl", good + good + "{\"timestamp\": 5, \"input_length\": 3, \"output_length\": -4}\n",
                 "mooncake");
  CHECK(message.find("m2.jsonl:3: field 'output_length': expected a positive token count") !=
        std::string::npos);
  message = load_error(
      "m3.jsonl", good + "{\"timestamp\": \"x\", \"input_length\": 3, \"output_length\": 4}\n", "mooncake");
  CHECK(message.find("m3.jsonl:2: field 'timestamp': expected a non-negative number") != std::string::npos);
  message = load_error("m4.jsonl", "{\"timestamp\": 1, \"input_length\": 3}\n", "mooncake");
  CHECK(message.find("m4.jsonl:1: field 'output_length': expected an \"output_length\" member") !=
        std::string::npos);
  message = load_error("m5.jsonl", good + "{\"timestamp\": 1, \"input_length\": 3, \"output_length\": 4\n",
                       "mooncake");
  CHECK(message.find("m5.jsonl:2: expected ',' or '}'") != std::string::npos);
  message = load_error(
      "m6.jsonl", "{\"timestamp\": 1, \"input_length\": 3, \"output_length\": 4, \"hash_ids\": [1, x]}\n",
      "mooncake");
  CHECK(message.find("m6.jsonl:1: field 'hash_ids': expected an array of non-negative integers") !=
        std::string::npos);
  message =
      load_error("m7.jsonl", "{\"timestamp\": 1, \"input_length\": 3.5, \"output_length\": 4}\n", "mooncake");
  CHECK(message.find("field 'input_length': expected an integer token count, got '3.5'") !=
        std::string::npos);
  message = load_error("m8.jsonl", "not json\n", "mooncake");
  CHECK(message.find("m8.jsonl:1: expected a JSON object") != std::string::npos);
  message = load_error(
      "m9.jsonl", "{\"timestamp\": 1, \"input_length\": 99999999999, \"output_length\": 4}\n", "mooncake");
  CHECK(message.find("expected a token count below 2^31") != std::string::npos);
  CHECK(load_error("empty.jsonl", "\n\n", "mooncake").find("the trace has no rows") != std::string::npos);
}

TEST_CASE("azure: bad header, bad timestamp, short row, zero lengths") {
  const std::string header = "TIMESTAMP,ContextTokens,GeneratedTokens\n";
  const std::string good = "2023-11-16 18:17:03.9799600,4808,10\n";
  std::string message = load_error("a1.csv", "TIMESTAMP,Context,GeneratedTokens\n" + good, "azure");
  CHECK(message.find("a1.csv:1: field 'ContextTokens': expected a header with column 'ContextTokens'") !=
        std::string::npos);
  message = load_error("a2.csv", header + good + "2023-11-16 18:17:3.9,4808,10\n", "azure");
  CHECK(message.find("a2.csv:3: field 'TIMESTAMP': expected a time") != std::string::npos);
  message = load_error("a3.csv", header + good + "2023-13-16 18:17:03.9,4808,10\n", "azure");
  CHECK(message.find("a3.csv:3: field 'TIMESTAMP'") != std::string::npos);
  message = load_error("a4.csv", header + "2023-11-16 18:17:03.9799600,4808\n", "azure");
  CHECK(message.find("a4.csv:2: expected 3 comma-separated fields") != std::string::npos);
  message = load_error("a5.csv", header + good + good + "2023-11-16 18:17:03.9799600,4808,0\n", "azure");
  CHECK(message.find("a5.csv:4: field 'GeneratedTokens': expected a positive token count (> 0), got '0'") !=
        std::string::npos);
  message = load_error("a6.csv", header + "2023-11-16 18:17:03.9799600,-3,10\n", "azure");
  CHECK(message.find("a6.csv:2: field 'ContextTokens': expected a positive token count") !=
        std::string::npos);
  CHECK(load_error("a7.csv", "", "azure").find("empty file") != std::string::npos);
}

TEST_CASE("ragpulse: malformed hash_ids component and timestamp") {
  const std::string message = load_error("r1.jsonl",
                                         "{\"timestamp\": \"3\", \"input_length\": 5, \"output_length\": 2, "
                                         "\"hash_ids\": {\"sys_prompt\": [1, \"a\"]}}\n",
                                         "ragpulse");
  CHECK(message.find("r1.jsonl:1: field 'hash_ids.sys_prompt': expected an array of non-negative integers") !=
        std::string::npos);
  CHECK(load_error("r2.jsonl", "{\"timestamp\": \"-3\", \"input_length\": 5, \"output_length\": 2}\n",
                   "ragpulse")
            .find("r2.jsonl:1: field 'timestamp': expected a non-negative number of seconds, got '-3'") !=
        std::string::npos);
  CHECK(load_error("r3.jsonl",
                   "{\"timestamp\": \"3\", \"input_length\": 5, \"output_length\": 2, \"hash_ids\": [1]}\n",
                   "ragpulse")
            .find("field 'hash_ids': expected an object") != std::string::npos);
}

TEST_CASE("generic csv: missing mapped column, unterminated quote, bad number") {
  const Params params = bind_trace_reader_params(
      "csv", YAML::Load("{arrival_column: t, input_column: in, output_column: out}"));
  CHECK(load_error("c1.csv", "t,in,answer\n1,2,3\n", "csv", params)
            .find("c1.csv:1: field 'out': expected a header with column 'out'") != std::string::npos);
  CHECK(
      load_error("c2.csv", "t,in,out\n1,\"2,3\n", "csv", params).find("c2.csv:2: expected a closing quote") !=
      std::string::npos);
  CHECK(load_error("c3.csv", "t,in,out\n1,2,3\nabc,2,3\n", "csv", params)
            .find("c3.csv:3: field 't': expected a non-negative number of s, got 'abc'") !=
        std::string::npos);
  CHECK(load_error("c4.csv", "t,in,out\n1,2,3\n2,,3\n", "csv", params)
            .find("c4.csv:3: field 'in': expected an integer token count, got ''") != std::string::npos);
}

TEST_CASE("out-of-order rows are sorted stably with a warning that counts them") {
  const auto path = test::write_text(test::temp_folder("sorting") / "unsorted.jsonl",
                                     "{\"timestamp\": 100, \"input_length\": 1, \"output_length\": 1}\n"
                                     "{\"timestamp\": 50, \"input_length\": 2, \"output_length\": 1}\n"
                                     "{\"timestamp\": 150, \"input_length\": 3, \"output_length\": 1}\n"
                                     "{\"timestamp\": 50, \"input_length\": 4, \"output_length\": 1}\n"
                                     "{\"timestamp\": 200, \"input_length\": 5, \"output_length\": 1}\n");
  TraceLoadReport report;
  const auto requests = load_trace(path, "", report);
  CHECK(report.out_of_order_rows == 2);
  REQUIRE(report.warnings.size() == 1);
  CHECK(report.warnings[0] ==
        "2 rows arrived earlier than the row before them; sorted stably by arrival time");
  REQUIRE(requests.size() == 5);
  // Stable: the two rows at 50 ms keep their file order; times start at the earliest row.
  const std::vector<std::int32_t> expected_inputs = {2, 4, 1, 3, 5};
  const std::vector<TimeNs> expected_arrivals_ms = {0, 0, 50, 100, 150};
  for (std::size_t i = 0; i < requests.size(); ++i) {
    CHECK(requests[i].id == i);
    CHECK(requests[i].input_tokens == expected_inputs[i]);
    CHECK(requests[i].arrival_ns == expected_arrivals_ms[i] * kNsPerMs);
  }
}

TEST_CASE("azure and csv wall-clock times: impossible dates and times beyond int64 nanoseconds are errors") {
  const std::string header = "TIMESTAMP,ContextTokens,GeneratedTokens\n";
  const std::string good = "2023-11-16 18:17:03.9799600,4808,10\n";
  // Year 9999 once overflowed the nanosecond arithmetic (undefined behaviour) and printed a wrong span.
  std::string message = load_error("t1.csv", header + good + "9999-11-16 18:17:03.9,4808,10\n", "azure");
  CHECK(message.find("t1.csv:3: field 'TIMESTAMP'") != std::string::npos);
  CHECK(message.find("between 1678 and 2261") != std::string::npos);
  message = load_error("t2.csv", header + "1500-01-01 00:00:00.0,4808,10\n", "azure");
  CHECK(message.find("t2.csv:2: field 'TIMESTAMP'") != std::string::npos);
  // February 30th and the 31st of a 30-day month do not exist.
  message = load_error("t3.csv", header + "2023-02-30 00:00:00.0,4808,10\n", "azure");
  CHECK(message.find("t3.csv:2: field 'TIMESTAMP'") != std::string::npos);
  message = load_error("t4.csv", header + "2023-04-31 00:00:00.0,4808,10\n", "azure");
  CHECK(message.find("t4.csv:2: field 'TIMESTAMP'") != std::string::npos);
  // 2024 is a leap year: its February 29th is real.
  CHECK(load_error("t5.csv", header + "2024-02-29 00:00:00.0,4808,10\n", "azure").empty());
  message = load_error("t6.csv", header + "2023-01-01 00:00:00.0+25:00,4808,10\n", "azure");
  CHECK(message.find("t6.csv:2: field 'TIMESTAMP'") != std::string::npos);
}

TEST_CASE("JSONL rows: a repeated key and a quoted number are errors, not silently resolved") {
  std::string message = load_error(
      "j1.jsonl", "{\"timestamp\": 1, \"input_length\": 30, \"input_length\": 9000, \"output_length\": 4}\n",
      "mooncake");
  CHECK(message.find("j1.jsonl:1") != std::string::npos);
  CHECK(message.find("repeats a key") != std::string::npos);
  message = load_error("j2.jsonl", "{\"timestamp\": 1, \"input_length\": \"10\", \"output_length\": 4}\n",
                       "mooncake");
  CHECK(message.find("j2.jsonl:1: field 'input_length': expected a JSON number") != std::string::npos);
}
