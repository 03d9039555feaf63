#pragma once
// Shared by the libFuzzer targets: inputs that name a file are written to a per-process temporary file.
// A target may only end an input by returning or by throwing InputError (the documented reaction to bad
// input); any other exception, a crash or a sanitizer report is a finding.
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <fstream>
#include <string>

#include "core/input_error.h"

namespace sparsesim::fuzz {

inline std::string write_input(const std::string& suffix, const std::uint8_t* data, std::size_t size) {
  const std::string path = "/tmp/sparsesim-fuzz-" + std::to_string(::getpid()) + suffix;
  std::ofstream(path, std::ios::binary | std::ios::trunc)
      .write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
  return path;
}

// Runs `use`; an InputError is the documented reaction to bad input and ends the input quietly, anything
// else escapes to libFuzzer as a finding.
template <class Use>
void allowing_input_errors(Use&& use) {
  try {
    use();
  } catch (const InputError&) {
  }
}

}  // namespace sparsesim::fuzz
