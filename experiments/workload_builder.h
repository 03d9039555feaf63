#pragma once
// Builds the request list of one replication: read the trace (or run the generator), apply the
// workload's window, length filter, request cap and rate multiplier, link session turns when closed-loop,
// then draw each request's traits with the replication's seed.
#include <cstdint>
#include <string>
#include <vector>

#include "experiments/experiment_spec.h"
#include "workloads/request.h"

namespace sparsesim {

struct BuiltWorkload {
  std::vector<Request> requests;
  std::vector<std::string> notes;  // what loading repaired and what selection kept, one line each
  std::int64_t rows_read = 0;      // before selection
};

// The trace (or generated list) before selection and traits; read once and shared by all replications.
BuiltWorkload read_workload_source(const WorkloadSpec& workload, std::uint64_t seed);

// Selection, rate scaling, session linking and traits on a copy of the source.
BuiltWorkload build_workload(const BuiltWorkload& source, const WorkloadSpec& workload, std::uint64_t seed);

}  // namespace sparsesim
