#pragma once
// A stable 64-bit hash of a run's fully resolved configuration text (FNV-1a), used as the key that lets
// an interrupted sweep skip points already stored. Stable across platforms and builds.
#include <cstdint>
#include <string>
#include <string_view>

namespace sparsesim {

std::uint64_t fnv1a_64(std::string_view text);
// 16 lowercase hex digits.
std::string config_hash_hex(std::string_view resolved_config);

}  // namespace sparsesim
