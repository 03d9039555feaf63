#pragma once
// Runs independent tasks on a pool of threads and hands their results to a consumer strictly in task
// order, so that what is written (run ids, row order) is identical whatever the thread count.
#include <atomic>
#include <condition_variable>
#include <exception>
#include <functional>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

namespace sparsesim {

// produce(i) runs on any worker; consume(i, result) runs on one thread at a time, for i = 0, 1, 2, ... in
// order, as soon as every earlier task is consumed. The first exception stops new tasks and is rethrown.
template <class Result>
void run_in_order(std::size_t task_count, int threads, const std::function<Result(std::size_t)>& produce,
                  const std::function<void(std::size_t, Result&)>& consume) {
  std::vector<std::optional<Result>> done(task_count);
  std::mutex mutex;
  std::size_t next_to_consume = 0;
  std::atomic<std::size_t> next_task{0};
  std::atomic<bool> failed{false};
  std::exception_ptr failure;

  auto worker = [&] {
    for (;;) {
      const std::size_t task = next_task.fetch_add(1);
      if (task >= task_count || failed) return;
      try {
        Result result = produce(task);
        std::lock_guard<std::mutex> lock(mutex);
        done[task].emplace(std::move(result));
        // Whoever completes the head of the queue drains it; consumption stays serial and ordered.
        while (next_to_consume < task_count && done[next_to_consume]) {
          consume(next_to_consume, *done[next_to_consume]);
          done[next_to_consume].reset();
          ++next_to_consume;
        }
      } catch (...) {
        std::lock_guard<std::mutex> lock(mutex);
        if (!failed.exchange(true)) failure = std::current_exception();
        return;
      }
    }
  };
  const int pool_size = std::max(1, std::min<int>(threads, static_cast<int>(task_count)));
  std::vector<std::thread> pool;
  for (int index = 1; index < pool_size; ++index) pool.emplace_back(worker);
  worker();
  for (auto& thread : pool) thread.join();
  if (failure) std::rethrow_exception(failure);
}

}  // namespace sparsesim
