// Collecting, validating and applying parent links read from a trace (contract in trace_links.h).
#include "workloads/trace_links.h"

#include <algorithm>

#include "core/input_error.h"

namespace sparsesim {

TraceLinkCollector::TraceLinkCollector(std::string path, std::string id_field, std::string parent_field)
    : path_(std::move(path)), id_field_(std::move(id_field)), parent_field_(std::move(parent_field)) {}

void TraceLinkCollector::add_row(std::uint64_t row_id, std::int64_t line, std::string_view key) {
  if (key.empty()) return;
  if (!row_of_key_.emplace(std::string(key), row_id).second)
    throw InputError(path_, line, id_field_, "expected a unique id, got '" + std::string(key) + "' again");
}

void TraceLinkCollector::add_parents(std::uint64_t row_id, std::int64_t line, std::string_view parent_cell) {
  Pending pending{row_id, line, {}};
  std::size_t start = 0;
  while (start < parent_cell.size()) {
    const std::size_t end = std::min(parent_cell.find_first_of("; \t", start), parent_cell.size());
    const std::string key(parent_cell.substr(start, end - start));
    if (!key.empty() &&
        std::find(pending.parent_keys.begin(), pending.parent_keys.end(), key) == pending.parent_keys.end())
      pending.parent_keys.push_back(key);
    start = end + 1;
  }
  if (!pending.parent_keys.empty()) pending_.push_back(std::move(pending));
}

void TraceLinkCollector::finish(TraceLoadReport& report) {
  // Resolve: every parent id must name a row of the file.
  std::vector<TraceParentLink> links(pending_.size());
  std::unordered_map<std::uint64_t, std::size_t> link_of_row;  // row id -> index in links (rows with parents)
  for (std::size_t index = 0; index < pending_.size(); ++index) {
    const Pending& pending = pending_[index];
    links[index].row_id = pending.row_id;
    link_of_row.emplace(pending.row_id, index);
    for (const std::string& key : pending.parent_keys) {
      const auto found = row_of_key_.find(key);
      if (found == row_of_key_.end())
        throw InputError(
            path_, pending.line, parent_field_,
            "expected the id of a row of this file (column " + id_field_ + "), got unknown id '" + key + "'");
      links[index].parent_row_ids.push_back(found->second);
    }
  }
  // Acyclic: iterative depth-first search over child -> parent edges; meeting a row still on the stack
  // closes a cycle. Rows without parents end every path.
  enum : char { unvisited, on_stack, done };
  std::vector<char> state(links.size(), unvisited);
  std::vector<std::pair<std::size_t, std::size_t>> stack;  // (link index, next parent slot)
  for (std::size_t start = 0; start < links.size(); ++start) {
    if (state[start] != unvisited) continue;
    stack.emplace_back(start, 0);
    state[start] = on_stack;
    while (!stack.empty()) {
      auto& [index, slot] = stack.back();
      if (slot == links[index].parent_row_ids.size()) {
        state[index] = done;
        stack.pop_back();
        continue;
      }
      const auto parent = link_of_row.find(links[index].parent_row_ids[slot++]);
      if (parent == link_of_row.end() || state[parent->second] == done) continue;
      if (state[parent->second] == on_stack)
        throw InputError(path_, pending_[index].line, parent_field_,
                         "expected parents that do not lead back to this row, got a cycle through '" +
                             pending_[index].parent_keys[slot - 1] + "'");
      state[parent->second] = on_stack;
      stack.emplace_back(parent->second, 0);
    }
  }
  report.parent_links.insert(report.parent_links.end(), std::make_move_iterator(links.begin()),
                             std::make_move_iterator(links.end()));
  pending_.clear();
}

void apply_parent_links(std::vector<Request>& requests, const std::vector<TraceParentLink>& links,
                        const std::vector<std::uint64_t>& final_id_of_row) {
  for (const TraceParentLink& link : links) {
    Request& request = requests[final_id_of_row.at(link.row_id)];
    request.parent_ids.clear();
    for (std::uint64_t parent_row : link.parent_row_ids)
      request.parent_ids.push_back(final_id_of_row.at(parent_row));
  }
}

}  // namespace sparsesim
