// What a cataloger may hold while reading one file, counted as it grows.
// The file is at most limits::analysed_file_size, but its content multiplies
// in memory: a 64 MiB dpkg status of minimal paragraphs is a million
// packages, each with a copy of the file's path, and a JSON document's tree
// takes ten times its text. Counted with the estimate of the layer's own
// bound (util/memory_estimate), up to that bound: no real package database
// comes near, and past it the layer's facts could not be kept anyway.
#pragma once

#include <cstdint>
#include <exception>
#include <string>
#include <string_view>

#include "catalog/cataloger.hpp"
#include "scan/model.hpp"
#include "util/memory_estimate.hpp"

namespace regscan::catalog {

// Thrown past a file's budget. Not a std::runtime_error: catalogers turn
// those into notes and go on, and this one fails the layer (the image,
// with its reason), as the layer's own bound does.
class FileBudgetExceeded : public std::exception {
public:
    explicit FileBudgetExceeded(std::string message) : message_(std::move(message)) {}
    [[nodiscard]] const char* what() const noexcept override { return message_.c_str(); }

private:
    std::string message_;
};

// A package's name, version, architecture or source longer than this is no
// real package's: the file is not read (a note says why) rather than have the
// field copied into every string a package makes of it (its purl triples it).
inline constexpr size_t max_package_field = 4096;

// `value`, or std::runtime_error naming the file at `path` and `what` when it
// is longer than max_package_field.
std::string_view package_field(const std::string& path, std::string_view what, std::string_view value);

// The estimated memory one package holds.
uint64_t package_bytes(const scan::Package& package);

class FileBudget {
public:
    explicit FileBudget(const FileInfo& file) : path_(file.path) {}

    // Counts `bytes` more; throws FileBudgetExceeded past the bound.
    void add(uint64_t bytes);
    void add(const scan::Package& package) { add(package_bytes(package)); }
    // One more entry of a map between two views of the file (an index of
    // what provides which name).
    void add_view_map_entry() { add(util::map_node_bytes + 2 * sizeof(std::string_view)); }

private:
    const std::string& path_;
    uint64_t kept_ = 0;
};

}  // namespace regscan::catalog
