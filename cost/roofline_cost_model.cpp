// The `roofline` cost model. One iteration's time on one replica is the sum of six parts, each
// max(compute time, memory time, kernel count x launch floor), all ranks of a tensor-parallel group
// working in parallel on 1/TP of the FLOPs and bytes:
//   1. layer GEMMs: 2 x tokens x linear weights FLOPs vs the weights read once per iteration;
//   2. LM head: one logits row per decode and per prefill chunk (a chunk that does not end its prompt
//      also pays one row: simpler than tracking the last chunk, and one row is ~1 GFLOP) vs its weights;
//   3. elementwise kernels (norms, RoPE, SiLU-and-multiply, residual adds): activation bytes only;
//   4. prefill attention: 4 x head_dim x query heads x attended keys per query token per layer, with the
//      attended keys = causal keys within the chunk plus every cached key, times the density; against it
//      the K/V read once (times density), the new K/V written, queries read and outputs written;
//   5. decode attention: K/V bytes of the kv_tokens_read (plus the new token's K/V write) vs its FLOPs,
//      plus a measured fixed time per layer (decode kernels run far below bandwidth at short contexts);
//   6. tensor parallel > 1: two ring all-reduces per layer, each rank sending 2 (TP-1)/TP x tokens x
//      hidden x 2 bytes over the interconnect, plus a measured fixed latency per all-reduce;
//   7. the serving engine's host work (scheduling, input preparation, sampling): a fixed time per
//      iteration plus a time per sequence, overlapped with the GPU step (max) or serial (sum).
// Sparse items are priced by the cluster's sparse methods (cost/methods/): a sparse prefill chunk by its
// method's selection (pattern estimation) and block-sparse kernel, a sparse decode step by its method's
// selection (Quest: page metadata, scoring, top-k) and paged kernel; their selection kernels add launch
// floors. Without methods, sparse attention is priced ideally (attended keys only).
// Not modelled (documented simplifications): activation reads and writes of the GEMMs, biases, the
// embedding lookup, overlap between kernels, GEMM tile effects.
#include "cost/roofline_cost_model.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <memory>

#include "core/input_error.h"

namespace sparsesim {

RooflineEfficiencies RooflineEfficiencies::from_gpu(const GpuSpec& gpu) {
  RooflineEfficiencies efficiencies;
  efficiencies.gemm = gpu.gemm_efficiency;
  efficiencies.prefill_attention = gpu.prefill_attention_efficiency;
  efficiencies.decode_bandwidth = gpu.decode_bandwidth_efficiency;
  efficiencies.memory_bandwidth = gpu.memory_bandwidth_efficiency;
  efficiencies.launch_floor_us = gpu.launch_floor_us;
  efficiencies.allreduce_latency_us = gpu.allreduce_latency_us;
  efficiencies.decode_attention_fixed_us = gpu.decode_attention_fixed_us;
  efficiencies.cpu_overhead_us_per_iteration = gpu.cpu_overhead_us_per_iteration;
  efficiencies.cpu_overhead_us_per_sequence = gpu.cpu_overhead_us_per_sequence;
  return efficiencies;
}

RooflineCostModel::RooflineCostModel(const CostModelContext& context,
                                     const RooflineEfficiencies& efficiencies)
    : efficiencies_(efficiencies),
      tensor_parallel_(context.tensor_parallel),
      layers_(context.model.layers),
      prefill_method_(context.prefill_method),
      decode_method_(context.decode_method) {
  const GpuSpec& gpu = context.gpu;
  const ModelConfig& model = context.model;
  const int tensor_parallel = context.tensor_parallel;
  if (tensor_parallel < 1)
    throw InputError("tensor_parallel: expected an integer >= 1, got " + std::to_string(tensor_parallel));
  if (model.query_heads % tensor_parallel != 0 || model.kv_heads % tensor_parallel != 0)
    throw InputError("tensor_parallel: expected a divisor of " + model.name + "'s query heads (" +
                     std::to_string(model.query_heads) + ") and KV heads (" + std::to_string(model.kv_heads) +
                     "), got " + std::to_string(tensor_parallel));
  if (!(gpu.peak_bf16_flops_per_s > 0 && gpu.hbm_bytes_per_s > 0 && gpu.interconnect_bytes_per_s > 0))
    throw InputError("gpu " + gpu.name + ": peak FLOP/s, HBM and interconnect bandwidth must be positive");
  for (const double fraction : {efficiencies.gemm, efficiencies.prefill_attention,
                                efficiencies.decode_bandwidth, efficiencies.memory_bandwidth})
    if (!(fraction > 0 && fraction <= 1))
      throw InputError("cost_model: efficiencies must lie in (0, 1], got " + std::to_string(fraction));
  if (!(efficiencies.launch_floor_us >= 0)) throw InputError("cost_model.launch_floor_us: expected >= 0");
  for (const double term :
       {efficiencies.allreduce_latency_us, efficiencies.decode_attention_fixed_us,
        efficiencies.cpu_overhead_us_per_iteration, efficiencies.cpu_overhead_us_per_sequence})
    if (!(term >= 0 && term <= 1e6))
      throw InputError("cost_model: latency and overhead terms must lie in [0, 1e6] us, got " +
                       std::to_string(term));
  if (prefill_method_ && prefill_method_->phase() != SparsePhase::prefill)
    throw InputError("sparse_methods.prefill: expected a prefill method");
  if (decode_method_ && decode_method_->phase() != SparsePhase::decode)
    throw InputError("sparse_methods.decode: expected a decode method");

  const double layers = model.layers;
  const double hidden = model.hidden_size;
  const double head_dim = model.head_dim;
  const double query_width = static_cast<double>(model.query_heads) * head_dim;
  const double kv_width = static_cast<double>(model.kv_heads) * head_dim;
  const double intermediate = model.intermediate_size;
  const double weight_bytes = model.bytes_per_parameter;
  const double activation_bytes = 2;  // bf16 activations

  // QKV, O, gate+up and down projections of one layer.
  const double linear_weights_per_layer =
      hidden * (query_width + 2 * kv_width) + query_width * hidden + 3 * hidden * intermediate;
  layer_linear_flops_per_token_ = 2 * linear_weights_per_layer * layers;
  layer_weight_bytes_ = linear_weights_per_layer * layers * weight_bytes;
  lm_head_flops_per_row_ = 2 * hidden * model.vocab_size;
  lm_head_weight_bytes_ = hidden * model.vocab_size * weight_bytes;
  // Per layer: two fused add+RMSNorm (read x and residual, write both: 4 hidden each), RoPE on queries and
  // keys (read and write), SiLU-and-multiply (read gate and up, write the product).
  elementwise_bytes_per_token_ =
      layers * activation_bytes * (8 * hidden + 2 * (query_width + kv_width) + 3 * intermediate);
  attention_flops_per_key_ = 4 * head_dim * model.query_heads * layers;
  kv_bytes_per_token_ = static_cast<double>(model.kv_bytes_per_token());
  query_output_bytes_per_token_ = 2 * query_width * activation_bytes * layers;
  const double tp = tensor_parallel;
  allreduce_bytes_per_token_ = tensor_parallel > 1 ? kRooflineAllReducesPerLayer * layers * 2 * (tp - 1) /
                                                         tp * hidden * activation_bytes
                                                   : 0;

  gemm_s_per_flop_ = 1 / (tp * gpu.peak_bf16_flops_per_s * efficiencies.gemm);
  attention_s_per_flop_ = 1 / (tp * gpu.peak_bf16_flops_per_s * efficiencies.prefill_attention);
  weight_s_per_byte_ = 1 / (tp * gpu.hbm_bytes_per_s * efficiencies.memory_bandwidth);
  kv_s_per_byte_ = 1 / (tp * gpu.hbm_bytes_per_s * efficiencies.decode_bandwidth);
  interconnect_s_per_byte_ = 1 / gpu.interconnect_bytes_per_s;  // per-rank traffic, already per rank
  launch_floor_s_ = efficiencies.launch_floor_us * 1e-6;
  attention_shape_ = {
      layers,   static_cast<double>(model.query_heads),          static_cast<double>(model.kv_heads),
      head_dim, static_cast<double>(model.bytes_per_kv_element), tp};
  attention_rates_ = {attention_s_per_flop_, kv_s_per_byte_, launch_floor_s_};

  char text[600];
  std::snprintf(text, sizeof text,
                "roofline (analytical estimate: %s peaks x efficiencies gemm %.2f, prefill attention %.2f, "
                "decode bandwidth %.2f, weight bandwidth %.2f, launch floor %.1f us; decode attention %.0f "
                "us/layer fixed, all-reduce %.0f us, engine CPU %.0f us + %.0f us/sequence %s; %s, TP=%d)",
                gpu.name.c_str(), efficiencies.gemm, efficiencies.prefill_attention,
                efficiencies.decode_bandwidth, efficiencies.memory_bandwidth, efficiencies.launch_floor_us,
                efficiencies.decode_attention_fixed_us, efficiencies.allreduce_latency_us,
                efficiencies.cpu_overhead_us_per_iteration, efficiencies.cpu_overhead_us_per_sequence,
                efficiencies.cpu_overlapped ? "overlapped" : "serial", model.name.c_str(), tensor_parallel);
  description_ = text;
  description_ += "; sparse prefill " +
                  (prefill_method_ ? prefill_method_->describe() : std::string("ideal (no method)")) +
                  "; sparse decode " +
                  (decode_method_ ? decode_method_->describe() : std::string("ideal (no method)"));
}

std::string RooflineCostModel::describe() const {
  return description_;
}

void RooflineCostModel::replace_layer_terms(std::function<double(double)> measured_seconds,
                                            const std::string& description) {
  measured_layer_seconds_ = std::move(measured_seconds);
  description_ = description + "; attention, LM head and CPU work: " + description_;
}

namespace {

// Spreads a class floor over its items in proportion to their own times (equally when all are zero), so
// that the items still sum to the time the class costs.
void stretch_to(double* items, std::size_t count, double sum_s, double class_s) {
  if (count == 0 || class_s <= sum_s) return;
  if (sum_s > 0) {
    const double factor = class_s / sum_s;
    for (std::size_t i = 0; i < count; ++i) items[i] *= factor;
  } else {
    for (std::size_t i = 0; i < count; ++i) items[i] = class_s / static_cast<double>(count);
  }
}

}  // namespace

void RooflineCostModel::step_cost(const BatchWork& batch, StepCost& out) const {
  const std::size_t prefill_count = batch.prefills.size();
  const std::size_t decode_count = batch.decodes.size();
  out.item_attention_ns.resize(prefill_count + decode_count);
  if (prefill_count + decode_count == 0) {
    out.duration_ns = 0;
    out.linear_flops = out.attention_flops = out.memory_bytes = out.linear_ns = 0;
    return;
  }
  double* item_s = out.item_attention_ns.data();  // filled in seconds, converted to ns at the end

  double tokens = static_cast<double>(decode_count);
  double attention_flops = 0;
  double kv_bytes = 0;

  // Prefill attention, per chunk.
  double prefill_sum_s = 0;
  bool prefill_sparse = false;
  for (std::size_t i = 0; i < prefill_count; ++i) {
    const PrefillChunkWork& chunk = batch.prefills[i];
    const double new_tokens = chunk.new_tokens;
    const double cached = chunk.cached_tokens;
    const double density = chunk.density;
    tokens += new_tokens;
    double flops, bytes, time_s;
    if (density < 1.0 && prefill_method_) {
      const SparseAttentionTime sparse =
          prefill_method_->prefill_chunk(chunk, attention_shape_, attention_rates_);
      flops = sparse.flops;
      bytes = sparse.bytes;
      time_s = sparse.total_s();
      prefill_sparse = true;
    } else {
      const double attended_keys = density * (new_tokens * cached + new_tokens * (new_tokens + 1) * 0.5);
      flops = attention_flops_per_key_ * attended_keys;
      bytes = kv_bytes_per_token_ * (density * (cached + new_tokens) + new_tokens) +
              query_output_bytes_per_token_ * new_tokens;
      time_s = std::max(flops * attention_s_per_flop_, bytes * kv_s_per_byte_);
    }
    item_s[i] = time_s;
    prefill_sum_s += time_s;
    attention_flops += flops;
    kv_bytes += bytes;
  }

  // Decode attention, per sequence.
  double decode_sum_s = 0;
  bool decode_sparse = false;
  for (std::size_t j = 0; j < decode_count; ++j) {
    const DecodeStepWork& step = batch.decodes[j];
    double flops, bytes, time_s;
    if (step.kv_tokens_read < step.context_tokens && decode_method_) {
      const SparseAttentionTime sparse =
          decode_method_->decode_step(step, attention_shape_, attention_rates_);
      flops = sparse.flops;
      bytes = sparse.bytes;
      time_s = sparse.total_s();
      decode_sparse = true;
    } else {
      const double read_tokens = static_cast<double>(step.kv_tokens_read);
      flops = attention_flops_per_key_ * read_tokens;
      bytes = kv_bytes_per_token_ * (read_tokens + 1) + query_output_bytes_per_token_;
      time_s = std::max(flops * attention_s_per_flop_, bytes * kv_s_per_byte_);
    }
    item_s[prefill_count + j] = time_s;
    decode_sum_s += time_s;
    attention_flops += flops;
    kv_bytes += bytes;
  }

  const double floor_s = launch_floor_s_;
  const double layer_kernels_floor_s = layers_ * floor_s;
  // Each class runs one attention kernel per layer, plus the method's selection kernels when an item of
  // the class is sparse. Decode attention also pays its measured fixed time per layer (short contexts run
  // far below bandwidth: FlashInfer's decode kernels, data/gpus sources).
  const int prefill_kernels = 1 + (prefill_sparse ? prefill_method_->selection_kernels_per_layer() : 0);
  const double prefill_fixed_s =
      prefill_sparse ? layers_ * prefill_method_->selection_fixed_s_per_layer() : 0.0;
  const double prefill_class_s =
      prefill_count ? std::max(prefill_sum_s + prefill_fixed_s, prefill_kernels * layer_kernels_floor_s) : 0;
  const DecodeClass decode = decode_class(decode_sparse);
  const double decode_class_s = decode_count ? std::max(decode_sum_s + decode.fixed_s, decode.floor_s) : 0;
  stretch_to(item_s, prefill_count, prefill_sum_s, prefill_class_s);
  stretch_to(item_s + prefill_count, decode_count, decode_sum_s, decode_class_s);

  const double logits_rows = static_cast<double>(prefill_count + decode_count);
  const NonAttentionTerms rest = non_attention(tokens, logits_rows);
  out.duration_ns = iteration_ns(rest.seconds + prefill_class_s + decode_class_s, host_seconds(logits_rows));

  double attention_ns_sum = 0;
  for (std::size_t k = 0; k < prefill_count + decode_count; ++k) {
    item_s[k] *= 1e9;
    attention_ns_sum += item_s[k];
  }
  out.item_attention_ns_sum = attention_ns_sum;
  out.linear_ns = std::max(0.0, static_cast<double>(out.duration_ns) - attention_ns_sum);
  out.linear_flops = rest.linear_flops;
  out.attention_flops = attention_flops;
  out.memory_bytes = rest.bytes + kv_bytes;
}

RooflineCostModel::DecodeClass RooflineCostModel::decode_class(bool sparse) const {
  const int kernels = 1 + (sparse ? decode_method_->selection_kernels_per_layer() : 0);
  return {layers_ * (efficiencies_.decode_attention_fixed_us * 1e-6 +
                     (sparse ? decode_method_->selection_fixed_s_per_layer() : 0.0)),
          kernels * (layers_ * launch_floor_s_)};
}

RooflineCostModel::NonAttentionTerms RooflineCostModel::non_attention(double tokens,
                                                                      double logits_rows) const {
  const double floor_s = launch_floor_s_;
  const double layer_kernels_floor_s = layers_ * floor_s;
  // Linear layers: weights streamed once per iteration whatever the batch.
  const double layer_flops = layer_linear_flops_per_token_ * tokens;
  const double layer_gemm_s =
      std::max({layer_flops * gemm_s_per_flop_, layer_weight_bytes_ * weight_s_per_byte_,
                kRooflineGemmKernelsPerLayer * layer_kernels_floor_s});
  const double lm_head_flops = lm_head_flops_per_row_ * logits_rows;
  const double lm_head_s =
      std::max({lm_head_flops * gemm_s_per_flop_, lm_head_weight_bytes_ * weight_s_per_byte_, floor_s});
  const double elementwise_bytes = elementwise_bytes_per_token_ * tokens;
  const double elementwise_s = std::max(
      elementwise_bytes * weight_s_per_byte_,
      (kRooflineElementwiseKernelsPerLayer * layers_ + kRooflineElementwiseKernelsPerIteration) * floor_s);
  const double allreduce_s = tensor_parallel_ > 1
                                 ? allreduce_bytes_per_token_ * tokens * interconnect_s_per_byte_ +
                                       kRooflineAllReducesPerLayer * layers_ *
                                           std::max(efficiencies_.allreduce_latency_us * 1e-6, floor_s)
                                 : 0;
  NonAttentionTerms terms;
  terms.seconds = (measured_layer_seconds_ ? measured_layer_seconds_(tokens)
                                           : layer_gemm_s + elementwise_s + allreduce_s) +
                  lm_head_s;
  terms.linear_flops = layer_flops + lm_head_flops;
  terms.bytes = layer_weight_bytes_ + lm_head_weight_bytes_ + elementwise_bytes;
  return terms;
}

double RooflineCostModel::host_seconds(double logits_rows) const {
  // The serving engine's host work per iteration (scheduling, input preparation, sampling, outputs).
  return (efficiencies_.cpu_overhead_us_per_iteration +
          efficiencies_.cpu_overhead_us_per_sequence * logits_rows) *
         1e-6;
}

namespace {

constexpr const char* kFromGpu = "from_gpu";

double override_or(const Params& params, const std::string& name, double gpu_value) {
  if (!params.was_given(name)) return gpu_value;
  const YAML::Node node = params.get_node(name);
  if (node.IsScalar() && node.Scalar() == kFromGpu) return gpu_value;
  return params.get_double(name);
}

}  // namespace

std::vector<ParamSpec> roofline_param_specs() {
  return {
      {"gemm_efficiency", kFromGpu, "fraction of peak bf16 FLOP/s reached by linear-layer GEMMs, (0, 1]"},
      {"prefill_attention_efficiency", kFromGpu, "fraction of peak bf16 FLOP/s reached by attention, (0, 1]"},
      {"decode_bandwidth_efficiency", kFromGpu, "fraction of HBM bandwidth reached reading K/V, (0, 1]"},
      {"memory_bandwidth_efficiency", kFromGpu,
       "fraction of HBM bandwidth reached streaming weights and activations, (0, 1]"},
      {"launch_floor_us", kFromGpu, "smallest time of any kernel, microseconds"},
      {"allreduce_latency_us", kFromGpu, "fixed time of one tensor-parallel all-reduce, microseconds"},
      {"decode_attention_fixed_us", kFromGpu,
       "decode attention time per layer at zero KV bytes, microseconds"},
      {"cpu_overhead_us_per_iteration", kFromGpu, "serving-engine host work per iteration, microseconds"},
      {"cpu_overhead_us_per_sequence", kFromGpu, "host work per sequence in the batch, microseconds"},
      {"cpu_overhead", "overlapped",
       "overlapped (iteration = max(GPU, CPU): engines that schedule ahead) | serial (GPU + CPU) | off"}};
}

RooflineEfficiencies roofline_efficiencies_from(const Params& params, const GpuSpec& gpu) {
  RooflineEfficiencies efficiencies = RooflineEfficiencies::from_gpu(gpu);
  efficiencies.gemm = override_or(params, "gemm_efficiency", efficiencies.gemm);
  efficiencies.prefill_attention =
      override_or(params, "prefill_attention_efficiency", efficiencies.prefill_attention);
  efficiencies.decode_bandwidth =
      override_or(params, "decode_bandwidth_efficiency", efficiencies.decode_bandwidth);
  efficiencies.memory_bandwidth =
      override_or(params, "memory_bandwidth_efficiency", efficiencies.memory_bandwidth);
  efficiencies.launch_floor_us = override_or(params, "launch_floor_us", efficiencies.launch_floor_us);
  for (auto [name, field] :
       {std::pair{"allreduce_latency_us", &RooflineEfficiencies::allreduce_latency_us},
        std::pair{"decode_attention_fixed_us", &RooflineEfficiencies::decode_attention_fixed_us},
        std::pair{"cpu_overhead_us_per_iteration", &RooflineEfficiencies::cpu_overhead_us_per_iteration},
        std::pair{"cpu_overhead_us_per_sequence", &RooflineEfficiencies::cpu_overhead_us_per_sequence}}) {
    efficiencies.*field = override_or(params, name, efficiencies.*field);
    if (!(efficiencies.*field >= 0 && efficiencies.*field <= 1e6))
      throw InputError(params.where(name) + ": expected microseconds in [0, 1e6]");
  }
  const std::string cpu_mode = params.get_string("cpu_overhead");
  if (cpu_mode == "off") {
    efficiencies.cpu_overhead_us_per_iteration = efficiencies.cpu_overhead_us_per_sequence = 0;
  } else if (cpu_mode == "serial") {
    efficiencies.cpu_overlapped = false;
  } else if (cpu_mode != "overlapped") {
    throw InputError(params.where("cpu_overhead") + ": expected overlapped, serial or off, got '" + cpu_mode +
                     "'");
  }
  for (const char* name : {"gemm_efficiency", "prefill_attention_efficiency", "decode_bandwidth_efficiency",
                           "memory_bandwidth_efficiency"}) {
    const double value = override_or(params, name, 0.5);
    if (!(value > 0 && value <= 1))
      throw InputError(params.where(name) + ": expected a fraction in (0, 1], got " + std::to_string(value));
  }
  if (!(efficiencies.launch_floor_us >= 0 && efficiencies.launch_floor_us <= 1000))
    throw InputError(params.where("launch_floor_us") + ": expected microseconds in [0, 1000]");
  return efficiencies;
}

namespace {

const bool registered = CostModelRegistry::instance().add(
    {"roofline",
     "analytical roofline: spec-sheet peaks x documented efficiency estimates (data/gpus), max(compute, "
     "memory) "
     "per part, launch floor per kernel",
     roofline_param_specs(),
     [](const Params& params, const CostModelContext& context) -> std::unique_ptr<CostModel> {
       return std::make_unique<RooflineCostModel>(context, roofline_efficiencies_from(params, context.gpu));
     }});

}  // namespace
}  // namespace sparsesim
