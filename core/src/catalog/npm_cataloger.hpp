// npm: package-lock.json (lockfileVersion 1, 2 and 3) and the package.json
// of each package installed under node_modules.
//
// A project's own package.json (not under node_modules) is not reported: it
// is the application, not a dependency, and is often unpublished. Neither is
// node_modules/.package-lock.json, which repeats the installed package.json
// files, nor a package-lock.json inside node_modules (npm never installs one).
#pragma once

#include "catalog/cataloger.hpp"

namespace regscan::catalog {

class NpmCataloger final : public Cataloger {
public:
    [[nodiscard]] std::string name() const override { return "npm"; }
    [[nodiscard]] bool wants(const FileInfo& file) const override;
    void analyse(const FileInfo& file, std::string_view content, FileFacts& facts) const override;
};

}  // namespace regscan::catalog
