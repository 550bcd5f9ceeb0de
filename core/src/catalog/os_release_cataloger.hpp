// /etc/os-release and /usr/lib/os-release (os-release(5)): shell-style
// KEY=value assignments, values quoted or not.
#pragma once

#include "catalog/cataloger.hpp"

namespace regscan::catalog {

class OsReleaseCataloger final : public Cataloger {
public:
    [[nodiscard]] std::string name() const override { return "os-release"; }
    [[nodiscard]] bool wants(const FileInfo& file) const override;
    void analyse(const FileInfo& file, std::string_view content, FileFacts& facts) const override;
};

scan::OsRelease parse_os_release(std::string_view content);

// One value as the shell reads it: "double quoted" (with \" \\ \$ \` escapes),
// 'single quoted', bare with backslash escapes, or a mix of them.
std::string unquote_shell_value(std::string_view value);

}  // namespace regscan::catalog
