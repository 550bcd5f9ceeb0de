// Triage inputs (ignore files, VEX documents) are untrusted text: read with
// a bound, and every problem named by file and line.
#pragma once

#include <cstddef>
#include <stdexcept>
#include <string>
#include <string_view>

namespace regscan::triage {

// A triage input that cannot be used; the message names the file (and the
// line, or the JSON path) and what is wrong. The command line exits 2 on it.
class InputError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

inline constexpr size_t max_ignore_file_size = 1 << 20;   // 1 MiB
inline constexpr size_t max_vex_file_size = 16 << 20;     // 16 MiB

// The whole file, or InputError when it is missing, not a regular file, or
// larger than `max_size`.
std::string read_bounded_file(const std::string& path, size_t max_size);

// The 1-based line of byte `offset` in `text`.
size_t line_of(std::string_view text, size_t offset);

}  // namespace regscan::triage
