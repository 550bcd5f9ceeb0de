#include "catalog/python_cataloger.hpp"

#include <algorithm>
#include <cctype>
#include <stdexcept>

#include "catalog/file_budget.hpp"
#include "catalog/license.hpp"
#include "catalog/purl.hpp"
#include "catalog/text.hpp"
#include "catalog/unique_names.hpp"
#include "util/memory_estimate.hpp"

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

// "requests (>=2.0)", "urllib3<3,>=1.21.1", "idna; python_version < '3'",
// "pytest; extra == 'test'": the distribution's name, or "" for an extra's.
std::string requirement_name(std::string_view value) {
    size_t semicolon = value.find(';');
    if (semicolon != std::string_view::npos && value.substr(semicolon).find("extra") != std::string_view::npos) return {};
    std::string_view name = text::trim(value.substr(0, semicolon));
    size_t end = 0;
    while (end < name.size() && (std::isalnum(static_cast<unsigned char>(name[end])) || name[end] == '-' ||
                                 name[end] == '_' || name[end] == '.'))
        ++end;
    return std::string(name.substr(0, end));
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
    std::string_view name, version, expression, license_field;
    std::vector<std::string> classifiers, requires_dist;
    FileBudget budget(file);
    text::for_each_field(headers, ':', [&](std::string_view key, std::string_view value) {
        if (key == "Name" && name.empty()) name = value;
        else if (key == "Version" && version.empty()) version = value;
        else if (key == "License-Expression") expression = value;
        else if (key == "License") license_field = value;
        else if (key == "Classifier" && value.starts_with("License ::") && value != "License :: OSI Approved")
            budget.add(sizeof(std::string) + util::heap_bytes(classifiers.emplace_back(value)));
        else if (key == "Requires-Dist")
            if (std::string required = requirement_name(value); !required.empty()) {
                budget.add(sizeof(std::string) + util::heap_bytes(required));
                requires_dist.push_back(std::move(required));
            }
    });
    if (name.empty() || version.empty()) throw std::runtime_error(file.path + ": no Name or Version header");
    package_field(file.path, "name", name);
    package_field(file.path, "version", version);
    scan::Package package;
    package.type = "python";
    package.ecosystem = "PyPI";
    package.name = name;
    package.version = version;
    package.purl = purl::make("pypi", "", purl_name(name), version);
    package.location = file.path;
    // PEP 639's License-Expression first; the older free-text License field
    // only when it is a short name, not the license's text; then classifiers.
    if (!expression.empty()) license::add_declared(package.licenses, expression);
    else if (!license_field.empty() && license_field.size() <= 80) license::add_declared(package.licenses, license_field);
    if (package.licenses.empty())
        for (const auto& classifier : classifiers) {
            std::string_view last = std::string_view(classifier).substr(classifier.rfind("::") + 2);
            std::string id = license::spdx_id(classifier);
            license::add_declared(package.licenses, id.empty() ? text::trim(last) : std::string_view(id));
        }
    budget.add(package_bytes(package));
    UniqueNames depends_on(package.depends_on, budget);
    for (auto& required : requires_dist) depends_on.add(std::move(required));
    facts.packages.push_back(std::move(package));
}

}  // namespace regscan::catalog
