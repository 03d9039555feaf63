// The event loop: arrivals (open loop from the trace, closed loop after parents finish) are routed to
// replicas; each busy replica has exactly one pending step_done event; finished requests release their
// closed-loop children.
#include "sim/simulation.h"

#include <algorithm>
#include <limits>
#include <memory>
#include <numeric>
#include <string>
#include <unordered_map>

#include "core/input_error.h"
#include "sim/event_queue.h"
#include "sim/kv_cache.h"
#include "sim/outstanding_tree.h"
#include "sim/replica.h"
#include "sim/router.h"
#include "sim/run_state.h"
#include "sim/run_summary.h"

namespace sparsesim {
namespace {

void validate(const ClusterConfig& cluster) {
  const SchedulerConfig& scheduler = cluster.scheduler;
  auto require = [](bool ok, const std::string& field, const std::string& expected) {
    if (!ok) throw InputError("cluster." + field + ": expected " + expected);
  };
  require(cluster.replicas >= 1, "replicas", "at least 1");
  require(cluster.tensor_parallel >= 1, "tensor_parallel", "at least 1");
  require(scheduler.max_batch_tokens >= 1, "scheduler.max_batch_tokens", "at least 1");
  require(scheduler.max_running >= 1, "scheduler.max_running", "at least 1");
  require(scheduler.chunk_tokens >= 1, "scheduler.chunk_tokens", "at least 1");
  require(scheduler.kv_block_tokens >= 1, "scheduler.kv_block_tokens", "at least 1");
  require(scheduler.activation_reserve_fraction >= 0 && scheduler.activation_reserve_fraction < 1,
          "scheduler.activation_reserve_fraction", "a fraction in [0, 1)");
}

class Simulation final : public ClusterView {
 public:
  Simulation(const std::vector<Request>& requests, const ClusterConfig& cluster, const CostModel& cost_model,
             const BudgetPolicy& policy, const QualityModel* quality_model, SimulationObserver* observer)
      : requests_(requests),
        cluster_(cluster),
        states_(requests.size()),
        run_{requests,
             states_,
             result_.requests,
             cost_model,
             policy,
             quality_model,
             cluster.scheduler,
             cluster.tensor_parallel,
             cluster.prefix_caching,
             cluster.decode_evicts_kv,
             policy.revision_after_tokens(),
             cluster.decode_runs,
             false,  // set once the router is built
             1e9 / cluster.gpu.peak_bf16_flops_per_s,
             1e9 / cluster.gpu.hbm_bytes_per_s,
             observer,
             RunTotals{}},
        router_(make_router(cluster.router)),
        outstanding_(cluster.replicas) {
    run_.runs_evict_prefix_cache = !router_->reads_prefix_cache();
    kv_blocks_ = kv_capacity_blocks(cluster.gpu, cluster.model, cluster.tensor_parallel, cluster.scheduler);
    replicas_.reserve(static_cast<std::size_t>(cluster.replicas));
    step_event_.assign(static_cast<std::size_t>(cluster.replicas), 0);
    for (int index = 0; index < cluster.replicas; ++index) replicas_.emplace_back(index, kv_blocks_, run_);
    build_results();
    build_dependencies();
  }

  SimulationResult run() {
    schedule_next_open_arrival();
    std::vector<std::int32_t> finished;
    std::int64_t events = 0;
    while (!queue_.empty()) {
      const Event event = queue_.pop();
      // A step_done superseded by a cut run (on_arrival) is stale: skipped, not counted.
      if (event.kind == EventKind::step_done &&
          event.sequence != step_event_[static_cast<std::size_t>(event.target)])
        continue;
      ++events;
      if (event.kind == EventKind::arrival) {
        on_arrival(event.target, event.time_ns);
        if (event.target == pending_open_request_) schedule_next_open_arrival();
      } else {
        run_replica_steps(event.target, event.time_ns, finished, events);
      }
    }
    reject_never_arrived();
    finalise(events);
    return std::move(result_);
  }

  // ClusterView
  int replicas() const override { return static_cast<int>(replicas_.size()); }
  std::int64_t outstanding_tokens(int replica) const override {
    return replicas_[static_cast<std::size_t>(replica)].outstanding_tokens();
  }
  int least_outstanding() const override { return outstanding_.least(); }
  std::int64_t cached_prefix_tokens(int replica, const Request& request) const override {
    if (!cluster_.prefix_caching || request.prefix_block_ids.empty()) return 0;
    const std::int32_t whole =
        request.prefix_block_tokens > 0 ? request.input_tokens / request.prefix_block_tokens : 0;
    return static_cast<std::int64_t>(
               replicas_[static_cast<std::size_t>(replica)].kv().lookup(request.prefix_block_ids, whole)) *
           request.prefix_block_tokens;
  }

 private:
  void build_results() {
    result_.requests.resize(requests_.size());
    for (std::size_t index = 0; index < requests_.size(); ++index) {
      const Request& request = requests_[index];
      RequestResult& out = result_.requests[index];
      out.request_id = request.id;
      out.arrival_ns = request.arrival_ns;
      out.input_tokens = request.input_tokens;
      out.output_tokens = request.output_tokens;
      out.task_family = request.traits.task_family;
      out.workflow_id = request.workflow_id;
      states_[index].input_tokens = request.input_tokens;
      states_[index].output_tokens = request.output_tokens;
    }
  }

  // Children lists (CSR) from parent ids; open-loop requests sorted by (arrival, index).
  void build_dependencies() {
    const std::size_t count = requests_.size();
    bool ids_are_indices = true;
    for (std::size_t index = 0; index < count && ids_are_indices; ++index)
      ids_are_indices = requests_[index].id == index;
    std::unordered_map<std::uint64_t, std::int32_t> index_of_id;
    if (!ids_are_indices)
      for (std::size_t index = 0; index < count; ++index)
        index_of_id.emplace(requests_[index].id, static_cast<std::int32_t>(index));
    auto parent_index = [&](const Request& child, std::uint64_t parent_id) -> std::int32_t {
      if (ids_are_indices && parent_id < count) return static_cast<std::int32_t>(parent_id);
      auto found = index_of_id.find(parent_id);
      if (found == index_of_id.end())
        throw InputError("request " + std::to_string(child.id) + ": parent id " + std::to_string(parent_id) +
                         " is not in the request list");
      return found->second;
    };
    child_begin_.assign(count + 1, 0);
    latest_parent_end_ns_.assign(count, 0);
    for (const Request& request : requests_)
      for (std::uint64_t parent : request.parent_ids)
        ++child_begin_[static_cast<std::size_t>(parent_index(request, parent)) + 1];
    std::partial_sum(child_begin_.begin(), child_begin_.end(), child_begin_.begin());
    children_.resize(static_cast<std::size_t>(child_begin_.back()));
    std::vector<std::int32_t> fill(child_begin_.begin(), child_begin_.end() - 1);
    for (std::size_t index = 0; index < count; ++index) {
      const Request& request = requests_[index];
      states_[index].pending_parents = static_cast<std::int32_t>(request.parent_ids.size());
      for (std::uint64_t parent : request.parent_ids)
        children_[static_cast<std::size_t>(fill[static_cast<std::size_t>(parent_index(request, parent))]++)] =
            static_cast<std::int32_t>(index);
      if (request.parent_ids.empty()) open_loop_.push_back(static_cast<std::int32_t>(index));
    }
    std::stable_sort(open_loop_.begin(), open_loop_.end(), [&](std::int32_t a, std::int32_t b) {
      return requests_[static_cast<std::size_t>(a)].arrival_ns <
             requests_[static_cast<std::size_t>(b)].arrival_ns;
    });
  }

  // Open-loop arrivals enter the queue one at a time, keeping the heap small.
  void schedule_next_open_arrival() {
    if (next_open_ >= open_loop_.size()) {
      pending_open_request_ = -1;
      return;
    }
    const std::int32_t request = open_loop_[next_open_++];
    pending_open_request_ = request;
    queue_.schedule(requests_[static_cast<std::size_t>(request)].arrival_ns, EventKind::arrival, request);
  }

  void on_arrival(std::int32_t request, TimeNs now_ns) {
    const Request& spec = requests_[static_cast<std::size_t>(request)];
    RequestResult& result = result_.requests[static_cast<std::size_t>(request)];
    result.arrival_ns = now_ns;
    const std::int64_t total_tokens = static_cast<std::int64_t>(spec.input_tokens) + spec.output_tokens;
    std::string reason;
    if (spec.input_tokens <= 0 || spec.output_tokens <= 0) {
      reason = "input and output tokens must be positive";
    } else if (cluster_.model.context_tokens > 0 && total_tokens > cluster_.model.context_tokens) {
      reason = "input + output tokens (" + std::to_string(total_tokens) + ") exceed the model context (" +
               std::to_string(cluster_.model.context_tokens) + ")";
    } else {
      const std::int64_t blocks =
          (total_tokens + cluster_.scheduler.kv_block_tokens - 1) / cluster_.scheduler.kv_block_tokens;
      if (blocks > kv_blocks_)
        reason = "KV cache of " + std::to_string(total_tokens) + " tokens (" + std::to_string(blocks) +
                 " blocks) exceeds a replica's " + std::to_string(kv_blocks_) + " blocks";
    }
    if (!reason.empty()) {
      result.status = RequestStatus::rejected;
      result.reject_reason = std::move(reason);
      states_[static_cast<std::size_t>(request)].phase = RequestPhase::finished;
      release_children(request, now_ns);
      return;
    }
    const int replica = router_->route(spec, *this);
    replicas_[static_cast<std::size_t>(replica)].enqueue(request);
    outstanding_.set(replica, replicas_[static_cast<std::size_t>(replica)].outstanding_tokens());
    start_if_idle(replica, now_ns);
    // A decode run in progress ends with the step under way: the next step admits the newcomer.
    const TimeNs cut_ns = replicas_[static_cast<std::size_t>(replica)].cut_run(now_ns);
    if (cut_ns >= 0)  // the run's first step_done is left in the queue, stale (see run())
      step_event_[static_cast<std::size_t>(replica)] = queue_.schedule(cut_ns, EventKind::step_done, replica);
  }

  // Ends the step of `replica_index` finishing at now_ns and starts the next. While the next step would
  // end before every other pending event, its step_done is handled here without a round trip through the
  // queue: nothing else can happen before it, so the order of events (and every result) is exactly the one
  // the queue would give. Each such step still counts as an event.
  void run_replica_steps(int replica_index, TimeNs now_ns, std::vector<std::int32_t>& finished,
                         std::int64_t& events) {
    Replica& replica = replicas_[static_cast<std::size_t>(replica_index)];
    for (;;) {
      finished.clear();
      replica.finish_step(now_ns, finished);
      if (!finished.empty()) outstanding_.set(replica_index, replica.outstanding_tokens());
      for (std::int32_t request : finished) release_children(request, now_ns);
      const TimeNs duration_ns = replica.start_step(now_ns);
      if (duration_ns < 0) return;
      const TimeNs end_ns = now_ns + duration_ns;
      if (!queue_.empty() && queue_.peek_time() <= end_ns) {
        step_event_[static_cast<std::size_t>(replica_index)] =
            queue_.schedule(end_ns, EventKind::step_done, replica_index);
        return;
      }
      now_ns = end_ns;
      ++events;
    }
  }

  void start_if_idle(int replica_index, TimeNs now_ns) {
    Replica& replica = replicas_[static_cast<std::size_t>(replica_index)];
    if (replica.busy()) return;
    const TimeNs duration_ns = replica.start_step(now_ns);
    if (duration_ns >= 0)
      step_event_[static_cast<std::size_t>(replica_index)] =
          queue_.schedule(now_ns + duration_ns, EventKind::step_done, replica_index);
  }

  // Closed loop: a child arrives think_time_ns after its last parent ends (finishes or is rejected), and
  // never before its own arrival_ns.
  void release_children(std::int32_t request, TimeNs now_ns) {
    const auto begin = child_begin_[static_cast<std::size_t>(request)];
    const auto end = child_begin_[static_cast<std::size_t>(request) + 1];
    for (auto position = begin; position < end; ++position) {
      const std::int32_t child = children_[static_cast<std::size_t>(position)];
      TimeNs& latest = latest_parent_end_ns_[static_cast<std::size_t>(child)];
      latest = std::max(latest, now_ns);
      if (--states_[static_cast<std::size_t>(child)].pending_parents == 0) {
        const Request& spec = requests_[static_cast<std::size_t>(child)];
        queue_.schedule(std::max(spec.arrival_ns, latest + spec.think_time_ns), EventKind::arrival, child);
      }
    }
  }

  // Requests whose parents never all ended (a dependency cycle) are rejected, never dropped.
  void reject_never_arrived() {
    for (std::size_t index = 0; index < requests_.size(); ++index) {
      if (states_[index].phase != RequestPhase::not_arrived) continue;
      RequestResult& result = result_.requests[index];
      result.status = RequestStatus::rejected;
      result.reject_reason = "never arrived: its parent requests form a dependency cycle";
    }
  }

  void finalise(std::int64_t events) {
    // Results in request-id order.
    if (!std::is_sorted(
            result_.requests.begin(), result_.requests.end(),
            [](const RequestResult& a, const RequestResult& b) { return a.request_id < b.request_id; }))
      std::stable_sort(
          result_.requests.begin(), result_.requests.end(),
          [](const RequestResult& a, const RequestResult& b) { return a.request_id < b.request_id; });
    summarise_run(run_.totals, result_);
    std::int64_t peak_blocks = 0;
    for (const Replica& replica : replicas_) peak_blocks = std::max(peak_blocks, replica.kv_peak_blocks());
    result_.summary.kv_peak_bytes = static_cast<double>(peak_blocks) * cluster_.scheduler.kv_block_tokens *
                                    static_cast<double>(cluster_.model.kv_bytes_per_token());
    result_.summary.events = events;
    // Board power: idle on every GPU for the whole makespan, plus (peak - idle) x utilisation while busy.
    const GpuSpec& gpu = cluster_.gpu;
    if (gpu.idle_power_w > 0 && gpu.peak_power_w > 0) {
      const double gpus = static_cast<double>(cluster_.replicas) * cluster_.tensor_parallel;
      result_.summary.energy_j = gpu.idle_power_w * gpus * ns_to_seconds(result_.summary.makespan_ns) +
                                 (gpu.peak_power_w - gpu.idle_power_w) * run_.totals.utilised_gpu_ns * 1e-9;
      result_.summary.mean_utilisation = result_.summary.gpu_busy_s > 0
                                             ? run_.totals.utilised_gpu_ns * 1e-9 / result_.summary.gpu_busy_s
                                             : 0;
    }
  }

  const std::vector<Request>& requests_;
  const ClusterConfig& cluster_;
  SimulationResult result_;
  std::vector<RequestState> states_;
  RunContext run_;
  std::unique_ptr<Router> router_;
  OutstandingTree outstanding_;  // each replica's outstanding tokens, for least_outstanding()
  std::int64_t kv_blocks_ = 0;
  std::vector<Replica> replicas_;
  std::vector<std::uint64_t> step_event_;  // per replica: the sequence of its pending step_done
  EventQueue queue_;
  std::vector<std::int32_t> open_loop_;
  std::size_t next_open_ = 0;
  std::int32_t pending_open_request_ = -1;  // the open-loop arrival now in the queue
  std::vector<std::int32_t> child_begin_;
  std::vector<std::int32_t> children_;
  std::vector<TimeNs> latest_parent_end_ns_;
};

}  // namespace

SimulationResult simulate(const std::vector<Request>& requests, const ClusterConfig& cluster,
                          const CostModel& cost_model, const BudgetPolicy& policy,
                          const QualityModel* quality_model, SimulationObserver* observer) {
  validate(cluster);
  Simulation simulation(requests, cluster, cost_model, policy, quality_model, observer);
  return simulation.run();
}

}  // namespace sparsesim
