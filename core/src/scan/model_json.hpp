// JSON shapes of the scan model: the JSON report (docs/report-schema.md), the
// state store and reporter plugins all use these.
#pragma once

#include <nlohmann/json.hpp>

#include "scan/model.hpp"

namespace regscan::scan {

inline void to_json(nlohmann::json& j, const OsRelease& o) {
    j = {{"id", o.id}, {"version_id", o.version_id}, {"version_codename", o.version_codename},
         {"id_like", o.id_like}, {"pretty_name", o.pretty_name}};
}
inline void from_json(const nlohmann::json& j, OsRelease& o) {
    o.id = j.value("id", "");
    o.version_id = j.value("version_id", "");
    o.version_codename = j.value("version_codename", "");
    o.id_like = j.value("id_like", "");
    o.pretty_name = j.value("pretty_name", "");
}
inline void to_json(nlohmann::json& j, const Package& p) {
    j = {{"type", p.type}, {"name", p.name}, {"version", p.version}, {"source_name", p.source_name},
         {"source_version", p.source_version}, {"ecosystem", p.ecosystem}, {"purl", p.purl},
         {"location", p.location}, {"layer_digest", p.layer_digest}, {"licenses", p.licenses},
         {"depends_on", p.depends_on}};
}
inline void from_json(const nlohmann::json& j, Package& p) {
    p.type = j.value("type", "");
    p.name = j.value("name", "");
    p.version = j.value("version", "");
    p.source_name = j.value("source_name", "");
    p.source_version = j.value("source_version", "");
    p.ecosystem = j.value("ecosystem", "");
    p.purl = j.value("purl", "");
    p.location = j.value("location", "");
    p.layer_digest = j.value("layer_digest", "");
    p.licenses = j.value("licenses", std::vector<std::string>{});
    p.depends_on = j.value("depends_on", std::vector<std::string>{});
}
inline void to_json(nlohmann::json& j, const Suppression& s) {
    j = {{"by", s.by}, {"reason", s.reason}, {"source", s.source}};
    if (!s.justification.empty()) j["justification"] = s.justification;
    if (!s.expires.empty()) j["expires"] = s.expires;
}
inline void from_json(const nlohmann::json& j, Suppression& s) {
    s.by = j.value("by", "");
    s.reason = j.value("reason", "");
    s.justification = j.value("justification", "");
    s.source = j.value("source", "");
    s.expires = j.value("expires", "");
}
inline void to_json(nlohmann::json& j, const Vulnerability& v) {
    j = {{"id", v.id}, {"aliases", v.aliases}, {"summary", v.summary}, {"severity", to_string(v.severity)},
         {"cvss_score", v.cvss_score}, {"cvss_vector", v.cvss_vector}, {"package_name", v.package_name},
         {"package_version", v.package_version}, {"source_package", v.source_package},
         {"source_version", v.source_version}, {"ecosystem", v.ecosystem}, {"fixed_version", v.fixed_version},
         {"status", status_of(v)},       {"references", v.references}};
    if (v.suppressed) j["suppressed"] = *v.suppressed;
}
inline void from_json(const nlohmann::json& j, Vulnerability& v) {
    v.id = j.value("id", "");
    v.aliases = j.value("aliases", std::vector<std::string>{});
    v.summary = j.value("summary", "");
    v.severity = severity_from_string(j.value("severity", ""));
    v.cvss_score = j.value("cvss_score", 0.0);
    v.cvss_vector = j.value("cvss_vector", "");
    v.package_name = j.value("package_name", "");
    v.package_version = j.value("package_version", "");
    v.source_package = j.value("source_package", "");
    v.source_version = j.value("source_version", "");
    v.ecosystem = j.value("ecosystem", "");
    v.fixed_version = j.value("fixed_version", "");
    // Only a distribution's own word is kept: "fixed" and "affected" follow
    // from fixed_version, and results stored before statuses had none.
    auto status = j.value("status", "");
    if (status != "fixed" && status != "affected")
        for (const char* known : vulnerability_statuses)
            if (status == known) v.status = status;
    v.references = j.value("references", std::vector<std::string>{});
    if (j.contains("suppressed") && j["suppressed"].is_object()) v.suppressed = j["suppressed"].get<Suppression>();
}
inline void to_json(nlohmann::json& j, const Misconfiguration& m) {
    j = {{"id", m.id}, {"title", m.title}, {"severity", to_string(m.severity)}, {"detail", m.detail},
         {"location", m.location}};
    if (m.suppressed) j["suppressed"] = *m.suppressed;
}
inline void from_json(const nlohmann::json& j, Misconfiguration& m) {
    m.id = j.value("id", "");
    m.title = j.value("title", "");
    m.severity = severity_from_string(j.value("severity", ""));
    m.detail = j.value("detail", "");
    m.location = j.value("location", "");
    if (j.contains("suppressed") && j["suppressed"].is_object()) m.suppressed = j["suppressed"].get<Suppression>();
}
inline void to_json(nlohmann::json& j, const MalwareFinding& f) {
    j = {{"path", f.path}, {"layer_digest", f.layer_digest}, {"engine", f.engine}, {"signature", f.signature},
         {"sha256", f.sha256}, {"in_final_filesystem", f.in_final_filesystem}};
    if (!f.archive.empty()) j["archive"] = f.archive;
    if (!f.sha256_of.empty()) j["sha256_of"] = f.sha256_of;
    if (f.suppressed) j["suppressed"] = *f.suppressed;
}
inline void from_json(const nlohmann::json& j, MalwareFinding& f) {
    f.path = j.value("path", "");
    f.layer_digest = j.value("layer_digest", "");
    f.engine = j.value("engine", "");
    f.signature = j.value("signature", "");
    f.sha256 = j.value("sha256", "");
    f.in_final_filesystem = j.value("in_final_filesystem", true);
    f.archive = j.value("archive", "");
    f.sha256_of = j.value("sha256_of", "");
    if (j.contains("suppressed") && j["suppressed"].is_object()) f.suppressed = j["suppressed"].get<Suppression>();
}
inline void to_json(nlohmann::json& j, const MalwareIncomplete& i) {
    j = {{"path", i.path}, {"layer_digest", i.layer_digest}, {"reason", i.reason}};
}
inline void from_json(const nlohmann::json& j, MalwareIncomplete& i) {
    i.path = j.value("path", "");
    i.layer_digest = j.value("layer_digest", "");
    i.reason = j.value("reason", "");
}
inline void to_json(nlohmann::json& j, const MalwareResult& m) {
    j = {{"verdict", to_string(m.verdict)}, {"reason", m.reason},           {"signatures", m.signatures},
         {"findings", m.findings},          {"incomplete", m.incomplete}};
}
inline void from_json(const nlohmann::json& j, MalwareResult& m) {
    m.verdict = malware_verdict_from_string(j.value("verdict", ""));
    m.reason = j.value("reason", m.verdict == MalwareVerdict::not_scanned ? malware_off : "");
    m.signatures = j.value("signatures", "");
    m.findings = j.value("findings", std::vector<MalwareFinding>{});
    m.incomplete = j.value("incomplete", std::vector<MalwareIncomplete>{});
}
inline void to_json(nlohmann::json& j, const EcosystemCoverage& c) {
    j = {{"ecosystem", c.ecosystem}, {"packages", c.packages}, {"has_data", c.has_data}};
}
inline void from_json(const nlohmann::json& j, EcosystemCoverage& c) {
    c.ecosystem = j.value("ecosystem", "");
    c.packages = j.value("packages", size_t{0});
    c.has_data = j.value("has_data", false);
}
inline void to_json(nlohmann::json& j, const ImageResult& r) {
    j = {{"registry", r.registry}, {"repository", r.repository}, {"tag", r.tag}, {"digest", r.digest},
         {"platform", r.platform}, {"build_time", r.build_time}, {"status", to_string(r.status)},
         {"error", r.error}, {"packages", r.packages}, {"vulnerabilities", r.vulnerabilities},
         {"misconfigurations", r.misconfigurations}, {"malware", r.malware},
         {"vulnerability_data", r.vulnerability_data}, {"notes", r.notes},
         {"bytes_pulled", r.bytes_pulled}};
    j["os"] = r.os ? nlohmann::json(*r.os) : nlohmann::json(nullptr);
}
inline void from_json(const nlohmann::json& j, ImageResult& r) {
    r.registry = j.value("registry", "");
    r.repository = j.value("repository", "");
    r.tag = j.value("tag", "");
    r.digest = j.value("digest", "");
    r.platform = j.value("platform", "");
    r.build_time = j.value("build_time", "");
    auto status = j.value("status", "scanned");
    r.status = status == "scan_failed" ? ScanStatus::scan_failed
               : status == "skipped"   ? ScanStatus::skipped
               : status == "reused"    ? ScanStatus::reused
                                       : ScanStatus::scanned;
    r.error = j.value("error", "");
    if (j.contains("os") && j["os"].is_object()) r.os = j["os"].get<OsRelease>();
    r.packages = j.value("packages", std::vector<Package>{});
    r.vulnerabilities = j.value("vulnerabilities", std::vector<Vulnerability>{});
    r.misconfigurations = j.value("misconfigurations", std::vector<Misconfiguration>{});
    if (j.contains("malware") && j["malware"].is_object()) r.malware = j["malware"].get<MalwareResult>();
    r.vulnerability_data = j.value("vulnerability_data", std::vector<EcosystemCoverage>{});
    r.notes = j.value("notes", std::vector<std::string>{});
    r.bytes_pulled = j.value("bytes_pulled", uint64_t{0});
}

}  // namespace regscan::scan
