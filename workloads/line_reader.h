#pragma once
// Streams a text file line by line in bounded memory, plain or gzip-compressed (zlib reads both: a file
// without the gzip magic is passed through unchanged). Used by every trace reader, so a 10-million-row
// trace never has to fit in memory.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace sparsesim {

class LineReader {
 public:
  // Throws InputError naming `path` when the file does not exist, is a directory or cannot be opened.
  explicit LineReader(const std::string& path);
  ~LineReader();
  LineReader(const LineReader&) = delete;
  LineReader& operator=(const LineReader&) = delete;

  // Sets `line` to the next line without its "\n" or "\r\n" (nor a UTF-8 byte-order mark on line 1);
  // false at end of file. The view stays valid
  // until the next call. Memory is one buffer that grows only to hold the longest line.
  // Throws InputError (path:line) on a read or decompression error.
  bool next(std::string_view& line);

  // 1-based number of the line last returned by next() (0 before the first call).
  std::int64_t line_number() const { return line_number_; }
  const std::string& path() const { return path_; }

 private:
  bool next_line(std::string_view& line);
  bool refill();  // reads more bytes after the unconsumed tail; false when nothing more could be read

  std::string path_;
  void* file_ = nullptr;  // gzFile, kept opaque so zlib.h stays out of this header
  std::vector<char> buffer_;
  std::size_t begin_ = 0;  // first unconsumed byte
  std::size_t end_ = 0;    // one past the last valid byte
  bool at_eof_ = false;
  std::int64_t line_number_ = 0;
};

}  // namespace sparsesim
