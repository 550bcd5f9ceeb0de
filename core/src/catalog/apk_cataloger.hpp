// Alpine's installed database, /lib/apk/db/installed: paragraphs of
// "K:value" lines (P name, V version, A arch, o origin).
#pragma once

#include "catalog/cataloger.hpp"

namespace regscan::catalog {

class ApkCataloger final : public Cataloger {
public:
    [[nodiscard]] std::string name() const override { return "apk"; }
    [[nodiscard]] bool wants(const FileInfo& file) const override;
    void analyse(const FileInfo& file, std::string_view content, FileFacts& facts) const override;
};

}  // namespace regscan::catalog
