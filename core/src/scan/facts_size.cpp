#include "scan/facts_size.hpp"

#include "scan/layer_facts.hpp"

namespace regscan::scan {
namespace {

// A map node or vector slot with its std::string headers: about this much
// beyond the characters, whatever the content.
constexpr uint64_t per_entry = 128;
constexpr uint64_t per_string = 32;

uint64_t strings_bytes(const std::vector<std::string>& values) {
    uint64_t bytes = 0;
    for (const auto& value : values) bytes += per_string + value.size();
    return bytes;
}

uint64_t package_bytes(const Package& p) {
    return per_entry + p.type.size() + p.name.size() + p.version.size() + p.source_name.size() +
           p.source_version.size() + p.ecosystem.size() + p.purl.size() + p.location.size() + p.layer_digest.size() +
           strings_bytes(p.licenses) + strings_bytes(p.depends_on);
}

}  // namespace

uint64_t path_bytes(const std::string& path) { return per_string + path.size(); }

uint64_t file_facts_bytes(const std::string& path, const catalog::FileFacts& facts) {
    uint64_t bytes = per_entry + path.size() + facts.link.size() + facts.licensed_type.size() +
                     facts.licensed_package.size() + strings_bytes(facts.notes) + strings_bytes(facts.licenses);
    if (facts.os)
        bytes += facts.os->id.size() + facts.os->version_id.size() + facts.os->version_codename.size() +
                 facts.os->id_like.size() + facts.os->pretty_name.size();
    for (const auto& package : facts.packages) bytes += package_bytes(package);
    return bytes;
}

uint64_t findings_bytes(const std::string& path, const std::vector<Misconfiguration>& findings) {
    uint64_t bytes = per_entry + path.size();
    for (const auto& f : findings)
        bytes += per_entry + f.id.size() + f.title.size() + f.detail.size() + f.location.size();
    return bytes;
}

uint64_t layer_facts_bytes(const LayerFacts& facts) {
    uint64_t bytes = strings_bytes(facts.deleted) + strings_bytes(facts.opaque_dirs) + strings_bytes(facts.notes);
    for (const auto& [path, file] : facts.files) bytes += file_facts_bytes(path, file);
    for (const auto& [path, list] : facts.findings) bytes += findings_bytes(path, list);
    return bytes;
}

}  // namespace regscan::scan
