// Quality curve and dense accuracy CSVs on arbitrary bytes; a loaded curve must answer lookups in [0, 1].
#include "calibration/quality_curves.h"
#include "fuzz_support.h"
#include "workloads/input_error.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string path = sparsesim::fuzz::write_input(".csv", data, size);
  try {
    sparsesim::QualityCurves::load(path);
  } catch (const sparsesim::InputError&) {
  }
  try {
    sparsesim::DenseAccuracyTable::load(path);
  } catch (const sparsesim::InputError&) {
  }
  return 0;
}
