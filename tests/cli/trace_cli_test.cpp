// `sparsesim trace`: a stored run replayed into a Chrome trace / Perfetto JSON timeline. The file is
// valid JSON; its iteration slices add up to the run's stored GPU time; every completed request has its
// phases; the replica and event bounds hold; runs of another build or changed inputs are refused.
#include <doctest/doctest.h>

#include <cctype>
#include <string>

#include "cli_support.h"
#include "db_rows.h"

namespace sparsesim::testing {
namespace {

// A strict JSON syntax check (RFC 8259 values), enough to know a viewer can load the file.
struct JsonChecker {
  const std::string& text;
  std::size_t at = 0;
  void space() {
    while (at < text.size() && std::isspace(static_cast<unsigned char>(text[at]))) ++at;
  }
  bool literal(const char* word) {
    const std::string w(word);
    if (text.compare(at, w.size(), w) != 0) return false;
    at += w.size();
    return true;
  }
  bool string() {
    if (text[at] != '"') return false;
    for (++at; at < text.size(); ++at) {
      if (text[at] == '\\')
        ++at;
      else if (text[at] == '"')
        return ++at, true;
      else if (static_cast<unsigned char>(text[at]) < 0x20)
        return false;
    }
    return false;
  }
  bool number() {
    const std::size_t start = at;
    if (text[at] == '-') ++at;
    while (at < text.size() && (std::isdigit(static_cast<unsigned char>(text[at])) || text[at] == '.' ||
                                text[at] == 'e' || text[at] == 'E' || text[at] == '+' || text[at] == '-'))
      ++at;
    return at > start;
  }
  bool value() {
    space();
    if (at >= text.size()) return false;
    bool ok = false;
    if (text[at] == '{') {
      ++at, space();
      if (text[at] == '}') return ++at, true;
      for (;;) {
        space();
        if (!string()) return false;
        space();
        if (text[at++] != ':' || !value()) return false;
        space();
        if (text[at] == ',') {
          ++at;
          continue;
        }
        return text[at++] == '}';
      }
    } else if (text[at] == '[') {
      ++at, space();
      if (text[at] == ']') return ++at, true;
      for (;;) {
        if (!value()) return false;
        space();
        if (text[at] == ',') {
          ++at;
          continue;
        }
        return text[at++] == ']';
      }
    } else if (text[at] == '"') {
      ok = string();
    } else if (literal("true") || literal("false") || literal("null")) {
      ok = true;
    } else {
      ok = number();
    }
    return ok;
  }
  bool document() { return value() && (space(), at == text.size()); }
};

double sum_of_iteration_durations_us(const std::string& json) {
  double total = 0;
  for (auto at = json.find(",\"tid\":0,\"ts\":"); at != std::string::npos;
       at = json.find(",\"tid\":0,\"ts\":", at + 1)) {
    const auto dur = json.find("\"dur\":", at);
    total += std::strtod(json.c_str() + dur + 6, nullptr);
  }
  return total;
}

}  // namespace

TEST_CASE("a run's timeline is valid trace JSON whose iterations add up to the stored GPU time") {
  const fs::path dir = test_dir("trace");
  std::ofstream(dir / "trace.yaml") << R"(name: traced
seed: 2
workload: {trace: data/traces/mooncake/conversation_trace.jsonl, max_requests: 120, rate_multiplier: 4}
cluster: {gpu: H100-SXM, model: Qwen2.5-7B, replicas: 2, tensor_parallel: 2}
quality: data/quality/sparse_frontier_prior.csv
compute: {metric: gpu_seconds, target: {fraction_of_dense: 0.9}}
policies: [dense, {impl: uncertainty_triggered, auroc: 0.8, check_after_tokens: 16}]
)";
  const fs::path db = dir / "trace.db";
  REQUIRE(run_cli("run " + (dir / "trace.yaml").string() + " --no-progress --out " + db.string(), dir)
              .exit_code == 0);
  const auto run =
      rows_of(db, "SELECT run_id, gpu_busy_s, completed FROM runs WHERE policy = 'uncertainty_triggered'");
  REQUIRE(run.size() == 1);
  const fs::path json_path = dir / "run.json";
  const auto traced =
      run_cli("trace " + db.string() + " --run " + run[0][0] + " -o " + json_path.string(), dir);
  INFO(traced.output);
  REQUIRE(traced.exit_code == 0);
  CHECK(traced.output.find("replayed and matched the stored run") != std::string::npos);
  const std::string json = read_bytes(json_path);
  CHECK(JsonChecker{json}.document());
  CHECK(json.find("\"traceEvents\"") != std::string::npos);
  // Iteration slices: duration x TP GPUs summed over both replicas is the run's stored GPU time.
  CHECK(sum_of_iteration_durations_us(json) * 2 / 1e6 == doctest::Approx(std::stod(run[0][1])).epsilon(1e-6));
  CHECK(count_of(json, "\"cat\":\"prefill\"") == std::stoul(run[0][2]));  // every completed request
  CHECK(count_of(json, "\"name\":\"replica 0\"") == 1);
  CHECK(count_of(json, "\"name\":\"replica 1\"") == 1);

  // Bounds: one replica; a cap on events, said in the file and on the terminal.
  const auto one = run_cli(
      "trace " + db.string() + " --run " + run[0][0] + " --replicas 1 -o " + (dir / "one.json").string(),
      dir);
  REQUIRE(one.exit_code == 0);
  const std::string one_json = read_bytes(dir / "one.json");
  CHECK(one_json.find("\"pid\":0,\"tid\"") == std::string::npos);
  CHECK(one_json.find("\"pid\":1,\"tid\"") != std::string::npos);
  const auto capped = run_cli("trace " + db.string() + " --run " + run[0][0] + " --max-events 50 -o " +
                                  (dir / "capped.json").string(),
                              dir);
  REQUIRE(capped.exit_code == 0);
  CHECK(capped.output.find("--max-events 50 reached") != std::string::npos);
  CHECK(read_bytes(dir / "capped.json").find("\"truncated_at_s\"") != std::string::npos);
  CHECK(JsonChecker{read_bytes(dir / "capped.json")}.document());

  // Refusals: no such run, a replica the run does not have, a run whose stored figures the replay cannot
  // reproduce, a run of another build.
  CHECK(run_cli("trace " + db.string() + " --run 999 -o " + (dir / "x.json").string(), dir).exit_code == 2);
  CHECK(run_cli(
            "trace " + db.string() + " --run " + run[0][0] + " --replicas 7 -o " + (dir / "x.json").string(),
            dir)
            .exit_code == 2);
  sqlite3* handle = nullptr;
  REQUIRE(sqlite3_open(db.string().c_str(), &handle) == SQLITE_OK);
  REQUIRE(sqlite3_exec(handle,
                       ("UPDATE runs SET makespan_s = makespan_s + 1 WHERE run_id = " + run[0][0]).c_str(),
                       nullptr, nullptr, nullptr) == SQLITE_OK);
  sqlite3_close(handle);
  const auto changed =
      run_cli("trace " + db.string() + " --run " + run[0][0] + " -o " + (dir / "x.json").string(), dir);
  CHECK(changed.exit_code == 2);
  CHECK(changed.output.find("has changed since the run") != std::string::npos);
  REQUIRE(sqlite3_open(db.string().c_str(), &handle) == SQLITE_OK);
  REQUIRE(sqlite3_exec(handle, "UPDATE runs SET build_identity = 'other'", nullptr, nullptr, nullptr) ==
          SQLITE_OK);
  sqlite3_close(handle);
  const auto other =
      run_cli("trace " + db.string() + " --run " + run[0][0] + " -o " + (dir / "x.json").string(), dir);
  CHECK(other.exit_code == 2);
  CHECK(other.output.find("was made by build other") != std::string::npos);
  CHECK(!fs::exists(dir / "x.json"));
}

}  // namespace sparsesim::testing
