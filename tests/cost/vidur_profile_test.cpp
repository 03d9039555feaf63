// Vidur profile reading (cost/vidur_profile.h) and the `vidur` cost model: lookup rules on a hand-made
// file, the shipped A100 CodeLlama-34B profile against the roofline's independent estimate, and errors.
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>

#include "core/input_error.h"
#include "core/params.h"
#include "cost/roofline_cost_model.h"
#include "cost/vidur_profile.h"

namespace sparsesim {
namespace {

namespace fs = std::filesystem;

const std::string kMlp = "data/profiles/vidur/a100/codellama/CodeLlama-34b-Instruct-hf/mlp.csv";
const std::string kAllReduce = "data/profiles/vidur/network/a100_pairwise_nvlink/all_reduce.csv";

fs::path write_file(const std::string& name, const std::string& text) {
  const fs::path dir = fs::path(SPARSESIM_TEST_TMP) / "vidur";
  fs::create_directories(dir);
  std::ofstream(dir / name) << text;
  return dir / name;
}

// A two-layer model whose shape matches the hand-made rows below.
ModelConfig tiny_model() {
  ModelConfig model;
  model.name = "tiny";
  model.layers = 2;
  model.hidden_size = 64;
  model.query_heads = 4;
  model.kv_heads = 2;
  model.head_dim = 16;
  model.intermediate_size = 128;
  model.vocab_size = 100;
  model.context_tokens = 4096;
  model.parameters = 1e6;
  return model;
}

std::string tiny_mlp_row(int tokens, int tp, double op_ms) {
  std::string row;
  for (int op = 0; op < 8; ++op) row += std::to_string(op_ms) + ",";
  return row + "4,2,64,128," + std::to_string(tokens) + "," + std::to_string(tp) + "\n";
}

const char* kTinyHeader =
    "time_stats.input_layernorm.median,time_stats.attn_pre_proj.median,time_stats.attn_rope.median,"
    "time_stats.attn_post_proj.median,time_stats.mlp_up_proj.median,time_stats.mlp_act.median,"
    "time_stats.mlp_down_proj.median,time_stats.add.median,n_head,n_kv_head,n_embd,n_expanded_embd,num_"
    "tokens,"
    "num_tensor_parallel_workers\n";

ModelConfig codellama_34b() {
  return load_model_config("CodeLlama-34B");
}

}  // namespace

TEST_CASE("ProfileCurve interpolates, averages duplicates and scales in proportion beyond its range") {
  const ProfileCurve curve({{8, 1.0}, {16, 3.0}, {16, 5.0}, {32, 8.0}});
  CHECK(curve.at(8) == doctest::Approx(1.0));
  CHECK(curve.at(16) == doctest::Approx(4.0));  // the two measurements at 16 averaged
  CHECK(curve.at(12) == doctest::Approx(2.5));
  CHECK(curve.at(64) == doctest::Approx(16.0));  // proportional beyond 32
  CHECK(curve.at(2) == doctest::Approx(1.0));    // held below the first point
}

TEST_CASE("a Vidur mlp.csv: the layer ops summed, tokens rounded up to 8, times layers") {
  const auto path = write_file("mlp.csv", std::string(kTinyHeader) + tiny_mlp_row(8, 1, 0.1) +
                                              tiny_mlp_row(16, 1, 0.2) + tiny_mlp_row(8, 2, 9.0));
  const VidurLayerProfile profile(path.string(), "", tiny_model(), 1);
  // 8 ops x 0.1 ms x 2 layers at 8 tokens; 3 tokens round up to 8; 12 tokens round to 16.
  CHECK(profile.seconds(8) == doctest::Approx(8 * 0.1 * 2 * 1e-3));
  CHECK(profile.seconds(3) == doctest::Approx(8 * 0.1 * 2 * 1e-3));
  CHECK(profile.seconds(12) == doctest::Approx(8 * 0.2 * 2 * 1e-3));
  CHECK(profile.seconds(0) == 0);
}

TEST_CASE("Vidur profile errors name the file, the line and what was expected") {
  auto error_of = [](const std::string& mlp, const std::string& all_reduce, int tp) {
    try {
      VidurLayerProfile(mlp, all_reduce, tiny_model(), tp);
    } catch (const InputError& error) {
      return std::string(error.what());
    }
    return std::string("no error");
  };
  const auto good = write_file("good.csv", std::string(kTinyHeader) + tiny_mlp_row(8, 1, 0.1));
  CHECK(error_of(good.string(), "", 4).find("at TP 4; the file holds: n_head 4") != std::string::npos);
  const auto two = write_file("two.csv", std::string(kTinyHeader) + tiny_mlp_row(8, 2, 0.1));
  CHECK(error_of(two.string(), "", 2).find("cost_model.all_reduce") != std::string::npos);
  const auto negative = write_file("negative.csv", std::string(kTinyHeader) + tiny_mlp_row(8, 1, -0.1));
  const auto message = error_of(negative.string(), "", 1);
  CHECK(message.find("negative.csv") != std::string::npos);
  CHECK(message.find(":2") != std::string::npos);
  CHECK(message.find("time_stats.input_layernorm.median") != std::string::npos);
  const auto missing = write_file("missing.csv", "num_tokens,n_head\n8,4\n");
  CHECK(error_of(missing.string(), "", 1).find("header lacks this column") != std::string::npos);
}

TEST_CASE("the shipped A100 CodeLlama-34B profile against the roofline's estimate of the same layers") {
  const ModelConfig model = codellama_34b();
  const GpuSpec gpu = load_gpu_spec("A100-SXM-80GB");
  const VidurLayerProfile tp1(kMlp, "", model, 1);
  // Vidur's TP1 row at 4096 tokens is measured twice (24.727 and 24.9615 ms per layer): the mean, x 48.
  CHECK(tp1.seconds(4096) == doctest::Approx(48 * (24.727 + 24.9615) / 2 * 1e-3).epsilon(1e-6));
  // The roofline, with the LM head and CPU work removed, estimates the same layer work independently.
  RooflineEfficiencies efficiencies = RooflineEfficiencies::from_gpu(gpu);
  efficiencies.cpu_overhead_us_per_iteration = efficiencies.cpu_overhead_us_per_sequence = 0;
  const RooflineCostModel roofline(gpu, model, 1, efficiencies);
  auto roofline_layers_s = [&](int tokens) {
    BatchWork batch;
    for (int i = 0; i < tokens; ++i) batch.decodes.push_back({1, 1});  // near-zero attention
    StepCost cost;
    roofline.step_cost(batch, cost);
    double attention_ns = 0;
    for (double ns : cost.item_attention_ns) attention_ns += ns;
    const double lm_head_s = std::max(
        2.0 * model.hidden_size * model.vocab_size * tokens / (gpu.peak_bf16_flops_per_s * efficiencies.gemm),
        model.hidden_size * double(model.vocab_size) * 2 /
            (gpu.hbm_bytes_per_s * efficiencies.memory_bandwidth));
    return (static_cast<double>(cost.duration_ns) - attention_ns) * 1e-9 - lm_head_s;
  };
  for (const int tokens : {16, 256, 4096}) {
    const double measured = tp1.seconds(tokens), estimated = roofline_layers_s(tokens);
    MESSAGE("CodeLlama-34B A100 TP1 layers at " << tokens << " tokens: Vidur " << measured * 1e3
                                                << " ms, roofline " << estimated * 1e3 << " ms");
    // Measured (this file, A100): the roofline is 8% below at 16 tokens, 25% at 256 (near the ridge, where
    // max(compute, memory) is most optimistic) and 13% at 4096. It must stay optimistic and within 30%.
    CHECK(estimated < measured);
    CHECK(estimated / measured > 0.7);
  }
  // TP2 adds two measured all-reduces per layer: the TP2 total is more than half the TP1 one.
  const VidurLayerProfile tp2(kMlp, kAllReduce, model, 2);
  CHECK(tp2.seconds(512) > 0.5 * tp1.seconds(512));
  CHECK(tp2.describe().find("all_reduce.csv") != std::string::npos);
}

TEST_CASE("the vidur cost model: measured layers, roofline attention, and its parameters checked") {
  const auto& entry = CostModelRegistry::instance().get("vidur");
  const CostModelContext context{load_gpu_spec("A100-SXM-80GB"), codellama_34b(), 2, nullptr, nullptr};
  YAML::Node node = YAML::Load("{impl: vidur}");
  node["mlp"] = kMlp;
  node["all_reduce"] = kAllReduce;
  const auto model = entry.factory(Params(node, "cost_model", entry.params), context);
  CHECK(model->describe().find("vidur: measured layers") != std::string::npos);
  const auto roofline_entry = CostModelRegistry::instance().get("roofline");
  const auto roofline =
      roofline_entry.factory(Params(YAML::Node(), "cost_model", roofline_entry.params), context);
  BatchWork batch;
  batch.prefills.push_back({512, 0, 1.0});
  StepCost measured, estimated;
  model->step_cost(batch, measured);
  roofline->step_cost(batch, estimated);
  // Attention is priced by the same roofline in both, so the attention shares agree exactly.
  REQUIRE(measured.item_attention_ns.size() == 1);
  CHECK(measured.item_attention_ns[0] == doctest::Approx(estimated.item_attention_ns[0]));
  CHECK(measured.duration_ns != estimated.duration_ns);
  YAML::Node no_network = YAML::Load("{impl: vidur}");
  no_network["mlp"] = kMlp;
  CHECK_THROWS_AS(entry.factory(Params(no_network, "cost_model", entry.params), context), InputError);
}

}  // namespace sparsesim
