#include "report/sarif_report.hpp"

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <map>
#include <set>

#include <spdlog/spdlog.h>
#include <zlib.h>

#include "report/per_image.hpp"
#include "report/report_file.hpp"
#include "scan/model_json.hpp"
#include "triage/policy.hpp"
#include "util/crypto.hpp"
#include "util/time.hpp"
#include "util/text.hpp"

namespace regscan::report {
namespace {

std::string misconfiguration_uri(const std::string& id) {
    return std::string(tool_information_uri) + "/blob/main/docs/misconfigurations.md#" +
           percent_encode(util::ascii_lower(id), "");
}

std::string score_text(double score) {
    char buffer[16];
    std::snprintf(buffer, sizeof buffer, "%.1f", score);
    return buffer;
}

std::string join(const std::vector<std::string>& items, const std::string& separator) {
    std::string out;
    for (const auto& item : items) out += (out.empty() ? "" : separator) + item;
    return out;
}

// What the rules of one id need, merged over every finding with that id.
struct RuleFacts {
    bool vulnerability = true;
    std::string malware_engine;  // set for a malware signature's rule
    std::string title;
    std::string description;
    std::vector<std::string> aliases;
    scan::Severity severity = scan::Severity::unknown;
    double cvss_score = 0.0;
};

// A malware signature's rule: always an error, whatever matched.
nlohmann::json malware_rule_json(const std::string& id, const RuleFacts& facts) {
    auto text = (facts.malware_engine == "yara" ? "YARA rule " : "ClamAV signature ") + facts.title +
                " matched a file shipped in the image";
    return {{"id", id},
            {"name", facts.title},
            {"shortDescription", {{"text", "Malware: " + facts.title}}},
            {"fullDescription", {{"text", text + "."}}},
            {"help", {{"text", text + ": remove the file and find out how it got into the image."}}},
            {"defaultConfiguration", {{"level", "error"}}},
            {"properties", {{"tags", {"security", "malware"}}, {"engine", facts.malware_engine},
                            {"signature", facts.title}, {"security-severity", "10.0"}}}};
}

// message.text as SARIF 2.1.0 reads a plain text message: "[...](...)" is an
// embedded link (§3.11.6) and "{0}" a placeholder (§3.11.5), so the brackets,
// the backslash that escapes them, and the braces a registry's names, paths or
// errors carry are escaped; a viewer shows them back as they were.
nlohmann::json message_json(const std::string& text) { return {{"text", sarif_message_text(text)}}; }

nlohmann::json rule_json(const std::string& id, const RuleFacts& facts) {
    if (!facts.malware_engine.empty()) return malware_rule_json(id, facts);
    auto short_text = facts.title.empty() ? id : facts.title;
    auto full_text = facts.description.empty() ? short_text : facts.description;
    if (!facts.aliases.empty()) full_text += " (aliases: " + join(facts.aliases, ", ") + ")";
    auto help_uri = facts.vulnerability ? osv_uri(id) : misconfiguration_uri(id);
    nlohmann::json properties = {
        {"tags", facts.vulnerability ? nlohmann::json{"security", "vulnerability"}
                                     : nlohmann::json{"security", "misconfiguration"}},
        {"severity", scan::to_string(facts.severity)}};
    if (auto score = sarif_security_severity(facts.severity, facts.cvss_score)) properties["security-severity"] = *score;
    if (!facts.aliases.empty()) properties["aliases"] = facts.aliases;
    return {{"id", id},
            {"shortDescription", {{"text", short_text}}},
            {"fullDescription", {{"text", full_text}}},
            {"helpUri", help_uri},
            {"help",
             {{"text", full_text + "\n" + help_uri},
              // The id and the summary are the OSV data's; the URI is percent-encoded.
              {"markdown", "**" + sarif_message_text(id, SarifText::markdown) +
                               "**: " + sarif_message_text(full_text, SarifText::markdown) + "\n\n[" + help_uri +
                               "](" + help_uri + ")"}}},
            {"defaultConfiguration", {{"level", sarif_level(facts.severity)}}},
            {"properties", properties}};
}

// An image has no lines; GitHub's code scanning asks every location for a
// region.startLine, so every finding points at line 1 of the image.
nlohmann::json physical_location(const scan::ImageResult& image) {
    return {{"artifactLocation", {{"uri", sarif_image_uri(image)}}}, {"region", {{"startLine", 1}}}};
}

nlohmann::json location_json(const scan::ImageResult& image, const std::string& name, const std::string& kind) {
    return {{"physicalLocation", physical_location(image)},
            {"logicalLocations",
             {{{"name", name}, {"fullyQualifiedName", image_reference(image) + "/" + name}, {"kind", kind}}}}};
}

// Stable over rebuilds of the same tag, so a finding that persists is one
// alert; the digest is left out on purpose.
nlohmann::json fingerprints(const scan::ImageResult& image, const std::string& subject, const std::string& id) {
    auto key = image_reference(image) + "\n" + image.platform + "\n" + subject + "\n" + id;
    return {{"regscan/v1", util::sha256_hex(key)}};
}

nlohmann::json vulnerability_result(const scan::ImageResult& image, const scan::Vulnerability& v, size_t rule_index) {
    auto reference = image_reference(image);
    auto text = v.package_name + " " + v.package_version +
                (v.source_package.empty() ? "" : " (source package " + v.source_package + ")") + " in " + reference +
                (image.platform.empty() ? "" : " (" + image.platform + ")") + " is affected by " + v.id;
    if (!v.aliases.empty()) text += " (" + join(v.aliases, ", ") + ")";
    text += ", severity " + scan::to_string(v.severity) + ".";
    text += v.fixed_version.empty() ? " No fixed version is known." : " Fixed in " + v.fixed_version + ".";
    if (v.fixed_version.empty() && !v.status.empty()) text += " Status: " + scan::status_words(v) + ".";
    nlohmann::json properties = {{"image", reference},       {"digest", image.digest},
                                 {"platform", image.platform}, {"package", v.package_name},
                                 {"installed_version", v.package_version}, {"fixed_version", v.fixed_version},
                                 {"ecosystem", v.ecosystem},   {"severity", scan::to_string(v.severity)},
                                 {"status", scan::status_of(v)}};
    if (!v.source_package.empty()) properties["source_package"] = v.source_package;
    if (v.cvss_score > 0) properties["cvss_score"] = v.cvss_score;
    if (!v.cvss_vector.empty()) properties["cvss_vector"] = v.cvss_vector;
    return {{"ruleId", v.id},
            {"ruleIndex", rule_index},
            {"level", sarif_level(v.severity)},
            {"message", message_json(text)},
            {"locations", {location_json(image, v.package_name + "@" + v.package_version, "module")}},
            {"partialFingerprints", fingerprints(image, v.package_name + "@" + v.package_version, v.id)},
            {"properties", properties}};
}

nlohmann::json misconfiguration_result(const scan::ImageResult& image, const scan::Misconfiguration& m,
                                       size_t rule_index) {
    auto reference = image_reference(image);
    auto where = m.location.empty() ? std::string("image") : m.location;
    auto text = (m.title.empty() ? m.id : m.title) + " in " + reference +
                (image.platform.empty() ? "" : " (" + image.platform + ")") + " at " + where;
    text += m.detail.empty() ? "." : ": " + m.detail + (m.detail.back() == '.' ? "" : ".");
    return {{"ruleId", m.id},
            {"ruleIndex", rule_index},
            {"level", sarif_level(m.severity)},
            {"message", message_json(text)},
            {"locations", {location_json(image, where, "resource")}},
            {"partialFingerprints", fingerprints(image, where, m.id)},
            {"properties",
             {{"image", reference},
              {"digest", image.digest},
              {"platform", image.platform},
              {"location", m.location},
              {"severity", scan::to_string(m.severity)}}}};
}

std::string malware_rule_id(const scan::MalwareFinding& f) { return "malware/" + f.engine + "/" + f.signature; }

nlohmann::json malware_result(const scan::ImageResult& image, const scan::MalwareFinding& f, size_t rule_index) {
    auto reference = image_reference(image);
    auto text = f.signature + " (" + f.engine + ") matched " + f.path + " in " + reference +
                (image.platform.empty() ? "" : " (" + image.platform + ")") + ", added by layer " + f.layer_digest +
                (f.in_final_filesystem ? "" : " and deleted by a later layer (still shipped in the image)") + ".";
    if (!f.sha256.empty()) text += " SHA-256 " + f.sha256 + ".";
    nlohmann::json location = {
        {"physicalLocation", physical_location(image)},
        {"logicalLocations", {{{"name", f.path}, {"fullyQualifiedName", reference + f.path}, {"kind", "resource"}}}}};
    auto id = malware_rule_id(f);
    return {{"ruleId", id},
            {"ruleIndex", rule_index},
            {"level", "error"},
            {"message", message_json(text)},
            {"locations", {location}},
            {"partialFingerprints", fingerprints(image, f.layer_digest + f.path, id)},
            {"properties",
             {{"image", reference},
              {"digest", image.digest},
              {"platform", image.platform},
              {"path", f.path},
              {"layer_digest", f.layer_digest},
              {"engine", f.engine},
              {"signature", f.signature},
              {"sha256", f.sha256},
              {"in_final_filesystem", f.in_final_filesystem}}}};
}

struct Counts {
    size_t results = 0;
    size_t rules = 0;
};

Counts document_counts(const nlohmann::json& document) {
    const auto& run = document["runs"][0];
    return {run["results"].size(), run["tool"]["driver"]["rules"].size()};
}

// The gzip-compressed size GitHub measures its 10 MB limit on.
size_t gzip_size(const std::string& text) {
    z_stream stream{};
    if (deflateInit2(&stream, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK) return 0;
    std::vector<unsigned char> buffer(1 << 16);
    stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(text.data()));
    stream.avail_in = static_cast<uInt>(text.size());
    size_t total = 0;
    int status = Z_OK;
    do {
        stream.next_out = buffer.data();
        stream.avail_out = static_cast<uInt>(buffer.size());
        status = deflate(&stream, Z_FINISH);
        total += buffer.size() - stream.avail_out;
    } while (status == Z_OK || status == Z_BUF_ERROR);
    deflateEnd(&stream);
    return total;
}

// GitHub code scanning rejects a SARIF file with more than 25,000 results or
// rules in a run, or over 10 MB gzip-compressed (and shows only the top 5,000
// results of a run). Nothing is dropped from the file: the warning says so,
// and how to stay under (--sarif-per-image, filters).
void warn_over_github_limits(const std::filesystem::path& path, const Counts& counts, const std::string& text) {
    if (counts.results > sarif_github_max_results)
        spdlog::warn("SARIF report {} holds {} results in one run; GitHub code scanning rejects more than {} "
                     "(and shows the top 5,000): all are written, upload with --sarif-per-image or narrow the scan",
                     path.string(), counts.results, sarif_github_max_results);
    else if (counts.results > sarif_github_shown_results)
        spdlog::warn("SARIF report {} holds {} results in one run; GitHub code scanning shows only the top {} of a "
                     "run: consider --sarif-per-image",
                     path.string(), counts.results, sarif_github_shown_results);
    if (counts.rules > sarif_github_max_results)
        spdlog::warn("SARIF report {} holds {} rules in one run; GitHub code scanning rejects more than {}: "
                     "upload with --sarif-per-image",
                     path.string(), counts.rules, sarif_github_max_results);
    if (text.size() > sarif_github_max_gzip_bytes) {
        auto compressed = gzip_size(text);
        if (compressed > sarif_github_max_gzip_bytes)
            spdlog::warn("SARIF report {} is {} bytes gzip-compressed; GitHub code scanning rejects files over {} "
                         "bytes: upload with --sarif-per-image",
                         path.string(), compressed, sarif_github_max_gzip_bytes);
    }
}

// CommonMark's ASCII punctuation (§2.1), whatever the C locale says.
bool ascii_punctuation(char c) {
    return (c >= '!' && c <= '/') || (c >= ':' && c <= '@') || (c >= '[' && c <= '`') || (c >= '{' && c <= '~');
}

}  // namespace

std::string sarif_message_text(std::string_view text, SarifText kind) {
    std::string out;
    out.reserve(text.size());
    for (char c : text) {
        if (kind == SarifText::markdown ? ascii_punctuation(c) : c == '\\' || c == '[' || c == ']')
            out += '\\';
        else if (c == '{' || c == '}')
            out += c;
        out += c;
    }
    return out;
}

std::string sarif_level(scan::Severity severity) {
    switch (severity) {
        case scan::Severity::critical:
        case scan::Severity::high: return "error";
        case scan::Severity::medium: return "warning";
        case scan::Severity::low:
        case scan::Severity::unknown: break;
    }
    return "note";
}

std::optional<std::string> sarif_security_severity(scan::Severity severity, double cvss_score) {
    if (cvss_score > 0) return score_text(std::min(cvss_score, 10.0));
    switch (severity) {
        case scan::Severity::critical: return "9.5";
        case scan::Severity::high: return "8.0";
        case scan::Severity::medium: return "5.5";
        case scan::Severity::low: return "2.0";
        case scan::Severity::unknown: break;
    }
    return std::nullopt;
}

std::string sarif_image_uri(const scan::ImageResult& image) {
    auto uri = percent_encode(image.registry, "");
    if (!uri.empty()) uri += "/";
    uri += percent_encode(image.repository, "/");
    if (!image.tag.empty()) uri += ":" + percent_encode(image.tag, "");
    else if (!image.digest.empty()) uri += "@" + percent_encode(image.digest, ":");
    return uri;
}

SarifReport::SarifReport(const sdk::ReportRun& run, bool per_image)
    : run_(run), path_(report_path(run, "-report.sarif")), per_image_(per_image) {}

void SarifReport::result(const scan::ImageResult& image) {
    images_.push_back(triage::without_suppressed(without_packages(image)));
}

nlohmann::json SarifReport::document(const nlohmann::json& summary) const {
    auto images = images_;
    sort_images(images);
    return document_of(images, summary, nullptr);
}

nlohmann::json SarifReport::document_of(const std::vector<scan::ImageResult>& images, const nlohmann::json& summary,
                                        const scan::ImageResult* only) const {

    std::map<std::string, RuleFacts> facts;  // sorted by id: rule order does not follow scan order
    for (const auto& image : images) {
        for (const auto& v : image.vulnerabilities) {
            auto& rule = facts[v.id];
            if (rule.title.empty()) rule.title = v.summary;
            for (const auto& alias : v.aliases)
                if (std::find(rule.aliases.begin(), rule.aliases.end(), alias) == rule.aliases.end())
                    rule.aliases.push_back(alias);
            rule.severity = std::max(rule.severity, v.severity);
            rule.cvss_score = std::max(rule.cvss_score, v.cvss_score);
        }
        for (const auto& m : image.misconfigurations) {
            auto& rule = facts[m.id];
            rule.vulnerability = false;
            if (rule.title.empty()) rule.title = m.title;
            rule.severity = std::max(rule.severity, m.severity);
        }
        for (const auto& f : image.malware.findings) {
            auto& rule = facts[malware_rule_id(f)];
            rule.vulnerability = false;
            rule.malware_engine = f.engine;
            rule.title = f.signature;
        }
    }
    std::map<std::string, size_t> rule_index;
    auto rules = nlohmann::json::array();
    for (const auto& [id, rule] : facts) {
        rule_index[id] = rules.size();
        rules.push_back(rule_json(id, rule));
    }

    auto results = nlohmann::json::array();
    auto notifications = nlohmann::json::array();
    // The same package at two paths of one image gives two findings that
    // nothing tells apart: one result, as a dashboard would merge them anyway.
    std::set<std::string> emitted;
    auto add_result = [&](nlohmann::json result) {
        if (emitted.insert(result["partialFingerprints"].dump()).second) results.push_back(std::move(result));
    };
    for (const auto& image : images) {
        for (const auto& v : vulnerabilities_by_severity(image))
            add_result(vulnerability_result(image, v, rule_index[v.id]));
        for (const auto& m : misconfigurations_by_severity(image))
            add_result(misconfiguration_result(image, m, rule_index[m.id]));
        for (const auto& f : image.malware.findings)
            add_result(malware_result(image, f, rule_index[malware_rule_id(f)]));
        if (image.status == scan::ScanStatus::scan_failed)
            notifications.push_back(
                {{"level", "error"},
                 {"message", message_json("scan of " + image_reference(image) + " failed: " + image.error)}});
    }
    // A repository's failure belongs to the registry's document, not an image's.
    for (const auto& failure : only ? std::vector<RepositoryFailure>{} : failed_repositories(summary))
        notifications.push_back(
            {{"level", "error"},
             {"message", message_json("listing the tags of " + failure.repository + " failed" +
                                      (failure.error.empty() ? std::string() : ": " + failure.error))}});
    // A code-scanning service closes the alerts a document lacks: a stopped
    // run's document must not pass for a complete one.
    if (auto stopped = stopped_run_note(summary); !only && !stopped.empty())
        notifications.push_back({{"level", "error"}, {"message", message_json(stopped)}});

    nlohmann::json invocation = {{"executionSuccessful", notifications.empty()}};
    if (util::parse_rfc3339(run_.started)) invocation["startTimeUtc"] = run_.started;
    if (summary.is_object() && summary.value("finished", nlohmann::json()).is_string()) {
        auto finished = summary["finished"].get<std::string>();
        if (util::parse_rfc3339(finished)) invocation["endTimeUtc"] = finished;
    }
    if (!notifications.empty()) invocation["toolExecutionNotifications"] = notifications;

    nlohmann::json run = {
        {"tool",
         {{"driver",
           {{"name", tool_name},
            {"version", tool_version()},
            {"semanticVersion", tool_version()},
            {"informationUri", tool_information_uri},
            {"rules", rules}}}}},
        {"automationDetails", {{"id", sarif_automation_id(run_.registry, only)}}},
        {"invocations", {invocation}},
        {"results", results},
        {"properties", {{"registry", registry_without_credentials(run_.registry)}, {"mode", run_.mode}}}};
    // How fresh the findings are: the data's import time and newest record.
    for (const auto& [name, value] : vulnerability_data_properties(summary)) {
        auto& data = run["properties"]["vulnerability_data"];
        if (name == "missing_ecosystem")
            data["missing_ecosystems"].push_back(value);
        else
            data[name] = value;
    }
    return {{"$schema", "https://json.schemastore.org/sarif-2.1.0.json"}, {"version", "2.1.0"}, {"runs", {run}}};
}

std::vector<std::string> SarifReport::finish(const nlohmann::json& summary) {
    if (!per_image_) {
        auto whole = document(summary);
        auto text = dump_json(whole);
        warn_over_github_limits(path_, document_counts(whole), text);
        write_file_atomically(path_, [&](std::ostream& out) { out << text; });
        return {path_.string()};
    }
    auto images = images_;
    sort_images(images);
    std::vector<std::string> written;
    for (const auto& image : images) {
        auto path = per_image_path(run_, image, ".sarif");
        auto one = document_of({image}, summary, &image);
        auto text = dump_json(one);
        warn_over_github_limits(path, document_counts(one), text);
        write_file_atomically(path, [&](std::ostream& out) { out << text; });
        written.push_back(path.string());
    }
    return written;
}

}  // namespace regscan::report
