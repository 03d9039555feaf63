// sparsesim slurm EXPERIMENT.yaml --shards N [--dir DIR] [--partition P --time T --mem M --cpus C] [--submit]
#include <array>
#include <cstdio>
#include <filesystem>
#include <iostream>

#include <boost/program_options.hpp>

#include "cli/command.h"
#include "cli/command_line.h"
#include "core/atomic_file.h"
#include "core/input_error.h"
#include "experiments/experiment_spec.h"
#include "experiments/slurm_jobs.h"
#include "experiments/sweep_plan.h"

namespace sparsesim::cli {
namespace {

namespace po = boost::program_options;
namespace fs = std::filesystem;

std::string absolute_path(const std::string& path) {
  return fs::absolute(fs::path(path)).lexically_normal().string();
}

std::string program_path() {
  std::error_code error;
  const fs::path self = fs::read_symlink("/proc/self/exe", error);
  if (error) throw std::runtime_error("slurm: cannot find this program's path (/proc/self/exe)");
  return self.string();
}

// #SBATCH values are not shell-quoted: refuse what would split them.
void require_plain_path(const std::string& what, const std::string& path) {
  if (path.find_first_of(" \t\n'\"\\$`") != std::string::npos)
    throw InputError(
        what + " '" + path +
        "': a path with spaces, quotes or '$' cannot be written into #SBATCH lines; use another");
}

void write_script(const std::string& path, const std::string& text) {
  AtomicFile file(path);
  file.write(text);
  file.commit();
  fs::permissions(path, fs::perms::owner_exec | fs::perms::group_exec, fs::perm_options::add);
}

// Runs `sbatch --parsable ...` and returns the job id it prints.
std::string submit(const std::string& arguments) {
  const std::string command = "sbatch --parsable " + arguments + " 2>&1";
  FILE* pipe = ::popen(command.c_str(), "r");
  if (!pipe) throw std::runtime_error("slurm: cannot run sbatch");
  std::string output;
  std::array<char, 256> buffer{};
  while (std::fgets(buffer.data(), buffer.size(), pipe)) output += buffer.data();
  const int status = ::pclose(pipe);
  while (!output.empty() && (output.back() == '\n' || output.back() == '\r')) output.pop_back();
  if (status != 0)
    throw std::runtime_error("slurm: `" + command.substr(0, command.size() - 5) + "` failed: " + output +
                             (WEXITSTATUS(status) == 127 ? " (is Slurm installed and sbatch on PATH?)" : ""));
  const auto separator = output.find(';');  // "id;cluster" on a multi-cluster setup
  return separator == std::string::npos ? output : output.substr(0, separator);
}

int slurm_command(int argc, char** argv) {
  po::options_description options(
      "sparsesim slurm EXPERIMENT.yaml --shards N [options]\n\n"
      "Writes a Slurm job-array script (task I runs `sparsesim run --shard I/N` into\n"
      "DIR/shards/shard-I.db) and a merge job that runs after the array ends, whatever its tasks'\n"
      "outcome (afterany), into DIR/<experiment>.db. Shards whose databases are already complete\n"
      "are left out of the array, so running this again after failures redoes only what is\n"
      "missing; a task rerun also skips the runs its database holds. With --submit, calls sbatch.\n\n"
      "options");
  std::string experiment_path, job_dir, merged, partition, time_limit, memory;
  int shards = 0, cpus = 1;
  std::uint64_t seed = 0;
  options.add_options()("help,h", "show this help")("shards,n", po::value(&shards),
                                                    "number of shards (array tasks), 1..100000")(
      "dir,d", po::value(&job_dir),
      "folder for scripts, shard databases and logs (default slurm/<experiment>)")(
      "out,o", po::value(&merged), "merged database (default DIR/<experiment>.db)")(
      "partition,p", po::value(&partition), "Slurm partition (default: the cluster's)")(
      "time,t", po::value(&time_limit), "time limit per task, Slurm syntax (e.g. 1:00:00)")(
      "mem", po::value(&memory), "memory per task, Slurm syntax (e.g. 4G)")(
      "cpus,c", po::value(&cpus)->default_value(1), "CPUs per task, also its --threads")(
      "seed", po::value(&seed), "override the experiment's seed")("submit", "submit both jobs with sbatch");
  po::variables_map vm;
  if (!parse_command_line(argc, argv, options, "EXPERIMENT.yaml", experiment_path, vm)) return 0;
  if (!vm.count("shards")) throw InputError("--shards N is required (the number of array tasks)");
  if (shards < 1 || shards > 100000)
    throw InputError("--shards: expected 1..100000, got " + std::to_string(shards));
  if (cpus < 1 || cpus > 1024) throw InputError("--cpus: expected 1..1024, got " + std::to_string(cpus));

  ExperimentSpec spec = load_experiment(experiment_path);
  if (spec.capacity.enabled)
    throw InputError(experiment_path + ": a capacity experiment runs as one search and cannot be sharded");
  if (vm.count("seed")) spec.seed = seed;
  const SweepPlan plan = make_sweep_plan(spec, shards);
  if (static_cast<std::size_t>(shards) > plan.point_labels.size())
    std::cerr << "note: " << shards << " shards for " << plan.point_labels.size()
              << " sweep points: " << shards - static_cast<int>(plan.point_labels.size())
              << " tasks will have nothing to run\n";

  SlurmJobOptions job;
  job.program = program_path();
  job.experiment_path = absolute_path(experiment_path);
  job.work_dir = fs::current_path().string();
  job.job_dir = absolute_path(job_dir.empty() ? "slurm/" + spec.name : job_dir);
  job.merged_path = absolute_path(merged.empty() ? job.job_dir + "/" + spec.name + ".db" : merged);
  job.partition = partition, job.time_limit = time_limit, job.memory = memory, job.cpus = cpus;
  job.seed_given = vm.count("seed") > 0, job.seed = seed;
  for (const auto& [what, path] :
       {std::pair<std::string, std::string>{"--dir", job.job_dir}, {"the working directory", job.work_dir}})
    require_plain_path(what, path);
  for (const std::string* value : {&partition, &time_limit, &memory})
    if (value->find_first_of(" \t\n'\"") != std::string::npos)
      throw InputError("--partition, --time and --mem take one word each, got '" + *value + "'");
  fs::create_directories(job.job_dir + "/shards");
  fs::create_directories(job.job_dir + "/logs");

  std::vector<int> pending;
  for (int shard = 0; shard < shards; ++shard)
    if (!shard_is_complete(job, plan, shard)) pending.push_back(shard);
  const std::string array_script = job.job_dir + "/array.sbatch",
                    merge_script = job.job_dir + "/merge.sbatch";
  write_script(merge_script, merge_job_script(job, plan));
  std::cout << plan.point_labels.size() << " sweep points in " << shards << " shards; " << pending.size()
            << (pending.size() == 1 ? " shard" : " shards") << " to run, "
            << shards - static_cast<int>(pending.size()) << " already complete\n";
  if (!pending.empty()) {
    write_script(array_script, array_job_script(job, plan, pending));
    std::cout << "array job: " << array_script << " (tasks " << slurm_array_ranges(pending) << ")\n";
  } else {
    fs::remove(array_script);
  }
  std::cout << "merge job: " << merge_script << " -> " << job.merged_path << "\n";
  if (!vm.count("submit")) {
    std::cout << "submit with:\n";
    if (pending.empty())
      std::cout << "  sbatch " << merge_script << "\n";
    else
      std::cout << "  jobid=$(sbatch --parsable " << array_script
                << ")\n  sbatch --dependency=afterany:$jobid " << merge_script << "\n";
    return 0;
  }
  std::string dependency;
  if (!pending.empty()) {
    const std::string array_id = submit(shell_quoted(array_script));
    std::cout << "submitted array job " << array_id << "\n";
    dependency = "--dependency=afterany:" + array_id + " ";
  }
  const std::string merge_id = submit(dependency + shell_quoted(merge_script));
  std::cout << "submitted merge job " << merge_id << "\n";
  return 0;
}

const bool registered = register_command(
    {"slurm", "write (and with --submit, submit) a Slurm job array for a sweep and a merge job after it",
     slurm_command});

}  // namespace
}  // namespace sparsesim::cli
