#include "catalog/dpkg_cataloger.hpp"

#include <algorithm>
#include <iterator>
#include <map>
#include <set>
#include <stdexcept>

#include "catalog/file_budget.hpp"
#include "catalog/license.hpp"
#include "catalog/purl.hpp"
#include "catalog/text.hpp"
#include "catalog/unique_names.hpp"
#include "util/memory_estimate.hpp"

namespace regscan::catalog {

namespace {

constexpr std::string_view status_file = "/var/lib/dpkg/status";
constexpr std::string_view status_dir = "/var/lib/dpkg/status.d/";
constexpr std::string_view doc_dir = "/usr/share/doc/";

// "/usr/share/doc/<package>/copyright" -> "<package>"; "" for other paths.
std::string_view copyright_package(std::string_view path) {
    if (!path.starts_with(doc_dir) || !path.ends_with("/copyright")) return {};
    std::string_view name = path.substr(doc_dir.size(), path.size() - doc_dir.size() - std::string_view("/copyright").size());
    return name.find('/') == std::string_view::npos ? name : std::string_view();
}

// "Status: want eflag status". Files are on disk in every state but these
// two (a removed package keeps only its conffiles in "config-files").
bool files_present(std::string_view status) {
    size_t last_space = status.rfind(' ');
    std::string_view state = last_space == std::string_view::npos ? status : status.substr(last_space + 1);
    return state != "not-installed" && state != "config-files";
}

struct Paragraph {
    std::string_view package, version, source, architecture, status, depends, pre_depends, provides;
    bool has_status = false;
};

Paragraph read_paragraph(std::string_view text) {
    Paragraph p;
    text::for_each_field(text, ':', [&](std::string_view key, std::string_view value) {
        if (key == "Package") p.package = value;
        else if (key == "Version") p.version = value;
        else if (key == "Source") p.source = value;
        else if (key == "Architecture") p.architecture = value;
        else if (key == "Depends") p.depends = value;
        else if (key == "Pre-Depends") p.pre_depends = value;
        else if (key == "Provides") p.provides = value;
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
    // The source package as Syft, Grype and Dependency-Track read it back:
    // "upstream=glibc", "upstream=glibc@2.36-9" when its version differs.
    std::string upstream;
    if (package.source_name != package.name || package.source_version != package.version) {
        upstream = package.source_name;
        if (package.source_version != package.version) upstream += "@" + package.source_version;
    }
    package.purl = purl::make("deb", "debian", p.package, p.version,
                              {{"arch", std::string(p.architecture)}, {"upstream", upstream}});
    package.location = location;
    return package;
}

// "libc6 (>= 2.34), libgcc-s1 | libgcc1, python3:any": each group's
// alternatives, names only (no version, no architecture qualifier), handed
// to `each` one group at a time: a field may be megabytes long.
template <typename Each>
void for_each_relation_group(std::string_view field, Each each) {
    std::vector<std::string_view> alternatives;
    while (!field.empty()) {
        size_t comma = field.find(',');
        std::string_view group = field.substr(0, comma);
        field = comma == std::string_view::npos ? std::string_view() : field.substr(comma + 1);
        alternatives.clear();
        while (!group.empty()) {
            size_t bar = group.find('|');
            std::string_view name = text::trim(group.substr(0, bar));
            group = bar == std::string_view::npos ? std::string_view() : group.substr(bar + 1);
            name = name.substr(0, name.find_first_of(" (:[<"));
            // Real groups name a few; a hostile one millions, each a view held here.
            if (!name.empty() && alternatives.size() < 64) alternatives.push_back(name);
        }
        if (!alternatives.empty()) each(alternatives);
    }
}

// Each dependency group resolved to the installed package that satisfies it
// (by name, else by Provides) when the file lists it; the first alternative
// when the file does not know (distroless status.d holds one package a file).
void resolve_dependencies(const std::vector<Paragraph>& paragraphs, std::vector<scan::Package>& packages,
                          FileBudget& budget) {
    std::set<std::string_view> installed;
    std::map<std::string_view, std::string_view> provided_by;
    for (const auto& p : paragraphs) installed.emplace(p.package);
    for (const auto& p : paragraphs)
        for_each_relation_group(p.provides, [&](const std::vector<std::string_view>& group) {
            if (provided_by.emplace(group.front(), p.package).second) budget.add_view_map_entry();
        });
    bool whole_database = paragraphs.size() > 1;
    for (size_t i = 0; i < paragraphs.size(); ++i) {
        UniqueNames depends_on(packages[i].depends_on, budget);
        for (std::string_view field : {paragraphs[i].pre_depends, paragraphs[i].depends}) {
            for_each_relation_group(field, [&](const std::vector<std::string_view>& group) {
                std::string_view chosen;
                for (const auto& name : group) {
                    if (installed.contains(name)) chosen = name;
                    else if (auto it = provided_by.find(name); it != provided_by.end()) chosen = it->second;
                    if (!chosen.empty()) break;
                }
                if (chosen.empty() && !whole_database) chosen = group.front();
                if (chosen.empty() || chosen == packages[i].name) return;
                depends_on.add(std::string(chosen));
            });
        }
    }
}

}  // namespace

bool DpkgCataloger::wants(const FileInfo& file) const {
    std::string_view path = file.path;
    if (path == status_file) return true;
    if (!copyright_package(path).empty()) return true;
    if (!path.starts_with(status_dir)) return false;
    std::string_view entry = path.substr(status_dir.size());
    return !entry.empty() && entry.find('/') == std::string_view::npos && !entry.ends_with(".md5sums");
}

void DpkgCataloger::analyse(const FileInfo& file, std::string_view content, FileFacts& facts) const {
    if (std::string_view name = copyright_package(file.path); !name.empty()) {
        facts.licensed_type = "deb";
        facts.licensed_package = name;
        facts.licenses = license::debian_copyright_licenses(content);
        return;
    }
    bool distroless = file.path != status_file;
    FileBudget budget(file);
    size_t paragraphs = 0;
    std::vector<Paragraph> kept;
    size_t first_new = facts.packages.size();
    while (!content.empty()) {
        std::string_view text = text::next_paragraph(content);
        if (text.empty()) break;
        ++paragraphs;
        Paragraph p = read_paragraph(text);
        if (p.package.empty()) continue;
        for (auto [what, value] : {std::pair{"name", p.package}, {"version", p.version}, {"source", p.source},
                                   {"architecture", p.architecture}})
            package_field(file.path, what, value);
        if (p.version.empty()) {
            // Purged packages keep a paragraph with no version in status.
            if (p.has_status && !files_present(p.status)) continue;
            throw std::runtime_error(file.path + ": package " + std::string(p.package) + " has no Version");
        }
        if (p.has_status ? !files_present(p.status) : !distroless) continue;
        facts.packages.push_back(to_package(p, file.path));
        budget.add(facts.packages.back());
        budget.add(sizeof(Paragraph) + util::map_node_bytes);  // kept, and among the installed
        kept.push_back(p);
    }
    std::vector<scan::Package> mine(std::make_move_iterator(facts.packages.begin() + static_cast<std::ptrdiff_t>(first_new)),
                                    std::make_move_iterator(facts.packages.end()));
    facts.packages.resize(first_new);
    resolve_dependencies(kept, mine, budget);
    for (auto& package : mine) facts.packages.push_back(std::move(package));
    if (paragraphs > 0 && facts.packages.empty() && distroless) {
        throw std::runtime_error(file.path + ": no Package paragraph");
    }
}

}  // namespace regscan::catalog
