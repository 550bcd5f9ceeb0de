// Running the reference tools: one process per scheme, pairs in a file on
// stdin, answers on stdout. Everything crosses as hex so any byte can pass.
#pragma once

#include <optional>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace regscan::oracle {

struct Pair {
    std::string a;
    std::string b;
};

// A reference tool that is missing or broken: the test must fail, not skip.
struct ToolMissing : std::runtime_error {
    using std::runtime_error::runtime_error;
};

std::string to_hex(std::string_view bytes);
std::string from_hex(std::string_view hex);
// Printable form of a version for messages: C-style escapes, quoted.
std::string printable(std::string_view bytes);

// First executable named `name` on PATH (or `name` itself if it has a '/').
std::optional<std::string> find_program(const std::string& name);

class TempDir {
public:
    TempDir();
    ~TempDir();
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;
    [[nodiscard]] const std::string& path() const { return path_; }

private:
    std::string path_;
};

struct RunResult {
    int exit_code = -1;
    std::string out;
    std::string err;
};

// Runs argv with `env` added to the environment and `stdin_path` (or
// /dev/null) as stdin; stdout and stderr are captured through files in `work`.
RunResult run(const std::vector<std::string>& argv, const std::vector<std::pair<std::string, std::string>>& env,
              const std::string& stdin_path, const TempDir& work);

// Writes "HEX(a) HEX(b)" lines.
void write_pairs(const std::string& path, const std::vector<Pair>& pairs);

std::vector<std::string> split_lines(const std::string& text);
// Splits on single spaces, keeping empty fields ("x  y" has three).
std::vector<std::string> split_fields(const std::string& line);

}  // namespace regscan::oracle
