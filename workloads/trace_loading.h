#pragma once
// Helpers around the TraceReader registry (declared in trace_reader.h, where load_trace and
// sniff_trace_format live): binding reader parameters from YAML and streaming a trace without loading it.
#include <functional>
#include <memory>
#include <string>

#include <yaml-cpp/yaml.h>

#include "workloads/trace_reader.h"

namespace sparsesim {

// Binds `node` (a YAML map of reader parameters, or null for defaults) to the parameters the reader named
// `format` declares; unknown keys are InputErrors naming `yaml_path`. Unknown formats are InputErrors
// listing the known ones.
Params bind_trace_reader_params(const std::string& format, const YAML::Node& node,
                                const std::string& yaml_path = "workload.reader");

// A reader for `format`. `params` built by bind_trace_reader_params; a default-constructed Params (empty
// yaml_path) means "all defaults" -- the same rule load_trace applies.
std::unique_ptr<TraceReader> make_trace_reader(const std::string& format, const Params& params = {});

// Streams every row of a trace to `sink` in file order, in bounded memory, without sorting (rows out of
// order are only counted in the report). Format "" sniffs. Fills report.path, .format, .rows,
// .out_of_order_rows and the reader's warnings.
void stream_trace(const std::string& path, const std::string& format,
                  const std::function<void(Request&&)>& sink, TraceLoadReport& report,
                  const Params& reader_params = {});

}  // namespace sparsesim
