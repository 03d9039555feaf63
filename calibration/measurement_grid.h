#pragma once
// The grid of cases a calibration run measures, shuffled with a seeded shuffle so that slow drift
// (temperature, clocks) does not line up with one axis of the grid.
#include <cstdint>
#include <vector>

#include "calibration/measurement.h"
#include "core/hardware.h"

namespace sparsesim {

enum class GridMode {
  kTiny,   // CPU backend: small shapes, seconds in all
  kQuick,  // GPU: lengths 1K-128K, densities 1.0-0.05, the model's head shape; fits 10 minutes on an H100
  kFull,   // GPU: adds head dims, GQA ratios, batches and intermediate lengths and densities
};

// Attention and linear-layer shapes come from `model` (query/kv heads, head dim, hidden, intermediate
// sizes); fields left 0 fall back to Qwen2.5-7B's. Every grid holds, per attention op, the largest length
// and density 0.05, which the extrapolation slices of the fit test on.
std::vector<KernelCase> make_calibration_grid(GridMode mode, const ModelConfig& model, std::uint64_t seed);

}  // namespace sparsesim
