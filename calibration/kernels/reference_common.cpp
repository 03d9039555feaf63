// bf16 rounding, seeded fills and the block-sparse layout builder shared by the reference kernels.
#include <algorithm>
#include <cmath>
#include <cstring>
#include <numeric>
#include <random>
#include <stdexcept>

#include "calibration/kernels/reference_kernels.h"

namespace sparsesim::kernels {

float round_to_bf16(float value) {
  std::uint32_t bits = 0;
  std::memcpy(&bits, &value, sizeof bits);
  if ((bits & 0x7f800000u) == 0x7f800000u) return value;  // inf and NaN pass through
  bits += 0x7fffu + ((bits >> 16) & 1u);                  // round to nearest, ties to even
  bits &= 0xffff0000u;
  float rounded = 0;
  std::memcpy(&rounded, &bits, sizeof rounded);
  return rounded;
}

void fill_uniform(std::vector<float>& values, std::uint64_t seed, float low, float high, bool bf16) {
  std::mt19937_64 rng(seed);
  for (auto& value : values) {
    const double unit = static_cast<double>(rng() >> 11) * 0x1.0p-53;  // [0, 1) from the top 53 bits
    const auto drawn = static_cast<float>(low + (high - low) * unit);
    value = bf16 ? round_to_bf16(drawn) : drawn;
  }
}

double BlockSparseLayout::density() const {
  const double causal = static_cast<double>(query_blocks) * (query_blocks + 1) / 2.0;
  return causal > 0 ? static_cast<double>(key_blocks.size()) / causal : 1.0;
}

namespace {
int kept_blocks(int query_block, double density) {
  const int causal = query_block + 1;
  return std::clamp(static_cast<int>(std::lround(density * causal)), 1, causal);
}
}  // namespace

std::int64_t causal_active_block_pairs(int query_blocks, double density) {
  std::int64_t pairs = 0;
  for (int query_block = 0; query_block < query_blocks; ++query_block)
    pairs += kept_blocks(query_block, density);
  return pairs;
}

BlockSparseLayout make_causal_block_layout(int query_blocks, double density, std::uint64_t seed) {
  if (query_blocks < 1) throw std::invalid_argument("block layout: need at least one query block");
  if (!(density > 0.0 && density <= 1.0))
    throw std::invalid_argument("block layout: density must be in (0, 1]");
  std::mt19937_64 rng(seed);
  BlockSparseLayout layout;
  layout.query_blocks = query_blocks;
  layout.offsets.reserve(query_blocks + 1);
  layout.offsets.push_back(0);
  std::vector<int> candidates;
  for (int query_block = 0; query_block < query_blocks; ++query_block) {
    const int keep = kept_blocks(query_block, density);
    std::vector<int> chosen{query_block};
    if (keep >= 2) chosen.push_back(0);
    // The middle blocks 1 .. query_block-1, a seeded partial Fisher-Yates shuffle picks the rest.
    candidates.resize(std::max(0, query_block - 1));
    std::iota(candidates.begin(), candidates.end(), 1);
    const int extra = keep - static_cast<int>(chosen.size());
    for (int i = 0; i < extra; ++i) {
      const auto remaining = static_cast<std::uint64_t>(candidates.size() - i);
      const auto pick = i + static_cast<int>(rng() % remaining);
      std::swap(candidates[i], candidates[pick]);
      chosen.push_back(candidates[i]);
    }
    std::sort(chosen.begin(), chosen.end());
    layout.key_blocks.insert(layout.key_blocks.end(), chosen.begin(), chosen.end());
    layout.offsets.push_back(static_cast<int>(layout.key_blocks.size()));
  }
  return layout;
}

}  // namespace sparsesim::kernels
