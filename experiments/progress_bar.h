#pragma once
// A progress bar with an ETA on stderr. It stays silent for the first seconds, so quick runs print
// nothing, and redraws at most a few times a second. It is drawn only when stderr is a terminal, so log
// files never collect its carriage-return frames.
#include <chrono>
#include <cstddef>
#include <mutex>
#include <string>

namespace sparsesim {

class ProgressBar {
 public:
  ProgressBar(std::string label, std::size_t total, bool enabled);
  ~ProgressBar();
  void advance(std::size_t steps = 1);  // thread-safe
  void finish();

 private:
  void draw(bool final_draw);
  std::string label_;
  std::size_t total_;
  std::size_t done_ = 0;
  bool enabled_;
  bool drawn_ = false;
  std::chrono::steady_clock::time_point start_, last_draw_;
  std::mutex mutex_;
};

}  // namespace sparsesim
