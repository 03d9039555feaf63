#include "workloads/line_reader.h"

#include <zlib.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

#include "core/input_error.h"

namespace sparsesim {
namespace {
constexpr std::size_t kInitialBufferBytes = 1 << 20;  // 1 MiB: large reads amortise the zlib call
constexpr unsigned kZlibBufferBytes = 1 << 18;
}  // namespace

LineReader::LineReader(const std::string& path) : path_(path), buffer_(kInitialBufferBytes) {
  std::error_code error;
  const auto status = std::filesystem::status(path, error);
  if (!std::filesystem::exists(status)) throw InputError(path, 0, "", "file not found");
  if (std::filesystem::is_directory(status)) throw InputError(path, 0, "", "is a directory, expected a file");
  errno = 0;
  gzFile file = gzopen(path.c_str(), "rb");
  if (file == nullptr)
    throw InputError(path, 0, "",
                     std::string("cannot open: ") + (errno ? std::strerror(errno) : "zlib failure"));
  gzbuffer(file, kZlibBufferBytes);
  file_ = file;
}

LineReader::~LineReader() {
  if (file_ != nullptr) gzclose(static_cast<gzFile>(file_));
}

bool LineReader::refill() {
  if (at_eof_) return false;
  // Move the unconsumed tail to the front; grow only when one line fills the whole buffer.
  const std::size_t tail = end_ - begin_;
  if (begin_ > 0 && tail > 0) std::memmove(buffer_.data(), buffer_.data() + begin_, tail);
  begin_ = 0;
  end_ = tail;
  if (end_ == buffer_.size()) buffer_.resize(buffer_.size() * 2);
  const std::size_t room = buffer_.size() - end_;
  const int got = gzread(static_cast<gzFile>(file_), buffer_.data() + end_, static_cast<unsigned>(room));
  if (got < 0) {
    int code = 0;
    const char* message = gzerror(static_cast<gzFile>(file_), &code);
    throw InputError(path_, line_number_ + 1, "", std::string("read error: ") + message);
  }
  if (got == 0) {
    at_eof_ = true;
    return false;
  }
  end_ += static_cast<std::size_t>(got);
  return true;
}

bool LineReader::next(std::string_view& line) {
  const bool first_line = line_number_ == 0;
  if (!next_line(line)) return false;
  // Drop a UTF-8 byte-order mark before the first line (spreadsheet exports write one before the header).
  if (first_line && line.substr(0, 3) == "\xEF\xBB\xBF") line.remove_prefix(3);
  return true;
}

bool LineReader::next_line(std::string_view& line) {
  std::size_t searched = begin_;  // bytes before this are known to hold no newline
  for (;;) {
    const char* start = buffer_.data() + searched;
    const void* newline = std::memchr(start, '\n', end_ - searched);
    if (newline != nullptr) {
      const char* line_begin = buffer_.data() + begin_;
      std::size_t length = static_cast<const char*>(newline) - line_begin;
      begin_ += length + 1;
      if (length > 0 && line_begin[length - 1] == '\r') --length;
      line = std::string_view(line_begin, length);
      ++line_number_;
      return true;
    }
    const std::size_t scanned = end_ - begin_;
    if (!refill()) break;
    searched = begin_ + scanned;
  }
  if (begin_ == end_) return false;
  // Last line without a trailing newline.
  const char* line_begin = buffer_.data() + begin_;
  std::size_t length = end_ - begin_;
  begin_ = end_;
  if (length > 0 && line_begin[length - 1] == '\r') --length;
  line = std::string_view(line_begin, length);
  ++line_number_;
  return true;
}

}  // namespace sparsesim
