#include "catalog/dpkg_cataloger.hpp"

#include <stdexcept>

#include "catalog/purl.hpp"
#include "catalog/text.hpp"

namespace regscan::catalog {

namespace {

constexpr std::string_view status_file = "/var/lib/dpkg/status";
constexpr std::string_view status_dir = "/var/lib/dpkg/status.d/";

// "Status: want eflag status". Files are on disk in every state but these
// two (a removed package keeps only its conffiles in "config-files").
bool files_present(std::string_view status) {
    size_t last_space = status.rfind(' ');
    std::string_view state = last_space == std::string_view::npos ? status : status.substr(last_space + 1);
    return state != "not-installed" && state != "config-files";
}

struct Paragraph {
    std::string_view package, version, source, architecture, status;
    bool has_status = false;
};

Paragraph read_paragraph(std::string_view text) {
    Paragraph p;
    text::for_each_field(text, ':', [&](std::string_view key, std::string_view value) {
        if (key == "Package") p.package = value;
        else if (key == "Version") p.version = value;
        else if (key == "Source") p.source = value;
        else if (key == "Architecture") p.architecture = value;
        else if (key == "Status") {
            p.status = value;
            p.has_status = true;
        }
    });
    return p;
}

scan::Package to_package(const Paragraph& p, const std::string& location) {
    scan::Package package;
    package.type = "deb";
    package.name = p.package;
    package.version = p.version;
    // "Source: name (version)" when the source version differs from the binary's.
    std::string_view source = p.source;
    std::string_view source_version = p.version;
    if (size_t paren = source.find('('); paren != std::string_view::npos) {
        size_t close = source.find(')', paren);
        source_version = text::trim(source.substr(paren + 1, close == std::string_view::npos ? close : close - paren - 1));
        source = text::trim(source.substr(0, paren));
    }
    // OSV's Debian and Ubuntu records name source packages: always filled.
    package.source_name = source.empty() ? p.package : source;
    package.source_version = source_version;
    package.purl = purl::make("deb", "debian", p.package, p.version, {{"arch", std::string(p.architecture)}});
    package.location = location;
    return package;
}

}  // namespace

bool DpkgCataloger::wants(const FileInfo& file) const {
    std::string_view path = file.path;
    if (path == status_file) return true;
    if (!path.starts_with(status_dir)) return false;
    std::string_view entry = path.substr(status_dir.size());
    return !entry.empty() && entry.find('/') == std::string_view::npos && !entry.ends_with(".md5sums");
}

void DpkgCataloger::analyse(const FileInfo& file, std::string_view content, FileFacts& facts) const {
    bool distroless = file.path != status_file;
    size_t paragraphs = 0;
    while (!content.empty()) {
        std::string_view text = text::next_paragraph(content);
        if (text.empty()) break;
        ++paragraphs;
        Paragraph p = read_paragraph(text);
        if (p.package.empty()) continue;
        if (p.version.empty()) {
            // Purged packages keep a paragraph with no version in status.
            if (p.has_status && !files_present(p.status)) continue;
            throw std::runtime_error(file.path + ": package " + std::string(p.package) + " has no Version");
        }
        if (p.has_status ? !files_present(p.status) : !distroless) continue;
        facts.packages.push_back(to_package(p, file.path));
    }
    if (paragraphs > 0 && facts.packages.empty() && distroless) {
        throw std::runtime_error(file.path + ": no Package paragraph");
    }
}

}  // namespace regscan::catalog
