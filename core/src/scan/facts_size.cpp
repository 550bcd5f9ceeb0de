#include "scan/facts_size.hpp"

#include "catalog/file_budget.hpp"
#include "scan/layer_facts.hpp"
#include "util/memory_estimate.hpp"

namespace regscan::scan {
namespace {

constexpr uint64_t map_node = util::map_node_bytes;
using util::strings_bytes;

uint64_t heap(const std::string& value) { return util::heap_bytes(value); }

}  // namespace

uint64_t path_bytes(const std::string& path) { return sizeof(std::string) + heap(path); }

uint64_t file_facts_bytes(const std::string& path, const catalog::FileFacts& facts) {
    uint64_t bytes = map_node + sizeof(std::string) + sizeof(catalog::FileFacts) + heap(path) + heap(facts.link) +
                     heap(facts.licensed_type) + heap(facts.licensed_package) + strings_bytes(facts.notes) +
                     strings_bytes(facts.licenses);
    if (facts.os)
        bytes += heap(facts.os->id) + heap(facts.os->version_id) + heap(facts.os->version_codename) +
                 heap(facts.os->id_like) + heap(facts.os->pretty_name);
    for (const auto& package : facts.packages) bytes += catalog::package_bytes(package);
    return bytes;
}

uint64_t findings_bytes(const std::string& path, const std::vector<Misconfiguration>& findings) {
    uint64_t bytes = map_node + sizeof(std::string) + sizeof(findings) + heap(path);
    for (const auto& f : findings)
        bytes += sizeof(Misconfiguration) + heap(f.id) + heap(f.title) + heap(f.detail) + heap(f.location);
    return bytes;
}

uint64_t malware_bytes(const malware::LayerVerdict& verdict, size_t findings_from, size_t incomplete_from) {
    uint64_t bytes = 0;
    for (size_t i = findings_from; i < verdict.findings.size(); ++i) {
        const auto& f = verdict.findings[i];
        bytes += sizeof(f) + heap(f.path) + heap(f.engine) + heap(f.signature) + heap(f.sha256) + heap(f.archive) +
                 heap(f.sha256_of);
    }
    for (size_t i = incomplete_from; i < verdict.incomplete.size(); ++i)
        bytes += sizeof(verdict.incomplete[i]) + heap(verdict.incomplete[i].path) + heap(verdict.incomplete[i].reason);
    return bytes;
}

uint64_t layer_facts_bytes(const LayerFacts& facts) {
    uint64_t bytes = strings_bytes(facts.deleted) + strings_bytes(facts.opaque_dirs) + strings_bytes(facts.notes);
    for (const auto& [path, file] : facts.files) bytes += file_facts_bytes(path, file);
    for (const auto& [path, list] : facts.findings) bytes += findings_bytes(path, list);
    if (facts.malware)
        bytes += malware_bytes(*facts.malware, 0, 0) +
                 sizeof(uint64_t) * (facts.malware->paths.size() + facts.malware->non_directories.size());
    return bytes;
}

}  // namespace regscan::scan
