#include "catalog/apk_cataloger.hpp"

#include <algorithm>
#include <map>
#include <stdexcept>

#include "catalog/file_budget.hpp"
#include "catalog/license.hpp"
#include "catalog/purl.hpp"
#include "catalog/text.hpp"
#include "catalog/unique_names.hpp"
#include "util/memory_estimate.hpp"

namespace regscan::catalog {

namespace {

// "so:libc.musl-x86_64.so.1", "libcrypto3>=3.1.4-r0", "cmd:openssl=3.1.4-r0":
// the name without its version constraint.
std::string_view dependency_name(std::string_view token) {
    return token.substr(0, token.find_first_of("<>=~"));
}

// Whitespace-separated tokens of a D: or p: line.
template <typename OnToken>
void for_each_token(std::string_view line, OnToken&& on_token) {
    while (!line.empty()) {
        size_t space = line.find(' ');
        std::string_view token = line.substr(0, space);
        line = space == std::string_view::npos ? std::string_view() : line.substr(space + 1);
        if (!token.empty()) on_token(token);
    }
}

struct Entry {
    scan::Package package;
    std::string_view depends, provides;
};

// Each D: entry resolved to the installed package that is it or provides it
// ("so:", "cmd:", "pc:" names); conflicts ("!name") and what no installed
// package satisfies are left out.
void resolve_dependencies(std::vector<Entry>& entries, FileBudget& budget) {
    std::map<std::string_view, std::string_view> provider;
    for (const auto& entry : entries) provider.emplace(entry.package.name, entry.package.name);
    for (const auto& entry : entries)
        for_each_token(entry.provides, [&](std::string_view token) {
            if (provider.emplace(dependency_name(token), entry.package.name).second) budget.add_view_map_entry();
        });
    for (auto& entry : entries) {
        UniqueNames depends_on(entry.package.depends_on, budget);
        for_each_token(entry.depends, [&](std::string_view token) {
            if (token.front() == '!') return;
            auto it = provider.find(dependency_name(token));
            if (it == provider.end() || it->second == entry.package.name) return;
            depends_on.add(std::string(it->second));
        });
    }
}

}  // namespace

// apk-tools 3 may keep it under /usr (merged-/usr Alpine).
bool ApkCataloger::wants(const FileInfo& file) const {
    return file.path == "/lib/apk/db/installed" || file.path == "/usr/lib/apk/db/installed";
}

void ApkCataloger::analyse(const FileInfo& file, std::string_view content, FileFacts& facts) const {
    FileBudget budget(file);
    std::vector<Entry> entries;
    while (!content.empty()) {
        std::string_view paragraph = text::next_paragraph(content);
        if (paragraph.empty()) break;
        std::string_view name, version, arch, origin, license_field, depends, provides;
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
                case 'L': license_field = value; break;
                case 'D': depends = value; break;
                case 'p': provides = value; break;
                default: break;
            }
        }
        if (name.empty()) continue;
        for (auto [what, value] : {std::pair{"name", name}, {"version", version}, {"architecture", arch},
                                   {"origin", origin}})
            package_field(file.path, what, value);
        if (version.empty()) throw std::runtime_error(file.path + ": package " + std::string(name) + " has no V: line");
        scan::Package package;
        package.type = "apk";
        package.name = name;
        package.version = version;
        // OSV's Alpine records name the origin (aports) package.
        package.source_name = origin.empty() ? name : origin;
        package.source_version = version;
        package.purl = purl::make("apk", "alpine", name, version,
                                  {{"arch", std::string(arch)},
                                   {"upstream", package.source_name != package.name ? package.source_name : ""}});
        package.location = file.path;
        // Alpine writes SPDX expressions ("MIT AND BSD-2-Clause"): one value.
        license::add_declared(package.licenses, license_field);
        budget.add(package_bytes(package) + sizeof(Entry) - sizeof(scan::Package));
        budget.add_view_map_entry();  // its own name among the providers
        entries.push_back({std::move(package), depends, provides});
    }
    resolve_dependencies(entries, budget);
    for (auto& entry : entries) facts.packages.push_back(std::move(entry.package));
}

}  // namespace regscan::catalog
