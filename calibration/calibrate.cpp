#include "calibration/calibrate.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <ostream>

#include "calibration/fit.h"

namespace sparsesim {

const char* grid_mode_name(GridMode mode) {
  switch (mode) {
    case GridMode::kTiny:
      return "tiny";
    case GridMode::kQuick:
      return "quick";
    case GridMode::kFull:
      return "full";
  }
  return "?";
}

Profile calibrate_cases(KernelBackend& backend, const std::vector<KernelCase>& cases,
                        const CalibrationOptions& options) {
  Profile profile;
  profile.grid = grid_mode_name(options.grid);
  profile.model = options.model_name;
  profile.seed = options.seed;
  const TimingOptions timing = options.override_timing ? options.timing : backend.default_timing();
  std::size_t index = 0;
  for (const auto& kernel_case : cases) {
    Measurement m;
    m.kernel_case = kernel_case;
    m.samples = backend.measure(kernel_case, timing);
    ++index;
    if (options.progress) {
      char line[96];
      std::snprintf(line, sizeof line, "[%zu/%zu] %12.1f us  spread %5.1f%%%s  ", index, cases.size(),
                    m.samples.median_ns / 1e3, 100 * m.samples.relative_spread(),
                    m.samples.converged ? "" : " (cap)");
      *options.progress << line << kernel_case.describe();
      if (m.samples.rejected > 0)
        *options.progress << "  (" << m.samples.rejected << " samples rejected: clock)";
      if (m.samples.kept == 0) *options.progress << "  NO SAMPLE KEPT: not fitted";
      *options.progress << "\n" << std::flush;
    }
    profile.measurements.push_back(m);
  }
  profile.device = backend.describe();  // after measuring: the CUDA backend reports the measured SM clock
  profile.fits = fit_measurements(profile.measurements, options.seed);
  return profile;
}

Profile run_calibration(KernelBackend& backend, const CalibrationOptions& options) {
  return calibrate_cases(backend, make_calibration_grid(options.grid, options.model, options.seed), options);
}

void print_fit_report(const Profile& profile, std::ostream& out) {
  out << "device: " << profile.device.name << " (" << profile.device.backend << "), grid " << profile.grid
      << ", " << profile.measurements.size() << " measurements\n";
  out << "relative error |predicted - measured| / measured, median / p95 (train -> test points):\n";
  char line[512];
  std::snprintf(line, sizeof line, "  %-18s %6s  %-22s %-22s %-22s %-22s\n", "op", "points", "in-sample",
                "holdout 20%", "extrapolate length", "extrapolate sparsity");
  out << line;
  for (const auto& fit : profile.fits) {
    char cells[4][64];
    const char* slices[4] = {"in_sample", "holdout", "extrapolate_length", "extrapolate_sparsity"};
    for (int s = 0; s < 4; ++s) {
      const FitError* e = fit.error(slices[s]);
      if (!e) {
        std::snprintf(cells[s], sizeof cells[s], "-");
        continue;
      }
      std::snprintf(cells[s], sizeof cells[s], "%5.1f%% / %5.1f%% (%d)", 100 * e->median_relative_error,
                    100 * e->p95_relative_error, e->test_points);
    }
    std::snprintf(line, sizeof line, "  %-18s %6d  %-22s %-22s %-22s %-22s\n", kernel_op_name(fit.op),
                  fit.points, cells[0], cells[1], cells[2], cells[3]);
    out << line;
  }
  out << "fitted cost forms (time = launch + work / rate):\n";
  for (const auto& fit : profile.fits) {
    out << "  " << kernel_op_name(fit.op) << ": launch " << fit.coefficients[0] / 1e3 << " us";
    for (int term = 1; term < kCostTerms; ++term) {
      const std::string name = cost_term_names(fit.op)[term];
      const double c = fit.coefficients[term];
      char text[96];
      if (c <= 0)
        std::snprintf(text, sizeof text, ", %s 0 (term not needed)", name.c_str());
      else if (name == "ns_per_flop")
        std::snprintf(text, sizeof text, ", %.3g TFLOP/s", 1e-3 / c);
      else if (name == "ns_per_byte")
        std::snprintf(text, sizeof text, ", %.3g GB/s", 1.0 / c);
      else
        std::snprintf(text, sizeof text, ", %s %.3g", name.c_str(), c);
      out << text;
    }
    out << "\n";
  }
}

namespace {

const Measurement* find_measurement(const Profile& profile, KernelOp op, std::int64_t seq_tokens,
                                    double density, int head_dim, int batch) {
  for (const auto& m : profile.measurements) {
    const KernelCase& kc = m.kernel_case;
    if (kc.op == op && kc.seq_tokens == seq_tokens && std::abs(kc.density - density) < 1e-9 &&
        kc.head_dim == head_dim && kc.batch == batch && m.samples.median_ns > 0)
      return &m;
  }
  return nullptr;
}

// The measured length closest to `wanted` (log distance) among cases of `op` with this head dim and batch.
std::int64_t closest_length(const Profile& profile, KernelOp op, std::int64_t wanted, int head_dim,
                            int batch) {
  std::int64_t best = 0;
  for (const auto& m : profile.measurements) {
    const KernelCase& kc = m.kernel_case;
    if (kc.op != op || kc.head_dim != head_dim || kc.batch != batch) continue;
    const auto distance = [&](std::int64_t length) {
      return std::abs(std::log(static_cast<double>(length) / static_cast<double>(wanted)));
    };
    if (best == 0 || distance(kc.seq_tokens) < distance(best)) best = kc.seq_tokens;
  }
  return best;
}

}  // namespace

void print_headline_figures(const Profile& profile, std::ostream& out) {
  char line[256];
  int head_dim = 0;
  for (const auto& m : profile.measurements)
    if (m.kernel_case.op == KernelOp::kPrefillAttention && m.kernel_case.batch == 1)
      head_dim = std::max(head_dim, m.kernel_case.head_dim);
  const std::int64_t prefill_length =
      closest_length(profile, KernelOp::kPrefillAttention, 16384, head_dim, 1);
  if (const Measurement* dense =
          find_measurement(profile, KernelOp::kPrefillAttention, prefill_length, 1.0, head_dim, 1)) {
    const KernelCase& kc = dense->kernel_case;
    const double length = static_cast<double>(kc.seq_tokens);
    const double flops = 4.0 * kc.head_dim * kc.query_heads * length * length / 2;
    std::snprintf(
        line, sizeof line,
        "prefill %lld tokens, head dim %d, %d/%d heads, density 1.0: %.3f ms, %.3g TFLOP/s (causal FLOPs)\n",
        static_cast<long long>(kc.seq_tokens), kc.head_dim, kc.query_heads, kc.kv_heads,
        dense->samples.median_ns / 1e6, flops / dense->samples.median_ns / 1e3);
    out << line;
    for (double density : {0.5, 0.2, 0.1}) {
      const Measurement* sparse =
          find_measurement(profile, KernelOp::kPrefillAttention, prefill_length, density, head_dim, 1);
      if (!sparse) continue;
      std::snprintf(line, sizeof line, "  density %.2f: %.3f ms, %.2fx ideal linear scaling\n", density,
                    sparse->samples.median_ns / 1e6,
                    sparse->samples.median_ns / (density * dense->samples.median_ns));
      out << line;
    }
  }
  int decode_dim = 0;
  for (const auto& m : profile.measurements)
    if (m.kernel_case.op == KernelOp::kDecodeAttention)
      decode_dim = std::max(decode_dim, m.kernel_case.head_dim);
  std::int64_t previous = 0;
  for (std::int64_t wanted : {32768, 131072}) {
    // The measured length closest to the wanted one, then the largest batch measured dense at it.
    std::int64_t length = 0;
    for (const auto& m : profile.measurements) {
      const KernelCase& kc = m.kernel_case;
      if (kc.op != KernelOp::kDecodeAttention || kc.head_dim != decode_dim) continue;
      const auto distance = [&](std::int64_t l) {
        return std::abs(std::log(static_cast<double>(l) / static_cast<double>(wanted)));
      };
      if (length == 0 || distance(kc.seq_tokens) < distance(length)) length = kc.seq_tokens;
    }
    if (length == 0 || length == previous) continue;
    previous = length;
    const Measurement* dense = nullptr;
    for (const auto& m : profile.measurements) {
      const KernelCase& kc = m.kernel_case;
      if (kc.op == KernelOp::kDecodeAttention && kc.head_dim == decode_dim && kc.seq_tokens == length &&
          kc.density == 1.0 && m.samples.median_ns > 0 && (!dense || kc.batch > dense->kernel_case.batch))
        dense = &m;
    }
    if (!dense) continue;
    const KernelCase& kc = dense->kernel_case;
    const double bytes =
        2.0 * 2.0 * kc.batch * kc.kv_heads * static_cast<double>(kc.seq_tokens) * kc.head_dim;
    std::snprintf(
        line, sizeof line,
        "decode attention %lld tokens x batch %d, %d/%d heads, dense: %.3f ms, %.3g GB/s of K and V\n",
        static_cast<long long>(kc.seq_tokens), kc.batch, kc.query_heads, kc.kv_heads,
        dense->samples.median_ns / 1e6, bytes / dense->samples.median_ns);
    out << line;
  }
}

}  // namespace sparsesim
