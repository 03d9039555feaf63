#pragma once
// A registry of named components (policies, trace readers, cost models). Implementations register
// themselves from their own .cpp file with a static Registrar, so adding one never edits the core.
#include <functional>
#include <map>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "core/input_error.h"
#include "core/params.h"

namespace sparsesim {

template <class Product, class... FactoryArgs>
class Registry {
 public:
  using Factory = std::function<std::unique_ptr<Product>(FactoryArgs...)>;
  struct Entry {
    std::string name;
    std::string description;        // one line, shown by `sparsesim policies` and friends
    std::vector<ParamSpec> params;  // accepted YAML parameters with defaults
    Factory factory;
  };

  static Registry& instance() {
    static Registry registry;
    return registry;
  }

  // Returns true so it can initialise a static; registering a name twice is a programming error.
  bool add(Entry entry) {
    const std::string name = entry.name;
    if (!entries_.emplace(name, std::move(entry)).second)
      throw std::logic_error("component '" + name + "' registered twice");
    return true;
  }

  bool contains(const std::string& name) const { return entries_.count(name) != 0; }

  // Throws std::out_of_range naming the known components when `name` is not registered.
  const Entry& get(const std::string& name) const {
    if (const Entry* entry = find(name)) return *entry;
    throw std::out_of_range(unknown_name_message(name));
  }

  // For names the user wrote: an unknown one is an InputError "<where>: unknown component ... (known: ...)".
  const Entry& get_for_input(const std::string& name, const std::string& where) const {
    if (const Entry* entry = find(name)) return *entry;
    throw InputError(where.empty() ? unknown_name_message(name) : where + ": " + unknown_name_message(name));
  }

  // Sorted by name.
  std::vector<const Entry*> entries() const {
    std::vector<const Entry*> list;
    for (const auto& [key, entry] : entries_) list.push_back(&entry);
    return list;
  }

 private:
  const Entry* find(const std::string& name) const {
    auto found = entries_.find(name);
    return found == entries_.end() ? nullptr : &found->second;
  }

  std::string unknown_name_message(const std::string& name) const {
    std::string known;
    for (const auto& [key, unused] : entries_) known += (known.empty() ? "" : ", ") + key;
    return "unknown component '" + name + "' (known: " + known + ")";
  }

  std::map<std::string, Entry> entries_;
};

}  // namespace sparsesim
