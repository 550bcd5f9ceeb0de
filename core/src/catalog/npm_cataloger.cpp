#include "catalog/npm_cataloger.hpp"

#include <nlohmann/json.hpp>

#include <set>
#include <stdexcept>

#include "catalog/file_budget.hpp"
#include "catalog/license.hpp"
#include "catalog/npm_document.hpp"
#include "catalog/purl.hpp"
#include "util/memory_estimate.hpp"

namespace regscan::catalog {

namespace {

using nlohmann::json;

constexpr std::string_view node_modules = "/node_modules/";

// ".../node_modules/<name>/package.json" or ".../node_modules/@scope/<name>/package.json";
// deeper package.json files are a package's own sub-manifests.
bool is_installed_manifest(std::string_view path) {
    if (!path.ends_with("/package.json")) return false;
    size_t at = path.rfind(node_modules);
    if (at == std::string_view::npos) return false;
    std::string_view rest = path.substr(at + node_modules.size());
    rest.remove_suffix(std::string_view("/package.json").size());
    if (rest.empty()) return false;
    size_t slash = rest.find('/');
    if (slash == std::string_view::npos) return rest.front() != '@' && rest.front() != '.';
    return rest.front() == '@' && rest.find('/', slash + 1) == std::string_view::npos && slash + 1 < rest.size();
}

std::string string_field(const json& object, const char* key) {
    auto it = object.find(key);
    return it != object.end() && it->is_string() ? it->get<std::string>() : std::string();
}

// "license": "MIT" or {"type": "MIT"}; the older "licenses": [{"type": ...}, "..."].
std::vector<std::string> declared_licenses(const json& manifest) {
    std::vector<std::string> licenses;
    auto take = [&](const json& value) {
        if (value.is_string()) license::add_declared(licenses, value.get<std::string>());
        else if (value.is_object()) license::add_declared(licenses, string_field(value, "type"));
    };
    if (auto it = manifest.find("license"); it != manifest.end()) take(*it);
    if (auto it = manifest.find("licenses"); it != manifest.end() && it->is_array())
        for (const auto& item : *it) take(item);
    return licenses;
}

// The names under "dependencies" (what the package needs at run time).
std::vector<std::string> dependency_names(const json& manifest) {
    std::vector<std::string> names;
    if (auto it = manifest.find("dependencies"); it != manifest.end() && it->is_object())
        for (const auto& [name, spec] : it->items())
            if (!name.empty() && names.size() < 10000) names.push_back(name);
    return names;
}

class Collector {
public:
    Collector(const std::string& location, FileFacts& facts, FileBudget& budget)
        : location_(location), facts_(facts), budget_(budget) {}

    void add(std::string name, std::string version, const json* manifest = nullptr) {
        if (name.empty() || version.empty()) return;
        package_field(location_, "name", name);
        package_field(location_, "version", version);
        if (!seen_.insert(name + '@' + version).second) return;
        scan::Package package;
        package.type = "npm";
        package.ecosystem = "npm";
        size_t slash = name.find('/');
        bool scoped = name.front() == '@' && slash != std::string::npos;
        package.purl = purl::make("npm", scoped ? std::string_view(name).substr(0, slash) : std::string_view(),
                                  scoped ? std::string_view(name).substr(slash + 1) : std::string_view(name), version);
        package.name = std::move(name);
        package.version = std::move(version);
        package.location = location_;
        if (manifest) {
            package.licenses = declared_licenses(*manifest);
            package.depends_on = dependency_names(*manifest);
        }
        budget_.add(package_bytes(package) + util::map_node_bytes + sizeof(std::string) +
                    util::heap_bytes(package.name.size() + package.version.size() + 1));  // and in seen_
        facts_.packages.push_back(std::move(package));
    }

private:
    const std::string& location_;
    FileFacts& facts_;
    FileBudget& budget_;
    std::set<std::string> seen_;
};

// lockfileVersion 2 and 3: "packages" keyed by install path.
void read_packages_map(const json& packages, Collector& collector) {
    constexpr std::string_view marker = "node_modules/";
    for (const auto& [key, entry] : packages.items()) {
        size_t at = key.rfind(marker);
        // "" is the project itself, other keys without node_modules/ are workspaces.
        if (at == std::string::npos || !entry.is_object()) continue;
        if (entry.value("link", false)) continue;  // the target has its own entry
        std::string name = string_field(entry, "name");
        if (name.empty()) name = key.substr(at + marker.size());
        collector.add(std::move(name), string_field(entry, "version"), &entry);
    }
}

// lockfileVersion 1: a "dependencies" tree keyed by name.
void read_dependencies_tree(const json& dependencies, Collector& collector, int depth) {
    if (depth > 64) throw std::runtime_error("dependencies nested deeper than 64");
    for (const auto& [name, entry] : dependencies.items()) {
        if (!entry.is_object()) continue;
        std::string version = string_field(entry, "version");
        std::string real_name = name;
        if (version.starts_with("npm:")) {
            // An alias: "npm:<real name>@<version>".
            size_t at = version.rfind('@');
            if (at != std::string::npos && at > 4) {
                real_name = version.substr(4, at - 4);
                version = version.substr(at + 1);
            }
        }
        // git, file and URL dependencies have no registry version to match.
        if (version.find(':') == std::string::npos) collector.add(real_name, version);
        if (auto nested = entry.find("dependencies"); nested != entry.end() && nested->is_object()) {
            read_dependencies_tree(*nested, collector, depth + 1);
        }
    }
}

json parse_json(const FileInfo& file, std::string_view content, FileBudget& budget) {
    json document = parse_npm_document(
        content, file.path.ends_with("/package.json") ? NpmDocument::manifest : NpmDocument::lockfile, budget);
    if (document.is_discarded() || !document.is_object()) {
        throw std::runtime_error(file.path + ": not a JSON object");
    }
    return document;
}

}  // namespace

bool NpmCataloger::wants(const FileInfo& file) const {
    std::string_view path = file.path;
    if (path.ends_with("/package-lock.json")) return path.find(node_modules) == std::string_view::npos;
    return is_installed_manifest(path);
}

void NpmCataloger::analyse(const FileInfo& file, std::string_view content, FileFacts& facts) const {
    FileBudget budget(file);
    json document = parse_json(file, content, budget);
    Collector collector(file.path, facts, budget);
    if (file.path.ends_with("/package.json")) {
        collector.add(string_field(document, "name"), string_field(document, "version"), &document);
        return;
    }
    if (auto packages = document.find("packages"); packages != document.end() && packages->is_object()) {
        read_packages_map(*packages, collector);
    } else if (auto dependencies = document.find("dependencies");
               dependencies != document.end() && dependencies->is_object()) {
        read_dependencies_tree(*dependencies, collector, 0);
    }
}

}  // namespace regscan::catalog
