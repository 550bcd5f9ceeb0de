// The unit tests' one scratch directory: made by mkdtemp (unique per process and
// test, mode 0700, so parallel runs and a stale directory of a killed run never
// collide), removed with everything in it when the test ends.
#pragma once

#include <stdlib.h>

#include <cerrno>
#include <filesystem>
#include <string>
#include <system_error>

namespace regscan::test {

struct TempDir {
    std::filesystem::path path;

    // The label only names the directory (regscan-<label>-XXXXXX) so a leftover
    // one says which test made it.
    explicit TempDir(const std::string& label = "unit") {
        std::string pattern = (std::filesystem::temp_directory_path() / ("regscan-" + label + "-XXXXXX")).string();
        if (::mkdtemp(pattern.data()) == nullptr)
            throw std::system_error(errno, std::generic_category(), "TempDir: mkdtemp " + pattern);
        path = pattern;
    }
    ~TempDir() {
        std::error_code ignored;
        std::filesystem::remove_all(path, ignored);
    }
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;
};

}  // namespace regscan::test
