// DAG workflows read from a generic CSV trace: ids, parents, workflow keys and think times; parent ids
// resolved after load_trace sorts rows by arrival; unknown parents, duplicate ids and cycles rejected.
#include <doctest/doctest.h>

#include "core/input_error.h"
#include "trace_test_files.h"
#include "workloads/trace_loading.h"
#include "workloads/trace_reader.h"

using namespace sparsesim;

namespace {

const char* kMapping =
    "{arrival_column: t, input_column: in, output_column: out, id_column: call, parent_column: parents, "
    "workflow_column: job, think_time_column: think_s}";

std::vector<Request> load(const std::string& path, TraceLoadReport& report) {
  return load_trace(path, "csv", report, bind_trace_reader_params("csv", YAML::Load(kMapping)));
}

std::string write_csv(const std::string& name, const std::string& rows) {
  const auto folder = test::temp_folder("workflow-columns-" + name);
  return test::write_text(folder / "trace.csv", "call,t,in,out,parents,job,think_s\n" + rows);
}

}  // namespace

TEST_CASE("a CSV DAG with fan-out, fan-in and rows out of order loads with parents in final ids") {
  // File order c, a, b, d, x, y; arrival order x(0) a(0.1) b(0.2) c(0.3) y(0.35) d(0.4).
  const std::string path = write_csv("dag",
                                     "c,0.3,100,10,a;b,j1,0.5\n"
                                     "a,0.1,100,10,,j1,\n"
                                     "b,0.2,100,10,a,j1,0.25\n"
                                     "d,0.4,100,10,c,j1,\n"
                                     "x,0.0,50,5,,j2,\n"
                                     "y,0.35,50,5,x  c,j2,0\n");
  TraceLoadReport report;
  const std::vector<Request> requests = load(path, report);
  REQUIRE(requests.size() == 6);
  CHECK(report.out_of_order_rows > 0);
  const std::vector<std::vector<std::uint64_t>> parents = {{}, {}, {1}, {1, 2}, {0, 3}, {3}};
  const std::int64_t workflows[] = {1, 0, 0, 0, 1, 0};  // j1 appears first in the file
  const TimeNs think_ns[] = {0, 0, 250'000'000, 500'000'000, 0, 0};
  const TimeNs arrival_ms[] = {0, 100, 200, 300, 350, 400};
  for (std::size_t index = 0; index < requests.size(); ++index) {
    CAPTURE(index);
    CHECK(requests[index].id == index);
    CHECK(requests[index].parent_ids == parents[index]);
    CHECK(requests[index].workflow_id == workflows[index]);
    CHECK(requests[index].think_time_ns == think_ns[index]);
    CHECK(requests[index].arrival_ns == arrival_ms[index] * 1'000'000);
  }

  // Streaming (no sorting) leaves parents in the report's side table, by row id (file order).
  TraceLoadReport streamed;
  std::vector<Request> rows;
  stream_trace(
      path, "csv", [&](Request&& row) { rows.push_back(std::move(row)); }, streamed,
      bind_trace_reader_params("csv", YAML::Load(kMapping)));
  REQUIRE(rows.size() == 6);
  for (const Request& row : rows) CHECK(row.parent_ids.empty());
  REQUIRE(streamed.parent_links.size() == 4);  // c, b, d, y
  CHECK(streamed.parent_links[0].row_id == 0);
  CHECK(streamed.parent_links[0].parent_row_ids == std::vector<std::uint64_t>{1, 2});
}

TEST_CASE("unknown parents, duplicate ids, cycles and bad think times are errors naming file:line") {
  TraceLoadReport report;
  SUBCASE("unknown parent") {
    const std::string path = write_csv("unknown", "a,0,1,1,,w,\nb,1,1,1,a;zz,w,\n");
    CHECK_THROWS_WITH_AS(load(path, report), doctest::Contains((path + ":3: field 'parents'").c_str()),
                         InputError);
    CHECK_THROWS_WITH_AS(load(path, report), doctest::Contains("'zz'"), InputError);
  }
  SUBCASE("duplicate id") {
    const std::string path = write_csv("duplicate", "a,0,1,1,,w,\na,1,1,1,,w,\n");
    CHECK_THROWS_WITH_AS(load(path, report), doctest::Contains((path + ":3: field 'call'").c_str()),
                         InputError);
  }
  SUBCASE("cycle, including a self-loop") {
    const std::string path = write_csv("cycle", "r,0,1,1,,w,\na,1,1,1,c,w,\nb,2,1,1,a,w,\nc,3,1,1,b r,w,\n");
    CHECK_THROWS_WITH_AS(load(path, report), doctest::Contains("field 'parents'"), InputError);
    CHECK_THROWS_WITH_AS(load(path, report), doctest::Contains("cycle"), InputError);
    const std::string self = write_csv("self", "a,0,1,1,a,w,\n");
    CHECK_THROWS_WITH_AS(load(self, report), doctest::Contains((self + ":2: field 'parents'").c_str()),
                         InputError);
  }
  SUBCASE("negative think time") {
    const std::string path = write_csv("think", "a,0,1,1,,w,-1\n");
    CHECK_THROWS_WITH_AS(load(path, report), doctest::Contains((path + ":2: field 'think_s'").c_str()),
                         InputError);
  }
  SUBCASE("parent_column needs id_column") {
    CHECK_THROWS_WITH_AS(
        make_trace_reader("csv", bind_trace_reader_params("csv", YAML::Load("{parent_column: parents}"))),
        doctest::Contains("workload.reader.parent_column"), InputError);
  }
}
