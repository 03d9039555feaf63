#pragma once
// Test helpers: shipped trace paths and small hand-made files in a per-test temporary folder.
#include <unistd.h>
#include <zlib.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <string>

namespace sparsesim::test {

inline std::string shipped_trace(const std::string& relative) {
  return std::string(SPARSESIM_SOURCE_DIR) + "/data/traces/" + relative;
}

// A fresh folder under the test build tree, named after `name` and this process: CTest runs each test
// case as its own process, in parallel, so cases sharing a name must not share (or delete) a folder.
inline std::filesystem::path temp_folder(const std::string& name) {
  const auto folder =
      std::filesystem::path(SPARSESIM_TEST_TMP) / "workloads" / (name + "-" + std::to_string(::getpid()));
  std::filesystem::remove_all(folder);
  std::filesystem::create_directories(folder);
  return folder;
}

inline std::string write_text(const std::filesystem::path& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary);
  out << text;
  if (!out) throw std::runtime_error("cannot write " + path.string());
  return path.string();
}

// gzip-compresses `source` into `target` with zlib.
inline std::string gzip_copy(const std::string& source, const std::filesystem::path& target) {
  std::ifstream in(source, std::ios::binary);
  gzFile out = gzopen(target.string().c_str(), "wb6");
  if (!in || out == nullptr) throw std::runtime_error("cannot gzip " + source);
  char buffer[1 << 16];
  while (in) {
    in.read(buffer, sizeof buffer);
    if (in.gcount() > 0) gzwrite(out, buffer, static_cast<unsigned>(in.gcount()));
  }
  gzclose(out);
  return target.string();
}

}  // namespace sparsesim::test
