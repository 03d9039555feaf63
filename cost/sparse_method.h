#pragma once
// A sparse-attention method: what one phase's sparse attention computes, and so what it costs; which
// quality curves score it; whether it evicts KV. A serving engine runs one method per phase, named by the
// cluster (`sparse_methods: {prefill: vertical_slash, decode: quest}`). Methods register themselves by
// name (one file each in cost/); their coefficients live in data/sparse_methods.yaml, each with its
// published source and value_status, and are checked against those figures by tests/cost.
//
// Methods price only sparse work: a prefill chunk at density < 1, a decode step reading fewer tokens than
// its cache holds. Dense work is priced by the cost model's dense kernels whatever the method.
#include <memory>
#include <string>
#include <vector>

#include "core/params.h"
#include "core/registry.h"
#include "cost/cost_model.h"

namespace sparsesim {

enum class SparsePhase { prefill, decode };

// Attention shape of the whole model (all tensor-parallel ranks together); FLOP and byte counts built from
// it are whole-model counts, and the rates below turn them into time with the ranks working in parallel.
struct AttentionShape {
  double layers = 0;
  double query_heads = 0;
  double kv_heads = 0;
  double head_dim = 0;
  double kv_bytes_per_element = 2;
  double tensor_parallel = 1;  // ranks sharing the heads: per-head work that is not a FLOP or byte term
                               // (top-k, index building) is divided by it
};

// Achieved dense rates, in seconds per whole-model FLOP or byte (1 / (TP x per-rank rate)).
struct AttentionRates {
  double attention_s_per_flop = 0;  // dense FlashAttention score + value products
  double kv_s_per_byte = 0;         // HBM reads of K/V (decode-attention efficiency)
  double launch_floor_s = 0;        // smallest time of one kernel
};

// Time of one item's sparse attention, all layers, ranks in parallel, in seconds, split by stage. Launch
// floors are not included: the cost model applies them per kernel class (selection_kernels_per_layer).
struct SparseAttentionTime {
  double selection_s = 0;  // choosing what to attend: pattern estimation (prefill), page scoring + top-k
  double kernel_s = 0;     // the sparse attention kernel itself
  double flops = 0;        // attention FLOPs of the kernel (score + value over attended keys), whole model
  double bytes = 0;        // HBM bytes of selection and kernel, whole model
  double total_s() const { return selection_s + kernel_s; }
};

// A decode method's closed form over a run of steps (cost_model.h, DecodeRunInput): at step k < valid_steps
// the sequence's context is context + k and its pages ceil((context + k) / page_tokens); its time, FLOPs
// and bytes are each base + slope x k + per_page x pages.
struct DecodeItemTerms {
  double base_s = 0, slope_s = 0, per_page_s = 0;
  double base_flops = 0, slope_flops = 0, per_page_flops = 0;
  double base_bytes = 0, slope_bytes = 0, per_page_bytes = 0;
  std::int64_t page_tokens = 1;  // used when a per_page term is non-zero
  std::int64_t valid_steps = 0;  // >= 1 when the form exists
};

// One named coefficient of a method, read from data/sparse_methods.yaml.
struct MethodCoefficient {
  std::string name;
  double value = 0;
  std::string value_status;  // READ_FROM_PAPER | APPROX_FROM_PAPER | DERIVED | ESTIMATE
  std::string source;
};

class SparseMethod {
 public:
  virtual ~SparseMethod() = default;
  virtual SparsePhase phase() const = 0;
  // Eviction methods (SnapKV) keep only the budget's tokens in the KV cache after prefill; selection
  // methods (Quest) keep the whole cache and choose what to read each step.
  virtual bool evicts_kv() const { return false; }
  // Kernels the selection stage adds per layer (each pays the launch floor once per iteration).
  virtual int selection_kernels_per_layer() const { return 0; }
  // Fixed time per layer of the selection stage, once per iteration whatever the batch (a batched top-k
  // kernel's latency), in seconds; added when an item of the phase is sparse.
  virtual double selection_fixed_s_per_layer() const { return 0; }
  // The `method` key of the quality curves that score this method ("*" rows when it has none).
  virtual std::string quality_curve_key() const = 0;
  // A prefill chunk at chunk.density < 1 (prefill methods only).
  virtual SparseAttentionTime prefill_chunk(const PrefillChunkWork& chunk, const AttentionShape& shape,
                                            const AttentionRates& rates) const;
  // One sequence's decode step with step.kv_tokens_read < step.context_tokens (decode methods only).
  virtual SparseAttentionTime decode_step(const DecodeStepWork& step, const AttentionShape& shape,
                                          const AttentionRates& rates) const;
  // The closed form of decode_step over up to `steps` steps of a run from `context` tokens, reading
  // min(context + k, kv_budget_tokens) with kv_budget_tokens < context (so every step is sparse). False when
  // the method has none (the cost model then prices the run step by step); valid_steps may end the form
  // early where its terms change (a kernel turning compute-bound, a page count reaching the budget).
  virtual bool decode_run_terms(std::int64_t context, std::int64_t kv_budget_tokens, std::int64_t steps,
                                const AttentionShape& shape, const AttentionRates& rates,
                                DecodeItemTerms& out) const;
  // One line: the cost terms and their coefficients' status.
  virtual std::string describe() const = 0;
  // The coefficients used, with sources (shown by `sparsesim curves` and stored with each run).
  virtual std::vector<MethodCoefficient> coefficients() const { return {}; }
};

using SparseMethodRegistry = Registry<SparseMethod, const Params&>;

// The methods one cluster runs.
struct SparseMethods {
  std::shared_ptr<const SparseMethod> prefill;
  std::shared_ptr<const SparseMethod> decode;
  std::string prefill_name, decode_name;
};

// Defaults when the cluster names none: the methods The Sparse Frontier finds best on average per phase
// (Vertical-Slash for prefill, Quest for decode; arXiv 2504.17768 Sec. 4).
constexpr const char* kDefaultPrefillMethod = "vertical_slash";
constexpr const char* kDefaultDecodeMethod = "quest";

// Builds the methods named by a cluster's `sparse_methods` node (null: the defaults). Each entry is a
// name or {impl: NAME, ...parameters}. Throws InputError naming the YAML path for an unknown method or
// one registered for the other phase.
SparseMethods make_sparse_methods(const YAML::Node& node, const std::string& yaml_path);

// The coefficient file methods read: data/sparse_methods.yaml, or SPARSESIM_SPARSE_METHODS when set.
std::string sparse_method_coefficients_path();

// A coefficient of a method's section in data/sparse_methods.yaml (or the file given by the
// SPARSESIM_SPARSE_METHODS environment variable): throws InputError naming the file when the section or
// the coefficient is missing or outside [min, max].
MethodCoefficient sparse_method_coefficient(const std::string& method, const std::string& name, double min,
                                            double max);

}  // namespace sparsesim
