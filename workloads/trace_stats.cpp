#include "workloads/trace_stats.h"

#include <algorithm>
#include <bit>
#include <cmath>

namespace sparsesim {
namespace {

LengthSummary summarize(std::vector<std::int32_t> values) {
  LengthSummary summary;
  if (values.empty()) return summary;
  std::sort(values.begin(), values.end());
  const auto count = static_cast<double>(values.size());
  auto nearest_rank = [&](double percent) {
    const auto rank = static_cast<std::size_t>(std::ceil(percent / 100.0 * count));
    return static_cast<std::int64_t>(values[std::clamp<std::size_t>(rank, 1, values.size()) - 1]);
  };
  double sum = 0.0;
  for (const auto value : values) sum += value;
  summary.mean = sum / count;
  summary.min = values.front();
  summary.max = values.back();
  summary.p50 = nearest_rank(50);
  summary.p90 = nearest_rank(90);
  summary.p99 = nearest_rank(99);
  return summary;
}

int log2_bin(std::int32_t tokens) {
  const int bin = std::bit_width(static_cast<std::uint32_t>(std::max(tokens, 1))) - 1;
  return std::min(bin, kLengthHistogramBins - 1);
}

}  // namespace

void TraceStatsBuilder::add(const Request& request) {
  arrivals_ns_.push_back(request.arrival_ns);
  input_tokens_.push_back(request.input_tokens);
  output_tokens_.push_back(request.output_tokens);
  if (request.session_id >= 0) ++turns_per_session_[request.session_id];
  for (const auto block_id : request.prefix_block_ids) {
    ++block_ids_;
    if (!seen_block_ids_.insert(block_id).second) ++reused_block_ids_;
  }
}

TraceStats TraceStatsBuilder::finish() const {
  TraceStats stats;
  stats.requests = static_cast<std::int64_t>(arrivals_ns_.size());
  if (stats.requests == 0) return stats;
  std::vector<TimeNs> arrivals = arrivals_ns_;
  std::sort(arrivals.begin(), arrivals.end());
  stats.span_ns = arrivals.back() - arrivals.front();
  if (stats.span_ns > 0)
    stats.mean_rate_per_s = static_cast<double>(stats.requests - 1) / ns_to_seconds(stats.span_ns);
  if (stats.requests >= 3) {
    // Two passes over the gaps: exact enough in double for 10^7 gaps of up to days in ns.
    const double gap_count = static_cast<double>(stats.requests - 1);
    const double mean_gap = static_cast<double>(stats.span_ns) / gap_count;
    double squares = 0.0;
    for (std::size_t i = 1; i < arrivals.size(); ++i) {
      const double deviation = static_cast<double>(arrivals[i] - arrivals[i - 1]) - mean_gap;
      squares += deviation * deviation;
    }
    if (mean_gap > 0.0) stats.interarrival_cv = std::sqrt(squares / gap_count) / mean_gap;
  }
  // Arrival-rate buckets over the span (a single bucket when all requests arrive at once).
  const TimeNs buckets = stats.span_ns > 0 ? TraceStats::kRateBuckets : 1;
  stats.rate_bucket_ns = std::max<TimeNs>(1, (stats.span_ns + buckets) / buckets);
  stats.arrivals_per_bucket.assign(static_cast<std::size_t>(buckets), 0);
  for (const auto arrival : arrivals) {
    const auto bucket = std::min<TimeNs>((arrival - arrivals.front()) / stats.rate_bucket_ns, buckets - 1);
    ++stats.arrivals_per_bucket[static_cast<std::size_t>(bucket)];
  }

  std::int64_t at_least_8k = 0, at_least_32k = 0, at_least_128k = 0;
  for (const auto tokens : input_tokens_) {
    at_least_8k += tokens >= 8 * 1024;
    at_least_32k += tokens >= 32 * 1024;
    at_least_128k += tokens >= 128 * 1024;
    ++stats.input_log2_histogram[static_cast<std::size_t>(log2_bin(tokens))];
  }
  for (const auto tokens : output_tokens_)
    ++stats.output_log2_histogram[static_cast<std::size_t>(log2_bin(tokens))];
  const auto count = static_cast<double>(stats.requests);
  stats.share_input_at_least_8k = static_cast<double>(at_least_8k) / count;
  stats.share_input_at_least_32k = static_cast<double>(at_least_32k) / count;
  stats.share_input_at_least_128k = static_cast<double>(at_least_128k) / count;
  stats.input_tokens = summarize(input_tokens_);
  stats.output_tokens = summarize(output_tokens_);

  stats.sessions = static_cast<std::int64_t>(turns_per_session_.size());
  for (const auto& [session, turns] : turns_per_session_) {
    stats.session_turns += turns;
    stats.max_turns_per_session = std::max(stats.max_turns_per_session, turns);
  }
  stats.prefix_block_ids = block_ids_;
  stats.reused_prefix_block_ids = reused_block_ids_;
  if (block_ids_ > 0)
    stats.prefix_block_reuse = static_cast<double>(reused_block_ids_) / static_cast<double>(block_ids_);
  return stats;
}

TraceStats compute_trace_stats(const std::vector<Request>& requests) {
  TraceStatsBuilder builder;
  for (const auto& request : requests) builder.add(request);
  return builder.finish();
}

}  // namespace sparsesim
