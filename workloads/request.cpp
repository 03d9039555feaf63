#include "workloads/request.h"

#include <stdexcept>
#include <string>

namespace sparsesim {

std::string_view task_family_name(TaskFamily family) {
  switch (family) {
    case TaskFamily::single_qa:
      return "single_qa";
    case TaskFamily::multi_query_retrieval:
      return "multi_query_retrieval";
    case TaskFamily::high_scope:
      return "high_scope";
    case TaskFamily::unknown:
      break;
  }
  return "unknown";
}

TaskFamily parse_task_family(std::string_view name) {
  for (int index = 0; index < kTaskFamilyCount; ++index) {
    const auto family = static_cast<TaskFamily>(index);
    if (task_family_name(family) == name) return family;
  }
  throw std::invalid_argument("unknown task family '" + std::string(name) +
                              "' (expected single_qa, multi_query_retrieval, high_scope)");
}

}  // namespace sparsesim
