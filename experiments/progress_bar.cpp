#include "experiments/progress_bar.h"

#include <cstdio>

#include <unistd.h>

namespace sparsesim {

namespace {
constexpr double kQuietSeconds = 2.0;
constexpr double kRedrawSeconds = 0.25;
}  // namespace

ProgressBar::ProgressBar(std::string label, std::size_t total, bool enabled)
    : label_(std::move(label)),
      total_(total),
      enabled_(enabled && isatty(fileno(stderr)) == 1),
      start_(std::chrono::steady_clock::now()),
      last_draw_(start_) {}

ProgressBar::~ProgressBar() {
  finish();
}

void ProgressBar::advance(std::size_t steps) {
  std::lock_guard<std::mutex> lock(mutex_);
  done_ += steps;
  draw(false);
}

void ProgressBar::finish() {
  std::lock_guard<std::mutex> lock(mutex_);
  if (drawn_) {
    draw(true);
    std::fputc('\n', stderr);
    drawn_ = false;
  }
  enabled_ = false;
}

void ProgressBar::draw(bool final_draw) {
  if (!enabled_ || total_ == 0) return;
  const auto now = std::chrono::steady_clock::now();
  const double elapsed = std::chrono::duration<double>(now - start_).count();
  if (!final_draw &&
      (elapsed < kQuietSeconds || std::chrono::duration<double>(now - last_draw_).count() < kRedrawSeconds))
    return;
  last_draw_ = now;
  drawn_ = true;
  const double fraction = static_cast<double>(done_) / static_cast<double>(total_);
  constexpr int kWidth = 30;
  std::string bar(kWidth, '.');
  for (int cell = 0; cell < static_cast<int>(fraction * kWidth); ++cell) bar[cell] = '#';
  const double eta = done_ > 0 ? elapsed * (1.0 - fraction) / fraction : 0.0;
  std::fprintf(stderr, "\r%s [%s] %zu/%zu  %.0f s elapsed, ETA %.0f s   ", label_.c_str(), bar.c_str(), done_,
               total_, elapsed, eta);
  std::fflush(stderr);
}

}  // namespace sparsesim
