// GPU and model spec files on arbitrary text: the same bytes as both kinds.
#include "core/hardware.h"
#include "fuzz_support.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string path = sparsesim::fuzz::write_input(".yaml", data, size);
  sparsesim::fuzz::allowing_input_errors([&] {
    const sparsesim::GpuSpec gpu = sparsesim::load_gpu_spec(path);
    if (!(gpu.launch_floor_us > 0 && gpu.launch_floor_us <= 1000)) __builtin_trap();
  });
  sparsesim::fuzz::allowing_input_errors([&] {
    const sparsesim::ModelConfig model = sparsesim::load_model_config(path);
    if (model.layers <= 0 || model.kv_heads <= 0 || model.query_heads % model.kv_heads != 0) __builtin_trap();
  });
  return 0;
}
