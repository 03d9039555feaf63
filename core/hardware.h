#pragma once
// GPU and model descriptions, loaded from data/gpus/*.yaml and data/models/*.yaml (each number there
// carries its source). Units are in the field names.
#include <cstdint>
#include <string>

namespace sparsesim {

struct GpuSpec {
  std::string name;                  // e.g. "H100-SXM"
  double peak_bf16_flops_per_s = 0;  // dense bf16 tensor-core peak (no 2:4 sparsity)
  double hbm_bytes_per_s = 0;        // HBM bandwidth
  std::int64_t memory_bytes = 0;     // HBM capacity
  std::int64_t l2_bytes = 0;
  int sm_count = 0;
  // Achieved fractions of peak used by the roofline (documented estimates, see the YAML sources).
  double gemm_efficiency = 0.8;
  double prefill_attention_efficiency = 0.35;
  double decode_bandwidth_efficiency = 0.8;
  double memory_bandwidth_efficiency = 0.8;  // weight streaming in linear layers
  double launch_floor_us = 4.0;              // per kernel
  double interconnect_bytes_per_s = 450e9;   // NVLink, per direction, for tensor-parallel all-reduce
  // What a roofline leaves out (each from a published measurement, see the YAML sources):
  double allreduce_latency_us = 6.0;            // fixed time of one small tensor-parallel all-reduce
  double decode_attention_fixed_us = 20.0;      // per layer per iteration: decode attention's time at
                                                // zero KV bytes (short contexts run far below bandwidth)
  double cpu_overhead_us_per_iteration = 1200;  // serving engine host work per iteration (schedule, inputs,
  double cpu_overhead_us_per_sequence = 100;    // sampling, outputs): fixed + per sequence in the batch
  // Optional (0 = not given): board power for the energy model and a rental price for dollar costs.
  double idle_power_w = 0;        // (0, 2000]
  double peak_power_w = 0;        // (idle_power_w, 5000]: the board's TDP
  double price_per_gpu_hour = 0;  // (0, 1000] US dollars, on-demand
};

struct ModelConfig {
  std::string name;  // e.g. "Qwen2.5-7B"
  int layers = 0;
  int hidden_size = 0;
  int query_heads = 0;
  int kv_heads = 0;
  int head_dim = 0;
  int intermediate_size = 0;
  int vocab_size = 0;
  std::int64_t context_tokens = 0;  // maximum context length served
  double parameters = 0;            // total parameter count
  int bytes_per_parameter = 2;      // bf16 weights
  int bytes_per_kv_element = 2;     // bf16 KV cache

  // KV-cache bytes one token occupies across all layers (keys and values).
  std::int64_t kv_bytes_per_token() const {
    return static_cast<std::int64_t>(2) * layers * kv_heads * head_dim * bytes_per_kv_element;
  }
  double weight_bytes() const { return parameters * bytes_per_parameter; }
};

// Resolve a name ("H100-SXM") or a path ("data/gpus/h100-sxm.yaml") to a spec. Names are looked up in
// data/gpus (data/models) of the source tree. Throws InputError naming the file, key and expectation.
GpuSpec load_gpu_spec(const std::string& name_or_path);
ModelConfig load_model_config(const std::string& name_or_path);

}  // namespace sparsesim
