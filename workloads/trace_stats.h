#pragma once
// Summary statistics of a trace, as `sparsesim trace-stats` prints them: size, span, rate, burstiness,
// length percentiles, long-request shares, sessions and prefix block reuse. Built in one streaming pass
// (TraceStatsBuilder) keeping 16 bytes per request plus one entry per distinct session and block id, so
// a 10-million-row trace never has to be loaded as Requests.
#include <array>
#include <cstdint>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "workloads/request.h"

namespace sparsesim {

// Nearest-rank percentiles (the smallest value with at least p% of values at or below it) of token counts.
struct LengthSummary {
  double mean = 0.0;
  std::int64_t min = 0, p50 = 0, p90 = 0, p99 = 0, max = 0;
};

constexpr int kLengthHistogramBins = 32;  // bin k holds lengths in [2^k, 2^(k+1))

struct TraceStats {
  std::int64_t requests = 0;
  TimeNs span_ns = 0;            // last arrival - first arrival
  double mean_rate_per_s = 0.0;  // (requests - 1) / span; 0 when the span is 0
  double interarrival_cv = 0.0;  // std / mean of the gaps between consecutive sorted arrivals (Poisson: 1)
  LengthSummary input_tokens, output_tokens;
  // Fractions of requests with at least 8K = 8192, 32K = 32768 and 128K = 131072 input tokens.
  double share_input_at_least_8k = 0.0, share_input_at_least_32k = 0.0, share_input_at_least_128k = 0.0;
  std::int64_t sessions = 0;       // distinct session ids (>= 0)
  std::int64_t session_turns = 0;  // requests that belong to a session
  std::int64_t max_turns_per_session = 0;
  std::int64_t prefix_block_ids = 0;         // block ids over all requests
  std::int64_t reused_prefix_block_ids = 0;  // block ids already seen in an earlier request (stream order)
  double prefix_block_reuse = 0.0;           // reused / total; 0 when the trace has no block ids
  // For plots: requests per arrival bucket (up to kRateBuckets equal buckets over the span) and
  // log2-binned length histograms.
  TimeNs rate_bucket_ns = 0;
  std::vector<std::int64_t> arrivals_per_bucket;
  std::array<std::int64_t, kLengthHistogramBins> input_log2_histogram{};
  std::array<std::int64_t, kLengthHistogramBins> output_log2_histogram{};
  static constexpr int kRateBuckets = 120;
};

class TraceStatsBuilder {
 public:
  // Requests in stream order (arrivals need not be sorted; reuse is counted in the order given).
  void add(const Request& request);
  // Computes the statistics; the builder can keep accepting requests afterwards.
  TraceStats finish() const;

 private:
  std::vector<TimeNs> arrivals_ns_;
  std::vector<std::int32_t> input_tokens_;
  std::vector<std::int32_t> output_tokens_;
  std::unordered_map<std::int64_t, std::int64_t> turns_per_session_;
  std::unordered_set<std::uint64_t> seen_block_ids_;
  std::int64_t block_ids_ = 0;
  std::int64_t reused_block_ids_ = 0;
};

TraceStats compute_trace_stats(const std::vector<Request>& requests);

}  // namespace sparsesim
