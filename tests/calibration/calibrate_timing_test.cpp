// The shared timing loop: statistics, early stop on a tight spread, rejection, and the time cap.
#include <doctest/doctest.h>

#include <chrono>
#include <thread>

#include "calibration/measurement_backends.h"

using namespace sparsesim;

TEST_CASE("sample statistics: median, p10 and p90 interpolate between order statistics") {
  const Samples s = summarize_samples({50, 10, 40, 20, 30, 60, 70, 80, 90, 100, 110}, 3);
  CHECK(s.median_ns == 60);
  CHECK(s.p10_ns == 20);
  CHECK(s.p90_ns == 100);
  CHECK(s.kept == 11);
  CHECK(s.rejected == 3);
  CHECK(s.relative_spread() == doctest::Approx(80.0 / 60.0));
  CHECK(summarize_samples({}, 2).median_ns == 0);
}

TEST_CASE("the timing loop stops as soon as the spread is under target") {
  TimingOptions options;
  options.warmup_runs = 2;
  options.min_samples = 5;
  options.max_samples = 100;
  int calls = 0;
  const Samples s = run_timing_loop(options, [&] {
    ++calls;
    return 1000.0 + (calls % 2);  // 0.1% spread
  });
  CHECK(s.converged);
  CHECK(s.kept == 5);
  CHECK(calls == 7);  // two warm-ups, then the minimum
  CHECK(s.median_ns == doctest::Approx(1000.5).epsilon(1e-3));
}

TEST_CASE("the timing loop drops rejected samples and stops at max_samples on a wide spread") {
  TimingOptions options;
  options.warmup_runs = 0;
  options.min_samples = 3;
  options.max_samples = 20;
  options.time_cap_s = 60;
  int calls = 0;
  const Samples s = run_timing_loop(options, [&] {
    ++calls;
    if (calls % 3 == 0) return -1.0;     // every third sample rejected (throttled)
    return calls % 2 ? 1000.0 : 2000.0;  // 100% spread: never converges
  });
  CHECK_FALSE(s.converged);
  CHECK(s.kept == 20);
  CHECK(s.rejected == 9);
}

TEST_CASE("the timing loop honours the time cap even when every sample is rejected") {
  TimingOptions options;
  options.warmup_runs = 0;
  options.max_samples = 1000;
  options.time_cap_s = 0.02;
  const auto start = std::chrono::steady_clock::now();
  const Samples s = run_timing_loop(options, [] {
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
    return -1.0;
  });
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  CHECK(s.kept == 0);
  CHECK(s.median_ns == 0);
  CHECK(s.rejected > 0);
  CHECK(seconds < 1.0);
}
