#include <doctest/doctest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include "core/hardware.h"
#include "core/input_error.h"

using namespace sparsesim;

namespace {

namespace fs = std::filesystem;

// Writes `text` to a fresh file under the test temp directory and returns its path.
std::string write_temp(const std::string& name, const std::string& text) {
  const fs::path path = fs::path(SPARSESIM_TEST_TMP) / "hardware_test" / name;
  fs::create_directories(path.parent_path());
  std::ofstream(path) << text;
  return path.string();
}

const std::string kGoodGpu =
    "name: Test-GPU\n"
    "peak_bf16_flops_per_s: 100e12\n"
    "hbm_bytes_per_s: 1e12\n"
    "memory_bytes: 40e9\n"
    "l2_bytes: 41943040\n"
    "sm_count: 100\n"
    "gemm_efficiency: 0.8\n"
    "prefill_attention_efficiency: 0.4\n"
    "decode_bandwidth_efficiency: 0.7\n"
    "memory_bandwidth_efficiency: 0.75\n"
    "launch_floor_us: 3\n"
    "interconnect_bytes_per_s: 200e9\n"
    "allreduce_latency_us: 6\n"
    "decode_attention_fixed_us: 20\n"
    "cpu_overhead_us_per_iteration: 1200\n"
    "cpu_overhead_us_per_sequence: 100\n"
    "sources: {peak_bf16_flops_per_s: made up for a test}\n";

std::string replace_line(const std::string& text, const std::string& key, const std::string& new_line) {
  const std::size_t start = text.find(key + ":");
  REQUIRE(start != std::string::npos);
  const std::size_t end = text.find('\n', start);
  return text.substr(0, start) + new_line + text.substr(end);
}

}  // namespace

TEST_CASE("shipped GPU specs load by name, case-insensitively, with the reference figures") {
  const GpuSpec h100 = load_gpu_spec("h100-sxm");
  CHECK(h100.name == "H100-SXM");
  CHECK(h100.peak_bf16_flops_per_s == doctest::Approx(989.4e12));
  CHECK(h100.hbm_bytes_per_s == doctest::Approx(3.35e12));
  CHECK(h100.memory_bytes == 80'000'000'000);
  CHECK(h100.sm_count == 132);
  CHECK(h100.gemm_efficiency == doctest::Approx(0.8));
  CHECK(h100.prefill_attention_efficiency == doctest::Approx(0.35));

  const GpuSpec a100 = load_gpu_spec("A100-SXM-80GB");
  CHECK(a100.peak_bf16_flops_per_s == doctest::Approx(312e12));
  CHECK(a100.hbm_bytes_per_s == doctest::Approx(2.039e12));
  CHECK(a100.gemm_efficiency == doctest::Approx(0.87));

  const GpuSpec h200 = load_gpu_spec("H200");
  CHECK(h200.hbm_bytes_per_s == doctest::Approx(4.8e12));
  CHECK(h200.memory_bytes == 141'000'000'000);
}

TEST_CASE("shipped model configs load by name with the config.json figures") {
  const ModelConfig qwen7 = load_model_config("Qwen2.5-7B");
  CHECK(qwen7.layers == 28);
  CHECK(qwen7.hidden_size == 3584);
  CHECK(qwen7.query_heads == 28);
  CHECK(qwen7.kv_heads == 4);
  CHECK(qwen7.head_dim == 128);
  CHECK(qwen7.intermediate_size == 18944);
  CHECK(qwen7.vocab_size == 152064);
  CHECK(qwen7.context_tokens == 131072);
  CHECK(qwen7.kv_bytes_per_token() == 2 * 28 * 4 * 128 * 2);

  const ModelConfig llama70 = load_model_config("llama-3.1-70b");
  CHECK(llama70.layers == 80);
  CHECK(llama70.kv_heads == 8);
  CHECK(llama70.vocab_size == 128256);
  for (const char* name : {"Qwen2.5-14B", "Qwen2.5-32B", "Qwen2.5-72B", "Llama-3.1-8B"}) {
    const ModelConfig config = load_model_config(name);
    CHECK(config.head_dim == 128);
    // Architecture and parameter count agree to within the embedding rounding: a cross-check of the file.
    const double h = config.hidden_size, q = config.query_heads * 128.0, kv = config.kv_heads * 128.0;
    const double per_layer = h * (q + 2 * kv) + q * h + 3 * h * config.intermediate_size;
    const double counted = per_layer * config.layers + 2 * h * config.vocab_size;
    CHECK(counted / config.parameters == doctest::Approx(1.0).epsilon(0.03));
  }
}

TEST_CASE("a spec given as a path loads, and the data directory can be overridden") {
  const std::string path = write_temp("gpus/test-gpu.yaml", kGoodGpu);
  const GpuSpec spec = load_gpu_spec(path);
  CHECK(spec.name == "Test-GPU");
  CHECK(spec.memory_bytes == 40'000'000'000);
  CHECK(spec.launch_floor_us == doctest::Approx(3.0));

  ::setenv("SPARSESIM_DATA_DIR", (fs::path(SPARSESIM_TEST_TMP) / "hardware_test").c_str(), 1);
  CHECK(load_gpu_spec("TEST-gpu").interconnect_bytes_per_s == doctest::Approx(200e9));
  CHECK_THROWS_WITH_AS(load_gpu_spec("H100-SXM"), doctest::Contains("known: Test-GPU"), InputError);
  ::unsetenv("SPARSESIM_DATA_DIR");
  CHECK(load_gpu_spec("H100-SXM").sm_count == 132);
}

TEST_CASE("bad GPU files fail naming the file, the key and the expectation") {
  SUBCASE("missing key") {
    const std::string text = replace_line(kGoodGpu, "hbm_bytes_per_s", "# removed");
    const std::string path = write_temp("missing.yaml", text);
    CHECK_THROWS_WITH_AS(load_gpu_spec(path),
                         doctest::Contains("field 'hbm_bytes_per_s': required key missing"), InputError);
    CHECK_THROWS_WITH_AS(load_gpu_spec(path), doctest::Contains(path.c_str()), InputError);
  }
  SUBCASE("wrong type") {
    const std::string path = write_temp("type.yaml", replace_line(kGoodGpu, "sm_count", "sm_count: many"));
    CHECK_THROWS_WITH_AS(load_gpu_spec(path),
                         doctest::Contains("type.yaml:6: field 'sm_count': expected a positive"), InputError);
  }
  SUBCASE("a list where a number belongs") {
    const std::string path = write_temp("list.yaml", replace_line(kGoodGpu, "sm_count", "sm_count: [1, 2]"));
    CHECK_THROWS_WITH_AS(load_gpu_spec(path), doctest::Contains("field 'sm_count'"), InputError);
  }
  SUBCASE("non-positive") {
    const std::string path =
        write_temp("zero.yaml", replace_line(kGoodGpu, "hbm_bytes_per_s", "hbm_bytes_per_s: 0"));
    CHECK_THROWS_WITH_AS(load_gpu_spec(path),
                         doctest::Contains("field 'hbm_bytes_per_s': expected a positive number"),
                         InputError);
    const std::string negative =
        write_temp("negative.yaml", replace_line(kGoodGpu, "launch_floor_us", "launch_floor_us: -2"));
    CHECK_THROWS_WITH_AS(load_gpu_spec(negative), doctest::Contains("launch_floor_us"), InputError);
  }
  SUBCASE("efficiency above one") {
    const std::string path =
        write_temp("eff.yaml", replace_line(kGoodGpu, "gemm_efficiency", "gemm_efficiency: 1.5"));
    CHECK_THROWS_WITH_AS(load_gpu_spec(path),
                         doctest::Contains("field 'gemm_efficiency': expected a number in (0, 1"),
                         InputError);
  }
  SUBCASE("fractional integer") {
    const std::string path = write_temp("frac.yaml", replace_line(kGoodGpu, "sm_count", "sm_count: 10.5"));
    CHECK_THROWS_WITH_AS(load_gpu_spec(path), doctest::Contains("expected a positive integer"), InputError);
  }
  SUBCASE("unknown key (a typo)") {
    const std::string path = write_temp("typo.yaml", kGoodGpu + "gemm_eficiency: 0.7\n");
    CHECK_THROWS_WITH_AS(load_gpu_spec(path), doctest::Contains("field 'gemm_eficiency': unknown key"),
                         InputError);
  }
  SUBCASE("malformed YAML") {
    const std::string path = write_temp("malformed.yaml", "name: [unclosed\n");
    CHECK_THROWS_WITH_AS(load_gpu_spec(path), doctest::Contains("malformed YAML"), InputError);
  }
  SUBCASE("not a map") {
    const std::string path = write_temp("scalar.yaml", "just text\n");
    CHECK_THROWS_WITH_AS(load_gpu_spec(path), doctest::Contains("expected a YAML map"), InputError);
  }
  SUBCASE("missing file and unknown name") {
    CHECK_THROWS_WITH_AS(load_gpu_spec("/nonexistent/gpu.yaml"), doctest::Contains("/nonexistent/gpu.yaml"),
                         InputError);
    CHECK_THROWS_WITH_AS(load_gpu_spec("B200"), doctest::Contains("no gpus file named 'B200'; known: "),
                         InputError);
    CHECK_THROWS_WITH_AS(load_model_config("Mistral-7B"), doctest::Contains("Qwen2.5-7B"), InputError);
  }
}

TEST_CASE("bad model files fail naming the key") {
  const std::string good =
      "name: Tiny\nlayers: 2\nhidden_size: 64\nquery_heads: 4\nkv_heads: 2\nhead_dim: 16\n"
      "intermediate_size: 128\nvocab_size: 1000\ncontext_tokens: 4096\nparameters: 1e6\n";
  CHECK(load_model_config(write_temp("tiny.yaml", good)).kv_bytes_per_token() == 2 * 2 * 2 * 16 * 2);
  CHECK_THROWS_WITH_AS(
      load_model_config(write_temp("tiny_heads.yaml", replace_line(good, "kv_heads", "kv_heads: 3"))),
      doctest::Contains("field 'kv_heads': expected a divisor of query_heads"), InputError);
  CHECK_THROWS_WITH_AS(
      load_model_config(write_temp("tiny_layers.yaml", replace_line(good, "layers", "layers: -1"))),
      doctest::Contains("field 'layers'"), InputError);
  CHECK_THROWS_WITH_AS(load_model_config(write_temp("tiny_name.yaml", replace_line(good, "name", "#"))),
                       doctest::Contains("field 'name': required key missing"), InputError);
}

TEST_CASE(
    "GPU and model files: implausible values, repeated keys and directories are errors naming file and "
    "line") {
  // A launch floor of 1e30 us once became 1 ns steps; every value now has a plausible bound.
  const std::string huge =
      write_temp("huge_floor.yaml", replace_line(kGoodGpu, "launch_floor_us", "launch_floor_us: 1e30"));
  CHECK_THROWS_WITH_AS(load_gpu_spec(huge), doctest::Contains("launch_floor_us"), InputError);
  CHECK_THROWS_WITH_AS(load_gpu_spec(huge), doctest::Contains("(0, 1000]"), InputError);
  // A key given twice: yaml-cpp would keep the first silently.
  const std::string twice = write_temp("twice.yaml", kGoodGpu + "launch_floor_us: 5\n");
  CHECK_THROWS_WITH_AS(load_gpu_spec(twice), doctest::Contains("duplicate key"), InputError);
  CHECK_THROWS_WITH_AS(load_gpu_spec(twice), doctest::Contains("twice.yaml:18"), InputError);
  // A directory where a file is expected names the path, not a stream error.
  const fs::path folder = fs::path(SPARSESIM_TEST_TMP) / "hardware_test" / "a_folder.yaml";
  fs::create_directories(folder);
  CHECK_THROWS_WITH_AS(load_gpu_spec(folder.string()), doctest::Contains("a_folder.yaml"), InputError);
  CHECK_THROWS_WITH_AS(load_gpu_spec(folder.string()), doctest::Contains("not a regular file"), InputError);
}
