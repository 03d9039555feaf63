// sparsesim trace RESULTS.db --run ID -o run.json [--from S] [--to S] [--replicas 0,1] [--max-events N]
#include <iostream>
#include <sstream>

#include <boost/program_options.hpp>

#include "cli/command.h"
#include "cli/command_line.h"
#include "core/atomic_file.h"
#include "core/input_error.h"
#include "experiments/chrome_trace.h"
#include "experiments/results_store.h"
#include "experiments/run_replay.h"

namespace sparsesim::cli {
namespace {

namespace po = boost::program_options;

std::set<int> parse_replicas(const std::string& text) {
  std::set<int> replicas;
  std::stringstream list(text);
  for (std::string item; std::getline(list, item, ',');) {
    std::size_t used = 0;
    int replica = -1;
    try {
      replica = std::stoi(item, &used);
    } catch (const std::exception&) {
    }
    if (replica < 0 || used != item.size() || item.empty())
      throw InputError("--replicas: expected replica indices like 0,2,3, got '" + text + "'");
    replicas.insert(replica);
  }
  return replicas;
}

std::string json_text(const std::string& text) {
  std::string out = "\"";
  for (char c : text) {
    if (c == '"' || c == '\\') out += '\\';
    if (static_cast<unsigned char>(c) >= 0x20) out += c;
  }
  return out + "\"";
}

int trace_command(int argc, char** argv) {
  po::options_description options(
      "sparsesim trace RESULTS.db --run ID -o run.json [options]\n\n"
      "Simulates a stored run again (it must reproduce the stored figures exactly) and writes its\n"
      "timeline as Chrome trace / Perfetto JSON: per replica, each iteration (prefill tokens, decodes,\n"
      "budget mix, step time) and each request's queued / prefill / decode phases, with preemptions and\n"
      "escalations. Open it in ui.perfetto.dev or chrome://tracing.\n\noptions");
  std::string db_path, out_path, replicas_text;
  std::int64_t run_id = -1;
  TraceWindow window;
  options.add_options()("help,h", "show this help")(
      "run", po::value(&run_id), "run_id (sparsesim export --table runs)")("output,o", po::value(&out_path),
                                                                           "JSON file to write")(
      "from", po::value(&window.from_s)->default_value(0), "window start, simulated seconds")(
      "to", po::value(&window.to_s), "window end, simulated seconds (default: the run's end)")(
      "replicas", po::value(&replicas_text), "only these replicas, e.g. 0,1 (default: all)")(
      "max-events", po::value(&window.max_events)->default_value(200000),
      "at most this many events (1..10,000,000); the window is cut short, and says so, beyond it");
  po::variables_map vm;
  if (!parse_command_line(argc, argv, options, "RESULTS.db", db_path, vm)) return 0;
  if (!vm.count("run")) throw InputError("--run ID is required (the run_id column of the runs table)");
  if (out_path.empty()) throw InputError("-o run.json is required");
  if (!(window.from_s >= 0)) throw InputError("--from: expected seconds >= 0");
  if (vm.count("to") && !(window.to_s > window.from_s)) throw InputError("--to: expected more than --from");
  if (window.max_events < 1 || window.max_events > 10000000)
    throw InputError("--max-events: expected 1..10,000,000, got " + std::to_string(window.max_events));
  if (!replicas_text.empty()) window.replicas = parse_replicas(replicas_text);
  auto db = open_results(db_path);
  ChromeTraceRecorder recorder(window);
  const ReplayedRun replay = replay_run(*db, run_id, &recorder);
  for (int replica : window.replicas)
    if (replica >= replay.replicas)
      throw InputError("--replicas: run " + std::to_string(run_id) + " has " +
                       std::to_string(replay.replicas) + " replicas (0.." +
                       std::to_string(replay.replicas - 1) + "), not " + std::to_string(replica));
  const std::string metadata =
      "\"run_id\":" + std::to_string(run_id) + ",\"experiment\":" + json_text(replay.experiment) +
      ",\"policy\":" + json_text(replay.policy) + ",\"sweep_point\":" + json_text(replay.sweep_point) +
      ",\"replicas\":" + std::to_string(replay.replicas) +
      ",\"tensor_parallel\":" + std::to_string(replay.tensor_parallel) +
      ",\"time_unit\":\"simulated microseconds\"";
  const std::string json = recorder.json(replay.result, metadata);
  AtomicFile file(out_path);
  file.write(json);
  file.commit();
  std::cout << "run " << run_id << " (" << replay.policy
            << (replay.sweep_point.empty() ? "" : ", " + replay.sweep_point)
            << ") replayed and matched the stored run; " << recorder.events() << " events, "
            << json.size() / 1024 << " KiB written to " << out_path << "\n";
  if (recorder.truncated_at_s() >= 0)
    std::cout << "note: --max-events " << window.max_events << " reached: the timeline stops at "
              << recorder.truncated_at_s() << " s; narrow --from/--to or --replicas for the rest\n";
  return 0;
}

const bool registered = register_command(
    {"trace", "a stored run's timeline as Chrome trace / Perfetto JSON (iterations, request phases)",
     trace_command});

}  // namespace
}  // namespace sparsesim::cli
