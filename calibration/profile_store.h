#pragma once
// A calibration profile: the device description, every measurement, the fitted coefficients of each op's
// cost form and their validation errors, in one SQLite file (format "sparsesim-profile", version below).
//
// Tables: meta(key, value)           format, format_version, grid, model, seed, block sizes
//         device(...)                one row: DeviceDescription
//         measurements(...)          one row per measured case: shape, median / p10 / p90 ns, sample counts
//         coefficients(op, term_index, term, value)
//         fit_errors(op, slice, train_points, test_points, median_relative_error, p95_relative_error)
#include <string>
#include <vector>

#include "calibration/fit.h"
#include "calibration/measurement.h"

namespace sparsesim {

constexpr const char* kProfileFormat = "sparsesim-profile";
constexpr int kProfileFormatVersion = 1;

struct Profile {
  DeviceDescription device;
  std::string grid;   // "tiny", "quick" or "full"
  std::string model;  // model whose linear shapes the GEMMs were measured at ("" = defaults)
  std::uint64_t seed = 1;
  std::vector<Measurement> measurements;
  std::vector<OpFit> fits;
  // The fit of `op`, or nullptr.
  const OpFit* fit(KernelOp op) const;
  // Block size (tokens) of the prefill measurements and page size of the decode ones (0 when absent).
  int prefill_block_tokens() const;
  int decode_page_tokens() const;
};

// Writes the profile atomically: into a temporary file beside `path` in one transaction, then renamed over
// `path`. Throws std::runtime_error naming the path when SQLite fails.
void write_profile(const Profile& profile, const std::string& path);

// Reads and validates a profile. Throws InputError naming the path when the file is missing, not SQLite,
// not a sparsesim profile, of another format version, or holds malformed rows (unknown op, negative or
// non-finite coefficient, missing table).
Profile read_profile(const std::string& path);

}  // namespace sparsesim
