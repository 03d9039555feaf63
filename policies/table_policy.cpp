// table: a budget table from YAML, by (input-length bucket, class), so a researcher can try a rule
// without writing C++. Example:
//   - impl: table
//     key: predicted_task          # predicted_task (default), predicted_difficulty, or true_task
//     buckets:
//       - max_tokens: 8192
//         budgets: {single_qa: {prefill_keep: 0.3, decode_keep: 0.2}, default: {prefill_keep: 0.6,
//         decode_keep: 0.5}}
//       - budgets: {default: {prefill_keep: 0.15, decode_keep: 0.1}}   # the last bucket may omit max_tokens
// A request uses the first bucket whose max_tokens >= its input tokens (the last bucket when longer than
// all), then the entry named by its class (task family name, or difficulty class number), else `default`.
// A request matching no entry is an error naming the table. `true_task` reads the ground-truth family: an
// oracle-like upper bound for a table, not a deployable rule. Kept fractions become budgets as in
// policies/budget_shapes.h (prefill rounded up to 64-token blocks; 1 = dense).
#include <algorithm>
#include <limits>
#include <map>

#include "core/input_error.h"
#include "policies/budget_policy.h"
#include "policies/budget_shapes.h"
#include "policies/policy_knob_docs.h"

namespace sparsesim {
namespace {

enum class TableKey { predicted_task, predicted_difficulty, true_task };

struct KeptFractions {
  double prefill = 1.0;
  double decode = 1.0;
};

struct TableBucket {
  std::int64_t max_input_tokens = std::numeric_limits<std::int64_t>::max();
  std::map<std::string, KeptFractions> entries;  // class name or "default"
};

double read_fraction(const YAML::Node& node, const std::string& path) {
  double value = -1.0;
  try {
    value = node.as<double>();
  } catch (const YAML::Exception&) {
  }
  if (!(value > 0.0 && value <= 1.0))
    throw InputError(path + " (" + yaml_location(node) + "): expected a kept fraction in (0, 1]");
  return value;
}

class TablePolicy final : public BudgetPolicy {
 public:
  explicit TablePolicy(const Params& params)
      : yaml_path_(params.yaml_path()), min_kv_tokens_(params.get_int("min_kv_tokens")) {
    const std::string key = params.get_string("key");
    if (key == "predicted_task") {
      key_ = TableKey::predicted_task;
    } else if (key == "predicted_difficulty") {
      key_ = TableKey::predicted_difficulty;
    } else if (key == "true_task") {
      key_ = TableKey::true_task;
    } else {
      throw InputError(yaml_path_ +
                       ".key: expected predicted_task, predicted_difficulty or true_task, got '" + key + "'");
    }
    if (min_kv_tokens_ < 1) throw InputError(yaml_path_ + ".min_kv_tokens: expected an integer >= 1");
    read_buckets(params.get_node("buckets"), yaml_path_ + ".buckets");
  }

  Budget initial_budget(const Request& request, const SystemLoad&) const override {
    const TableBucket* bucket = &buckets_.back();
    for (const auto& candidate : buckets_)
      if (request.input_tokens <= candidate.max_input_tokens) {
        bucket = &candidate;
        break;
      }
    const std::string name = class_name(request);
    auto found = bucket->entries.find(name);
    if (found == bucket->entries.end()) found = bucket->entries.find("default");
    if (found == bucket->entries.end())
      throw InputError(yaml_path_ + ".buckets: no entry for class '" + name + "' (request " +
                       std::to_string(request.id) + ", " + std::to_string(request.input_tokens) +
                       " input tokens) and no `default`");
    return budget_from_kept_fractions(std::min(1.0, scale_ * found->second.prefill),
                                      std::min(1.0, scale_ * found->second.decode), request.input_tokens,
                                      min_kv_tokens_);
  }

  KnobSpec knob() const override {
    return {"keep_scale", scale_, 0.0, max_scale_,
            "multiplies every kept fraction in the table: 1 = as written, max = dense"};
  }
  void set_knob(double value) override { scale_ = std::clamp(value, 0.0, max_scale_); }

 private:
  std::string class_name(const Request& request) const {
    switch (key_) {
      case TableKey::predicted_task:
        return request.traits.predicted_class >= 1 && request.traits.predicted_class < kTaskFamilyCount
                   ? std::string(task_family_name(static_cast<TaskFamily>(request.traits.predicted_class)))
                   : "unknown";
      case TableKey::predicted_difficulty:
        return std::to_string(request.traits.predicted_difficulty_class);
      case TableKey::true_task:
        return std::string(task_family_name(request.traits.task_family));
    }
    return "unknown";
  }

  void read_buckets(const YAML::Node& list, const std::string& path) {
    if (!list.IsSequence() || list.size() == 0)
      throw InputError(path + " (" + yaml_location(list) +
                       "): expected a non-empty list of {max_tokens, budgets}");
    double smallest_keep = 1.0;
    for (std::size_t index = 0; index < list.size(); ++index) {
      const YAML::Node entry = list[index];
      const std::string entry_path = path + "[" + std::to_string(index) + "]";
      if (!entry.IsMap() || !entry["budgets"])
        throw InputError(entry_path + " (" + yaml_location(entry) +
                         "): expected a map with `budgets` and optional `max_tokens`");
      for (const auto& item : entry) {
        const auto name = item.first.as<std::string>();
        if (name != "budgets" && name != "max_tokens")
          throw InputError(entry_path + "." + name + " (" + yaml_location(item.first) +
                           "): unknown key; expected max_tokens or budgets");
      }
      TableBucket bucket;
      if (entry["max_tokens"]) {
        std::int64_t max_tokens = 0;
        try {
          max_tokens = entry["max_tokens"].as<std::int64_t>();
        } catch (const YAML::Exception&) {
        }
        if (max_tokens < 1 || (!buckets_.empty() && max_tokens <= buckets_.back().max_input_tokens))
          throw InputError(entry_path + ".max_tokens (" + yaml_location(entry["max_tokens"]) +
                           "): expected a positive token count, larger than the previous bucket's");
        bucket.max_input_tokens = max_tokens;
      } else if (index + 1 != list.size()) {
        throw InputError(entry_path + ": only the last bucket may omit max_tokens");
      }
      const YAML::Node budgets = entry["budgets"];
      if (!budgets.IsMap() || budgets.size() == 0)
        throw InputError(entry_path + ".budgets (" + yaml_location(budgets) +
                         "): expected a map from class to {prefill_keep, decode_keep}");
      for (const auto& item : budgets) {
        const auto name = item.first.as<std::string>();
        const std::string item_path = entry_path + ".budgets." + name;
        check_class_name(name, item_path);
        if (!item.second.IsMap())
          throw InputError(item_path + " (" + yaml_location(item.second) +
                           "): expected {prefill_keep: f, decode_keep: f}");
        KeptFractions kept;
        for (const auto& field : item.second) {
          const auto field_name = field.first.as<std::string>();
          if (field_name == "prefill_keep") {
            kept.prefill = read_fraction(field.second, item_path + ".prefill_keep");
          } else if (field_name == "decode_keep") {
            kept.decode = read_fraction(field.second, item_path + ".decode_keep");
          } else {
            throw InputError(item_path + "." + field_name + " (" + yaml_location(field.first) +
                             "): unknown key; expected prefill_keep or decode_keep");
          }
        }
        smallest_keep = std::min({smallest_keep, kept.prefill, kept.decode});
        bucket.entries[name] = kept;
      }
      buckets_.push_back(std::move(bucket));
    }
    max_scale_ = 1.0 / smallest_keep;
  }

  void check_class_name(const std::string& name, const std::string& path) const {
    if (name == "default") return;
    if (key_ == TableKey::predicted_difficulty) {
      const bool digits =
          !name.empty() && std::all_of(name.begin(), name.end(), [](char c) { return c >= '0' && c <= '9'; });
      if (!digits) throw InputError(path + ": expected a difficulty class number (0, 1, ...) or default");
      return;
    }
    try {
      if (parse_task_family(name) != TaskFamily::unknown) return;
    } catch (const std::invalid_argument&) {
    }
    throw InputError(path + ": expected single_qa, multi_query_retrieval, high_scope or default");
  }

  std::string yaml_path_;
  std::int64_t min_kv_tokens_;
  TableKey key_ = TableKey::predicted_task;
  std::vector<TableBucket> buckets_;
  double max_scale_ = 1.0;
  double scale_ = 1.0;
};

const bool registered = PolicyRegistry::instance().add(
    {"table",
     "budgets from a YAML table by (input-length bucket, task or difficulty class)",
     {{"buckets", "", "list of {max_tokens, budgets: {class or default: {prefill_keep, decode_keep}}}"},
      {"key", "predicted_task", "class column: predicted_task, predicted_difficulty or true_task"},
      {"min_kv_tokens", "64", "smallest decode KV budget in tokens"}},
     [](const Params& params, const PolicyContext&) { return std::make_unique<TablePolicy>(params); }});
const bool documented = register_policy_knob_doc(
    "table", {"keep_scale",
              "multiplies every kept fraction (capped at 1), from 0 (one block / min_kv_tokens) "
              "to 1 / smallest fraction (all dense); compute is non-decreasing in it"});

}  // namespace
}  // namespace sparsesim
