// `sparsesim trace-stats` end to end: the real binary on a shipped trace.
#include <doctest/doctest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

namespace {

namespace fs = std::filesystem;

struct TraceStatsRun {
  int exit_code;
  std::string output;  // stdout and stderr together
};

TraceStatsRun run_trace_stats(const std::string& arguments, const fs::path& folder) {
  const fs::path log = folder / "output.txt";
  const std::string command =
      std::string(SPARSESIM_BINARY) + " trace-stats " + arguments + " > '" + log.string() + "' 2>&1";
  const int status = std::system(command.c_str());
  std::ifstream input(log);
  std::stringstream text;
  text << input.rdbuf();
  return {WEXITSTATUS(status), text.str()};
}

fs::path fresh_folder(const std::string& name) {
  const fs::path folder = fs::path(SPARSESIM_TEST_TMP) / "cli_trace_stats" / name;
  fs::remove_all(folder);
  fs::create_directories(folder);
  return folder;
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
