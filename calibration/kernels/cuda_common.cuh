#pragma once
// Internal helpers shared by the CUDA kernel sources: error checks, device buffers, bf16 conversion,
// seeded device-side fills, and the launchers each .cu file provides to the harness.
#include <cublas_v2.h>
#include <cuda_bf16.h>
#include <cuda_runtime.h>

#include <cstdint>
#include <set>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace sparsesim::cuda::detail {

using bf16 = __nv_bfloat16;

inline void check(cudaError_t status, const char* what) {
  if (status != cudaSuccess)
    throw std::runtime_error(std::string("CUDA error in ") + what + ": " + cudaGetErrorString(status));
}
inline void check_cublas(cublasStatus_t status, const char* what) {
  if (status != CUBLAS_STATUS_SUCCESS)
    throw std::runtime_error(std::string("cuBLAS error in ") + what + ": status " +
                             std::to_string(static_cast<int>(status)));
}
#define SPARSESIM_CUDA_CHECK(call) ::sparsesim::cuda::detail::check((call), #call)

// Raises `kernel`'s dynamic shared memory limit to the device's opt-in maximum, once per (device, kernel),
// so that launches inside a timed region make no extra host call.
inline void allow_max_dynamic_shared_memory(const void* kernel) {
  static std::set<std::pair<int, const void*>> configured;
  int device = 0;
  SPARSESIM_CUDA_CHECK(cudaGetDevice(&device));
  if (!configured.insert({device, kernel}).second) return;
  int optin_bytes = 0;
  SPARSESIM_CUDA_CHECK(cudaDeviceGetAttribute(&optin_bytes, cudaDevAttrMaxSharedMemoryPerBlockOptin, device));
  SPARSESIM_CUDA_CHECK(
      cudaFuncSetAttribute(kernel, cudaFuncAttributeMaxDynamicSharedMemorySize, optin_bytes));
}

// Owns device memory for `count` elements of T.
template <class T>
class DeviceBuffer {
 public:
  DeviceBuffer() = default;
  explicit DeviceBuffer(std::size_t count) { allocate(count); }
  ~DeviceBuffer() {
    if (data_) cudaFree(data_);
  }
  DeviceBuffer(const DeviceBuffer&) = delete;
  DeviceBuffer& operator=(const DeviceBuffer&) = delete;
  void allocate(std::size_t count) {
    if (data_) cudaFree(data_);
    data_ = nullptr;
    count_ = count;
    if (count) SPARSESIM_CUDA_CHECK(cudaMalloc(reinterpret_cast<void**>(&data_), count * sizeof(T)));
  }
  void upload(const std::vector<T>& host) {
    allocate(host.size());
    if (count_)
      SPARSESIM_CUDA_CHECK(cudaMemcpy(data_, host.data(), count_ * sizeof(T), cudaMemcpyHostToDevice));
  }
  std::vector<T> download() const {
    std::vector<T> host(count_);
    if (count_)
      SPARSESIM_CUDA_CHECK(cudaMemcpy(host.data(), data_, count_ * sizeof(T), cudaMemcpyDeviceToHost));
    return host;
  }
  T* get() const { return data_; }
  std::size_t size() const { return count_; }

 private:
  T* data_ = nullptr;
  std::size_t count_ = 0;
};

std::vector<bf16> to_bf16(const std::vector<float>& values);
std::vector<float> from_bf16(const std::vector<bf16>& values);

// Seeded uniform values in [low, high), counter-based (splitmix64 of seed and index): reproducible and
// independent of the launch configuration.
void fill_uniform(bf16* data, std::size_t count, std::uint64_t seed, float low, float high,
                  cudaStream_t stream);

// ---- prefill_attention.cu ----
struct PrefillArgs {
  const bf16* q = nullptr;  // [batch][query_heads][seq][dim]
  const bf16* k = nullptr;  // [batch][kv_heads][seq][dim]
  const bf16* v = nullptr;
  bf16* out = nullptr;              // like q
  const int* offsets = nullptr;     // [query_blocks + 1]
  const int* key_blocks = nullptr;  // active key blocks, concatenated
  int batch = 1, query_heads = 1, kv_heads = 1, head_dim = 128, seq_tokens = 0;
};
constexpr int kPrefillBlockTokens = 64;
// Requires head_dim 64 or 128 and seq_tokens a multiple of 64; throws std::invalid_argument otherwise.
void launch_prefill_attention(const PrefillArgs& args, cudaStream_t stream);

// ---- sparse_decode.cu ----
struct DecodeArgs {
  const bf16* q = nullptr;     // [batch][query_heads][dim]
  const bf16* keys = nullptr;  // [physical_page][kv_heads][page_tokens][dim]
  const bf16* values = nullptr;
  const int* page_table = nullptr;  // [batch][pages]
  bf16* key_min = nullptr;          // [physical_page][kv_heads][dim]
  bf16* key_max = nullptr;
  float* scores = nullptr;   // [batch][kv_heads][pages]
  int* selected = nullptr;   // [batch][kv_heads][top_k]
  float* partial = nullptr;  // split-KV partial accumulators, sized by decode_partial_floats
  float* out = nullptr;      // [batch][query_heads][dim]
  int batch = 1, query_heads = 1, kv_heads = 1, head_dim = 128, page_tokens = 16, context_tokens = 0,
      top_k = 1;
  int sm_count = 132;  // sizes the split-KV grid
  __host__ __device__ int pages() const { return (context_tokens + page_tokens - 1) / page_tokens; }
};
std::size_t decode_partial_floats(const DecodeArgs& args);
void launch_page_metadata(const DecodeArgs& args, cudaStream_t stream);
void launch_score_pages(const DecodeArgs& args, cudaStream_t stream);
void launch_select_top_k(const DecodeArgs& args, cudaStream_t stream);
void launch_paged_attention(const DecodeArgs& args, cudaStream_t stream);  // attention + combine

// ---- gemm_cublas.cu ----
// c[m][n] = a[m][k] * b[k][n], row-major bf16, fp32 compute.
void launch_gemm(cublasHandle_t handle, int m, int n, int k, const bf16* a, const bf16* b, bf16* c);

}  // namespace sparsesim::cuda::detail
