#pragma once
// Output files that are either whole or untouched. AtomicFile writes to a temporary file beside the
// target; commit() flushes, fsyncs, closes and renames it over the target, checking every step. Any
// failure (a full disk, a read-only folder) throws std::runtime_error naming the path and the system's
// reason, removes the temporary file and leaves the previous file at the target intact.
#include <cstdio>
#include <string>
#include <string_view>

namespace sparsesim {

class AtomicFile {
 public:
  explicit AtomicFile(std::string path);
  ~AtomicFile();  // removes the temporary file unless committed
  AtomicFile(const AtomicFile&) = delete;
  AtomicFile& operator=(const AtomicFile&) = delete;

  void write(std::string_view bytes);
  void commit();
  const std::string& temporary_path() const { return temporary_; }

 private:
  [[noreturn]] void fail(const std::string& what);
  std::string path_, temporary_;
  std::FILE* file_ = nullptr;
  bool committed_ = false;
};

// Writes the whole of `content` to `path` through an AtomicFile.
void write_file_atomically(const std::string& path, std::string_view content);

// For a file another program wrote at `temporary` (e.g. gnuplot): checks it exists and is not empty,
// fsyncs it and renames it over `path`; on failure removes it and throws, leaving `path` intact.
void commit_produced_file(const std::string& temporary, const std::string& path);

// A temporary name beside `path` that keeps its extension ("plot.png" -> "plot.partial-123.png").
std::string temporary_sibling(const std::string& path);

}  // namespace sparsesim
