#include "cost/profile_cost_model.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "core/input_error.h"

namespace sparsesim {

namespace {
double op_ns(const std::array<double, kCostTerms>& c, const CostFeatures& f) {
  return predict_ns(c, f);
}

}  // namespace

ProfileCostModel::ProfileCostModel(const Profile& profile, const std::string& path,
                                   const CostModelContext& context) {
  const ModelConfig& model = context.model;
  const int tp = context.tensor_parallel;
  if (model.layers <= 0 || model.query_heads <= 0 || model.kv_heads <= 0 || model.head_dim <= 0 ||
      model.hidden_size <= 0 || model.intermediate_size <= 0)
    throw InputError("cost_model (profile " + path + "): the model '" + model.name +
                     "' lacks layers, heads, head_dim, hidden or intermediate size");
  if (tp < 1 || model.query_heads % tp != 0 || model.kv_heads % tp != 0)
    throw InputError("tensor_parallel: expected a divisor of " + model.name + "'s query and KV heads, got " +
                     std::to_string(tp));
  for (KernelOp op : all_kernel_ops()) {
    const OpFit* fit = profile.fit(op);
    if (!fit)
      throw InputError(path + ": profile has no fitted coefficients for op " + kernel_op_name(op) +
                       "; recalibrate with the full op set");
    coefficients_[static_cast<int>(op)] = fit->coefficients;
  }
  layers_ = model.layers;
  query_heads_ = static_cast<double>(model.query_heads) / tp;
  kv_heads_ = static_cast<double>(model.kv_heads) / tp;
  head_dim_ = model.head_dim;
  tensor_parallel_ = tp;
  if (profile.prefill_block_tokens() > 0) block_tokens_ = profile.prefill_block_tokens();
  if (profile.decode_page_tokens() > 0) page_tokens_ = profile.decode_page_tokens();

  const double hidden = model.hidden_size, inter = model.intermediate_size;
  const double query_width = query_heads_ * head_dim_, kv_width = kv_heads_ * head_dim_;
  layer_gemms_ = {{{query_width + 2 * kv_width, hidden},
                   {hidden, query_width},
                   {2 * inter / tp, hidden},
                   {hidden, inter / tp}}};
  lm_head_ = {static_cast<double>(model.vocab_size) / tp, hidden};
  linear_weights_per_layer_ =
      hidden * (query_width + 2 * kv_width) * tp + query_width * tp * hidden + 3 * hidden * inter;
  // Activation bytes per token per layer of the elementwise kernels (bf16): two add+RMSNorm, RoPE, SiLU-mul.
  elementwise_bytes_per_token_ = 2.0 * (8 * hidden + 2 * (query_width + kv_width) + 3 * inter / tp);
  if (tp > 1) {
    const double bytes_per_token = 2.0 * 2.0 * (tp - 1) / tp * hidden * 2.0 * layers_;  // 2 all-reduces/layer
    allreduce_ns_per_token_ = bytes_per_token / context.gpu.interconnect_bytes_per_s * 1e9;
  }

  const FitError* worst = nullptr;
  for (const auto& fit : profile.fits)
    if (const FitError* e = fit.error("holdout");
        e && (!worst || e->median_relative_error > worst->median_relative_error))
      worst = e;
  char text[512];
  std::snprintf(
      text, sizeof text,
      "profile %s (fitted on %s %s, %s grid, %zu measurements; worst holdout median error %.1f%%; %s, TP=%d)",
      path.c_str(), profile.device.backend.c_str(), profile.device.name.c_str(), profile.grid.c_str(),
      profile.measurements.size(), worst ? 100 * worst->median_relative_error : 0.0, model.name.c_str(), tp);
  description_ = text;
}

void ProfileCostModel::step_cost(const BatchWork& batch, StepCost& out) const {
  const std::size_t prefill_count = batch.prefills.size();
  const std::size_t decode_count = batch.decodes.size();
  out.item_attention_ns.assign(prefill_count + decode_count, 0.0);
  out.duration_ns = 0;
  out.linear_flops = out.attention_flops = out.memory_bytes = out.linear_ns = 0;
  if (prefill_count + decode_count == 0) return;
  const auto& prefill_c = coefficients_[static_cast<int>(KernelOp::kPrefillAttention)];
  const auto& score_c = coefficients_[static_cast<int>(KernelOp::kDecodeScore)];
  const auto& topk_c = coefficients_[static_cast<int>(KernelOp::kDecodeTopk)];
  const auto& attention_c = coefficients_[static_cast<int>(KernelOp::kDecodeAttention)];

  double tokens = static_cast<double>(decode_count);
  double attention_flops = 0, attention_bytes = 0;  // per rank per layer
  // Item times per layer without launch floors; floors are shared equally within their op below.
  double prefill_ns = 0;
  for (std::size_t i = 0; i < prefill_count; ++i) {
    const PrefillChunkWork& chunk = batch.prefills[i];
    tokens += chunk.new_tokens;
    const double query_blocks = std::ceil(chunk.new_tokens / block_tokens_);
    const double cached_blocks = std::floor(chunk.cached_tokens / block_tokens_);
    const double causal_pairs = query_blocks * cached_blocks + query_blocks * (query_blocks + 1) * 0.5;
    const double pairs = std::max(query_blocks, chunk.density * causal_pairs);
    const CostFeatures f =
        prefill_features(1, query_heads_, head_dim_, chunk.new_tokens, pairs, block_tokens_);
    const double item_ns = prefill_c[1] * f[1] + prefill_c[2] * f[2];
    out.item_attention_ns[i] = item_ns;
    prefill_ns += item_ns;
    attention_flops += f[1];
    attention_bytes += f[2];
  }
  if (prefill_count) {
    prefill_ns += prefill_c[0];
    for (std::size_t i = 0; i < prefill_count; ++i) out.item_attention_ns[i] += prefill_c[0] / prefill_count;
  }

  double decode_ns = 0;
  std::size_t sparse_count = 0;
  for (std::size_t j = 0; j < decode_count; ++j) {
    const DecodeStepWork& step = batch.decodes[j];
    const double read = static_cast<double>(std::min(step.kv_tokens_read, step.context_tokens));
    const CostFeatures attention = decode_attention_features(1, query_heads_, kv_heads_, head_dim_, read);
    double item_ns = attention_c[1] * attention[1] + attention_c[2] * attention[2];
    attention_flops += attention[2];
    attention_bytes += attention[1];
    if (step.kv_tokens_read < step.context_tokens) {
      ++sparse_count;
      const double pages = std::ceil(static_cast<double>(step.context_tokens) / page_tokens_);
      const double selected = std::min(pages, std::ceil(read / page_tokens_));
      const CostFeatures score = decode_score_features(1, query_heads_, kv_heads_, head_dim_, pages);
      const CostFeatures topk = decode_topk_features(1, kv_heads_, pages, selected);
      item_ns += score_c[1] * score[1] + score_c[2] * score[2] + topk_c[1] * topk[1] + topk_c[2] * topk[2];
      attention_bytes += score[1];
    }
    out.item_attention_ns[prefill_count + j] = item_ns;
    decode_ns += item_ns;
  }
  if (decode_count) {
    double floors = attention_c[0];
    for (std::size_t j = 0; j < decode_count; ++j)
      out.item_attention_ns[prefill_count + j] += attention_c[0] / decode_count;
    if (sparse_count) {
      floors += score_c[0] + topk_c[0];
      for (std::size_t j = 0; j < decode_count; ++j)
        if (batch.decodes[j].kv_tokens_read < batch.decodes[j].context_tokens)
          out.item_attention_ns[prefill_count + j] += (score_c[0] + topk_c[0]) / sparse_count;
    }
    decode_ns += floors;
  }

  for (auto& item : out.item_attention_ns) item *= layers_;
  const double attention_ns = layers_ * (prefill_ns + decode_ns);
  const NonAttention rest = non_attention(tokens, static_cast<double>(prefill_count + decode_count));
  out.linear_ns = rest.linear_ns;
  const double total_ns = attention_ns + out.linear_ns;
  out.duration_ns = std::max<TimeNs>(1, round_half_up_ns(total_ns));
  out.linear_flops = rest.linear_flops;
  out.attention_flops = attention_flops * layers_ * tensor_parallel_;
  out.memory_bytes = (attention_bytes + rest.gemm_bytes) * layers_ * tensor_parallel_ + rest.other_bytes;
}

ProfileCostModel::NonAttention ProfileCostModel::non_attention(double tokens, double logits_rows) const {
  const auto& attention_c = coefficients_[static_cast<int>(KernelOp::kDecodeAttention)];
  const auto& gemm_c = coefficients_[static_cast<int>(KernelOp::kGemm)];
  double gemm_ns = 0, gemm_bytes = 0;
  for (const auto& [n, k] : layer_gemms_) {
    const CostFeatures f = gemm_features(tokens, n, k);
    gemm_ns += op_ns(gemm_c, f);
    gemm_bytes += f[2];
  }
  const double elementwise_ns = elementwise_bytes_per_token_ * tokens * attention_c[1] +
                                elementwise_kernels_per_layer_ * attention_c[0];
  const CostFeatures lm_head = gemm_features(logits_rows, lm_head_[0], lm_head_[1]);
  const double lm_head_ns = op_ns(gemm_c, lm_head);
  const double allreduce_ns = allreduce_ns_per_token_ * tokens;
  NonAttention rest;
  rest.linear_ns = layers_ * (gemm_ns + elementwise_ns) + lm_head_ns + allreduce_ns;
  rest.linear_flops = 2.0 * tokens * linear_weights_per_layer_ * layers_ + lm_head[1] * tensor_parallel_;
  rest.gemm_bytes = gemm_bytes;
  rest.other_bytes =
      lm_head[2] * tensor_parallel_ + elementwise_bytes_per_token_ * tokens * layers_ * tensor_parallel_;
  return rest;
}

namespace {
const bool registered = CostModelRegistry::instance().add(
    {"profile",
     "fitted from a calibration profile (sparsesim calibrate): measured kernel cost forms per op",
     {{"path", "", "the profile file written by `sparsesim calibrate --out` (SQLite)"}},
     [](const Params& params, const CostModelContext& context) -> std::unique_ptr<CostModel> {
       const std::string path = params.get_string("path");
       return std::make_unique<ProfileCostModel>(read_profile(path), path, context);
     }});
}  // namespace

}  // namespace sparsesim
