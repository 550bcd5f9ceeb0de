// rpm's package database in any of its three formats (see rpmdb.hpp), at
// /var/lib/rpm or /usr/lib/sysimage/rpm.
#pragma once

#include "catalog/cataloger.hpp"

namespace regscan::catalog {

class RpmCataloger final : public Cataloger {
public:
    [[nodiscard]] std::string name() const override { return "rpm"; }
    [[nodiscard]] bool wants(const FileInfo& file) const override;
    void analyse(const FileInfo& file, std::string_view content, FileFacts& facts) const override;
};

}  // namespace regscan::catalog
