// Profile files: round trip, and clear errors for missing, foreign, corrupt and other-version files.
#include <doctest/doctest.h>

#include <sqlite3.h>

#include <filesystem>
#include <fstream>

#include "calibration/profile_store.h"
#include "core/input_error.h"

using namespace sparsesim;

namespace {

std::string temp_path(const std::string& name) {
  std::filesystem::create_directories(SPARSESIM_TEST_TMP);
  const std::string path = std::string(SPARSESIM_TEST_TMP) + "/" + name;
  std::filesystem::remove(path);
  return path;
}

Profile sample_profile() {
  Profile profile;
  profile.device.name = "Test GPU";
  profile.device.backend = "cuda";
  profile.device.device_index = 1;
  profile.device.sm_count = 132;
  profile.device.memory_bytes = 85'000'000'000;
  profile.device.l2_bytes = 52'428'800;
  profile.device.sm_clock_mhz = 1980;
  profile.device.memory_clock_mhz = 2619;
  profile.device.driver_version = "13.0";
  profile.device.compute_capability = "9.0";
  profile.grid = "quick";
  profile.model = "Qwen2.5-7B";
  profile.seed = 0xfedcba9876543210ull;  // above INT64_MAX: must survive the signed column
  for (KernelOp op : {KernelOp::kPrefillAttention, KernelOp::kGemm}) {
    Measurement m;
    m.kernel_case.op = op;
    m.kernel_case.batch = 2;
    m.kernel_case.query_heads = 28;
    m.kernel_case.kv_heads = 4;
    m.kernel_case.seq_tokens = 131072;
    m.kernel_case.density = 0.05;
    m.kernel_case.gemm_m = 7;
    m.kernel_case.gemm_n = 4608;
    m.kernel_case.gemm_k = 3584;
    m.kernel_case.seed = 99;
    m.samples = {1234.5, 1200.25, 1300.75, 9, 2, true};
    profile.measurements.push_back(m);
    OpFit fit;
    fit.op = op;
    fit.coefficients = {4000.0, 2.5e-6, 0.0};
    fit.points = 9;
    fit.errors = {{"in_sample", 9, 9, 0.01, 0.02}, {"holdout", 8, 1, 0.03, 0.04}};
    profile.fits.push_back(fit);
  }
  return profile;
}

}  // namespace

TEST_CASE("a profile round-trips through its SQLite file") {
  const std::string path = temp_path("roundtrip.db");
  const Profile written = sample_profile();
  write_profile(written, path);
  CHECK_FALSE(std::filesystem::exists(path + ".writing"));
  const Profile read = read_profile(path);
  CHECK(read.device.name == "Test GPU");
  CHECK(read.device.backend == "cuda");
  CHECK(read.device.device_index == 1);
  CHECK(read.device.sm_count == 132);
  CHECK(read.device.memory_bytes == 85'000'000'000);
  CHECK(read.device.l2_bytes == 52'428'800);
  CHECK(read.device.sm_clock_mhz == 1980);
  CHECK(read.device.memory_clock_mhz == 2619);
  CHECK(read.device.driver_version == "13.0");
  CHECK(read.device.compute_capability == "9.0");
  CHECK(read.grid == "quick");
  CHECK(read.model == "Qwen2.5-7B");
  CHECK(read.seed == written.seed);
  REQUIRE(read.measurements.size() == 2u);
  for (std::size_t i = 0; i < 2; ++i) {
    const auto& a = written.measurements[i];
    const auto& b = read.measurements[i];
    CHECK(b.kernel_case.op == a.kernel_case.op);
    CHECK(b.kernel_case.describe() == a.kernel_case.describe());
    CHECK(b.kernel_case.seed == 99u);
    CHECK(b.kernel_case.block_tokens == a.kernel_case.block_tokens);
    CHECK(b.samples.median_ns == a.samples.median_ns);
    CHECK(b.samples.p10_ns == a.samples.p10_ns);
    CHECK(b.samples.p90_ns == a.samples.p90_ns);
    CHECK(b.samples.kept == 9);
    CHECK(b.samples.rejected == 2);
    CHECK(b.samples.converged);
  }
  REQUIRE(read.fits.size() == 2u);
  CHECK(read.fit(KernelOp::kGemm)->coefficients == written.fits[1].coefficients);
  CHECK(read.fit(KernelOp::kDecodeScore) == nullptr);
  const FitError* holdout = read.fit(KernelOp::kPrefillAttention)->error("holdout");
  REQUIRE(holdout != nullptr);
  CHECK(holdout->train_points == 8);
  CHECK(holdout->p95_relative_error == 0.04);
  CHECK(read.fits[0].errors[0].slice == "in_sample");  // order preserved
  CHECK(read.fits[0].points == 9);

  // Writing again replaces the file whole.
  Profile smaller = written;
  smaller.measurements.resize(1);
  write_profile(smaller, path);
  CHECK(read_profile(path).measurements.size() == 1u);
}

TEST_CASE("missing, non-SQLite, foreign and other-version files are InputErrors naming the path") {
  const std::string missing = temp_path("missing.db");
  CHECK_THROWS_WITH_AS(read_profile(missing), doctest::Contains("missing.db: profile file not found"),
                       InputError);

  const std::string text = temp_path("text.db");
  std::ofstream(text) << "name,value\nnot,a database\n";
  CHECK_THROWS_WITH_AS(read_profile(text), doctest::Contains("text.db: not a valid sparsesim profile"),
                       InputError);

  const std::string foreign = temp_path("foreign.db");
  sqlite3* db = nullptr;
  REQUIRE(sqlite3_open(foreign.c_str(), &db) == SQLITE_OK);
  sqlite3_exec(db,
               "CREATE TABLE results (x INTEGER); CREATE TABLE meta (key TEXT, value TEXT);"
               "INSERT INTO meta VALUES ('format', 'someone-else');",
               nullptr, nullptr, nullptr);
  sqlite3_close(db);
  CHECK_THROWS_WITH_AS(read_profile(foreign), doctest::Contains("foreign.db: not a sparsesim profile"),
                       InputError);

  const std::string no_meta = temp_path("no_meta.db");
  REQUIRE(sqlite3_open(no_meta.c_str(), &db) == SQLITE_OK);
  sqlite3_exec(db, "CREATE TABLE results (x INTEGER);", nullptr, nullptr, nullptr);
  sqlite3_close(db);
  CHECK_THROWS_WITH_AS(read_profile(no_meta), doctest::Contains("no such table: meta"), InputError);

  const std::string old_version = temp_path("old.db");
  write_profile(sample_profile(), old_version);
  REQUIRE(sqlite3_open(old_version.c_str(), &db) == SQLITE_OK);
  sqlite3_exec(db, "UPDATE meta SET value = '0' WHERE key = 'format_version';", nullptr, nullptr, nullptr);
  sqlite3_close(db);
  CHECK_THROWS_WITH_AS(read_profile(old_version),
                       doctest::Contains("old.db: profile format version 0 is not supported"), InputError);
}

TEST_CASE("malformed rows in a profile are InputErrors naming the table and value") {
  const std::string path = temp_path("bad_rows.db");
  sqlite3* db = nullptr;
  write_profile(sample_profile(), path);
  REQUIRE(sqlite3_open(path.c_str(), &db) == SQLITE_OK);
  sqlite3_exec(db, "UPDATE coefficients SET value = -1 WHERE op = 'gemm' AND term_index = 1;", nullptr,
               nullptr, nullptr);
  sqlite3_close(db);
  CHECK_THROWS_WITH_AS(read_profile(path), doctest::Contains("coefficient gemm.ns_per_flop is -1"),
                       InputError);

  write_profile(sample_profile(), path);
  REQUIRE(sqlite3_open(path.c_str(), &db) == SQLITE_OK);
  sqlite3_exec(db, "UPDATE measurements SET op = 'softmax' WHERE id = 1;", nullptr, nullptr, nullptr);
  sqlite3_close(db);
  CHECK_THROWS_WITH_AS(read_profile(path),
                       doctest::Contains("measurements row 1, op: unknown kernel op 'softmax'"), InputError);
}
