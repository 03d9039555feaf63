#pragma once
// A request as the simulator sees it: when it arrives, how long its prompt and answer are, and what a
// budget policy may observe about it. Readers and generators produce these; nothing downstream mutates them.
#include <cstdint>
#include <string_view>
#include <vector>

#include "core/time.h"

namespace sparsesim {

// Task families of The Sparse Frontier; traces carry no labels, so a seeded task mix assigns them.
enum class TaskFamily : std::uint8_t { unknown = 0, single_qa, multi_query_retrieval, high_scope };
constexpr int kTaskFamilyCount = 4;

std::string_view task_family_name(TaskFamily family);
// Parses "single_qa", "multi_query_retrieval", "high_scope" or "unknown"; throws std::invalid_argument.
TaskFamily parse_task_family(std::string_view name);

// Latent per-request draws (seeded, made before simulation so runs are deterministic). Only the oracle
// policy may read the ground-truth fields; real policies read the observable ones.
struct RequestTraits {
  TaskFamily task_family = TaskFamily::unknown;  // ground truth
  double latent_difficulty = 0.5;                // ground truth, in [0, 1]
  double failure_draw = 0.5;       // ground truth: uniform u; the request fails at a budget iff u > quality
  int predicted_class = -1;        // observable: predictor output (task family index or difficulty class)
  double uncertainty_score = 0.0;  // observable once decoding has started (higher = less confident)
  // Added by workloads/request_traits.h (see there for how each is drawn):
  int difficulty_class = -1;            // ground truth: latent difficulty binned into equal-mass classes
  int predicted_difficulty_class = -1;  // observable: predictor output for difficulty_class
  double task_predictor_draw = 0.0;     // uniform in [0, 1) behind predicted_class (lets a policy re-derive
  double difficulty_predictor_draw = 0.0;  // a prediction at another accuracy, coupled to this one)
  // Standard normal noise of the decode-time uncertainty score; the score itself depends on whether the
  // request fails at the budget in force, so policies compute it (policies/uncertainty_signal.h).
  double uncertainty_noise = 0.0;
};

struct Request {
  std::uint64_t id = 0;            // unique within a trace, dense from 0 in arrival order after loading
  TimeNs arrival_ns = 0;           // arrival time since the trace start
  std::int32_t input_tokens = 0;   // prompt length, > 0
  std::int32_t output_tokens = 0;  // tokens generated, > 0
  std::int64_t session_id = -1;    // conversation this turn belongs to, -1 when the trace has none
  std::vector<std::uint64_t> prefix_block_ids;  // trace's prefix block hashes (e.g. 512-token blocks)
  std::int32_t prefix_block_tokens = 512;       // tokens each prefix block id covers
  // Closed-loop arrivals (session turns, agentic workflow calls). With no parents the request arrives at
  // arrival_ns (open loop). With parents it arrives think_time_ns after the last parent finishes, and
  // never before arrival_ns. Parent ids refer to Request::id of the same list.
  std::vector<std::uint64_t> parent_ids;
  TimeNs think_time_ns = 0;
  std::int64_t workflow_id = -1;  // agentic workflow (DAG) this call belongs to, -1 when none
  RequestTraits traits;
};

}  // namespace sparsesim
