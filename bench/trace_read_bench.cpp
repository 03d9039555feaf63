// Trace reading speed and memory (issue 4): the shipped Mooncake conversation trace must load in under
// 100 ms, and a 10-million-row CSV must stream at over 5 million rows/s with under 200 MiB peak memory.
// The 10M-row files are generated once into /tmp (kept for later runs; delete them to regenerate).
// Counters: rows_per_s (rows read per second of wall time); peak_rss_MiB: the process's resident-set
// high-water mark while the benchmark ran (Linux: the mark is reset through /proc/self/clear_refs first;
// where that is refused it is getrusage's lifetime peak); rss_before_MiB: resident set when the benchmark
// started (this binary links every sparsesim library, CUDA ones included, which alone can be ~150 MiB);
// added_MiB = peak - before, what reading the trace itself needed.
#include <benchmark/benchmark.h>
#include <sys/resource.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <string>

#include "workloads/trace_loading.h"

namespace {

constexpr std::int64_t kRows = 10'000'000;

// A "VmRSS:"/"VmHWM:" line of /proc/self/status in MiB, or -1 when unavailable.
double proc_status_mib(const char* key) {
  std::FILE* status = std::fopen("/proc/self/status", "r");
  if (status == nullptr) return -1.0;
  char line[256];
  double mib = -1.0;
  const std::size_t key_length = std::strlen(key);
  while (std::fgets(line, sizeof line, status) != nullptr) {
    if (std::strncmp(line, key, key_length) == 0) {
      mib = std::strtod(line + key_length, nullptr) / 1024.0;  // reported in kB
      break;
    }
  }
  std::fclose(status);
  return mib;
}

// Starts a fresh high-water mark at the current RSS; false where the kernel does not allow it.
bool reset_peak_rss() {
  std::FILE* clear_refs = std::fopen("/proc/self/clear_refs", "w");
  if (clear_refs == nullptr) return false;
  const bool written = std::fputs("5", clear_refs) >= 0;
  return std::fclose(clear_refs) == 0 && written;
}

double lifetime_peak_rss_mib() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return static_cast<double>(usage.ru_maxrss) / 1024.0;  // ru_maxrss is in KiB on Linux
}

// Measures the resident-set peak of what runs between construction and report().
class PeakRss {
 public:
  PeakRss() : before_mib_(proc_status_mib("VmRSS:")), reset_(reset_peak_rss()) {}
  void report(benchmark::State& state) const {
    const double peak = reset_ ? proc_status_mib("VmHWM:") : lifetime_peak_rss_mib();
    state.counters["peak_rss_MiB"] = peak;
    state.counters["rss_before_MiB"] = before_mib_;
    state.counters["added_MiB"] = peak - before_mib_;
  }

 private:
  double before_mib_;
  bool reset_;
};

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
  const PeakRss peak_rss;
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
  peak_rss.report(state);
}

void BM_MooncakeLoad(benchmark::State& state) {
  const std::string path =
      std::string(SPARSESIM_SOURCE_DIR) + "/data/traces/mooncake/conversation_trace.jsonl";
  std::size_t requests = 0;
  const PeakRss peak_rss;
  for (auto _ : state) {
    sparsesim::TraceLoadReport report;
    requests = sparsesim::load_trace(path, "", report).size();
  }
  state.counters["requests"] = static_cast<double>(requests);
  peak_rss.report(state);
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
