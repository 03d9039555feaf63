// `sparsesim trace-stats` end to end: the real binary on a shipped trace.
#include <doctest/doctest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "cli_support.h"

namespace {

using namespace sparsesim::testing;

CommandResult run_trace_stats(const std::string& arguments, const fs::path& folder) {
  return run_cli("trace-stats " + arguments, folder);
}

fs::path fresh_folder(const std::string& name) {
  return test_dir("trace_stats_" + name);
}

}  // namespace

TEST_CASE("trace-stats prints the Mooncake summary and plots it") {
  const fs::path folder = fresh_folder("mooncake");
  const std::string trace =
      std::string(SPARSESIM_SOURCE_DIR) + "/data/traces/mooncake/conversation_trace.jsonl";
  const bool have_gnuplot = std::system("command -v gnuplot > /dev/null 2>&1") == 0;
  const std::string plot = (folder / "mooncake.png").string();
  const auto result =
      run_trace_stats("'" + trace + "'" + (have_gnuplot ? " --plot '" + plot + "'" : ""), folder);
  CAPTURE(result.output);
  CHECK(result.exit_code == 0);
  CHECK(result.output.find("(format mooncake)") != std::string::npos);
  CHECK(result.output.find("requests                      12031") != std::string::npos);
  CHECK(result.output.find("3.034") != std::string::npos);    // inter-arrival CV
  CHECK(result.output.find("6909") != std::string::npos);     // input p50
  CHECK(result.output.find("6.89 %") != std::string::npos);   // share >= 32K
  CHECK(result.output.find("36.64 %") != std::string::npos);  // prefix block reuse
  if (have_gnuplot) {
    REQUIRE(fs::exists(plot));
    std::ifstream png(plot, std::ios::binary);
    char magic[4] = {};
    png.read(magic, 4);
    CHECK(std::string(magic + 1, 3) == "PNG");
  }
}

TEST_CASE("trace-stats: missing file and bad reader parameters are input errors (exit 2)") {
  const fs::path folder = fresh_folder("errors");
  auto result = run_trace_stats("/nonexistent/trace.csv", folder);
  CHECK(result.exit_code == 2);
  CHECK(result.output.find("/nonexistent/trace.csv: file not found") != std::string::npos);
  result = run_trace_stats("x.csv --format csv --reader '{arrival: t}'", folder);
  CHECK(result.exit_code == 2);
  CHECK(result.output.find("--reader.arrival") != std::string::npos);
  result = run_trace_stats("", folder);
  CHECK(result.exit_code == 2);
}
