#include "experiments/config_hash.h"

#include <cstdio>

namespace sparsesim {

std::uint64_t fnv1a_64(std::string_view text) {
  std::uint64_t hash = 0xcbf29ce484222325ULL;
  for (unsigned char byte : text) {
    hash ^= byte;
    hash *= 0x100000001b3ULL;
  }
  return hash;
}

std::string config_hash_hex(std::string_view resolved_config) {
  char buffer[17];
  std::snprintf(buffer, sizeof buffer, "%016llx", static_cast<unsigned long long>(fnv1a_64(resolved_config)));
  return buffer;
}

}  // namespace sparsesim
