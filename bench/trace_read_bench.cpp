// Trace reading speed and memory (issue 4): the shipped Mooncake conversation trace must load in under
// 100 ms, and a 10-million-row CSV must stream at over 5 million rows/s with under 200 MiB peak memory.
// The 10M-row files are generated once into /tmp (kept for later runs; delete them to regenerate).
// Counters: rows_per_s (rows read per second of wall time), peak_rss_MiB (process high-water mark from
// getrusage, so it covers everything run before it too).
#include <benchmark/benchmark.h>
#include <sys/resource.h>

#include <cstdio>
#include <filesystem>
#include <string>

#include "workloads/trace_loading.h"

namespace {

constexpr std::int64_t kRows = 10'000'000;

double peak_rss_mib() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return static_cast<double>(usage.ru_maxrss) / 1024.0;  // ru_maxrss is in KiB on Linux
}

// Writes `rows` rows with a cheap deterministic pattern; `azure` selects the Azure 2023 wall-clock layout,
// otherwise the generic "arrival_s,input_tokens,output_tokens" layout.
std::string generated_csv(bool azure) {
  const std::string path = azure ? "/tmp/sparsesim_bench_10m_azure.csv" : "/tmp/sparsesim_bench_10m.csv";
  const std::string marker = path + ".complete";
  if (std::filesystem::exists(marker)) return path;
  std::FILE* out = std::fopen(path.c_str(), "w");
  if (out == nullptr) throw std::runtime_error("cannot write " + path);
  static char buffer[1 << 20];
  std::setvbuf(out, buffer, _IOFBF, sizeof buffer);
  std::fputs(azure ? "TIMESTAMP,ContextTokens,GeneratedTokens\n" : "arrival_s,input_tokens,output_tokens\n",
             out);
  for (std::int64_t row = 0; row < kRows; ++row) {
    const std::int64_t arrival_us = row * 1000 + (row * 7919) % 1000;  // ~1000 rows per simulated second
    const int input = 1 + static_cast<int>((row * 2654435761LL) % 16000);
    const int output = 1 + static_cast<int>((row * 40503LL) % 900);
    if (azure) {
      const std::int64_t seconds = arrival_us / 1'000'000;
      std::fprintf(out, "2023-11-%02d %02d:%02d:%02d.%06d0,%d,%d\n", static_cast<int>(16 + seconds / 86400),
                   static_cast<int>(seconds / 3600 % 24), static_cast<int>(seconds / 60 % 60),
                   static_cast<int>(seconds % 60), static_cast<int>(arrival_us % 1'000'000), input, output);
    } else {
      std::fprintf(out, "%lld.%06lld,%d,%d\n", static_cast<long long>(arrival_us / 1'000'000),
                   static_cast<long long>(arrival_us % 1'000'000), input, output);
    }
  }
  std::fclose(out);
  std::FILE* done = std::fopen(marker.c_str(), "w");
  if (done != nullptr) std::fclose(done);
  return path;
}

void stream_rows(benchmark::State& state, const std::string& path, const std::string& format,
                 const sparsesim::Params& params) {
  std::int64_t rows = 0;
  std::int64_t input_sum = 0;
  for (auto _ : state) {
    sparsesim::TraceLoadReport report;
    sparsesim::stream_trace(
        path, format,
        [&](sparsesim::Request&& request) {
          ++rows;
          input_sum += request.input_tokens;
        },
        report, params);
    if (report.rows != kRows) state.SkipWithError("wrong row count");
  }
  benchmark::DoNotOptimize(input_sum);
  state.counters["rows_per_s"] = benchmark::Counter(static_cast<double>(rows), benchmark::Counter::kIsRate);
  state.counters["peak_rss_MiB"] = peak_rss_mib();
}

void BM_MooncakeLoad(benchmark::State& state) {
  const std::string path =
      std::string(SPARSESIM_SOURCE_DIR) + "/data/traces/mooncake/conversation_trace.jsonl";
  std::size_t requests = 0;
  for (auto _ : state) {
    sparsesim::TraceLoadReport report;
    requests = sparsesim::load_trace(path, "", report).size();
  }
  state.counters["requests"] = static_cast<double>(requests);
  state.counters["peak_rss_MiB"] = peak_rss_mib();
}
BENCHMARK(BM_MooncakeLoad)->Unit(benchmark::kMillisecond)->MinTime(1.0);

void BM_Stream10MGenericCsv(benchmark::State& state) {
  const std::string path = generated_csv(false);
  stream_rows(state, path, "csv",
              sparsesim::bind_trace_reader_params("csv", YAML::Load("{arrival_column: arrival_s}")));
}
BENCHMARK(BM_Stream10MGenericCsv)->Unit(benchmark::kMillisecond)->Iterations(2)->UseRealTime();

void BM_Stream10MAzureCsv(benchmark::State& state) {
  const std::string path = generated_csv(true);
  stream_rows(state, path, "azure", {});
}
BENCHMARK(BM_Stream10MAzureCsv)->Unit(benchmark::kMillisecond)->Iterations(2)->UseRealTime();

}  // namespace

BENCHMARK_MAIN();
