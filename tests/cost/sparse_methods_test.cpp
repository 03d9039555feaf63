// The sparse methods' cost terms held to the published kernel measurements their coefficients come from
// (data/sparse_methods.yaml), and to published points they were not fitted to.
#include <doctest/doctest.h>

#include <cmath>

#include "core/hardware.h"
#include "cost/roofline_cost_model.h"
#include "cost/sparse_method.h"

using namespace sparsesim;

namespace {

std::shared_ptr<const SparseMethod> method(const char* name) {
  return SparseMethodRegistry::instance().get(name).factory(Params());
}

// Llama-2-7B (config.json: 32 layers, 32 heads of 128, MHA, hidden 4096, intermediate 11008), the model of
// Quest's kernel benchmarks.
ModelConfig llama2_7b() {
  ModelConfig model;
  model.name = "Llama-2-7B";
  model.layers = 32;
  model.hidden_size = 4096;
  model.query_heads = 32;
  model.kv_heads = 32;
  model.head_dim = 128;
  model.intermediate_size = 11008;
  model.vocab_size = 32000;
  model.context_tokens = 32768;
  model.parameters = 6.74e9;
  return model;
}

// Attention time of one item priced alone (the roofline's attention share of the step).
double attention_s(const CostModel& cost, const BatchWork& batch) {
  StepCost out;
  cost.step_cost(batch, out);
  double sum = 0;
  for (double ns : out.item_attention_ns) sum += ns;
  return sum * 1e-9;
}

RooflineEfficiencies efficiencies_of(const GpuSpec& gpu) {
  RooflineEfficiencies efficiencies = RooflineEfficiencies::from_gpu(gpu);
  efficiencies.cpu_overhead_us_per_iteration = efficiencies.cpu_overhead_us_per_sequence = 0;
  return efficiencies;
}

}  // namespace

TEST_CASE(
    "quest: self-attention speed-up over dense at 32K context and a 2,048-token budget matches Quest's "
    "7.03x") {
  // Quest (arXiv 2406.10774) Fig. 9 / Sec. 4.3.1: Llama2-7B, batch 1, RTX 4090, FlashInfer dense vs Quest
  // (estimation + top-k + approximate attention): 7.03x at 32K with budget 2048. RTX 4090 figures: 1,008
  // GB/s GDDR6X, 165 TFLOP/s dense fp16 tensor (NVIDIA Ada whitepaper); efficiencies as the H100 file's
  // estimates; decode attention's fixed time at batch 1 is FlashInfer's ~8 us floor (flashinfer.ai blog
  // 2024-02-02, Fig. 6, read from figure). Tolerance 15%: the GPU is not one of ours and the 8 us is read
  // off a plot.
  GpuSpec gpu = load_gpu_spec("H100-SXM");
  gpu.name = "RTX4090 (test)";
  gpu.hbm_bytes_per_s = 1.008e12;
  gpu.peak_bf16_flops_per_s = 165e12;
  gpu.decode_attention_fixed_us = 8;
  CostModelContext context{gpu, llama2_7b(), 1, nullptr, method("quest")};
  const RooflineCostModel quest(context, efficiencies_of(gpu));
  BatchWork dense_step, sparse_step;
  dense_step.decodes.push_back({32768, 32768});
  sparse_step.decodes.push_back({32768, 2048});
  const double speedup = attention_s(quest, dense_step) / attention_s(quest, sparse_step);
  INFO("model speed-up " << speedup);
  CHECK(speedup == doctest::Approx(7.03).epsilon(0.15));

  // Without the method (the old ideal pricing) the same step came out 16x: the selection terms matter.
  CostModelContext ideal_context{gpu, llama2_7b(), 1, nullptr, nullptr};
  const RooflineCostModel ideal(ideal_context, efficiencies_of(gpu));
  RooflineEfficiencies no_fixed = efficiencies_of(gpu);
  no_fixed.decode_attention_fixed_us = 0;
  const RooflineCostModel ideal_unfixed(ideal_context, no_fixed);
  CHECK(attention_s(ideal_unfixed, dense_step) / attention_s(ideal_unfixed, sparse_step) > 14);
  CHECK(speedup < attention_s(ideal, dense_step) / attention_s(ideal, sparse_step));
}

TEST_CASE(
    "quest: approximate attention at a fixed budget costs the same at every context; selection grows with "
    "it") {
  // Quest Sec. 4.3.1: 'At a given token budget B, the latency of Approximate attention is a constant
  // regardless of the sequence length'; criticality estimation grows with the pages scanned.
  const auto quest = method("quest");
  const AttentionShape shape{32, 32, 32, 128, 2, 1};
  const AttentionRates rates{1 / (165e12 * 0.35), 1 / (1.008e12 * 0.8), 4e-6};
  const SparseAttentionTime at_16k = quest->decode_step({16384, 2048}, shape, rates);
  const SparseAttentionTime at_64k = quest->decode_step({65536, 2048}, shape, rates);
  CHECK(at_16k.kernel_s == doctest::Approx(at_64k.kernel_s));
  CHECK(at_64k.selection_s > 3.5 * at_16k.selection_s);
  // Metadata is 2 values per page of 16 tokens: 1/8 of the K/V bytes of the context, read every step.
  const SparseAttentionTime dense_kernel = method("snapkv")->decode_step({65536, 65536}, shape, rates);
  CHECK(at_64k.selection_s == doctest::Approx(dense_kernel.kernel_s / 8).epsilon(0.05));
}

TEST_CASE("snapkv: eviction has no per-step selection and frees the KV beyond the budget") {
  const auto snapkv = method("snapkv");
  CHECK(snapkv->evicts_kv());
  CHECK_FALSE(method("quest")->evicts_kv());
  CHECK(method("ada_snapkv")->evicts_kv());
  CHECK(snapkv->quality_curve_key() == "snapkv");
  CHECK(method("ada_snapkv")->quality_curve_key() == "ada_snapkv");
  const AttentionShape shape{28, 28, 4, 128, 2, 1};
  const AttentionRates rates{1e-15, 1e-12, 4e-6};
  const SparseAttentionTime evicted = snapkv->decode_step({32768, 2048}, shape, rates);
  const SparseAttentionTime dense_at_budget = snapkv->decode_step({2048, 2048}, shape, rates);
  CHECK(evicted.selection_s == 0);
  CHECK(evicted.kernel_s == doctest::Approx(dense_at_budget.kernel_s));
}

TEST_CASE(
    "block-sparse prefill kernel: runtime relative to dense FlashAttention-2 matches "
    "Block-Sparse-Attention's measurements") {
  // mit-han-lab/Block-Sparse-Attention README, 'block sparse hdim128_nheads32_bts1_fwd_causal' (A100,
  // relative to FlashAttention-2): labelled points (sparsity, relative runtime) 8192: (90.77%, 0.25),
  // 16384: (90.54%, 0.18), 65536: (90.17%, 0.13). The coefficients come from the 8192 point and the curves'
  // start; 16384 and 65536 are held out. Tolerance 8% (values printed on the figure to two digits).
  const auto block_sparse = method("block_sparse");
  const AttentionShape shape{1, 32, 32, 128, 2, 1};
  const GpuSpec a100 = load_gpu_spec("A100-SXM-80GB");
  const AttentionRates rates{1 / (a100.peak_bf16_flops_per_s * a100.prefill_attention_efficiency),
                             1 / (a100.hbm_bytes_per_s * a100.decode_bandwidth_efficiency), 4e-6};
  struct Point {
    int length;
    double sparsity, relative;
  };
  for (const Point point :
       {Point{8192, 0.9077, 0.25}, Point{16384, 0.9054, 0.18}, Point{65536, 0.9017, 0.13}}) {
    const PrefillChunkWork sparse{point.length, 0, 1 - point.sparsity};
    const double dense_s =
        4.0 * 128 * 32 * (double(point.length) * (point.length + 1) * 0.5) * rates.attention_s_per_flop;
    const double relative = block_sparse->prefill_chunk(sparse, shape, rates).total_s() / dense_s;
    INFO("length " << point.length << ": model " << relative << ", measured " << point.relative);
    CHECK(relative == doctest::Approx(point.relative).epsilon(0.08));
  }
  // Never the ideal 1/density: at 90% sparsity the kernel is at least 1.2x slower than 0.1 of dense.
  const PrefillChunkWork chunk{8192, 0, 0.1};
  const double dense_s = 4.0 * 128 * 32 * (8192 * 8193 * 0.5) * rates.attention_s_per_flop;
  CHECK(block_sparse->prefill_chunk(chunk, shape, rates).total_s() > 1.2 * 0.1 * dense_s);
}

TEST_CASE("sparse methods: names, phases and errors") {
  const SparseMethods defaults = make_sparse_methods(YAML::Node(), "cluster.sparse_methods");
  CHECK(defaults.prefill_name == "vertical_slash");
  CHECK(defaults.decode_name == "quest");
  CHECK(defaults.prefill->phase() == SparsePhase::prefill);
  const SparseMethods named =
      make_sparse_methods(YAML::Load("{prefill: block_sparse, decode: snapkv}"), "cluster.sparse_methods");
  CHECK(named.decode->evicts_kv());
  CHECK_THROWS_WITH_AS(make_sparse_methods(YAML::Load("{prefill: quest}"), "cluster.sparse_methods"),
                       doctest::Contains("is a decode method"), InputError);
  CHECK_THROWS_WITH_AS(make_sparse_methods(YAML::Load("{decode: nope}"), "cluster.sparse_methods"),
                       doctest::Contains("unknown component 'nope'"), InputError);
  CHECK_THROWS_WITH_AS(make_sparse_methods(YAML::Load("{both: quest}"), "cluster.sparse_methods"),
                       doctest::Contains("unknown key"), InputError);
}

namespace {

// One attention head of one layer (MInference's Fig. 10 micro-benchmark shape) on the A100 file's rates.
struct OneHead {
  AttentionShape shape{1, 1, 1, 128, 2, 1};
  AttentionRates rates;
  OneHead() {
    const GpuSpec a100 = load_gpu_spec("A100-SXM-80GB");
    rates = {1 / (a100.peak_bf16_flops_per_s * a100.prefill_attention_efficiency),
             1 / (a100.hbm_bytes_per_s * a100.decode_bandwidth_efficiency), 4e-6};
  }
  double dense_s(double length) const {
    return 4.0 * 128 * (length * (length + 1) * 0.5) * rates.attention_s_per_flop;
  }
};

}  // namespace

TEST_CASE("vertical_slash: kernel and estimation at 1M tokens reproduce MInference's per-head figures") {
  // MInference (arXiv 2407.02490) App. D.2, Fig. 10: at 1M tokens the Vertical-Slash kernel (default
  // budget 1000 verticals + 6096 slashes) is 13x faster than FlashAttention-2 and its estimation + index
  // takes 5-15% of its time. Tolerance 10% on the speed-up; the share within the stated range.
  const OneHead head;
  const double length = 1048576;
  const double density = 7096.0 / (length / 2);
  const SparseAttentionTime vs =
      method("vertical_slash")
          ->prefill_chunk({static_cast<std::int32_t>(length), 0, density}, head.shape, head.rates);
  const double speedup = head.dense_s(length) / vs.total_s();
  const double share = vs.selection_s / vs.total_s();
  INFO("model speed-up " << speedup << ", estimation share " << share);
  CHECK(speedup == doctest::Approx(13).epsilon(0.10));
  CHECK(share >= 0.05);
  CHECK(share <= 0.15);
}

TEST_CASE(
    "flexprefill: the pattern search share at 32K matches XAttention's breakdown; short prompts lose to "
    "dense") {
  // XAttention (arXiv 2503.16428) Fig. 5: one layer of Llama-3.1-8B at (inferred) 32K, FlexPrefill search
  // 20.8 ms + attention 15.8 ms vs dense 73.8 ms. The search coefficient is fitted to the 20.8 ms against
  // the 73.8 ms dense time; held out: Fig. 4's speed-ups, 0.2x at 8K (slower than dense) and 7.6x at 256K.
  const GpuSpec a100 = load_gpu_spec("A100-SXM-80GB");
  const AttentionShape layer{1, 32, 8, 128, 2, 1};
  const AttentionRates rates{1 / (a100.peak_bf16_flops_per_s * a100.prefill_attention_efficiency),
                             1 / (a100.hbm_bytes_per_s * a100.decode_bandwidth_efficiency), 4e-6};
  const auto flex = method("flexprefill");
  auto dense_s = [&](double length) {
    return 4.0 * 128 * 32 * (length * (length + 1) * 0.5) * rates.attention_s_per_flop;
  };
  // Density at 32K chosen so the kernel matches the measured 15.8 / 73.8 of dense; the search then must
  // come out near 20.8 / 73.8 of dense (measured rates differ from the file's, so compare shares).
  const SparseAttentionTime at_32k = flex->prefill_chunk({32768, 0, 0.15}, layer, rates);
  INFO("kernel " << at_32k.kernel_s / dense_s(32768) << ", search " << at_32k.selection_s / dense_s(32768));
  CHECK(at_32k.selection_s / dense_s(32768) == doctest::Approx(20.8 / 73.8).epsilon(0.5));
  const double at_8k = dense_s(8192) / flex->prefill_chunk({8192, 0, 0.3}, layer, rates).total_s();
  const double at_256k = dense_s(262144) / flex->prefill_chunk({262144, 0, 0.05}, layer, rates).total_s();
  INFO("8K " << at_8k << "x, 256K " << at_256k << "x");
  CHECK(at_8k < 1.0);
  CHECK(at_256k > 5.0);
}
