#include "catalog/apk_cataloger.hpp"

#include <stdexcept>

#include "catalog/purl.hpp"
#include "catalog/text.hpp"

namespace regscan::catalog {

// apk-tools 3 may keep it under /usr (merged-/usr Alpine).
bool ApkCataloger::wants(const FileInfo& file) const {
    return file.path == "/lib/apk/db/installed" || file.path == "/usr/lib/apk/db/installed";
}

void ApkCataloger::analyse(const FileInfo& file, std::string_view content, FileFacts& facts) const {
    while (!content.empty()) {
        std::string_view paragraph = text::next_paragraph(content);
        if (paragraph.empty()) break;
        std::string_view name, version, arch, origin;
        // Only the single-letter keys; file entries (F:, R:, Z:, ...) are skipped.
        while (!paragraph.empty()) {
            std::string_view line = text::next_line(paragraph);
            if (line.size() < 2 || line[1] != ':') continue;
            std::string_view value = line.substr(2);
            switch (line[0]) {
                case 'P': name = value; break;
                case 'V': version = value; break;
                case 'A': arch = value; break;
                case 'o': origin = value; break;
                default: break;
            }
        }
        if (name.empty()) continue;
        if (version.empty()) throw std::runtime_error(file.path + ": package " + std::string(name) + " has no V: line");
        scan::Package package;
        package.type = "apk";
        package.name = name;
        package.version = version;
        // OSV's Alpine records name the origin (aports) package.
        package.source_name = origin.empty() ? name : origin;
        package.source_version = version;
        package.purl = purl::make("apk", "alpine", name, version, {{"arch", std::string(arch)}});
        package.location = file.path;
        facts.packages.push_back(std::move(package));
    }
}

}  // namespace regscan::catalog
