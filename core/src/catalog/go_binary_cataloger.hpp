// Go executables: the modules compiled in (main module and dependencies,
// type "go-module") and the toolchain as package "stdlib" (type
// "go-stdlib"), all in OSV's "Go" ecosystem. See go_buildinfo.hpp.
#pragma once

#include "catalog/cataloger.hpp"

namespace regscan::catalog {

class GoBinaryCataloger final : public Cataloger {
public:
    [[nodiscard]] std::string name() const override { return "go-binary"; }
    // Executable regular files big enough to be a Go program (the smallest,
    // stripped, is over a megabyte), so shell scripts are never read.
    [[nodiscard]] bool wants(const FileInfo& file) const override;
    void analyse(const FileInfo& file, std::string_view content, FileFacts& facts) const override;

    static constexpr uint64_t min_size = 64 * 1024;
};

}  // namespace regscan::catalog
