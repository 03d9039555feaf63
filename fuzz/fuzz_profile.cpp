// The calibration profile loader on arbitrary bytes as an SQLite file.
#include "calibration/profile_store.h"
#include "fuzz_support.h"
#include "workloads/input_error.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string path = sparsesim::fuzz::write_input(".db", data, size);
  try {
    sparsesim::read_profile(path);
  } catch (const sparsesim::InputError&) {
  }
  return 0;
}
