#include "policies/policy_knob_docs.h"

#include <map>
#include <stdexcept>

namespace sparsesim {

namespace {
std::map<std::string, PolicyKnobDoc>& knob_docs() {
  static std::map<std::string, PolicyKnobDoc> docs;
  return docs;
}
}  // namespace

bool register_policy_knob_doc(const std::string& policy, PolicyKnobDoc doc) {
  if (!knob_docs().emplace(policy, std::move(doc)).second)
    throw std::logic_error("knob of policy '" + policy + "' documented twice");
  return true;
}

const PolicyKnobDoc* policy_knob_doc(const std::string& policy) {
  const auto found = knob_docs().find(policy);
  return found == knob_docs().end() ? nullptr : &found->second;
}

}  // namespace sparsesim
