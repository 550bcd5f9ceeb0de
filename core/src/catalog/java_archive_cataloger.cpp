#include "catalog/java_archive_cataloger.hpp"

#include <archive.h>
#include <archive_entry.h>

#include <map>
#include <memory>
#include <stdexcept>

#include "catalog/file_budget.hpp"
#include "catalog/license.hpp"
#include "catalog/purl.hpp"
#include "catalog/text.hpp"
#include "util/memory_estimate.hpp"

namespace regscan::catalog {

namespace {

struct FreeArchive {
    void operator()(archive* a) const { archive_read_free(a); }
};

bool is_java_archive(std::string_view path) {
    return path.ends_with(".jar") || path.ends_with(".war") || path.ends_with(".ear");
}

// "META-INF/maven/<group>/<artifact>/pom.properties"
bool is_pom_properties(std::string_view name) {
    constexpr std::string_view prefix = "META-INF/maven/";
    return name.starts_with(prefix) && name.ends_with("/pom.properties");
}

// "META-INF/maven/<group>/<artifact>/pom.xml"
bool is_pom_xml(std::string_view name) {
    constexpr std::string_view prefix = "META-INF/maven/";
    return name.starts_with(prefix) && name.ends_with("/pom.xml");
}

// The directory of a pom entry: "META-INF/maven/<group>/<artifact>".
std::string_view pom_dir(std::string_view name) { return name.substr(0, name.rfind('/')); }

// XML's five entities decoded in one pass ("&amp;lt;" is "&lt;", text).
std::string decode_xml_entities(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    for (size_t i = 0; i < text.size(); ++i) {
        bool decoded = false;
        if (text[i] == '&')
            for (auto [entity, character] : {std::pair{"&amp;", '&'}, {"&lt;", '<'}, {"&gt;", '>'}, {"&quot;", '"'},
                                             {"&apos;", '\''}})
                if (text.substr(i).starts_with(entity)) {
                    out += character;
                    i += std::string_view(entity).size() - 1;
                    decoded = true;
                    break;
                }
        if (!decoded) out += text[i];
    }
    return out;
}

// The <name> of each <license> in a pom's <licenses> (the project's own, not
// a dependency's: dependencies declare none). XML's five entities decoded.
std::vector<std::string> pom_licenses(std::string_view pom) {
    std::vector<std::string> licenses;
    size_t start = pom.find("<licenses>");
    size_t end = pom.find("</licenses>", start);
    if (start == std::string_view::npos || end == std::string_view::npos) return licenses;
    std::string_view block = pom.substr(start, end - start);
    size_t at = 0;
    while ((at = block.find("<name>", at)) != std::string_view::npos) {
        at += 6;
        size_t close = block.find("</name>", at);
        if (close == std::string_view::npos) break;
        // Decoded, a longer name is past what add_declared keeps (an entity is at most 6 bytes for 1).
        if (auto raw = text::trim(block.substr(at, close - at)); raw.size() <= 6 * 200)
            license::add_declared(licenses, decode_xml_entities(raw));
        at = close;
    }
    return licenses;
}

struct Walk {
    FileFacts& facts;
    FileBudget budget;
    uint64_t nested_budget = max_file_size;  // bytes of nested archives read into memory

    // A note names a nested archive's whole path: counted as it is kept.
    void note(std::string text) {
        budget.add(sizeof(std::string) + util::heap_bytes(text));
        facts.notes.push_back(std::move(text));
    }
};

std::string error_of(archive* a) {
    const char* message = archive_error_string(a);
    return message ? message : "unreadable zip";
}

// MANIFEST.MF wraps lines at 72 bytes; a continuation starts with one space.
std::string unwrap_manifest(std::string_view manifest) {
    std::string out;
    out.reserve(manifest.size());
    while (!manifest.empty()) {
        std::string_view line = text::next_line(manifest);
        if (line.starts_with(' ') && !out.empty()) {
            out.pop_back();  // the previous line's '\n'
            out += line.substr(1);
        } else {
            out += line;
        }
        out += '\n';
    }
    return out;
}

std::string read_entry(archive* a, archive_entry* entry, uint64_t limit, const std::string& where) {
    int64_t size = archive_entry_size_is_set(entry) ? archive_entry_size(entry) : -1;
    if (size > static_cast<int64_t>(limit)) return {};
    std::string data;
    if (size > 0) data.reserve(static_cast<size_t>(size));
    char buffer[64 * 1024];
    for (;;) {
        la_ssize_t n = archive_read_data(a, buffer, sizeof buffer);
        if (n < 0) throw std::runtime_error(where + ": " + error_of(a));
        if (n == 0) break;
        if (data.size() + static_cast<size_t>(n) > limit) return {};
        data.append(buffer, static_cast<size_t>(n));
    }
    return data;
}

scan::Package maven_package(std::string_view properties, std::string_view entry_name, const std::string& location) {
    std::string group, artifact, version;
    text::for_each_field(properties, '=', [&](std::string_view key, std::string_view value) {
        if (key == "groupId") group = value;
        else if (key == "artifactId") artifact = value;
        else if (key == "version") version = value;
    });
    // The directory names say the same when a field is missing.
    std::string_view dirs = entry_name.substr(std::string_view("META-INF/maven/").size());
    dirs.remove_suffix(std::string_view("/pom.properties").size());
    size_t slash = dirs.find('/');
    if (group.empty() && slash != std::string_view::npos) group = dirs.substr(0, slash);
    if (artifact.empty() && slash != std::string_view::npos) artifact = dirs.substr(slash + 1);
    for (auto [what, value] : {std::pair{"groupId", &group}, {"artifactId", &artifact}, {"version", &version}})
        package_field(location, what, *value);

    scan::Package package;
    package.type = "java-archive";
    package.ecosystem = "Maven";
    package.name = group + ":" + artifact;
    package.version = version;
    package.purl = purl::make("maven", group, artifact, version);
    package.location = location;
    return package;
}

std::optional<scan::Package> manifest_package(std::string_view manifest, const std::string& location) {
    std::string title, version, symbolic_name, bundle_version;
    std::string unwrapped = unwrap_manifest(manifest);
    std::string_view main_section = unwrapped;
    main_section = text::next_paragraph(main_section);
    text::for_each_field(main_section, ':', [&](std::string_view key, std::string_view value) {
        if (key == "Implementation-Title") title = value;
        else if (key == "Implementation-Version") version = value;
        else if (key == "Bundle-SymbolicName") symbolic_name = value.substr(0, value.find(';'));
        else if (key == "Bundle-Version") bundle_version = value;
    });
    if (title.empty() || version.empty()) {
        title = symbolic_name;
        version = bundle_version;
    }
    if (title.empty() || version.empty()) return std::nullopt;
    package_field(location, "title", title);
    package_field(location, "version", version);
    scan::Package package;
    package.type = "java-archive";
    package.name = title;
    package.version = version;
    package.location = location;
    return package;
}

void walk_archive(std::string_view bytes, const std::string& location, int depth, Walk& walk) {
    std::unique_ptr<archive, FreeArchive> a(archive_read_new());
    archive_read_support_format_zip(a.get());
    if (archive_read_open_memory(a.get(), bytes.data(), bytes.size()) != ARCHIVE_OK) {
        throw std::runtime_error(location + ": not a zip archive: " + error_of(a.get()));
    }
    bool found_pom = false;
    std::string manifest;
    // pom.properties and pom.xml of one artifact may come in either order.
    std::map<std::string, size_t, std::less<>> package_of_dir;
    std::map<std::string, std::vector<std::string>, std::less<>> licenses_of_dir;
    archive_entry* entry = nullptr;
    int status = ARCHIVE_OK;
    while ((status = archive_read_next_header(a.get(), &entry)) == ARCHIVE_OK || status == ARCHIVE_WARN) {
        const char* raw_name = archive_entry_pathname(entry);
        if (!raw_name || archive_entry_filetype(entry) != AE_IFREG) continue;
        std::string_view name = raw_name;
        if (is_pom_properties(name)) {
            std::string properties = read_entry(a.get(), entry, 1024 * 1024, location + ":" + std::string(name));
            walk.facts.packages.push_back(maven_package(properties, name, location));
            walk.budget.add(walk.facts.packages.back());
            package_of_dir[std::string(pom_dir(name))] = walk.facts.packages.size() - 1;
            walk.budget.add(util::map_node_bytes + sizeof(std::string) + util::heap_bytes(name.size()) + 8);
            found_pom = true;
        } else if (is_pom_xml(name)) {
            std::string pom = read_entry(a.get(), entry, 1024 * 1024, location + ":" + std::string(name));
            auto& licenses = licenses_of_dir[std::string(pom_dir(name))] = pom_licenses(pom);
            walk.budget.add(util::map_node_bytes + sizeof(std::string) + util::heap_bytes(name.size()) +
                            util::strings_bytes(licenses));
        } else if (name == "META-INF/MANIFEST.MF") {
            manifest = read_entry(a.get(), entry, 1024 * 1024, location + ":" + std::string(name));
        } else if (is_java_archive(name)) {
            std::string nested_location = location + ":" + std::string(name);
            if (depth >= JavaArchiveCataloger::max_depth) {
                walk.note(nested_location + ": nested deeper than " +
                          std::to_string(JavaArchiveCataloger::max_depth) + " archives, not read");
                continue;
            }
            std::string nested = read_entry(a.get(), entry, walk.nested_budget, nested_location);
            if (nested.empty()) {
                walk.note(nested_location + ": nested archive over the size budget, not read");
                continue;
            }
            walk.nested_budget -= nested.size();
            try {
                walk_archive(nested, nested_location, depth + 1, walk);
            } catch (const std::runtime_error& error) {
                // One broken library does not hide the others.
                walk.note(error.what());
            }
        }
    }
    if (status != ARCHIVE_EOF) {
        throw std::runtime_error(location + ": " + error_of(a.get()));
    }
    for (const auto& [dir, licenses] : licenses_of_dir)
        if (auto it = package_of_dir.find(dir); it != package_of_dir.end()) {
            walk.facts.packages[it->second].licenses = licenses;
            walk.budget.add(util::strings_bytes(licenses));
        }
    if (!found_pom) {
        if (auto package = manifest_package(manifest, location)) {
            walk.facts.packages.push_back(std::move(*package));
            walk.budget.add(walk.facts.packages.back());
        }
    }
}

}  // namespace

bool JavaArchiveCataloger::wants(const FileInfo& file) const { return is_java_archive(file.path); }

void JavaArchiveCataloger::analyse(const FileInfo& file, std::string_view content, FileFacts& facts) const {
    Walk walk{facts, FileBudget(file)};
    walk_archive(content, file.path, 0, walk);
}

}  // namespace regscan::catalog
