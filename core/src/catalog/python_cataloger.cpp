#include "catalog/python_cataloger.hpp"

#include <stdexcept>

#include "catalog/purl.hpp"
#include "catalog/text.hpp"

namespace regscan::catalog {

namespace {

bool in_site_packages(std::string_view path) {
    return path.find("/site-packages/") != std::string_view::npos ||
           path.find("/dist-packages/") != std::string_view::npos;
}

// The metadata file sits directly in site-packages (or in its .dist-info /
// .egg-info directory there), not in some package's vendored copy deeper down.
bool directly_under_site_packages(std::string_view metadata_dir) {
    size_t slash = metadata_dir.rfind('/');
    std::string_view parent = slash == std::string_view::npos ? std::string_view() : metadata_dir.substr(0, slash);
    return parent.ends_with("/site-packages") || parent.ends_with("/dist-packages");
}

// purl-spec's pypi type: lowercase, '_' as '-'.
std::string purl_name(std::string_view name) {
    std::string out(name);
    for (char& c : out) {
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
        else if (c == '_') c = '-';
    }
    return out;
}

}  // namespace

bool PythonCataloger::wants(const FileInfo& file) const {
    std::string_view path = file.path;
    std::string_view dir;
    if (path.ends_with(".dist-info/METADATA")) dir = path.substr(0, path.size() - std::string_view("/METADATA").size());
    else if (path.ends_with(".egg-info/PKG-INFO")) dir = path.substr(0, path.size() - std::string_view("/PKG-INFO").size());
    else if (path.ends_with(".egg-info")) dir = path;
    else return false;
    return in_site_packages(path) && directly_under_site_packages(dir);
}

void PythonCataloger::analyse(const FileInfo& file, std::string_view content, FileFacts& facts) const {
    // The headers end at the first blank line; the description follows.
    std::string_view headers = text::next_paragraph(content);
    std::string_view name, version;
    text::for_each_field(headers, ':', [&](std::string_view key, std::string_view value) {
        if (key == "Name" && name.empty()) name = value;
        else if (key == "Version" && version.empty()) version = value;
    });
    if (name.empty() || version.empty()) throw std::runtime_error(file.path + ": no Name or Version header");
    scan::Package package;
    package.type = "python";
    package.ecosystem = "PyPI";
    package.name = name;
    package.version = version;
    package.purl = purl::make("pypi", "", purl_name(name), version);
    package.location = file.path;
    facts.packages.push_back(std::move(package));
}

}  // namespace regscan::catalog
