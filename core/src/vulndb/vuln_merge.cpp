#include "vulndb/vuln_merge.hpp"

#include <algorithm>
#include <map>
#include <numeric>
#include <set>
#include <tuple>

#include "versions/version_compare.hpp"
#include "vulndb/cvss.hpp"
#include "vulndb/ecosystem.hpp"

namespace regscan::vulndb {
namespace {

struct HomePrefixes {
    const char* ecosystem;
    std::vector<std::string> prefixes;  // best first
};

const std::vector<HomePrefixes>& home_databases() {
    static const std::vector<HomePrefixes> table = {
        {"debian", {"DSA", "DLA", "DTSA", "DEBIAN"}},
        {"ubuntu", {"USN", "UBUNTU"}},
        {"alpine", {"ALPINE"}},
        {"almalinux", {"ALSA", "ALBA", "ALEA"}},
        {"rocky linux", {"RLSA", "RLBA", "RLEA", "RXSA"}},
        {"red hat", {"RHSA", "RHBA", "RHEA"}},
        {"suse", {"SUSE"}},
        {"opensuse", {"openSUSE"}},
        {"wolfi", {"CGA"}},
        {"chainguard", {"CGA"}},
        {"pypi", {"PYSEC"}},
        {"go", {"GO"}},
        {"crates.io", {"RUSTSEC"}},
    };
    return table;
}

std::string prefix_of(const std::string& id) { return id.substr(0, id.find('-')); }

// Lower ranks first: (tier, position in the home list).
std::pair<int, int> rank(const std::string& id, const std::string& ecosystem_key_value) {
    std::string prefix = prefix_of(id);
    for (const auto& home : home_databases()) {
        if (ecosystem_key_value != home.ecosystem) continue;
        for (size_t i = 0; i < home.prefixes.size(); ++i)
            if (prefix == home.prefixes[i]) return {0, static_cast<int>(i)};
    }
    if (prefix == "GHSA") return {1, 0};
    if (prefix == "CVE") return {3, 0};
    return {2, 0};
}

struct UnionFind {
    explicit UnionFind(size_t n) : parent(n) { std::iota(parent.begin(), parent.end(), 0); }
    size_t find(size_t i) { return parent[i] == i ? i : parent[i] = find(parent[i]); }
    void join(size_t a, size_t b) { parent[find(a)] = find(b); }
    std::vector<size_t> parent;
};

int compare_versions(const std::string& ecosystem, const std::string& a, const std::string& b) {
    if (auto scheme = versions::scheme_for_ecosystem(ecosystem)) return versions::compare(*scheme, a, b);
    return a.compare(b);
}

scan::Vulnerability merge_group(const std::vector<const RecordHit*>& group, const MatchedPackage& package) {
    std::string key = ecosystem_key(package.ecosystem);
    const RecordHit* primary = *std::min_element(group.begin(), group.end(), [&](const RecordHit* a, const RecordHit* b) {
        return std::make_tuple(rank(a->id, key), a->id) < std::make_tuple(rank(b->id, key), b->id);
    });
    scan::Vulnerability v;
    v.id = primary->id;
    v.package_name = package.name;
    v.package_version = package.version;
    v.ecosystem = package.ecosystem;
    v.summary = primary->summary;

    std::set<std::string> aliases;
    std::set<std::string> seen_references;
    scan::Severity word_severity = scan::Severity::unknown;
    bool scored = false;
    for (const RecordHit* hit : group) {
        aliases.insert(hit->id);
        aliases.insert(hit->aliases.begin(), hit->aliases.end());
        if (v.summary.empty()) v.summary = hit->summary;
        for (const auto& url : hit->references)
            if (seen_references.insert(url).second) v.references.push_back(url);
        if (auto score = cvss3_base_score(hit->cvss_vector); score && (!scored || *score > v.cvss_score)) {
            scored = true;
            v.cvss_score = *score;
            v.cvss_vector = hit->cvss_vector;
        }
        word_severity = std::max(word_severity, severity_from_word(hit->severity_word));
        if (!hit->fixed_version.empty() &&
            (v.fixed_version.empty() || compare_versions(package.ecosystem, hit->fixed_version, v.fixed_version) > 0))
            v.fixed_version = hit->fixed_version;
    }
    aliases.erase(v.id);
    v.aliases.assign(aliases.begin(), aliases.end());
    v.severity = scored ? severity_for_score(v.cvss_score) : word_severity;
    return v;
}

}  // namespace

std::vector<scan::Vulnerability> merge_hits(const std::vector<RecordHit>& hits, const MatchedPackage& package) {
    UnionFind sets(hits.size());
    std::map<std::string, size_t> owner;  // an id -> the first hit that names it
    for (size_t i = 0; i < hits.size(); ++i) {
        auto claim = [&](const std::string& id) {
            auto [it, inserted] = owner.emplace(id, i);
            if (!inserted) sets.join(i, it->second);
        };
        claim(hits[i].id);
        for (const auto& alias : hits[i].aliases) claim(alias);
    }
    std::map<size_t, std::vector<const RecordHit*>> groups;
    for (size_t i = 0; i < hits.size(); ++i) groups[sets.find(i)].push_back(&hits[i]);
    std::vector<scan::Vulnerability> out;
    for (const auto& [root, group] : groups) out.push_back(merge_group(group, package));
    std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.id < b.id; });
    return out;
}

}  // namespace regscan::vulndb
