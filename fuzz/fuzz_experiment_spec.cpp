// The experiment YAML parser (with the GPU, model, quality and trace files it names, resolved from the
// repository root) on arbitrary text.
#include "core/yaml_file.h"
#include "experiments/experiment_spec.h"
#include "fuzz_support.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string path = sparsesim::fuzz::write_input(".yaml", data, size);
  sparsesim::fuzz::allowing_input_errors([&] { sparsesim::load_experiment(path); });
  return 0;
}
