#include <doctest/doctest.h>

#include "core/text_scan.h"

using namespace sparsesim;

TEST_CASE("decimal numbers convert to integer nanoseconds exactly") {
  TimeNs value = 0;
  CHECK((parse_decimal_ns("82", kNsPerSecond, value) && value == 82 * kNsPerSecond));
  CHECK((parse_decimal_ns("1.5", kNsPerMs, value) && value == 1'500'000));
  CHECK((parse_decimal_ns("0.123456789123", kNsPerSecond, value) && value == 123'456'789));
  CHECK((parse_decimal_ns(".5", kNsPerSecond, value) && value == 500'000'000));
  CHECK((parse_decimal_ns("1.5e3", kNsPerMs, value) && value == 1'500'000'000));
  CHECK((parse_decimal_ns("2.25", 60 * kNsPerSecond, value) && value == 135 * kNsPerSecond));
  for (const char* bad : {"", "-1", "1.2.3", "abc", "1x", ".", "99999999999999999999"})
    CHECK_FALSE(parse_decimal_ns(bad, kNsPerSecond, value));
}

TEST_CASE("wall-clock timestamps: 2023 and 2024 Azure forms, offsets, leap years") {
  TimeNs value = 0;
  REQUIRE(parse_wall_clock_ns("1970-01-01 00:00:00", value));
  CHECK(value == 0);
  REQUIRE(parse_wall_clock_ns("2023-11-16 18:17:03.9799600", value));
  CHECK(value == 1700158623'979960000LL);  // date -u -d '2023-11-16 18:17:03' +%s = 1700158623
  REQUIRE(parse_wall_clock_ns("2024-05-10 02:00:00.009930+02:00", value));
  TimeNs utc = 0;
  REQUIRE(parse_wall_clock_ns("2024-05-10T00:00:00.00993Z", utc));
  CHECK(value == utc);
  TimeNs feb29 = 0, mar1 = 0;
  REQUIRE(parse_wall_clock_ns("2024-02-29 00:00:00", feb29));
  REQUIRE(parse_wall_clock_ns("2024-03-01 00:00:00", mar1));
  CHECK(mar1 - feb29 == 86400 * kNsPerSecond);
  for (const char* bad : {"2023-11-16", "2023-11-16 18:17", "2023/11/16 18:17:03", "2023-11-16 18:17:03.",
                          "2023-11-16 18:17:03+0", "2023-00-16 18:17:03", "2023-11-16 24:00:00"})
    CHECK_FALSE(parse_wall_clock_ns(bad, value));
}

TEST_CASE("json object scanner: members, nesting, strings with escapes, errors") {
  std::vector<JsonMember> members;
  REQUIRE(scan_json_object(R"({"a": 1, "b" : "x,\"}y", "c": [1, [2]], "d": {"e": [3]}, "f":true})",
                           members) == nullptr);
  REQUIRE(members.size() == 5);
  CHECK(members[0].value == "1");
  CHECK((members[1].is_string && members[1].value == R"(x,\"}y)"));
  CHECK(members[2].value == "[1, [2]]");
  CHECK(members[3].value == R"({"e": [3]})");
  CHECK(find_member(members, "f")->value == "true");
  CHECK(find_member(members, "g") == nullptr);
  CHECK(scan_json_object("{}", members) == nullptr);
  CHECK(members.empty());
  CHECK(scan_json_object(R"({"a" 1})", members) != nullptr);
  CHECK(scan_json_object(R"({"a": [1, 2})", members) != nullptr);
  CHECK(scan_json_object(R"({"a": 1} trailing)", members) != nullptr);
  std::vector<std::uint64_t> values;
  CHECK((parse_uint_array("[ 1,2 , 30 ]", values) && values == std::vector<std::uint64_t>{1, 2, 30}));
  values.clear();
  CHECK((parse_uint_array("[]", values) && values.empty()));
  CHECK_FALSE(parse_uint_array("[1,]", values));
  CHECK_FALSE(parse_uint_array("[-1]", values));
}

TEST_CASE("csv splitting with quotes and empty fields") {
  std::vector<std::string_view> fields;
  REQUIRE(split_csv_line("a,,b,", ',', fields));
  CHECK(fields == std::vector<std::string_view>{"a", "", "b", ""});
  REQUIRE(split_csv_line(R"("x,y",2,"q""z")", ',', fields));
  CHECK(fields == std::vector<std::string_view>{"x,y", "2", R"(q""z)"});
  CHECK_FALSE(split_csv_line(R"(1,"open)", ',', fields));
}
