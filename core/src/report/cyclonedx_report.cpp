#include "report/cyclonedx_report.hpp"

#include <openssl/rand.h>

#include <algorithm>
#include <cstdio>
#include <map>
#include <set>
#include <stdexcept>

#include "catalog/license.hpp"
#include "regscan/url.hpp"
#include "report/package_graph.hpp"
#include "report/per_image.hpp"
#include "report/report_file.hpp"
#include "scan/model_json.hpp"
#include "util/time.hpp"
#include "util/text.hpp"

namespace regscan::report {
namespace {

nlohmann::json property(const std::string& name, const std::string& value) {
    return {{"name", name}, {"value", value}};
}

// Hands out bom-refs and makes each unique: two images may hold the same
// purl, and one image may hold it twice (a jar nested in two places).
class BomRefs {
public:
    std::string claim(const std::string& wanted) {
        auto ref = wanted;
        for (int n = 2; !taken_.insert(ref).second; ++n) ref = wanted + "#" + std::to_string(n);
        return ref;
    }

private:
    std::set<std::string> taken_;
};

std::string package_ref_base(const std::string& image_ref, const scan::Package& p) {
    return image_ref + "|" + (p.purl.empty() ? p.type + "/" + p.name + "@" + p.version : p.purl);
}

// An advisory URL must be an IRI reference; OSV references are URLs, but a
// record may carry one with spaces or quotes that the schema would refuse.
bool usable_url(const std::string& url) {
    if (url.rfind("http://", 0) != 0 && url.rfind("https://", 0) != 0) return false;
    return url.find_first_of(" \t\r\n\"<>\\^`{|}") == std::string::npos;
}

bool package_matches(const scan::Package& p, const scan::Vulnerability& v) {
    if (!v.ecosystem.empty() && !p.ecosystem.empty() && v.ecosystem != p.ecosystem) return false;
    bool by_name = p.name == v.package_name;
    bool by_source = !p.source_name.empty() && p.source_name == v.package_name;
    if (!by_name && !by_source) return false;
    if (v.package_version.empty()) return true;
    if (by_name && p.version == v.package_version) return true;
    // Debian's OSV data names the source package and its version.
    auto source_version = p.source_version.empty() ? p.version : p.source_version;
    return (by_source || by_name) && source_version == v.package_version;
}

// One vulnerability id, merged over every image it was found in.
struct VulnerabilityEntry {
    scan::Vulnerability first;  // summary, rating and references come from the first finding
    scan::Severity severity = scan::Severity::unknown;
    double score = 0.0;
    std::string vector;
    std::vector<std::string> aliases;
    std::vector<std::string> references;
    std::vector<std::string> recommendations;
    std::vector<std::string> statuses;  // scan::status_of() of each finding, once each
    nlohmann::json affects = nlohmann::json::array();
    std::set<std::string> affected_refs;
};

void add_unique(std::vector<std::string>& list, const std::string& value) {
    if (!value.empty() && std::find(list.begin(), list.end(), value) == list.end()) list.push_back(value);
}

nlohmann::json vulnerability_json(const std::string& id, const VulnerabilityEntry& entry) {
    nlohmann::json source = {{"name", "OSV"}, {"url", osv_uri(id)}};
    nlohmann::json rating = {{"source", source}, {"severity", scan::to_string(entry.severity)},
                             {"method", cyclonedx_score_method(entry.vector)}};
    if (entry.score > 0) rating["score"] = entry.score;
    if (!entry.vector.empty()) rating["vector"] = entry.vector;
    nlohmann::json out = {{"bom-ref", "vulnerability:" + id}, {"id", id}, {"source", source}, {"ratings", {rating}}};
    if (!entry.aliases.empty()) {
        auto references = nlohmann::json::array();
        for (const auto& alias : entry.aliases)
            references.push_back({{"id", alias}, {"source", {{"name", "OSV"}, {"url", osv_uri(alias)}}}});
        out["references"] = references;
    }
    if (!entry.first.summary.empty()) out["description"] = entry.first.summary;
    if (!entry.recommendations.empty()) {
        std::string text;
        for (const auto& r : entry.recommendations) text += (text.empty() ? "" : "; ") + r;
        out["recommendation"] = text;
    }
    auto advisories = nlohmann::json::array();
    for (const auto& url : entry.references)
        if (usable_url(url)) advisories.push_back({{"url", url}});
    if (!advisories.empty()) out["advisories"] = advisories;
    out["affects"] = entry.affects;
    // CycloneDX has no field for a distribution's "will not fix" outside a
    // VEX analysis, which would claim a triage nobody made.
    auto properties = nlohmann::json::array();
    for (const auto& status : entry.statuses) properties.push_back(property("regscan:status", status));
    if (!properties.empty()) out["properties"] = properties;
    return out;
}

// CycloneDX 1.5 takes either license objects (an SPDX id, else a name) or
// one SPDX expression, never both: an expression when the package declares
// one of several terms ("MIT OR Apache-2.0"), all declared licenses joined
// with AND (unknown ones as LicenseRef-) when it declares more besides.
nlohmann::json cyclonedx_licenses(const std::vector<std::string>& declared) {
    auto list = nlohmann::json::array();
    bool compound = false;
    for (const auto& name : declared) {
        auto expression = catalog::license::spdx_expression(name);
        if (!expression.empty() && expression.find(' ') != std::string::npos) compound = true;
    }
    if (compound) {
        std::string joined;
        for (const auto& name : declared) {
            auto term = catalog::license::spdx_expression(name);
            if (term.empty()) term = catalog::license::license_ref(name);
            if (term.find(' ') != std::string::npos && declared.size() > 1) term = "(" + term + ")";
            joined += (joined.empty() ? "" : " AND ") + term;
        }
        list.push_back({{"expression", joined}});
        return list;
    }
    for (const auto& name : declared) {
        auto id = catalog::license::spdx_id(name);
        list.push_back({{"license", id.empty() ? nlohmann::json{{"name", name}} : nlohmann::json{{"id", id}}}});
    }
    return list;
}

nlohmann::json image_component(const scan::ImageResult& image, const std::string& ref, BomRefs& refs,
                               std::vector<std::pair<std::string, const scan::Package*>>& package_refs) {
    nlohmann::json component = {{"type", "container"},
                                {"bom-ref", ref},
                                {"name", image.registry.empty() ? image.repository : image.registry + "/" + image.repository}};
    if (!image.tag.empty()) component["version"] = image.tag;
    if (!image.digest.empty()) component["purl"] = oci_purl(image);
    if (image.digest.rfind("sha256:", 0) == 0 && image.digest.size() == 7 + 64)
        component["hashes"] = {{{"alg", "SHA-256"}, {"content", image.digest.substr(7)}}};
    auto properties = nlohmann::json::array();
    if (!image.digest.empty()) properties.push_back(property("regscan:digest", image.digest));
    if (!image.platform.empty()) properties.push_back(property("regscan:platform", image.platform));
    if (!image.build_time.empty()) properties.push_back(property("regscan:build_time", image.build_time));
    properties.push_back(property("regscan:status", scan::to_string(image.status)));
    if (!image.error.empty()) properties.push_back(property("regscan:error", image.error));
    for (const auto& m : image.misconfigurations)
        if (!m.suppressed)
            properties.push_back(property("regscan:misconfiguration",
                                      m.id + " " + scan::to_string(m.severity) + " " + m.location + ": " + m.title));
    for (const auto& note : image.notes) properties.push_back(property("regscan:note", note));
    // Properties, not annotations or vulnerabilities: CycloneDX 1.5 has no
    // malware object (docs/report-schema.md says why the others do not fit).
    if (image.malware.requested()) {
        properties.push_back(property("regscan:malware_verdict", scan::to_string(image.malware.verdict)));
        if (image.malware.verdict == scan::MalwareVerdict::not_scanned)
            properties.push_back(property("regscan:malware_reason", image.malware.reason));
        if (!image.malware.signatures.empty())
            properties.push_back(property("regscan:malware_signatures", image.malware.signatures));
    }
    for (const auto& f : image.malware.findings)
        if (!f.suppressed)  // triage: listed in the JSON report only
            properties.push_back(property(
                "regscan:malware", f.engine + " " + f.signature + " " + f.path + " layer=" + f.layer_digest +
                                       " sha256=" + f.sha256 + " in_final_filesystem=" +
                                       (f.in_final_filesystem ? "true" : "false")));
    for (const auto& i : image.malware.incomplete)
        properties.push_back(
            property("regscan:malware_incomplete", i.path + " layer=" + i.layer_digest + ": " + i.reason));
    component["properties"] = properties;

    auto nested = nlohmann::json::array();
    if (image.os) {
        nlohmann::json os = {{"type", "operating-system"},
                             {"bom-ref", refs.claim(ref + "|os")},
                             {"name", image.os->id.empty() ? std::string("unknown") : image.os->id}};
        if (!image.os->version_id.empty()) os["version"] = image.os->version_id;
        if (!image.os->pretty_name.empty()) os["description"] = image.os->pretty_name;
        nested.push_back(os);
    }
    for (const auto& p : image.packages) {
        auto package_ref = refs.claim(package_ref_base(ref, p));
        package_refs.emplace_back(package_ref, &p);
        nlohmann::json package = {{"type", "library"}, {"bom-ref", package_ref}, {"name", p.name}};
        if (!p.version.empty()) package["version"] = p.version;
        if (!p.purl.empty()) package["purl"] = p.purl;
        if (!p.licenses.empty()) package["licenses"] = cyclonedx_licenses(p.licenses);
        auto package_properties = nlohmann::json::array();
        if (!p.type.empty()) package_properties.push_back(property("regscan:package_type", p.type));
        if (!p.ecosystem.empty()) package_properties.push_back(property("regscan:ecosystem", p.ecosystem));
        if (!p.source_name.empty()) package_properties.push_back(property("regscan:source_name", p.source_name));
        if (!p.source_version.empty()) package_properties.push_back(property("regscan:source_version", p.source_version));
        if (!p.location.empty()) package_properties.push_back(property("regscan:location", p.location));
        if (!p.layer_digest.empty()) package_properties.push_back(property("regscan:layer_digest", p.layer_digest));
        if (!package_properties.empty()) package["properties"] = package_properties;
        nested.push_back(package);
    }
    if (!nested.empty()) component["components"] = nested;
    return component;
}

// The image depends on each of its packages; each package on those its data
// names that the image holds.
void add_dependencies(const std::string& image_ref, const std::vector<scan::Package>& packages,
                      const std::vector<std::pair<std::string, const scan::Package*>>& package_refs,
                      nlohmann::json& dependencies) {
    auto all = nlohmann::json::array();
    for (const auto& [ref, package] : package_refs) all.push_back(ref);
    dependencies.push_back({{"ref", image_ref}, {"dependsOn", all}});
    auto graph = package_dependencies(packages);
    for (size_t i = 0; i < package_refs.size() && i < graph.size(); ++i) {
        // Only what the package data told: no entry is not "depends on nothing".
        if (graph[i].empty()) continue;
        auto depends_on = nlohmann::json::array();
        for (size_t j : graph[i]) depends_on.push_back(package_refs[j].first);
        dependencies.push_back({{"ref", package_refs[i].first}, {"dependsOn", depends_on}});
    }
}

std::string timestamp(const sdk::ReportRun& run, const nlohmann::json& summary) {
    if (summary.is_object() && summary.value("finished", nlohmann::json()).is_string()) {
        auto finished = summary["finished"].get<std::string>();
        if (auto time = util::parse_rfc3339(finished)) return util::format_utc(*time);
    }
    if (auto time = util::parse_rfc3339(run.started)) return util::format_utc(*time);
    return util::now_utc();
}

}  // namespace

std::string random_uuid_urn() {
    unsigned char bytes[16];
    if (RAND_bytes(bytes, sizeof bytes) != 1) throw std::runtime_error("OpenSSL RAND_bytes failed");
    bytes[6] = static_cast<unsigned char>((bytes[6] & 0x0f) | 0x40);  // version 4
    bytes[8] = static_cast<unsigned char>((bytes[8] & 0x3f) | 0x80);  // RFC 4122 variant
    char text[37];
    std::snprintf(text, sizeof text, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", bytes[0],
                  bytes[1], bytes[2], bytes[3], bytes[4], bytes[5], bytes[6], bytes[7], bytes[8], bytes[9], bytes[10],
                  bytes[11], bytes[12], bytes[13], bytes[14], bytes[15]);
    return std::string("urn:uuid:") + text;
}

std::string cyclonedx_score_method(const std::string& vector) {
    if (vector.rfind("CVSS:3.1/", 0) == 0) return "CVSSv31";
    if (vector.rfind("CVSS:3.0/", 0) == 0) return "CVSSv3";
    if (vector.rfind("CVSS:4.0/", 0) == 0) return "CVSSv4";
    if (vector.rfind("AV:", 0) == 0 || vector.rfind("(AV:", 0) == 0) return "CVSSv2";
    return "other";
}

std::string oci_purl(const scan::ImageResult& image) {
    auto slash = image.repository.rfind('/');
    auto name = slash == std::string::npos ? image.repository : image.repository.substr(slash + 1);
    auto purl = "pkg:oci/" + percent_encode(util::ascii_lower(name)) + "@" + percent_encode(image.digest);
    std::vector<std::pair<std::string, std::string>> qualifiers;  // purl-spec: sorted by key
    if (!image.platform.empty()) {
        auto parts = image.platform;
        auto first = parts.find('/');
        if (first != std::string::npos) qualifiers.emplace_back("arch", parts.substr(first + 1));
    }
    auto repository_url = image.registry.empty() ? image.repository : image.registry + "/" + image.repository;
    qualifiers.emplace_back("repository_url", repository_url);
    if (!image.tag.empty()) qualifiers.emplace_back("tag", image.tag);
    for (size_t i = 0; i < qualifiers.size(); ++i)
        purl += (i ? "&" : "?") + qualifiers[i].first + "=" + percent_encode(qualifiers[i].second, "/:");
    return purl;
}

struct CycloneDxReport::Findings {
    BomRefs image_refs;
    std::map<std::string, VulnerabilityEntry> vulnerabilities;  // by id, so the list does not follow scan order
    nlohmann::json dependencies = nlohmann::json::array();
    std::vector<std::string> image_refs_seen;  // what the registry depends on
};

CycloneDxReport::CycloneDxReport(const sdk::ReportRun& run, bool per_image)
    : run_(run), path_(report_path(run, "-report.cdx.json")), components_(path_), findings_(std::make_unique<Findings>()),
      per_image_(per_image) {}

CycloneDxReport::~CycloneDxReport() = default;

namespace {

void add_vulnerabilities(std::map<std::string, VulnerabilityEntry>& vulnerabilities, const scan::ImageResult& image,
                         const std::string& ref, const std::vector<std::pair<std::string, const scan::Package*>>& package_refs) {
    for (const auto& v : image.vulnerabilities) {
        if (v.suppressed) continue;  // triage: listed in the JSON report only
        auto [it, fresh] = vulnerabilities.try_emplace(v.id);
        auto& entry = it->second;
        if (fresh) entry.first = v;
        entry.severity = std::max(entry.severity, v.severity);
        if (v.cvss_score > entry.score) {
            entry.score = v.cvss_score;
            entry.vector = v.cvss_vector;
        } else if (entry.vector.empty()) {
            entry.vector = v.cvss_vector;
        }
        for (const auto& alias : v.aliases) add_unique(entry.aliases, alias);
        for (const auto& url : v.references) add_unique(entry.references, url);
        if (!v.fixed_version.empty()) add_unique(entry.recommendations, "upgrade " + v.package_name + " to " + v.fixed_version);
        add_unique(entry.statuses, scan::status_of(v));

        std::vector<std::string> affected;
        for (const auto& [package_ref, package] : package_refs)
            if (package_matches(*package, v)) affected.push_back(package_ref);
        if (affected.empty()) affected.push_back(ref);  // the package list did not name it: the image is affected
        for (const auto& affected_ref : affected) {
            if (!entry.affected_refs.insert(affected_ref).second) continue;
            auto versions = nlohmann::json::array();
            if (!v.package_version.empty()) versions.push_back({{"version", v.package_version}, {"status", "affected"}});
            if (!v.fixed_version.empty()) versions.push_back({{"version", v.fixed_version}, {"status", "unaffected"}});
            nlohmann::json affect = {{"ref", affected_ref}};
            if (!versions.empty()) affect["versions"] = versions;
            entry.affects.push_back(affect);
        }
    }
}

nlohmann::json vulnerability_list(std::map<std::string, VulnerabilityEntry>& vulnerabilities) {
    auto list = nlohmann::json::array();
    for (auto& [id, entry] : vulnerabilities) {
        // Images arrive in the order their scans finish: sort what they add.
        std::sort(entry.recommendations.begin(), entry.recommendations.end());
        std::sort(entry.statuses.begin(), entry.statuses.end());
        std::stable_sort(entry.affects.begin(), entry.affects.end(),
                         [](const auto& a, const auto& b) { return a["ref"] < b["ref"]; });
        list.push_back(vulnerability_json(id, entry));
    }
    return list;
}

}  // namespace

void CycloneDxReport::result(const scan::ImageResult& image) {
    auto ref = findings_->image_refs.claim("image:" + image_reference(image) +
                                           (image.digest.empty() ? "" : "@" + image.digest) +
                                           (image.platform.empty() ? "" : "?platform=" + image.platform));
    // Package refs start with the image's own, so they are unique across
    // images as long as they are unique within this one.
    BomRefs refs;
    std::vector<std::pair<std::string, const scan::Package*>> package_refs;
    auto component = image_component(image, ref, refs, package_refs);
    if (per_image_) {
        write_image_bom(image, ref, std::move(component), package_refs);
        return;
    }
    components_.add(image_sort_key(image), component);
    findings_->image_refs_seen.push_back(ref);
    add_dependencies(ref, image.packages, package_refs, findings_->dependencies);
    add_vulnerabilities(findings_->vulnerabilities, image, ref, package_refs);
}

// --sbom-per-image: the image is the BOM's subject (metadata.component), its
// OS and packages the components.
void CycloneDxReport::write_image_bom(const scan::ImageResult& image, const std::string& ref, nlohmann::json component,
                                      const std::vector<std::pair<std::string, const scan::Package*>>& package_refs) {
    auto nested = component.contains("components") ? component["components"] : nlohmann::json::array();
    component.erase("components");
    auto dependencies = nlohmann::json::array();
    add_dependencies(ref, image.packages, package_refs, dependencies);
    std::map<std::string, VulnerabilityEntry> vulnerabilities;
    add_vulnerabilities(vulnerabilities, image, ref, package_refs);
    auto bom = bom_header(nlohmann::json::object(), component);
    bom["components"] = nested;
    bom["dependencies"] = dependencies;
    auto list = vulnerability_list(vulnerabilities);
    if (!list.empty()) bom["vulnerabilities"] = list;
    auto path = per_image_path(run_, image, ".cdx.json");
    write_file_atomically(path, [&](std::ostream& out) { out << dump_json(bom); });
    written_.push_back(path.string());
}

nlohmann::json CycloneDxReport::bom_header(const nlohmann::json& summary, nlohmann::json subject) const {
    if (subject.is_null()) {
        auto registry = sdk::parse_url(run_.registry).authority();
        subject = {{"type", "platform"}, {"bom-ref", "registry:" + registry}, {"name", registry}};
        auto registry_url = registry_without_credentials(run_.registry);
        if (!registry_url.empty() && usable_url(registry_url))
            subject["externalReferences"] = {{{"type", "distribution"}, {"url", registry_url}}};
    }
    nlohmann::json metadata = {
        {"timestamp", timestamp(run_, summary)},
        {"tools",
         {{"components",
           {{{"type", "application"},
             {"name", tool_name},
             {"version", tool_version()},
             {"externalReferences", {{{"type", "website"}, {"url", tool_information_uri}}}}}}}}},
        {"component", subject},
        {"properties", {property("regscan:mode", run_.mode)}}};
    for (const auto& [name, value] : vulnerability_data_properties(summary))
        metadata["properties"].push_back(property("regscan:vulnerability_data:" + name, value));
    for (const auto& failure : failed_repositories(summary))
        metadata["properties"].push_back(property("regscan:failed_repository", failure.repository +
                                                                                   (failure.error.empty() ? "" : ": " + failure.error)));
    if (auto stopped = stopped_run_note(summary); !stopped.empty())
        metadata["properties"].push_back(property("regscan:stopped", stopped));
    return {{"$schema", "http://cyclonedx.org/schema/bom-1.5.schema.json"},
            {"bomFormat", "CycloneDX"},
            {"specVersion", "1.5"},
            {"serialNumber", random_uuid_urn()},
            {"version", 1},
            {"metadata", metadata}};
}

std::vector<std::string> CycloneDxReport::finish(const nlohmann::json& summary) {
    if (per_image_) return written_;
    auto bom = bom_header(summary, nullptr);
    // The registry holds the images; each image its packages. Sorted by ref:
    // images arrive in the order their scans finish.
    auto& own = findings_->dependencies;
    std::stable_sort(own.begin(), own.end(), [](const auto& a, const auto& b) { return a["ref"] < b["ref"]; });
    std::sort(findings_->image_refs_seen.begin(), findings_->image_refs_seen.end());
    auto images = nlohmann::json(findings_->image_refs_seen);
    auto dependencies = nlohmann::json::array();
    dependencies.push_back({{"ref", bom["metadata"]["component"]["bom-ref"]}, {"dependsOn", images}});
    for (auto& dependency : findings_->dependencies) dependencies.push_back(std::move(dependency));
    bom["dependencies"] = dependencies;
    auto list = vulnerability_list(findings_->vulnerabilities);
    if (!list.empty()) bom["vulnerabilities"] = list;
    write_file_atomically(path_, [&](std::ostream& out) { components_.write_document(out, bom, "components"); });
    return {path_.string()};
}

}  // namespace regscan::report
