// Quality curve and dense accuracy CSVs on arbitrary bytes: the same bytes as both kinds.
#include "fuzz_support.h"
#include "quality/quality_curves.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string path = sparsesim::fuzz::write_input(".csv", data, size);
  sparsesim::fuzz::allowing_input_errors([&] { sparsesim::QualityCurves::load(path); });
  sparsesim::fuzz::allowing_input_errors([&] { sparsesim::DenseAccuracyTable::load(path); });
  return 0;
}
