#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <numeric>

#include "core/input_error.h"
#include "cost/cost_model.h"
#include "cost/roofline_cost_model.h"

using namespace sparsesim;

namespace {

// H100-SXM and Qwen2.5-7B figures written out by hand (the loader test checks the files hold the same).
constexpr double kPeak = 989.4e12, kHbm = 3.35e12, kFloor = 4e-6;
constexpr double kGemmEff = 0.8, kAttnEff = 0.35, kKvEff = 0.8, kWeightEff = 0.8;
constexpr double kLayers = 28, kHidden = 3584, kQueryWidth = 28 * 128, kKvWidth = 4 * 128;
constexpr double kIntermediate = 18944, kVocab = 152064;
constexpr double kKvBytesPerToken = 2 * 28 * 4 * 128 * 2;  // 57,344
constexpr double kDecodeFixedS = 26e-6;                    // decode attention per layer at zero bytes

std::unique_ptr<CostModel> make_roofline(int tensor_parallel = 1, const char* overrides = "{}") {
  CostModelContext context;
  context.gpu = load_gpu_spec("H100-SXM");
  context.model = load_model_config("Qwen2.5-7B");
  context.tensor_parallel = tensor_parallel;
  const auto& entry = CostModelRegistry::instance().get("roofline");
  return entry.factory(Params(YAML::Load(overrides), "cost_model", entry.params), context);
}

// Everything that is not attention, for `tokens` tokens and `rows` logits rows, TP = 1.
double non_attention_s(double tokens, double rows) {
  const double weights_per_layer =
      kHidden * (kQueryWidth + 2 * kKvWidth) + kQueryWidth * kHidden + 3 * kHidden * kIntermediate;
  const double gemm = std::max({2 * weights_per_layer * kLayers * tokens / (kPeak * kGemmEff),
                                weights_per_layer * kLayers * 2 / (kHbm * kWeightEff), 4 * kLayers * kFloor});
  const double lm_head = std::max(
      {2 * kHidden * kVocab * rows / (kPeak * kGemmEff), kHidden * kVocab * 2 / (kHbm * kWeightEff), kFloor});
  const double elementwise_bytes =
      kLayers * 2 * (8 * kHidden + 2 * (kQueryWidth + kKvWidth) + 3 * kIntermediate) * tokens;
  const double elementwise = std::max(elementwise_bytes / (kHbm * kWeightEff), (5 * kLayers + 2) * kFloor);
  return gemm + lm_head + elementwise;
}

double sum(const std::vector<double>& values) {
  return std::accumulate(values.begin(), values.end(), 0.0);
}

}  // namespace

TEST_CASE("roofline: a single 16K prefill on H100 + Qwen2.5-7B matches the hand computation") {
  auto model = make_roofline();
  BatchWork batch;
  batch.prefills.push_back({16384, 0, 1.0});
  StepCost cost;
  model->step_cost(batch, cost);

  const double n = 16384;
  const double keys = n * (n + 1) / 2;  // causal within the chunk
  const double attention_flops = 4 * 128 * 28 * kLayers * keys;
  const double attention_bytes = kKvBytesPerToken * (n + n) + 2 * kQueryWidth * 2 * kLayers * n;
  const double attention_s =
      std::max(attention_flops / (kPeak * kAttnEff), attention_bytes / (kHbm * kKvEff));
  const double expected_s = non_attention_s(n, 1) + attention_s;

  CHECK(std::fabs(static_cast<double>(cost.duration_ns) - expected_s * 1e9) <= 1.0);  // rounded to whole ns
  CHECK(cost.attention_flops == doctest::Approx(attention_flops));
  REQUIRE(cost.item_attention_ns.size() == 1);
  CHECK(cost.item_attention_ns[0] == doctest::Approx(attention_s * 1e9));
  CHECK(cost.linear_ns + cost.item_attention_ns[0] == doctest::Approx(static_cast<double>(cost.duration_ns)));
  // A 16K prefill is compute bound: attention alone is ~0.16 s at 35% of peak.
  CHECK(attention_flops / (kPeak * kAttnEff) > attention_bytes / (kHbm * kKvEff));
  CHECK(attention_s > 0.1);
  CHECK(cost.linear_flops == doctest::Approx(2 * 6'525'288'448.0 * n + 2 * kHidden * kVocab));
  MESSAGE("16K prefill, H100-SXM, Qwen2.5-7B, TP=1: " << cost.duration_ns / 1e6 << " ms (attention "
                                                      << cost.item_attention_ns[0] / 1e6 << " ms)");
}

TEST_CASE("roofline: a single decode at 8K context matches the hand computation") {
  auto model = make_roofline();
  BatchWork batch;
  batch.decodes.push_back({8192, 8192});
  StepCost cost;
  model->step_cost(batch, cost);

  const double read = 8192;
  const double attention_bytes = kKvBytesPerToken * (read + 1) + 2 * kQueryWidth * 2 * kLayers;
  const double attention_flops = 4 * 128 * 28 * kLayers * read;
  // Decode attention is memory bound, plus its measured fixed time per layer (FlashInfer, H100 file).
  const double attention_s =
      std::max(attention_bytes / (kHbm * kKvEff), attention_flops / (kPeak * kAttnEff)) +
      kLayers * kDecodeFixedS;
  CHECK(attention_bytes / (kHbm * kKvEff) > attention_flops / (kPeak * kAttnEff));
  const double expected_s = non_attention_s(1, 1) + attention_s;
  CHECK(std::fabs(static_cast<double>(cost.duration_ns) - expected_s * 1e9) <= 1.0);  // rounded to whole ns
  CHECK(cost.item_attention_ns[0] == doctest::Approx(attention_s * 1e9));
  // Weight streaming dominates a single decode: 15.2 GB at 2.68 TB/s is about 5.7 ms.
  CHECK(cost.duration_ns > 5'000'000);
  CHECK(cost.duration_ns < 8'000'000);
}

TEST_CASE("roofline: batch of 64 decodes at 8K context") {
  auto model = make_roofline();
  BatchWork batch;
  for (int i = 0; i < 64; ++i) batch.decodes.push_back({8192, 8192});
  StepCost cost;
  model->step_cost(batch, cost);
  const double per_item_s = (kKvBytesPerToken * 8193 + 2 * kQueryWidth * 2 * kLayers) / (kHbm * kKvEff);
  const double attention_s = 64 * per_item_s + kLayers * kDecodeFixedS;
  CHECK(sum(cost.item_attention_ns) == doctest::Approx(attention_s * 1e9));
  CHECK(std::fabs(static_cast<double>(cost.duration_ns) - (non_attention_s(64, 64) + attention_s) * 1e9) <=
        1.0);  // rounded to whole ns
  MESSAGE("64 decodes at 8K context, H100-SXM, Qwen2.5-7B, TP=1: "
          << cost.duration_ns / 1e6 << " ms (attention " << sum(cost.item_attention_ns) / 1e6 << " ms)");
}

TEST_CASE("roofline: prefill attention time shrinks about linearly with density") {
  auto model = make_roofline();
  StepCost cost;
  BatchWork batch;
  batch.prefills.push_back({8192, 24576, 1.0});
  model->step_cost(batch, cost);
  const double dense_ns = cost.item_attention_ns[0];
  const TimeNs dense_step = cost.duration_ns;
  for (const double density : {0.5, 0.2, 0.05}) {
    batch.prefills[0].density = density;
    model->step_cost(batch, cost);
    CHECK(cost.item_attention_ns[0] / dense_ns == doctest::Approx(density).epsilon(0.02));
    CHECK(cost.duration_ns < dense_step);
  }
}

TEST_CASE("roofline: decode time shrinks with the KV tokens read") {
  auto model = make_roofline();
  StepCost cost;
  TimeNs previous = 0;
  double previous_attention = 0;
  for (const std::int64_t read : {32768, 16384, 4096, 1024}) {
    BatchWork batch;
    for (int i = 0; i < 64; ++i) batch.decodes.push_back({32768, read});
    model->step_cost(batch, cost);
    if (previous) {
      CHECK(cost.duration_ns < previous);
      CHECK(sum(cost.item_attention_ns) < previous_attention);
    }
    previous = cost.duration_ns;
    previous_attention = sum(cost.item_attention_ns);
  }
}

TEST_CASE("roofline: tensor parallel 2 is faster than 1 for a large batch, and charges all-reduces") {
  BatchWork batch;
  batch.prefills.push_back({4096, 8192, 1.0});
  for (int i = 0; i < 128; ++i) batch.decodes.push_back({16384, 16384});
  StepCost tp1, tp2;
  make_roofline(1)->step_cost(batch, tp1);
  make_roofline(2)->step_cost(batch, tp2);
  CHECK(tp2.duration_ns < tp1.duration_ns);
  CHECK(tp2.duration_ns > tp1.duration_ns / 2);  // all-reduce and launch floors do not halve
  // FLOPs and bytes are reported for all ranks together, so they do not depend on TP.
  CHECK(tp2.linear_flops == doctest::Approx(tp1.linear_flops));
  CHECK(tp2.attention_flops == doctest::Approx(tp1.attention_flops));
  CHECK_THROWS_WITH_AS(make_roofline(3), doctest::Contains("tensor_parallel"), InputError);
}

TEST_CASE("roofline: item times and linear time add up to the step; an empty batch costs nothing") {
  auto model = make_roofline();
  BatchWork batch;
  batch.prefills.push_back({512, 0, 1.0});
  batch.prefills.push_back({2048, 4096, 0.3});
  batch.decodes.push_back({1000, 1000});
  batch.decodes.push_back({100000, 2000});
  StepCost cost;
  model->step_cost(batch, cost);
  REQUIRE(cost.item_attention_ns.size() == 4);
  CHECK(cost.linear_ns + sum(cost.item_attention_ns) ==
        doctest::Approx(static_cast<double>(cost.duration_ns)));
  CHECK(cost.item_attention_ns[1] > cost.item_attention_ns[0]);
  CHECK(cost.item_attention_ns[3] > cost.item_attention_ns[2]);
  CHECK(cost.memory_bytes > 15e9);  // at least the weights
  // Deterministic: the same batch costs the same.
  StepCost again;
  model->step_cost(batch, again);
  CHECK(again.duration_ns == cost.duration_ns);

  batch.clear();
  model->step_cost(batch, cost);
  CHECK(cost.duration_ns == 0);
  CHECK(cost.item_attention_ns.empty());
  CHECK(cost.attention_flops == 0);
}

TEST_CASE("roofline: efficiency overrides apply and bad ones name the YAML path") {
  BatchWork batch;
  batch.prefills.push_back({16384, 0, 1.0});
  StepCost base, faster;
  make_roofline(1)->step_cost(batch, base);
  auto overridden = make_roofline(1, "{prefill_attention_efficiency: 0.7}");
  overridden->step_cost(batch, faster);
  CHECK(faster.item_attention_ns[0] == doctest::Approx(base.item_attention_ns[0] / 2));
  CHECK(overridden->describe().find("prefill attention 0.70") != std::string::npos);
  CHECK(make_roofline(1, "{gemm_efficiency: from_gpu}")->describe().find("gemm 0.80") != std::string::npos);
  CHECK_THROWS_WITH_AS(make_roofline(1, "{gemm_efficiency: 1.3}"),
                       doctest::Contains("cost_model.gemm_efficiency"), InputError);
  CHECK_THROWS_WITH_AS(make_roofline(1, "{gemm_eff: 0.5}"), doctest::Contains("cost_model.gemm_eff"),
                       InputError);
}

TEST_CASE("roofline: the terms a pure roofline leaves out each add what their measurement says") {
  BatchWork batch;
  batch.decodes.push_back({1024, 1024});
  StepCost base, with_term;
  // All-reduce latency: 2 per layer x 28 layers x 6 us at TP 2 (NCCL issue #1259, H100 file), in place of
  // the 4 us launch floor that bounded an all-reduce before.
  make_roofline(2, "{allreduce_latency_us: 0}")->step_cost(batch, base);
  make_roofline(2)->step_cost(batch, with_term);
  CHECK(static_cast<double>(with_term.duration_ns - base.duration_ns) ==
        doctest::Approx(2 * 28 * (6e3 - 4e3)).epsilon(0.001));
  // Engine CPU work: serial adds 1.2 ms + 0.1 ms per sequence; overlapped only binds when it exceeds the GPU.
  make_roofline(1, "{cpu_overhead: off}")->step_cost(batch, base);
  make_roofline(1, "{cpu_overhead: serial}")->step_cost(batch, with_term);
  CHECK(static_cast<double>(with_term.duration_ns - base.duration_ns) ==
        doctest::Approx(1.3e6).epsilon(0.001));
  make_roofline(1)->step_cost(batch, with_term);
  CHECK(with_term.duration_ns == base.duration_ns);  // a 7B decode step (~6 ms) hides 1.3 ms of CPU work
  make_roofline(1, "{cpu_overhead_us_per_iteration: 20000}")->step_cost(batch, with_term);
  CHECK(with_term.duration_ns == 20'100'000);
  CHECK_THROWS_AS(make_roofline(1, "{cpu_overhead: sometimes}"), InputError);
  // Decode attention's fixed time: 28 layers x 26 us, whatever the batch (at a context long enough that
  // the launch floor does not bind without it).
  batch.decodes[0] = {65536, 65536};
  make_roofline(1, "{decode_attention_fixed_us: 0}")->step_cost(batch, base);
  make_roofline(1)->step_cost(batch, with_term);
  CHECK(static_cast<double>(with_term.duration_ns - base.duration_ns) ==
        doctest::Approx(28 * 26e3).epsilon(0.001));
}
