// Device queries, seeded device-side inputs, the L2 flush, the SM clock probe, prepared measurement
// cases, and the correctness entry points of cuda_kernels.h.
#include <algorithm>
#include <cmath>
#include <memory>
#include <numeric>

#include "calibration/kernel_case_shapes.h"
#include "calibration/kernels/cuda_common.cuh"
#include "calibration/kernels/cuda_kernels.h"

namespace sparsesim::cuda {
namespace detail {

std::vector<bf16> to_bf16(const std::vector<float>& values) {
  std::vector<bf16> out(values.size());
  for (std::size_t i = 0; i < values.size(); ++i) out[i] = __float2bfloat16(values[i]);
  return out;
}

std::vector<float> from_bf16(const std::vector<bf16>& values) {
  std::vector<float> out(values.size());
  for (std::size_t i = 0; i < values.size(); ++i) out[i] = __bfloat162float(values[i]);
  return out;
}

namespace {
__device__ std::uint64_t splitmix64(std::uint64_t x) {
  x += 0x9e3779b97f4a7c15ull;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
  return x ^ (x >> 31);
}

__global__ void fill_uniform_kernel(bf16* data, std::size_t count, std::uint64_t seed, float low,
                                    float high) {
  for (std::size_t i = blockIdx.x * static_cast<std::size_t>(blockDim.x) + threadIdx.x; i < count;
       i += static_cast<std::size_t>(gridDim.x) * blockDim.x) {
    const float unit = static_cast<float>(splitmix64(seed ^ (i * 0xd1b54a32d192ed03ull)) >> 40) * 0x1.0p-24f;
    data[i] = __float2bfloat16(low + (high - low) * unit);
  }
}

__global__ void spin_kernel(long long cycles, long long* sink) {
  const long long start = clock64();
  long long now = start;
  while (now - start < cycles) now = clock64();
  *sink = now - start;
}
}  // namespace

void fill_uniform(bf16* data, std::size_t count, std::uint64_t seed, float low, float high,
                  cudaStream_t stream) {
  if (count == 0) return;
  const int blocks = static_cast<int>(std::min<std::size_t>((count + 255) / 256, 4096));
  fill_uniform_kernel<<<blocks, 256, 0, stream>>>(data, count, seed, low, high);
  SPARSESIM_CUDA_CHECK(cudaGetLastError());
}

}  // namespace detail

using namespace detail;

int device_count() {
  int count = 0;
  if (cudaGetDeviceCount(&count) != cudaSuccess) {
    cudaGetLastError();  // clear the sticky "no driver" error
    return 0;
  }
  return count;
}

DeviceDescription describe_device(int device) {
  cudaDeviceProp properties{};
  SPARSESIM_CUDA_CHECK(cudaGetDeviceProperties(&properties, device));
  DeviceDescription description;
  description.name = properties.name;
  description.backend = "cuda";
  description.device_index = device;
  description.sm_count = properties.multiProcessorCount;
  description.memory_bytes = static_cast<std::int64_t>(properties.totalGlobalMem);
  description.l2_bytes = properties.l2CacheSize;
  int memory_clock_khz = 0, sm_clock_khz = 0;
  if (cudaDeviceGetAttribute(&memory_clock_khz, cudaDevAttrMemoryClockRate, device) == cudaSuccess)
    description.memory_clock_mhz = memory_clock_khz / 1000;
  if (cudaDeviceGetAttribute(&sm_clock_khz, cudaDevAttrClockRate, device) == cudaSuccess)
    description.sm_clock_mhz =
        sm_clock_khz / 1000;  // the rated peak; the backend replaces it with the measured clock
  cudaGetLastError();
  int driver = 0, runtime = 0;
  cudaDriverGetVersion(&driver);
  cudaRuntimeGetVersion(&runtime);
  description.driver_version = "driver " + std::to_string(driver / 1000) + "." +
                               std::to_string(driver % 1000 / 10) + ", runtime " +
                               std::to_string(runtime / 1000) + "." + std::to_string(runtime % 1000 / 10);
  description.compute_capability = std::to_string(properties.major) + "." + std::to_string(properties.minor);
  return description;
}

double measure_sm_clock_mhz(int device) {
  SPARSESIM_CUDA_CHECK(cudaSetDevice(device));
  constexpr long long kCycles = 200000;  // ~0.1 ms at 2 GHz: long against event resolution (~0.5 us)
  DeviceBuffer<long long> sink(1);
  cudaEvent_t start, stop;
  SPARSESIM_CUDA_CHECK(cudaEventCreate(&start));
  SPARSESIM_CUDA_CHECK(cudaEventCreate(&stop));
  SPARSESIM_CUDA_CHECK(cudaEventRecord(start));
  spin_kernel<<<1, 1>>>(kCycles, sink.get());
  SPARSESIM_CUDA_CHECK(cudaEventRecord(stop));
  SPARSESIM_CUDA_CHECK(cudaEventSynchronize(stop));
  float milliseconds = 0;
  SPARSESIM_CUDA_CHECK(cudaEventElapsedTime(&milliseconds, start, stop));
  cudaEventDestroy(start);
  cudaEventDestroy(stop);
  return milliseconds > 0 ? static_cast<double>(kCycles) / (milliseconds * 1e3) : 0.0;
}

namespace {

// Events, stream and the L2 flush buffer shared by every prepared case.
class TimedCase : public PreparedCase {
 public:
  explicit TimedCase(int device) : device_(device) {
    SPARSESIM_CUDA_CHECK(cudaSetDevice(device));
    SPARSESIM_CUDA_CHECK(cudaStreamCreate(&stream_));
    SPARSESIM_CUDA_CHECK(cudaEventCreate(&start_));
    SPARSESIM_CUDA_CHECK(cudaEventCreate(&stop_));
    int l2_bytes = 0;
    SPARSESIM_CUDA_CHECK(cudaDeviceGetAttribute(&l2_bytes, cudaDevAttrL2CacheSize, device));
    flush_.allocate(std::max<std::size_t>(2 * static_cast<std::size_t>(l2_bytes), 64u << 20));
  }
  ~TimedCase() override {
    cudaEventDestroy(start_);
    cudaEventDestroy(stop_);
    cudaStreamDestroy(stream_);
  }
  double time_once_ns() override {
    SPARSESIM_CUDA_CHECK(cudaSetDevice(device_));
    // Writing a buffer twice the L2 size evicts whatever the previous sample left in L2.
    SPARSESIM_CUDA_CHECK(
        cudaMemsetAsync(flush_.get(), static_cast<int>(++flushes_ & 0xff), flush_.size(), stream_));
    SPARSESIM_CUDA_CHECK(cudaEventRecord(start_, stream_));
    enqueue();
    SPARSESIM_CUDA_CHECK(cudaEventRecord(stop_, stream_));
    SPARSESIM_CUDA_CHECK(cudaEventSynchronize(stop_));
    float milliseconds = 0;
    SPARSESIM_CUDA_CHECK(cudaEventElapsedTime(&milliseconds, start_, stop_));
    return static_cast<double>(milliseconds) * 1e6;
  }

 protected:
  virtual void enqueue() = 0;
  int device_;
  cudaStream_t stream_ = nullptr;

 private:
  cudaEvent_t start_ = nullptr, stop_ = nullptr;
  DeviceBuffer<unsigned char> flush_;
  unsigned flushes_ = 0;
};

class PrefillCase final : public TimedCase {
 public:
  PrefillCase(int device, const KernelCase& kc, const kernels::BlockSparseLayout& layout)
      : TimedCase(device) {
    const std::size_t q_size =
        static_cast<std::size_t>(kc.batch) * kc.query_heads * kc.seq_tokens * kc.head_dim;
    const std::size_t kv_size =
        static_cast<std::size_t>(kc.batch) * kc.kv_heads * kc.seq_tokens * kc.head_dim;
    q_.allocate(q_size);
    k_.allocate(kv_size);
    v_.allocate(kv_size);
    out_.allocate(q_size);
    fill_uniform(q_.get(), q_size, kc.seed, -1, 1, stream_);
    fill_uniform(k_.get(), kv_size, kc.seed + 1, -1, 1, stream_);
    fill_uniform(v_.get(), kv_size, kc.seed + 2, -1, 1, stream_);
    if (kc.block_tokens != kPrefillBlockTokens || layout.query_blocks * kPrefillBlockTokens != kc.seq_tokens)
      throw std::invalid_argument(
          "prefill case (CUDA): block_tokens must be 64 and the layout must cover the sequence");
    offsets_.upload(layout.offsets);
    key_blocks_.upload(layout.key_blocks);
    args_.q = q_.get();
    args_.k = k_.get();
    args_.v = v_.get();
    args_.out = out_.get();
    args_.offsets = offsets_.get();
    args_.key_blocks = key_blocks_.get();
    args_.batch = kc.batch;
    args_.query_heads = kc.query_heads;
    args_.kv_heads = kc.kv_heads;
    args_.head_dim = kc.head_dim;
    args_.seq_tokens = static_cast<int>(kc.seq_tokens);
    SPARSESIM_CUDA_CHECK(cudaStreamSynchronize(stream_));
  }

 protected:
  void enqueue() override { launch_prefill_attention(args_, stream_); }

 private:
  DeviceBuffer<bf16> q_, k_, v_, out_;
  DeviceBuffer<int> offsets_, key_blocks_;
  PrefillArgs args_;
};

// Device state of a decode case: cache, page table, metadata, scores, selection, partials, output.
struct DecodeState {
  DeviceBuffer<bf16> q, keys, values, key_min, key_max;
  DeviceBuffer<int> page_table, selected;
  DeviceBuffer<float> scores, partial, out;
  DecodeArgs args;

  void bind(int device, const kernels::DecodeShape& shape, int top_k) {
    cudaDeviceProp properties{};
    SPARSESIM_CUDA_CHECK(cudaGetDeviceProperties(&properties, device));
    args.batch = shape.batch;
    args.query_heads = shape.query_heads;
    args.kv_heads = shape.kv_heads;
    args.head_dim = shape.head_dim;
    args.page_tokens = shape.page_tokens;
    args.context_tokens = shape.context_tokens;
    args.top_k = std::clamp(top_k, 1, shape.pages_per_sequence());
    args.sm_count = properties.multiProcessorCount;
    const std::size_t physical = static_cast<std::size_t>(shape.batch) * shape.pages_per_sequence();
    key_min.allocate(physical * shape.kv_heads * shape.head_dim);
    key_max.allocate(physical * shape.kv_heads * shape.head_dim);
    scores.allocate(static_cast<std::size_t>(shape.batch) * shape.kv_heads * shape.pages_per_sequence());
    selected.allocate(static_cast<std::size_t>(shape.batch) * shape.kv_heads * args.top_k);
    out.allocate(static_cast<std::size_t>(shape.batch) * shape.query_heads * shape.head_dim);
    args.q = q.get();
    args.keys = keys.get();
    args.values = values.get();
    args.page_table = page_table.get();
    args.key_min = key_min.get();
    args.key_max = key_max.get();
    args.scores = scores.get();
    args.selected = selected.get();
    args.out = out.get();
    partial.allocate(decode_partial_floats(args));
    args.partial = partial.get();
  }
};

class DecodeCase final : public TimedCase {
 public:
  DecodeCase(int device, const KernelCase& kc) : TimedCase(device), op_(kc.op) {
    const auto shape = decode_shape_of(kc);
    const int pages = shape.pages_per_sequence();
    const std::size_t physical = static_cast<std::size_t>(shape.batch) * pages;
    const std::size_t cache_size = physical * shape.kv_heads * shape.page_tokens * shape.head_dim;
    state_.q.allocate(static_cast<std::size_t>(shape.batch) * shape.query_heads * shape.head_dim);
    state_.keys.allocate(cache_size);
    state_.values.allocate(cache_size);
    fill_uniform(state_.q.get(), state_.q.size(), kc.seed + 5, -1, 1, stream_);
    fill_uniform(state_.keys.get(), cache_size, kc.seed + 1, -1, 1, stream_);
    fill_uniform(state_.values.get(), cache_size, kc.seed + 2, -1, 1, stream_);
    // A seeded permutation of physical pages, as a paged allocator would leave them.
    std::vector<int> table(physical);
    std::iota(table.begin(), table.end(), 0);
    std::uint64_t state = kc.seed * 0x9e3779b97f4a7c15ull + 1;
    for (std::size_t i = physical; i > 1; --i) {
      state = state * 6364136223846793005ull + 1442695040888963407ull;  // LCG: portable and fast enough here
      std::swap(table[i - 1], table[(state >> 33) % i]);
    }
    state_.page_table.upload(table);
    const auto kept = static_cast<int>(std::ceil(kc.density * pages - 1e-9));
    state_.bind(device, shape, kept);
    launch_page_metadata(state_.args, stream_);
    launch_score_pages(state_.args, stream_);
    launch_select_top_k(state_.args, stream_);
    SPARSESIM_CUDA_CHECK(cudaStreamSynchronize(stream_));
  }

 protected:
  void enqueue() override {
    if (op_ == KernelOp::kDecodeScore) return launch_score_pages(state_.args, stream_);
    if (op_ == KernelOp::kDecodeTopk) return launch_select_top_k(state_.args, stream_);
    launch_paged_attention(state_.args, stream_);
  }

 private:
  KernelOp op_;
  DecodeState state_;
};

class GemmCase final : public TimedCase {
 public:
  GemmCase(int device, const KernelCase& kc)
      : TimedCase(device),
        m_(static_cast<int>(kc.gemm_m)),
        n_(static_cast<int>(kc.gemm_n)),
        k_(static_cast<int>(kc.gemm_k)) {
    check_cublas(cublasCreate(&handle_), "cublasCreate");
    check_cublas(cublasSetStream(handle_, stream_), "cublasSetStream");
    a_.allocate(static_cast<std::size_t>(m_) * k_);
    b_.allocate(static_cast<std::size_t>(k_) * n_);
    c_.allocate(static_cast<std::size_t>(m_) * n_);
    fill_uniform(a_.get(), a_.size(), kc.seed, -1, 1, stream_);
    fill_uniform(b_.get(), b_.size(), kc.seed + 1, -1, 1, stream_);
    SPARSESIM_CUDA_CHECK(cudaStreamSynchronize(stream_));
  }
  ~GemmCase() override { cublasDestroy(handle_); }

 protected:
  void enqueue() override { launch_gemm(handle_, m_, n_, k_, a_.get(), b_.get(), c_.get()); }

 private:
  cublasHandle_t handle_ = nullptr;
  int m_, n_, k_;
  DeviceBuffer<bf16> a_, b_, c_;
};

}  // namespace

std::unique_ptr<PreparedCase> prepare_case(int device, const KernelCase& kernel_case,
                                           const kernels::BlockSparseLayout* prefill_layout) {
  switch (kernel_case.op) {
    case KernelOp::kPrefillAttention:
      if (!prefill_layout) throw std::invalid_argument("prepare_case: a prefill case needs its block layout");
      return std::make_unique<PrefillCase>(device, kernel_case, *prefill_layout);
    case KernelOp::kDecodeScore:
    case KernelOp::kDecodeTopk:
    case KernelOp::kDecodeAttention:
      return std::make_unique<DecodeCase>(device, kernel_case);
    case KernelOp::kGemm:
      return std::make_unique<GemmCase>(device, kernel_case);
  }
  throw std::invalid_argument("prepare_case: unknown op");
}

std::vector<float> prefill_attention(int device, const kernels::AttentionShape& shape,
                                     const kernels::BlockSparseLayout& layout, const std::vector<float>& q,
                                     const std::vector<float>& k, const std::vector<float>& v) {
  if (shape.block_tokens != kPrefillBlockTokens)
    throw std::invalid_argument("prefill attention (CUDA): block_tokens must be 64");
  SPARSESIM_CUDA_CHECK(cudaSetDevice(device));
  DeviceBuffer<bf16> dq, dk, dv, dout(q.size());
  dq.upload(to_bf16(q));
  dk.upload(to_bf16(k));
  dv.upload(to_bf16(v));
  DeviceBuffer<int> offsets, key_blocks;
  offsets.upload(layout.offsets);
  key_blocks.upload(layout.key_blocks);
  PrefillArgs args;
  args.q = dq.get();
  args.k = dk.get();
  args.v = dv.get();
  args.out = dout.get();
  args.offsets = offsets.get();
  args.key_blocks = key_blocks.get();
  args.batch = shape.batch;
  args.query_heads = shape.query_heads;
  args.kv_heads = shape.kv_heads;
  args.head_dim = shape.head_dim;
  args.seq_tokens = shape.seq_tokens;
  launch_prefill_attention(args, nullptr);
  SPARSESIM_CUDA_CHECK(cudaDeviceSynchronize());
  return from_bf16(dout.download());
}

DecodeOutputs sparse_decode(int device, const kernels::PagedKvCache& cache, const std::vector<float>& q,
                            int top_k) {
  SPARSESIM_CUDA_CHECK(cudaSetDevice(device));
  DecodeState state;
  state.q.upload(to_bf16(q));
  state.keys.upload(to_bf16(cache.keys));
  state.values.upload(to_bf16(cache.values));
  state.page_table.upload(cache.page_table);
  state.bind(device, cache.shape, top_k);
  launch_page_metadata(state.args, nullptr);
  launch_score_pages(state.args, nullptr);
  launch_select_top_k(state.args, nullptr);
  launch_paged_attention(state.args, nullptr);
  SPARSESIM_CUDA_CHECK(cudaDeviceSynchronize());
  DecodeOutputs outputs;
  outputs.scores = state.scores.download();
  outputs.selected = state.selected.download();
  outputs.out = state.out.download();
  return outputs;
}

std::vector<float> gemm(int device, int m, int n, int k, const std::vector<float>& a,
                        const std::vector<float>& b) {
  SPARSESIM_CUDA_CHECK(cudaSetDevice(device));
  DeviceBuffer<bf16> da, db, dc(static_cast<std::size_t>(m) * n);
  da.upload(to_bf16(a));
  db.upload(to_bf16(b));
  cublasHandle_t handle = nullptr;
  check_cublas(cublasCreate(&handle), "cublasCreate");
  try {
    launch_gemm(handle, m, n, k, da.get(), db.get(), dc.get());
    SPARSESIM_CUDA_CHECK(cudaDeviceSynchronize());
  } catch (...) {
    cublasDestroy(handle);
    throw;
  }
  cublasDestroy(handle);
  return from_bf16(dc.download());
}

}  // namespace sparsesim::cuda
