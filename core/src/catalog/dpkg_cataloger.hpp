// dpkg's database: /var/lib/dpkg/status (deb822 paragraphs) and distroless
// images' /var/lib/dpkg/status.d/<package> (one paragraph per file, no Status).
#pragma once

#include "catalog/cataloger.hpp"

namespace regscan::catalog {

class DpkgCataloger final : public Cataloger {
public:
    [[nodiscard]] std::string name() const override { return "dpkg"; }
    [[nodiscard]] bool wants(const FileInfo& file) const override;
    void analyse(const FileInfo& file, std::string_view content, FileFacts& facts) const override;
};

}  // namespace regscan::catalog
