// The whole CPU calibration pipeline: measure a tiny grid, fit, store, load, and price batches through the
// `profile` cost model found in the registry.
#include <doctest/doctest.h>

#include <chrono>
#include <filesystem>
#include <random>
#include <sstream>

#include <sqlite3.h>

#include "../cost/decode_run_check.h"
#include "calibration/calibrate.h"
#include "calibration/measurement_backends.h"
#include "core/input_error.h"
#include "cost/cost_model.h"

using namespace sparsesim;

namespace {

ModelConfig small_model() {
  ModelConfig model;
  model.name = "test-model";
  model.layers = 4;
  model.hidden_size = 512;
  model.query_heads = 8;
  model.kv_heads = 2;
  model.head_dim = 64;
  model.intermediate_size = 1024;
  model.vocab_size = 1000;
  return model;
}

std::unique_ptr<CostModel> make_profile_model(const std::string& path, const ModelConfig& model, int tp = 1) {
  CostModelContext context;
  context.model = model;
  context.tensor_parallel = tp;
  context.gpu.interconnect_bytes_per_s = 450e9;
  const Params params(YAML::Load("{impl: profile, path: '" + path + "'}"), "cost_model",
                      CostModelRegistry::instance().get("profile").params);
  return CostModelRegistry::instance().get("profile").factory(params, context);
}

TimeNs price(const CostModel& model, const BatchWork& batch) {
  StepCost cost;
  model.step_cost(batch, cost);
  return cost.duration_ns;
}

}  // namespace

TEST_CASE("cpu calibration end to end: measure, fit, store, load, price") {
  const auto started = std::chrono::steady_clock::now();
  auto backend = make_backend("cpu");
  CHECK(backend->describe().backend == "cpu");
  CalibrationOptions options;
  options.grid = GridMode::kTiny;
  options.seed = 5;
  options.override_timing = true;
  options.timing = backend->default_timing();
  options.timing.time_cap_s = 0.01;  // CI: a sample or three per case is enough to exercise the pipeline
  options.timing.min_samples = 2;
  const Profile profile = run_calibration(*backend, options);
  CHECK(profile.measurements.size() == make_calibration_grid(GridMode::kTiny, {}, 5).size());
  REQUIRE(profile.fits.size() == static_cast<std::size_t>(kKernelOpCount));
  for (const auto& m : profile.measurements) {
    CHECK(m.samples.median_ns > 0);
    CHECK(m.samples.p10_ns <= m.samples.median_ns);
    CHECK(m.samples.median_ns <= m.samples.p90_ns);
  }
  for (const auto& fit : profile.fits) {
    INFO(kernel_op_name(fit.op));
    REQUIRE(fit.error("holdout") != nullptr);
    // Loose: CI machines are noisy and shared; this guards against a broken fit, not a slow runner.
    CHECK(fit.error("in_sample")->median_relative_error < 0.5);
    for (double c : fit.coefficients) CHECK(c >= 0);
  }

  std::ostringstream report;
  print_fit_report(profile, report);
  CHECK(report.str().find("prefill_attention") != std::string::npos);
  CHECK(report.str().find("extrapolate sparsity") != std::string::npos);
  std::ostringstream figures;
  print_headline_figures(profile, figures);
  CHECK(figures.str().find("prefill 256 tokens, head dim 64, 4/2 heads, density 1.0") != std::string::npos);
  CHECK(figures.str().find("density 0.50") != std::string::npos);
  CHECK(figures.str().find("decode attention 4096 tokens x batch 4") != std::string::npos);

  std::filesystem::create_directories(SPARSESIM_TEST_TMP);
  const std::string path = std::string(SPARSESIM_TEST_TMP) + "/cpu_profile.db";
  write_profile(profile, path);
  const Profile loaded = read_profile(path);
  CHECK(loaded.measurements.size() == profile.measurements.size());
  CHECK(loaded.prefill_block_tokens() == 16);
  CHECK(loaded.decode_page_tokens() == 16);

  const ModelConfig model = small_model();
  const auto cost_model = make_profile_model(path, model);
  CHECK(cost_model->describe().find("profile") == 0);

  BatchWork empty;
  StepCost cost;
  cost_model->step_cost(empty, cost);
  CHECK(cost.duration_ns == 0);

  // Prefill: denser costs more, longer costs more.
  BatchWork dense, sparse, longer;
  dense.prefills.push_back({2048, 0, 1.0});
  sparse.prefills.push_back({2048, 0, 0.1});
  longer.prefills.push_back({4096, 0, 1.0});
  CHECK(price(*cost_model, sparse) < price(*cost_model, dense));
  CHECK(price(*cost_model, dense) < price(*cost_model, longer));

  // Decode: reading more of the cache costs more.
  BatchWork decode_all, decode_few;
  decode_all.decodes.push_back({32768, 32768});
  decode_few.decodes.push_back({32768, 1024});
  CHECK(price(*cost_model, decode_few) < price(*cost_model, decode_all));

  // Mixed batch: items are attributed, and attention plus linear time is the duration.
  BatchWork mixed = sparse;
  mixed.decodes.push_back({32768, 1024});
  mixed.decodes.push_back({4096, 4096});
  cost_model->step_cost(mixed, cost);
  REQUIRE(cost.item_attention_ns.size() == 3u);
  double attention_ns = 0;
  for (double item : cost.item_attention_ns) {
    CHECK(item > 0);
    attention_ns += item;
  }
  CHECK(attention_ns + cost.linear_ns ==
        doctest::Approx(static_cast<double>(cost.duration_ns)).epsilon(1e-6));
  CHECK(cost.attention_flops > 0);
  CHECK(cost.linear_flops > 0);
  CHECK(cost.memory_bytes > 0);

  // Decode runs: the profile's closed form against the same runs stepped through step_cost.
  std::mt19937_64 rng(17);
  for (int trial = 0; trial < 30; ++trial) {
    const sparsesim::testing::RunCase run = sparsesim::testing::random_run(
        rng, 1 + static_cast<int>(rng() % 64), trial % 3 ? 0.6 : 0.0, trial % 2 ? 20000 : 200);
    sparsesim::testing::check_decode_run_matches_steps(*cost_model, run,
                                                       1 + static_cast<std::int64_t>(rng() % 150), rng);
  }

  // More layers cost more; tensor parallelism splits the work.
  ModelConfig deeper = model;
  deeper.layers = 8;
  CHECK(price(*make_profile_model(path, deeper), dense) > price(*cost_model, dense));
  CHECK(price(*make_profile_model(path, model, 2), dense) < price(*cost_model, dense));
  CHECK_THROWS_AS(make_profile_model(path, model, 3), InputError);

  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  MESSAGE("cpu pipeline took " << seconds << " s");
  CHECK(seconds < 30);
}

TEST_CASE("the profile cost model rejects a missing path and a profile lacking ops") {
  CHECK_THROWS_WITH_AS(make_profile_model("/nonexistent/profile.db", small_model()),
                       doctest::Contains("/nonexistent/profile.db: profile file not found"), InputError);
  Profile partial;
  partial.device.backend = "cpu";
  OpFit gemm;
  gemm.op = KernelOp::kGemm;
  gemm.coefficients = {5000, 1e-3, 0};  // plausible: 5 us launch, 1 TFLOP/s
  partial.fits.push_back(gemm);
  std::filesystem::create_directories(SPARSESIM_TEST_TMP);
  const std::string path = std::string(SPARSESIM_TEST_TMP) + "/partial_profile.db";
  write_profile(partial, path);
  CHECK_THROWS_WITH_AS(make_profile_model(path, small_model()),
                       doctest::Contains("no fitted coefficients for op prefill_attention"), InputError);
  const Params no_path(YAML::Load("{impl: profile}"), "cost_model",
                       CostModelRegistry::instance().get("profile").params);
  CHECK_THROWS_AS(CostModelRegistry::instance().get("profile").factory(no_path, CostModelContext{}),
                  InputError);
}

TEST_CASE("device strings: cpu, cuda, cuda:N and malformed ones") {
  CHECK(make_backend("cpu") != nullptr);
  CHECK_THROWS_WITH_AS(make_backend("tpu"), doctest::Contains("expected cpu, cuda or cuda:N"), InputError);
  CHECK_THROWS_WITH_AS(make_backend("cuda:x"), doctest::Contains("expected cpu, cuda or cuda:N"), InputError);
  if (!cuda_backend_compiled()) {
    CHECK_THROWS_WITH_AS(make_backend("cuda"), doctest::Contains("built without CUDA"), InputError);
  } else {
    // Built with CUDA: on a machine without a device the error says so; with one, cuda:99 is out of range.
    CHECK_THROWS_AS(make_backend("cuda:99"), InputError);
  }
}

TEST_CASE("a profile whose coefficients are text, NaN, all zero or absurdly large is refused on load") {
  // A complete, plausible profile (every op: a 5 us launch and 1 TFLOP/s or 1 TB/s), then one bad value.
  auto plausible = [] {
    Profile profile;
    profile.device.backend = "cpu";
    for (KernelOp op : {KernelOp::kPrefillAttention, KernelOp::kDecodeScore, KernelOp::kDecodeTopk,
                        KernelOp::kDecodeAttention, KernelOp::kGemm}) {
      OpFit fit;
      fit.op = op;
      fit.coefficients = {5000, 1e-3, 1e-3};
      profile.fits.push_back(fit);
    }
    return profile;
  };
  std::filesystem::create_directories(SPARSESIM_TEST_TMP);
  const std::string path = std::string(SPARSESIM_TEST_TMP) + "/plausibility_profile.db";
  std::filesystem::remove(path);
  write_profile(plausible(), path);
  CHECK_NOTHROW(make_profile_model(path, small_model()));

  Profile huge = plausible();
  huge.fits[4].coefficients[1] = 1e30;
  std::filesystem::remove(path);
  write_profile(huge, path);
  CHECK_THROWS_WITH_AS(make_profile_model(path, small_model()),
                       doctest::Contains("gemm.ns_per_flop is 1e+30"), InputError);

  Profile free_op = plausible();
  free_op.fits[0].coefficients = {0, 0, 0};
  std::filesystem::remove(path);
  write_profile(free_op, path);
  CHECK_THROWS_WITH_AS(make_profile_model(path, small_model()),
                       doctest::Contains("no positive per-work coefficient"), InputError);

  // Text in the coefficients table (read as 0 by a plain column read; NaN cannot be stored: the value
  // column is NOT NULL and SQLite stores NaN as NULL).
  for (const std::string value : {"'fast'", "'1e-3 ns'"}) {
    INFO(value);
    std::filesystem::remove(path);
    write_profile(plausible(), path);
    sqlite3* db = nullptr;
    REQUIRE(sqlite3_open(path.c_str(), &db) == SQLITE_OK);
    const std::string sql =
        "UPDATE coefficients SET value = " + value + " WHERE op = 'gemm' AND term_index = 1";
    REQUIRE(sqlite3_exec(db, sql.c_str(), nullptr, nullptr, nullptr) == SQLITE_OK);
    sqlite3_close(db);
    CHECK_THROWS_WITH_AS(make_profile_model(path, small_model()), doctest::Contains("expected a number"),
                         InputError);
  }
}
