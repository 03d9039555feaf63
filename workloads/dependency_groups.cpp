// Dependency groups of a request list by union-find (contract in the header).
#include "workloads/dependency_groups.h"

#include <string>
#include <unordered_map>

#include "core/input_error.h"

namespace sparsesim {

std::vector<std::size_t> dependency_groups(const std::vector<Request>& requests) {
  std::vector<std::size_t> root(requests.size());
  for (std::size_t index = 0; index < root.size(); ++index) root[index] = index;
  auto find = [&](std::size_t index) {
    while (root[index] != index) index = root[index] = root[root[index]];
    return index;
  };
  auto join = [&](std::size_t first, std::size_t second) {
    const std::size_t a = find(first), b = find(second);
    if (a < b)
      root[b] = a;
    else
      root[a] = b;
  };
  std::unordered_map<std::uint64_t, std::size_t> index_of_id;
  std::unordered_map<std::int64_t, std::size_t> first_of_workflow;
  bool linked = false;
  for (const Request& request : requests)
    linked = linked || !request.parent_ids.empty() || request.workflow_id >= 0;
  if (!linked) return root;  // the common case: no structure, every request alone
  for (std::size_t index = 0; index < requests.size(); ++index)
    index_of_id.emplace(requests[index].id, index);
  for (std::size_t index = 0; index < requests.size(); ++index) {
    const Request& request = requests[index];
    if (request.workflow_id >= 0)
      join(index, first_of_workflow.try_emplace(request.workflow_id, index).first->second);
    for (std::uint64_t parent : request.parent_ids) {
      const auto found = index_of_id.find(parent);
      if (found == index_of_id.end())
        throw InputError("workload: request " + std::to_string(request.id) + " names parent id " +
                         std::to_string(parent) + ", which is not in the workload");
      join(index, found->second);
    }
  }
  for (std::size_t index = 0; index < root.size(); ++index) root[index] = find(index);
  return root;
}

}  // namespace sparsesim
