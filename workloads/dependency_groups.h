#pragma once
// Requests that must be kept or dropped together: a workflow's calls and requests linked by parent ids.
// Selecting (windowing, filtering, capping) by whole groups keeps every kept request's parents in the list.
#include <cstddef>
#include <vector>

#include "workloads/request.h"

namespace sparsesim {

// For each request (by index), the lowest index of its dependency group: the connected component of the
// relation "is a parent of (Request::parent_ids, by Request::id)" together with "has the same workflow_id
// (>= 0)". A request with neither is a group of its own. Throws InputError when a parent id names no
// request of the list. O(n) expected.
std::vector<std::size_t> dependency_groups(const std::vector<Request>& requests);

}  // namespace sparsesim
