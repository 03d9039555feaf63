// Every trace reader on arbitrary bytes. The first byte picks the format ("" = sniffing), the rest is the
// file.
#include "fuzz_support.h"
#include "workloads/trace_reader.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const char* const kFormats[] = {"", "mooncake", "azure", "ragpulse", "burstgpt", "csv"};
  if (size == 0) return 0;
  const std::string format = kFormats[data[0] % (sizeof kFormats / sizeof kFormats[0])];
  const std::string path = sparsesim::fuzz::write_input(".trace", data + 1, size - 1);
  sparsesim::fuzz::allowing_input_errors([&] {
    sparsesim::TraceLoadReport report;
    const auto requests = sparsesim::load_trace(path, format, report);
    for (const auto& request : requests)
      if (request.input_tokens <= 0 || request.output_tokens <= 0 || request.arrival_ns < 0) __builtin_trap();
  });
  return 0;
}
