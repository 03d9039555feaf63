#include "experiments/results_merge.h"

#include <filesystem>
#include <set>

#include "core/input_error.h"
#include "core/path_probe.h"
#include "experiments/results_store.h"

namespace sparsesim {
namespace {

struct PlanIdentity {
  std::string experiment, digest, build;
  bool operator<(const PlanIdentity& other) const {
    return std::tie(digest, build, experiment) < std::tie(other.digest, other.build, other.experiment);
  }
};

std::set<PlanIdentity> plan_identities(SqliteDb& db, const std::string& schema) {
  std::set<PlanIdentity> plans;
  SqliteStatement query(
      db, "SELECT DISTINCT experiment, experiment_digest, build_identity FROM " + schema + ".sweep_plan");
  while (query.step()) plans.insert({query.column_text(0), query.column_text(1), query.column_text(2)});
  return plans;
}

std::int64_t count_rows(SqliteDb& db, const std::string& table) {
  SqliteStatement query(db, "SELECT COUNT(*) FROM " + table);
  query.step();
  return query.column_int(0);
}

// The table's columns in schema order, without `skip`, as "a, b, c" with `prefix` before each name.
std::string column_list(SqliteDb& db, const std::string& table, const std::string& skip,
                        const std::string& prefix) {
  SqliteStatement query(db, "PRAGMA main.table_info(" + table + ")");
  std::string list;
  while (query.step()) {
    const std::string name = query.column_text(1);
    if (name == skip) continue;
    list += (list.empty() ? "" : ", ") + prefix + name;
  }
  return list;
}

std::string quoted(const std::string& text) {
  std::string out = "'";
  for (char c : text) out += c == '\'' ? std::string("''") : std::string(1, c);
  return out + "'";
}

std::string describe(const PlanIdentity& plan) {
  return "experiment '" + plan.experiment + "' (digest " + plan.digest + "), build " + plan.build;
}

// Checks one shard before anything is written; returns its plan, or nothing for an empty database.
std::optional<PlanIdentity> check_shard(const std::string& path) {
  auto db = open_results(path);
  const std::set<PlanIdentity> plans = plan_identities(*db, "main");
  if (plans.size() > 1)
    throw InputError(path + ": holds " + std::to_string(plans.size()) +
                     " different sweep plans; merge only the shard databases of one sweep");
  if (plans.empty()) {
    if (count_rows(*db, "runs") > 0)
      throw InputError(path + ": has runs but no sweep plan; write shards with `sparsesim run --shard`");
    return std::nullopt;
  }
  const PlanIdentity plan = *plans.begin();
  SqliteStatement other(*db, "SELECT COUNT(*) FROM runs WHERE build_identity != ? OR experiment != ?");
  other << plan.build << plan.experiment;
  other.step();
  if (other.column_int(0) > 0)
    throw InputError(path + ": holds runs of another experiment or build besides its plan's (" +
                     describe(plan) + ")");
  return plan;
}

void merge_one(SqliteDb& out, const std::string& shard_path, MergeReport& report) {
  out.execute("ATTACH DATABASE " + quoted(shard_path) + " AS shard");
  try {
    SqliteTransaction transaction(out);
    out.execute(
        "CREATE TEMP TABLE IF NOT EXISTS merge_new(config_hash TEXT PRIMARY KEY); DELETE FROM merge_new;"
        "INSERT INTO merge_new SELECT config_hash FROM shard.runs WHERE config_hash NOT IN "
        "(SELECT config_hash FROM main.runs);");
    const std::int64_t added = count_rows(out, "merge_new");
    report.runs_added += added;
    report.runs_already_present += count_rows(out, "shard.runs") - added;
    const std::string run_columns = column_list(out, "runs", "run_id", "");
    out.execute("INSERT INTO main.runs(" + run_columns + ") SELECT " + run_columns +
                " FROM shard.runs WHERE config_hash IN (SELECT config_hash FROM merge_new) ORDER BY run_id");
    // Rows keyed by run_id follow their run to its new id, found by config hash.
    for (const std::string table : {"requests", "sweep_points"}) {
      const std::string columns = column_list(out, table, "run_id", "");
      out.execute("INSERT INTO main." + table + "(run_id, " + columns + ") SELECT m.run_id, " +
                  column_list(out, table, "run_id", "r.") + " FROM shard." + table +
                  " r JOIN shard.runs s ON s.run_id = r.run_id JOIN main.runs m ON m.config_hash = "
                  "s.config_hash WHERE s.config_hash IN (SELECT config_hash FROM merge_new) ORDER BY 1" +
                  (table == std::string("requests") ? ", r.request_id" : ""));
    }
    for (const std::string table : {"capacity_results", "tuning", "sweep_plan", "point_documents"}) {
      const std::string columns = column_list(out, table, "", "");
      out.execute("INSERT OR IGNORE INTO main." + table + "(" + columns + ") SELECT " + columns +
                  " FROM shard." + table);
    }
    out.execute(
        "UPDATE main.sweep_plan SET complete = 1 WHERE complete = 0 AND EXISTS (SELECT 1 FROM "
        "shard.sweep_plan s WHERE s.complete = 1 AND s.experiment_digest = sweep_plan.experiment_digest "
        "AND s.build_identity = sweep_plan.build_identity AND s.point_index = sweep_plan.point_index)");
    transaction.commit();
  } catch (...) {
    out.execute("DETACH DATABASE shard");
    throw;
  }
  out.execute("DETACH DATABASE shard");
}

}  // namespace

MergeReport merge_results(const std::string& out_path, const std::vector<std::string>& shard_paths) {
  if (shard_paths.empty()) throw InputError("merge: no shard databases given");
  namespace fs = std::filesystem;
  auto canonical_of = [](const std::string& path) {
    std::error_code error;
    fs::path canonical = fs::weakly_canonical(path, error);
    return error ? fs::path(path) : canonical;
  };
  const fs::path out_canonical = canonical_of(out_path);
  std::optional<PlanIdentity> plan;
  std::string plan_source;
  MergeReport report;
  std::set<fs::path> seen;
  for (const std::string& path : shard_paths) {
    if (!path_exists(path)) throw InputError(path + ": shard database not found");
    const fs::path canonical = canonical_of(path);
    if (canonical == out_canonical)
      throw InputError(path + ": is the output database; give the shards and a separate OUT.db");
    if (!seen.insert(canonical).second) throw InputError(path + ": given twice");
    const auto shard_plan = check_shard(path);
    if (!shard_plan) continue;
    if (plan && shard_plan->digest != plan->digest)
      throw InputError(path + ": a shard of another experiment: " + describe(*shard_plan) + ", but " +
                       plan_source + " holds " + describe(*plan));
    if (plan && shard_plan->build != plan->build)
      throw InputError(path + ": made by another sparsesim build (" + shard_plan->build + ") than " +
                       plan_source + " (" + plan->build +
                       "); run every shard with the same program, or rerun this shard");
    if (!plan) plan = shard_plan, plan_source = path;
  }
  if (!plan)
    throw InputError("merge: none of the " + std::to_string(shard_paths.size()) +
                     " shard databases holds a sweep plan (every shard was killed before it began)");
  report.experiment = plan->experiment;
  if (path_exists(out_path)) {
    auto existing = open_results(out_path);
    for (const PlanIdentity& other : plan_identities(*existing, "main"))
      if (other.experiment == plan->experiment &&
          (other.digest != plan->digest || other.build != plan->build))
        throw InputError(out_path + ": already holds " + describe(other) + ", not the shards' " +
                         describe(*plan) + "; merge into another database");
  }
  ResultsStore store(out_path);
  for (const std::string& path : shard_paths) {
    auto db = open_results(path);
    if (plan_identities(*db, "main").empty()) {
      ++report.shards_empty;
      continue;
    }
    db.reset();
    merge_one(store.db(), path, report);
    ++report.shards_merged;
  }
  SqliteStatement points(
      store.db(),
      "SELECT point_index, point_label, shard_index, shard_count, complete FROM "
      "sweep_plan WHERE experiment_digest = ? AND build_identity = ? ORDER BY point_index");
  points << plan->digest << plan->build;
  while (points.step()) {
    ++report.points;
    if (points.column_int(4)) {
      ++report.points_complete;
      continue;
    }
    report.missing.push_back({points.column_int(0), points.column_text(1),
                              static_cast<int>(points.column_int(2)),
                              static_cast<int>(points.column_int(3))});
  }
  return report;
}

}  // namespace sparsesim
