#pragma once
// Agentic workflows from templates: each workflow instance is a DAG of LLM calls; a call is released by the
// simulator only when all its parents have finished (plus its think time), so fan-out runs in parallel and
// fan-in waits for the slowest branch. Instances arrive by a seeded arrival process and pick a template by
// weight; every call draws its own lengths.
//
// YAML schema (the `workload.workflows` subtree; unknown keys are errors naming the path):
//   workflows:
//     count: 200                  # workflow instances; or instead
//     duration_s: 600             #   start instances until this time (exactly one of the two)
//     arrival: {process: poisson, rate_per_s: 0.5}   # of workflow instances, as in the generator schema
//     templates:                  # at least one
//       - name: plan_search_answer   # unique among templates
//         weight: 0.7                # share of instances (relative; > 0; default 1)
//         calls:                     # at least one; any order, the parents define the DAG
//           - name: plan             # unique within the template
//             input_tokens: {dist: lognormal, median: 2000, sigma: 0.5}   # length maps as in the
//             output_tokens: {dist: fixed, value: 200}                    # generator schema
//           - name: search
//             parents: [plan]        # names of calls of the same template; default [] (a root call)
//             fan_out: 4             # copies of this call (>= 1, default 1), each with its own lengths
//             think_time_s: 0.2      # delay after the last parent finishes (>= 0; only with parents)
//             input_tokens: {...}
//             output_tokens: {...}
//           - name: answer
//             parents: [search]      # waits for all 4 copies of search (fan-in)
//             include_parent_outputs: true   # input += the output tokens of every parent copy (context
//             input_tokens: {...}            # accumulation; default false)
//             output_tokens: {...}
// The parents must form a DAG: an unknown parent, a repeated parent, a duplicate call name or a cycle
// (a call that is its own ancestor) is an InputError naming the template and call.
//
// Output: requests sorted by arrival with ids 0..n-1. Instance k (k-th arrival, first at 0 ns) has
// workflow_id k and its calls are consecutive ids, stage by stage (a call's stage is the longest parent
// chain above it; ties in YAML order, copies of a fanned-out call together), so every parent id is lower
// than its child's. Every call's arrival_ns is the instance's arrival: root calls arrive then, the others
// are released by the simulator (arrival_ns is their lower bound). session_id is -1 and prefix blocks are
// empty. Arrivals, template choices and each instance's lengths use independent seeded streams, so adding
// instances or changing a template's lengths leaves the arrivals, the choices and the other instances'
// lengths unchanged.
#include <cstdint>
#include <string>
#include <vector>

#include <yaml-cpp/yaml.h>

#include "workloads/request.h"
#include "workloads/synthetic_generator.h"

namespace sparsesim {

struct WorkflowCallSpec {
  std::string name;
  std::vector<std::size_t> parents;  // indices into WorkflowTemplateSpec::calls
  std::int32_t fan_out = 1;
  TimeNs think_time_ns = 0;
  bool include_parent_outputs = false;
  LengthSpec input_tokens;
  LengthSpec output_tokens;
};

struct WorkflowTemplateSpec {
  std::string name;
  double weight = 1.0;
  std::vector<WorkflowCallSpec> calls;  // in YAML order
  std::vector<std::size_t> emit_order;  // call indices in emission order (a topological order by stage)
};

struct WorkflowSpec {
  std::int64_t count = -1;  // instances, or -1 when duration_s is used
  double duration_s = 0.0;  // when count is -1
  ArrivalSpec arrival;
  std::vector<WorkflowTemplateSpec> templates;
};

// Parses and validates the schema above (the DAG with Boost.Graph). Throws InputError naming yaml_path.
WorkflowSpec parse_workflow_spec(const YAML::Node& node, const std::string& yaml_path = "workload.workflows");

// Deterministic for (spec, seed): same requests on every platform up to libm rounding.
std::vector<Request> generate_workflow_requests(const WorkflowSpec& spec, std::uint64_t seed);
std::vector<Request> generate_workflow_requests(const YAML::Node& node, std::uint64_t seed,
                                                const std::string& yaml_path = "workload.workflows");

}  // namespace sparsesim
