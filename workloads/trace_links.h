#pragma once
// Parent links read from a trace by the trace's own string ids (DAG workflows in a CSV): collected while
// a reader streams rows, resolved and validated once the whole file is read, applied by load_trace after
// sorting (see TraceLoadReport::parent_links for why links travel beside the rows).
#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "workloads/trace_reader.h"

namespace sparsesim {

class TraceLinkCollector {
 public:
  // `path` names the file in errors; `id_field` and `parent_field` are the column names.
  TraceLinkCollector(std::string path, std::string id_field, std::string parent_field);

  // Row `row_id` (emitted Request::id) at file line `line` has the trace id `key`; a repeated key is an
  // InputError naming the line and id_field. Empty keys are allowed only for rows nobody names as parent.
  void add_row(std::uint64_t row_id, std::int64_t line, std::string_view key);
  // Its parents, as the parent cell's text: ids separated by ';' and/or blanks; empty = none. Repeated
  // ids count once.
  void add_parents(std::uint64_t row_id, std::int64_t line, std::string_view parent_cell);

  // Resolves every parent id to a row id and checks the graph is acyclic; throws InputError naming
  // file:line and parent_field for an unknown parent id or a row on a cycle. Appends to report.parent_links.
  void finish(TraceLoadReport& report);

 private:
  struct Pending {
    std::uint64_t row_id;
    std::int64_t line;
    std::vector<std::string> parent_keys;
  };
  struct StringHash {
    using is_transparent = void;
    std::size_t operator()(std::string_view text) const { return std::hash<std::string_view>{}(text); }
  };
  std::string path_, id_field_, parent_field_;
  std::unordered_map<std::string, std::uint64_t, StringHash, std::equal_to<>> row_of_key_;
  std::vector<Pending> pending_;
};

// Sets Request::parent_ids from `links` (row ids) on `requests` indexed by final id, where
// `final_id_of_row[row id]` is the final id of that row. Used by load_trace after sorting.
void apply_parent_links(std::vector<Request>& requests, const std::vector<TraceParentLink>& links,
                        const std::vector<std::uint64_t>& final_id_of_row);

}  // namespace sparsesim
