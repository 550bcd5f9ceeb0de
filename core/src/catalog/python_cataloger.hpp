// Python distributions installed under a site-packages or dist-packages
// directory: <dist>.dist-info/METADATA (wheels, pip), <dist>.egg-info/PKG-INFO
// (setuptools) and <dist>.egg-info as a single file (Debian's python3-*
// packages ship that). Name and Version are RFC 822 headers; the name is
// reported as written (the matcher normalises it, PEP 503).
#pragma once

#include "catalog/cataloger.hpp"

namespace regscan::catalog {

class PythonCataloger final : public Cataloger {
public:
    [[nodiscard]] std::string name() const override { return "python"; }
    [[nodiscard]] bool wants(const FileInfo& file) const override;
    void analyse(const FileInfo& file, std::string_view content, FileFacts& facts) const override;
};

}  // namespace regscan::catalog
