// sparsesim trace-stats TRACE [--format F] [--plot FILE.png]: what a trace looks like before simulating
// it. Streams the file (bounded memory) and prints size, span, rate, burstiness, length percentiles,
// long-request shares, sessions and prefix reuse; --plot draws length histograms and the arrival rate
// with gnuplot.
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <iomanip>
#include <iostream>
#include <sstream>

#include <boost/program_options.hpp>

#include "cli/command.h"
#include "cli/command_line.h"
#include "core/atomic_file.h"
#include "core/input_error.h"
#include "workloads/trace_loading.h"
#include "workloads/trace_stats.h"

namespace sparsesim::cli {
namespace {

namespace po = boost::program_options;

std::string fixed(double value, int digits) {
  std::ostringstream out;
  out << std::fixed << std::setprecision(digits) << value;
  return out.str();
}

std::string percent(double fraction) {
  return fixed(100.0 * fraction, 2) + " %";
}

void print_row(const std::string& label, const std::string& value) {
  std::cout << "  " << std::left << std::setw(30) << label << value << "\n";
}

void print_lengths(const std::string& label, const LengthSummary& lengths) {
  std::cout << "  " << std::left << std::setw(16) << label << std::right << std::setw(10)
            << fixed(lengths.mean, 1) << std::setw(9) << lengths.min << std::setw(9) << lengths.p50
            << std::setw(9) << lengths.p90 << std::setw(9) << lengths.p99 << std::setw(9) << lengths.max
            << "\n";
}

void print_stats(const TraceLoadReport& report, const TraceStats& stats) {
  std::cout << "trace " << report.path << " (format " << report.format << ")\n";
  print_row("requests", std::to_string(stats.requests));
  print_row("span", fixed(ns_to_seconds(stats.span_ns), 3) + " s (" +
                        fixed(ns_to_seconds(stats.span_ns) / 3600.0, 2) + " h)");
  print_row("mean rate", fixed(stats.mean_rate_per_s, 4) + " requests/s");
  print_row("inter-arrival CV (burstiness)", fixed(stats.interarrival_cv, 3) + "   (Poisson = 1)");
  std::cout << "\n  " << std::left << std::setw(16) << "tokens" << std::right << std::setw(10) << "mean"
            << std::setw(9) << "min" << std::setw(9) << "p50" << std::setw(9) << "p90" << std::setw(9)
            << "p99" << std::setw(9) << "max"
            << "\n";
  print_lengths("input", stats.input_tokens);
  print_lengths("output", stats.output_tokens);
  std::cout << "\n";
  print_row("input >= 8K (8192) tokens", percent(stats.share_input_at_least_8k));
  print_row("input >= 32K (32768) tokens", percent(stats.share_input_at_least_32k));
  print_row("input >= 128K (131072) tokens", percent(stats.share_input_at_least_128k));
  if (stats.sessions > 0) {
    print_row("sessions", std::to_string(stats.sessions));
    print_row("turns in sessions", std::to_string(stats.session_turns) + " (mean " +
                                       fixed(static_cast<double>(stats.session_turns) / stats.sessions, 2) +
                                       ", max " + std::to_string(stats.max_turns_per_session) +
                                       " per session)");
  } else {
    print_row("sessions", "none in this trace");
  }
  if (stats.prefix_block_ids > 0) {
    print_row("prefix block ids", std::to_string(stats.prefix_block_ids));
    print_row("prefix block reuse",
              percent(stats.prefix_block_reuse) + " of block ids seen in an earlier request");
  } else {
    print_row("prefix block ids", "none in this trace");
  }
  if (report.out_of_order_rows > 0)
    print_row("out-of-order rows",
              std::to_string(report.out_of_order_rows) + " (statistics use sorted arrivals)");
  for (const auto& warning : report.warnings) std::cout << "  warning: " << warning << "\n";
}

bool on_path(const std::string& program) {
  const char* path = std::getenv("PATH");
  if (path == nullptr) return false;
  std::stringstream folders(path);
  std::string folder;
  while (std::getline(folders, folder, ':')) {
    std::error_code error;
    const auto candidate = std::filesystem::path(folder.empty() ? "." : folder) / program;
    if (std::filesystem::is_regular_file(candidate, error)) return true;
  }
  return false;
}

// gnuplot single-quoted string: a quote is written twice.
std::string gnuplot_quoted(const std::string& text) {
  std::string quoted = "'";
  for (char c : text) quoted += c == '\'' ? std::string("''") : std::string(1, c);
  return quoted + "'";
}

// gnuplot draws into a temporary file beside the target, renamed over it only once whole.
void write_plot(const TraceStats& stats, const std::string& trace_path, const std::string& png_path) {
  const std::string temporary = temporary_sibling(png_path);
  if (!on_path("gnuplot"))
    throw std::runtime_error(
        "--plot needs gnuplot, which is not on PATH (install it: apt-get install gnuplot-nox)");
  std::ostringstream script;
  script << "if (strstrt(GPVAL_TERMINALS, 'pngcairo') > 0) { set terminal pngcairo size 1100,900 } "
            "else { set terminal png size 1100,900 }\n"
         << "set output " << gnuplot_quoted(temporary) << "\n";
  script << "$lengths << EOD\n";
  for (int bin = 0; bin < kLengthHistogramBins; ++bin) {
    if (stats.input_log2_histogram[bin] == 0 && stats.output_log2_histogram[bin] == 0) continue;
    script << bin << " " << stats.input_log2_histogram[bin] << " " << stats.output_log2_histogram[bin]
           << "\n";
  }
  script << "EOD\n$rate << EOD\n";
  const double bucket_s = ns_to_seconds(stats.rate_bucket_ns);
  // Minutes for traces up to 3 hours, hours beyond (the RAGPulse trace spans a week).
  const bool in_hours = ns_to_seconds(stats.span_ns) > 3 * 3600.0;
  const double axis_unit_s = in_hours ? 3600.0 : 60.0;
  for (std::size_t bucket = 0; bucket < stats.arrivals_per_bucket.size(); ++bucket)
    script << (static_cast<double>(bucket) + 0.5) * bucket_s / axis_unit_s << " "
           << static_cast<double>(stats.arrivals_per_bucket[bucket]) / bucket_s << "\n";
  script << "EOD\n"
         << "set multiplot layout 2,1 title " << gnuplot_quoted(trace_path) << " noenhanced\n"
         << "set title 'Token lengths (log2 bins: bin k holds [2^k, 2^{k+1}))'\n"
         << "set xlabel 'tokens (lower bin edge)'\nset ylabel 'requests'\n"
         << "set style data histograms\nset style histogram clustered gap 1\nset style fill solid 0.8 border "
            "-1\n"
         << "set xtics rotate by -45\nset key top right\n"
         << "plot $lengths using 2:xtic(sprintf('%d', 2**$1)) title 'input', '' using 3 title 'output'\n"
         << "unset style\nset style data lines\nset xtics norotate\n"
         << "set title sprintf('Arrival rate (%.1f s buckets)', " << bucket_s << ")\n"
         << "set xlabel 'time since trace start (" << (in_hours ? "hours" : "minutes")
         << ")'\nset ylabel 'requests/s'\nunset key\n"
         << "plot $rate using 1:2 with steps lw 1.5\n"
         << "unset multiplot\n";
  std::FILE* gnuplot = popen("gnuplot", "w");
  if (gnuplot == nullptr) throw std::runtime_error("--plot: cannot start gnuplot");
  const std::string text = script.str();
  std::fwrite(text.data(), 1, text.size(), gnuplot);
  const int status = pclose(gnuplot);
  if (status != 0) {
    std::remove(temporary.c_str());
    throw std::runtime_error("--plot: gnuplot failed writing " + png_path +
                             "; the previous file, if any, is intact");
  }
  commit_produced_file(temporary, png_path);
}

int trace_stats_command(int argc, char** argv) {
  po::options_description options(
      "sparsesim trace-stats TRACE [--format F] [--plot FILE.png]\n\n"
      "Summarises a trace file (plain or .gz): request count, span, mean rate, burstiness (inter-arrival "
      "CV),\n"
      "input/output length percentiles, shares of long prompts, sessions and prefix block reuse.\n\noptions");
  std::string trace_path, format, plot_path, reader_yaml;
  options.add_options()("help,h", "show this help")(
      "format,f", po::value(&format),
      "trace format (mooncake, azure, ragpulse, burstgpt, csv); default: sniffed")(
      "plot,p", po::value(&plot_path),
      "also write a PNG with length histograms and the arrival rate (gnuplot)")(
      "reader,r", po::value(&reader_yaml),
      "reader parameters as a YAML map, e.g. for --format csv: '{arrival_column: t, arrival_unit: ms}'");
  po::variables_map vm;
  if (!parse_command_line(argc, argv, options, "TRACE", trace_path, vm)) return 0;
  Params reader_params;
  if (!reader_yaml.empty()) {
    if (format.empty()) throw po::error("--reader needs --format");
    YAML::Node node;
    try {
      node = YAML::Load(reader_yaml);
    } catch (const YAML::Exception& error) {
      throw InputError("--reader: expected a YAML map: " + std::string(error.what()));
    }
    reader_params = bind_trace_reader_params(format, node, "--reader");
  }
  TraceStatsBuilder builder;
  TraceLoadReport report;
  stream_trace(
      trace_path, format, [&](Request&& request) { builder.add(request); }, report, reader_params);
  if (report.rows == 0) throw InputError(trace_path, 0, "", "the trace has no rows");
  const TraceStats stats = builder.finish();
  print_stats(report, stats);
  if (!plot_path.empty()) {
    write_plot(stats, trace_path, plot_path);
    std::cout << "plot written to " << plot_path << "\n";
  }
  return 0;
}

const bool registered =
    register_command({"trace-stats", "summarise a trace: rate, burstiness, lengths, sessions, prefix reuse",
                      trace_stats_command});

}  // namespace
}  // namespace sparsesim::cli
