#include "catalog/file_budget.hpp"

#include <stdexcept>

#include "limits/limits.hpp"
#include "util/memory_estimate.hpp"

namespace regscan::catalog {

std::string_view package_field(const std::string& path, std::string_view what, std::string_view value) {
    if (value.size() > max_package_field)
        throw std::runtime_error(path + ": a package " + std::string(what) + " of " +
                                 std::to_string(value.size()) + " bytes (at most " +
                                 std::to_string(max_package_field) + "): not read");
    return value;
}

uint64_t package_bytes(const scan::Package& p) {
    using util::heap_bytes;
    return sizeof(scan::Package) + heap_bytes(p.type) + heap_bytes(p.name) + heap_bytes(p.version) +
           heap_bytes(p.source_name) + heap_bytes(p.source_version) + heap_bytes(p.ecosystem) + heap_bytes(p.purl) +
           heap_bytes(p.location) + heap_bytes(p.layer_digest) + util::strings_bytes(p.licenses) +
           util::strings_bytes(p.depends_on);
}

void FileBudget::add(uint64_t bytes) {
    kept_ += bytes;
    if (kept_ > limits::max_layer_kept_bytes)
        throw FileBudgetExceeded(path_ + ": what it holds takes more than " +
                                 std::to_string(limits::max_layer_kept_bytes / limits::MiB) +
                                 " MiB in memory once read (no real package database does)");
}

}  // namespace regscan::catalog
