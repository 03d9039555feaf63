// The calibration profile loader on arbitrary bytes as an SQLite file.
#include "calibration/profile_store.h"
#include "fuzz_support.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string path = sparsesim::fuzz::write_input(".db", data, size);
  sparsesim::fuzz::allowing_input_errors([&] { sparsesim::read_profile(path); });
  return 0;
}
