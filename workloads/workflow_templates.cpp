// YAML binding, DAG validation and request generation for agentic workflow templates (schema in the header).
#include "workloads/workflow_templates.h"

#include <algorithm>
#include <cmath>
#include <iterator>
#include <limits>
#include <map>
#include <optional>
#include <stdexcept>
#include <utility>

#include <boost/graph/adjacency_list.hpp>
#include <boost/graph/depth_first_search.hpp>
#include <boost/graph/topological_sort.hpp>

#include "core/input_error.h"
#include "core/params.h"
#include "workloads/seeded_draws.h"

namespace sparsesim {
namespace {

// Stream ids mixed into the seed: one independent generator per part of the workload.
constexpr std::uint64_t kArrivalStream = 1, kTemplateStream = 2, kLengthStream = 3;

using CallGraph = boost::adjacency_list<boost::vecS, boost::vecS, boost::directedS>;

// Records the first back edge a depth-first search meets: one edge of a cycle, to name in the error.
class BackEdgeRecorder : public boost::default_dfs_visitor {
 public:
  explicit BackEdgeRecorder(std::optional<std::pair<std::size_t, std::size_t>>& found) : found_(&found) {}
  template <class Edge, class Graph>
  void back_edge(Edge edge, const Graph& graph) {
    if (!*found_) *found_ = {boost::source(edge, graph), boost::target(edge, graph)};
  }

 private:
  std::optional<std::pair<std::size_t, std::size_t>>* found_;
};

std::string quoted(const std::string& text) {
  return "'" + text + "'";
}

// Validates the parent links as a DAG and returns the calls stage by stage (stage = longest chain of
// parents above a call), YAML order within a stage.
std::vector<std::size_t> emission_order(const std::vector<WorkflowCallSpec>& calls,
                                        const std::string& calls_path) {
  CallGraph graph(calls.size());
  for (std::size_t child = 0; child < calls.size(); ++child)
    for (std::size_t parent : calls[child].parents) boost::add_edge(parent, child, graph);

  std::optional<std::pair<std::size_t, std::size_t>> back_edge;
  boost::depth_first_search(graph, boost::visitor(BackEdgeRecorder(back_edge)));
  if (back_edge) {
    // A back edge parent -> child closes a cycle: the child is already an ancestor of that parent.
    const auto [parent, child] = *back_edge;
    const std::string where = calls_path + "[" + std::to_string(child) + "].parents";
    if (parent == child)
      throw InputError(where + ": call " + quoted(calls[child].name) +
                       " lists itself as a parent (expected a DAG)");
    throw InputError(where + ": the parents form a cycle: " + quoted(calls[parent].name) +
                     " is a parent of " + quoted(calls[child].name) + ", which is itself an ancestor of " +
                     quoted(calls[parent].name) + " (expected a DAG)");
  }
  std::vector<std::size_t> reverse_topological;
  try {
    boost::topological_sort(graph, std::back_inserter(reverse_topological));
  } catch (const boost::not_a_dag&) {
    throw InputError(calls_path + ": the parents form a cycle (expected a DAG)");
  }
  std::vector<int> stage(calls.size(), 0);
  for (auto it = reverse_topological.rbegin(); it != reverse_topological.rend(); ++it)
    for (std::size_t parent : calls[*it].parents) stage[*it] = std::max(stage[*it], stage[parent] + 1);
  std::vector<std::size_t> order(calls.size());
  for (std::size_t index = 0; index < order.size(); ++index) order[index] = index;
  std::stable_sort(order.begin(), order.end(),
                   [&](std::size_t left, std::size_t right) { return stage[left] < stage[right]; });
  return order;
}

WorkflowCallSpec parse_call(const YAML::Node& node, const std::string& path) {
  const Params params(node, path,
                      {{"name", "", "call name, unique within the template"},
                       {"parents", "[]", "names of the calls it waits for"},
                       {"fan_out", "1", "copies of this call, >= 1"},
                       {"think_time_s", "0", "seconds after the last parent finishes, >= 0"},
                       {"include_parent_outputs", "false", "add the parents' output tokens to the input"},
                       {"input_tokens", "", "prompt length distribution map"},
                       {"output_tokens", "", "output length distribution map"}},
                      {});
  WorkflowCallSpec call;
  call.name = params.get_string("name");
  if (call.name.empty()) throw InputError(path + ".name: expected a non-empty name");
  const std::int64_t fan_out = params.get_int("fan_out");
  if (fan_out < 1 || fan_out > 1000000)
    throw InputError(path + ".fan_out: expected an integer in [1, 1000000]");
  call.fan_out = static_cast<std::int32_t>(fan_out);
  const double think_time_s = params.get_double("think_time_s");
  if (!(think_time_s >= 0.0) || !std::isfinite(think_time_s))
    throw InputError(path + ".think_time_s: expected a finite number of seconds >= 0");
  call.think_time_ns = static_cast<TimeNs>(std::llround(think_time_s * 1e9));
  call.include_parent_outputs = params.get_bool("include_parent_outputs");
  call.input_tokens = parse_length_spec(params.get_node("input_tokens"), path + ".input_tokens");
  call.output_tokens = parse_length_spec(params.get_node("output_tokens"), path + ".output_tokens");
  return call;
}

WorkflowTemplateSpec parse_template(const YAML::Node& node, const std::string& path) {
  const Params params(node, path,
                      {{"name", "", "template name"},
                       {"weight", "1", "relative share of workflow instances, > 0"},
                       {"calls", "", "list of calls"}},
                      {});
  WorkflowTemplateSpec spec;
  spec.name = params.get_string("name");
  if (spec.name.empty()) throw InputError(path + ".name: expected a non-empty name");
  spec.weight = params.get_double("weight");
  if (!(spec.weight > 0.0) || !std::isfinite(spec.weight))
    throw InputError(path + ".weight: expected a finite weight > 0");
  const std::string calls_path = path + ".calls";
  const YAML::Node calls = params.get_node("calls");
  if (!calls.IsSequence() || calls.size() == 0)
    throw InputError(calls_path + " (" + yaml_location(calls) + "): expected a non-empty list of calls");

  std::map<std::string, std::size_t> index_of_name;
  for (std::size_t index = 0; index < calls.size(); ++index) {
    const std::string call_path = calls_path + "[" + std::to_string(index) + "]";
    spec.calls.push_back(parse_call(calls[index], call_path));
    if (!index_of_name.emplace(spec.calls.back().name, index).second)
      throw InputError(call_path + ".name: duplicate call name " + quoted(spec.calls.back().name) +
                       " in template " + quoted(spec.name));
  }
  // Parents are resolved once every name is known, so a call may name a parent listed after it.
  for (std::size_t index = 0; index < calls.size(); ++index) {
    const std::string parents_path = calls_path + "[" + std::to_string(index) + "].parents";
    const YAML::Node parents = calls[index]["parents"];
    if (!parents) continue;
    if (!parents.IsSequence())
      throw InputError(parents_path + " (" + yaml_location(parents) + "): expected a list of call names");
    WorkflowCallSpec& call = spec.calls[index];
    for (std::size_t slot = 0; slot < parents.size(); ++slot) {
      const std::string slot_path = parents_path + "[" + std::to_string(slot) + "]";
      if (!parents[slot].IsScalar()) throw InputError(slot_path + ": expected a call name");
      const std::string name = parents[slot].Scalar();
      const auto found = index_of_name.find(name);
      if (found == index_of_name.end())
        throw InputError(slot_path + ": unknown parent " + quoted(name) + "; template " + quoted(spec.name) +
                         " has no call of that name");
      if (std::find(call.parents.begin(), call.parents.end(), found->second) != call.parents.end())
        throw InputError(slot_path + ": parent " + quoted(name) + " listed twice");
      call.parents.push_back(found->second);
    }
  }
  for (std::size_t index = 0; index < calls.size(); ++index)
    if (spec.calls[index].parents.empty() && spec.calls[index].think_time_ns > 0)
      throw InputError(
          calls_path + "[" + std::to_string(index) +
          "].think_time_s: only a call with parents waits; a root call starts with its workflow");
  spec.emit_order = emission_order(spec.calls, calls_path);
  return spec;
}

std::size_t pick_template(const std::vector<WorkflowTemplateSpec>& templates, double total_weight,
                          std::mt19937_64& generator) {
  const double target = uniform_unit(generator) * total_weight;
  double cumulative = 0.0;
  for (std::size_t index = 0; index < templates.size(); ++index) {
    cumulative += templates[index].weight;
    if (target < cumulative) return index;
  }
  return templates.size() - 1;  // rounding at the top end
}

std::int32_t saturating_add(std::int32_t tokens, std::int64_t more) {
  return static_cast<std::int32_t>(std::min<std::int64_t>(static_cast<std::int64_t>(tokens) + more,
                                                          std::numeric_limits<std::int32_t>::max()));
}

// Appends one instance's calls to `requests`, ids continuing from requests.size().
void emit_instance(const WorkflowTemplateSpec& spec, std::int64_t workflow_id, TimeNs arrival_ns,
                   std::mt19937_64& generator, std::vector<Request>& requests) {
  std::vector<std::uint64_t> first_id(spec.calls.size(), 0);
  for (std::size_t call_index : spec.emit_order) {
    const WorkflowCallSpec& call = spec.calls[call_index];
    first_id[call_index] = requests.size();
    std::vector<std::uint64_t> parent_ids;
    std::int64_t parent_output_tokens = 0;
    for (std::size_t parent : call.parents)
      for (std::int32_t copy = 0; copy < spec.calls[parent].fan_out; ++copy) {
        const std::uint64_t parent_id = first_id[parent] + static_cast<std::uint64_t>(copy);
        parent_ids.push_back(parent_id);
        parent_output_tokens += requests[parent_id].output_tokens;
      }
    for (std::int32_t copy = 0; copy < call.fan_out; ++copy) {
      Request request;
      request.id = requests.size();
      request.arrival_ns = arrival_ns;
      request.input_tokens = draw_length(call.input_tokens, generator);
      request.output_tokens = draw_length(call.output_tokens, generator);
      if (call.include_parent_outputs)
        request.input_tokens = saturating_add(request.input_tokens, parent_output_tokens);
      request.parent_ids = parent_ids;
      request.think_time_ns = call.think_time_ns;
      request.workflow_id = workflow_id;
      requests.push_back(std::move(request));
    }
  }
}

}  // namespace

WorkflowSpec parse_workflow_spec(const YAML::Node& node, const std::string& yaml_path) {
  if (!node || !node.IsMap()) throw InputError(yaml_path + ": expected a map (count, arrival, templates)");
  const Params params(node, yaml_path,
                      {{"count", "-1", "number of workflow instances (or give duration_s)"},
                       {"duration_s", "0", "start instances until this many seconds (or give count)"},
                       {"arrival", "", "arrival process map of workflow instances"},
                       {"templates", "", "list of workflow templates"}},
                      {});
  WorkflowSpec spec;
  spec.count = params.get_int("count");
  spec.duration_s = params.get_double("duration_s");
  if (params.was_given("count") == params.was_given("duration_s"))
    throw InputError(yaml_path + ": give exactly one of count and duration_s");
  if (params.was_given("count") && spec.count < 1) throw InputError(yaml_path + ".count: expected >= 1");
  if (params.was_given("duration_s") && !(spec.duration_s > 0.0 && std::isfinite(spec.duration_s)))
    throw InputError(yaml_path + ".duration_s: expected a finite duration > 0");
  spec.arrival = parse_arrival_spec(params.get_node("arrival"), yaml_path + ".arrival");
  const YAML::Node templates = params.get_node("templates");
  if (!templates.IsSequence() || templates.size() == 0)
    throw InputError(yaml_path + ".templates (" + yaml_location(templates) +
                     "): expected a non-empty list of templates");
  for (std::size_t index = 0; index < templates.size(); ++index) {
    const std::string path = yaml_path + ".templates[" + std::to_string(index) + "]";
    spec.templates.push_back(parse_template(templates[index], path));
    for (std::size_t earlier = 0; earlier + 1 < spec.templates.size(); ++earlier)
      if (spec.templates[earlier].name == spec.templates.back().name)
        throw InputError(path + ".name: duplicate template name " + quoted(spec.templates.back().name));
  }
  return spec;
}

std::vector<Request> generate_workflow_requests(const WorkflowSpec& spec, std::uint64_t seed) {
  if (spec.templates.empty()) throw std::invalid_argument("generate_workflow_requests: no templates");
  const std::vector<TimeNs> arrivals =
      generate_arrivals(spec.arrival, spec.count, spec.duration_s, mix_seeds(seed, kArrivalStream));
  double total_weight = 0.0;
  for (const auto& workflow_template : spec.templates) total_weight += workflow_template.weight;
  std::mt19937_64 template_generator(mix_seeds(seed, kTemplateStream));
  const std::uint64_t length_seed = mix_seeds(seed, kLengthStream);
  std::vector<Request> requests;
  for (std::size_t instance = 0; instance < arrivals.size(); ++instance) {
    const WorkflowTemplateSpec& chosen =
        spec.templates[pick_template(spec.templates, total_weight, template_generator)];
    // One stream per instance: its lengths do not depend on which templates earlier instances drew.
    std::mt19937_64 length_generator(mix_seeds(length_seed, instance));
    emit_instance(chosen, static_cast<std::int64_t>(instance), arrivals[instance], length_generator,
                  requests);
  }
  return requests;
}

std::vector<Request> generate_workflow_requests(const YAML::Node& node, std::uint64_t seed,
                                                const std::string& yaml_path) {
  return generate_workflow_requests(parse_workflow_spec(node, yaml_path), seed);
}

}  // namespace sparsesim
