#include "core/atomic_file.h"

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <stdexcept>

#include <fcntl.h>
#include <unistd.h>

namespace sparsesim {
namespace {

std::string system_reason() {
  return std::strerror(errno);
}

// fsync a path's contents (files) so a crash after rename never exposes an empty file.
bool sync_path(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return false;
  const bool synced = ::fsync(fd) == 0;
  return ::close(fd) == 0 && synced;
}

}  // namespace

std::string temporary_sibling(const std::string& path) {
  const std::filesystem::path target(path);
  return (target.parent_path() /
          (target.stem().string() + ".partial-" + std::to_string(::getpid()) + target.extension().string()))
      .string();
}

AtomicFile::AtomicFile(std::string path) : path_(std::move(path)), temporary_(temporary_sibling(path_)) {
  file_ = std::fopen(temporary_.c_str(), "wb");
  if (!file_) throw std::runtime_error(path_ + ": cannot write (" + system_reason() + ")");
}

AtomicFile::~AtomicFile() {
  if (file_) std::fclose(file_);
  if (!committed_) std::remove(temporary_.c_str());
}

void AtomicFile::fail(const std::string& what) {
  const std::string reason = system_reason();
  if (file_) std::fclose(file_), file_ = nullptr;
  std::remove(temporary_.c_str());
  throw std::runtime_error(path_ + ": " + what + " failed (" + reason +
                           "); the previous file, if any, is intact");
}

void AtomicFile::write(std::string_view bytes) {
  if (bytes.empty()) return;
  if (std::fwrite(bytes.data(), 1, bytes.size(), file_) != bytes.size()) fail("writing");
}

void AtomicFile::commit() {
  if (std::fflush(file_) != 0) fail("writing");
  if (::fsync(::fileno(file_)) != 0) fail("syncing");
  const int closed = std::fclose(file_);
  file_ = nullptr;
  if (closed != 0) fail("closing");
  if (std::rename(temporary_.c_str(), path_.c_str()) != 0) fail("renaming the finished file into place");
  committed_ = true;
}

void write_file_atomically(const std::string& path, std::string_view content) {
  AtomicFile file(path);
  file.write(content);
  file.commit();
}

void commit_produced_file(const std::string& temporary, const std::string& path) {
  std::error_code error;
  const auto size = std::filesystem::file_size(temporary, error);
  const bool ok =
      !error && size > 0 && sync_path(temporary) && std::rename(temporary.c_str(), path.c_str()) == 0;
  if (!ok) {
    const std::string reason = error ? error.message() : size == 0 ? "empty output" : system_reason();
    std::remove(temporary.c_str());
    throw std::runtime_error(path + ": writing failed (" + reason +
                             "); the previous file, if any, is intact");
  }
}

}  // namespace sparsesim
