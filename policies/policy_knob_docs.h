#pragma once
// What each registered policy's scale knob means, for `sparsesim policies` (the registry entry holds the
// description and parameters; the knob's bounds may depend on parameters, so they are described here in
// words). Each policy file registers its line next to its PolicyRegistry entry.
#include <string>

namespace sparsesim {

struct PolicyKnobDoc {
  std::string name;  // the KnobSpec name
  std::string doc;   // meaning, bounds and why compute is non-decreasing in it
};

// Returns true so it can initialise a static; registering a policy twice is a programming error.
bool register_policy_knob_doc(const std::string& policy, PolicyKnobDoc doc);
// Null when the policy registered no knob description.
const PolicyKnobDoc* policy_knob_doc(const std::string& policy);

}  // namespace sparsesim
