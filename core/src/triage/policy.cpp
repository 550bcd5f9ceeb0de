#include "triage/policy.hpp"

#include <algorithm>
#include <chrono>
#include <filesystem>

#include <fmt/format.h>

#include "triage/input.hpp"
#include "util/crypto.hpp"
#include "util/time.hpp"
#include "util/text.hpp"

namespace regscan::triage {
namespace {

// A scanned image's malware verdict from its counted findings; not_scanned
// stays.
scan::MalwareVerdict counted_verdict(const scan::MalwareResult& malware) {
    if (malware.verdict == scan::MalwareVerdict::not_scanned) return malware.verdict;
    for (const auto& f : malware.findings)
        if (!f.suppressed) return scan::MalwareVerdict::found;
    return malware.incomplete.empty() ? scan::MalwareVerdict::clean : scan::MalwareVerdict::incomplete;
}

// One field of the fingerprint's text: length-prefixed, so no value can
// pass for two.
void field(std::string& out, std::string_view value) {
    out += std::to_string(value.size());
    out += ':';
    out += value;
}

}  // namespace

std::set<scan::Severity> parse_severities(const std::vector<std::string>& values) {
    std::set<scan::Severity> kept;
    for (const auto& word : filter::split_patterns(values)) {
        auto name = util::ascii_lower(word);
        if (name != "critical" && name != "high" && name != "medium" && name != "low" && name != "unknown")
            throw InputError("--severity: '" + word + "' is not a severity (critical, high, medium, low, unknown)");
        kept.insert(scan::severity_from_string(name));
    }
    return kept;
}

std::set<std::string> parse_statuses(const std::vector<std::string>& values) {
    std::set<std::string> statuses;
    for (const auto& word : filter::split_patterns(values)) {
        auto name = util::ascii_lower(word);
        std::replace(name.begin(), name.end(), '-', '_');
        bool known = std::any_of(std::begin(scan::vulnerability_statuses), std::end(scan::vulnerability_statuses),
                                 [&](const char* status) { return name == status; });
        if (!known) {
            std::string list;
            for (const char* status : scan::vulnerability_statuses) list += (list.empty() ? "" : ", ") + std::string(status);
            throw InputError("--ignore-status: '" + word + "' is not a status (" + list + ")");
        }
        statuses.insert(name);
    }
    return statuses;
}

std::string today_utc() {
    auto day = std::chrono::floor<std::chrono::days>(std::chrono::system_clock::now());
    std::chrono::year_month_day ymd{day};
    return fmt::format("{:04}-{:02}-{:02}", static_cast<int>(ymd.year()), static_cast<unsigned>(ymd.month()),
                       static_cast<unsigned>(ymd.day()));
}

Policy::Policy(std::set<scan::Severity> kept, bool ignore_unfixed, std::vector<IgnoreFile> ignore_files,
               std::vector<VexDocument> vex, const std::string& today, std::set<std::string> ignored_statuses)
    : kept_(std::move(kept)), ignore_unfixed_(ignore_unfixed), ignored_statuses_(std::move(ignored_statuses)) {
    if (kept_.size() == 5) kept_.clear();  // every severity: nothing to leave out
    std::string text;
    if (!kept_.empty()) {
        text += "severity";
        for (auto severity : kept_) field(text, scan::to_string(severity));
    }
    if (ignore_unfixed_) text += "unfixed;";
    if (!ignored_statuses_.empty()) {
        text += "status";
        for (const auto& status : ignored_statuses_) field(text, status);
    }
    for (auto& file : ignore_files) {
        size_t active = 0;
        for (auto& entry : file.entries) {
            if (!entry.expires.empty() && entry.expires <= today) {
                warnings_.push_back(fmt::format("{}:{}: the ignore entry for {} expired on {}: it no longer applies",
                                                file.path, entry.line, entry.id, entry.expires));
                continue;
            }
            text += "ignore";
            for (const auto* value :
                 {&file.path, &entry.id, &entry.expires, &entry.package, &entry.path, &entry.image, &entry.reason})
                field(text, *value);
            std::optional<filter::PatternFilter> image;
            if (!entry.image.empty()) image.emplace(std::vector<std::string>{entry.image}, std::vector<std::string>{});
            entries_by_id_.emplace(util::ascii_lower(entry.id), entries_.size());
            entries_.push_back({std::move(entry), file.path, std::move(image)});
            ++active;
        }
        sources_.push_back(fmt::format("{} ignore entries from {}", active, file.path));
    }
    // The latest statement about a finding decides (OpenVEX): statements
    // are ordered by their time, those without one first, the rest in the
    // order given (files in --vex order, then document order).
    std::vector<std::pair<VexStatement, std::string>> ordered;
    for (auto& document : vex)
        for (auto& statement : document.statements) ordered.emplace_back(std::move(statement), document.path);
    auto time_of = [](const VexStatement& s) {
        auto parsed = util::parse_rfc3339(s.timestamp);
        return parsed ? *parsed : std::chrono::sys_seconds::min();
    };
    std::stable_sort(ordered.begin(), ordered.end(),
                     [&](const auto& a, const auto& b) { return time_of(a.first) < time_of(b.first); });
    for (auto& document : vex) {
        for (const auto& warning : document.warnings)
            warnings_.push_back(document.path + ": " + warning);
        sources_.push_back(
            fmt::format("{} VEX statements from {}", document.statements.size(), document.path));
    }
    for (auto& [statement, path] : ordered) {
        text += "vex";
        field(text, path);
        field(text, statement.timestamp);
        for (const auto& id : statement.ids) field(text, id);
        field(text, statement.status);
        field(text, statement.justification);
        field(text, statement.reason);
        for (const auto& target : statement.targets) {
            for (const auto* purl : {&target.image, &target.package}) {
                if (!*purl) {
                    field(text, "-");
                    continue;
                }
                field(text, (*purl)->type);
                field(text, (*purl)->namespace_);
                field(text, (*purl)->name);
                field(text, (*purl)->version);
                for (const auto& [key, value] : (*purl)->qualifiers) {
                    field(text, key);
                    field(text, value);
                }
            }
        }
        for (const auto& id : statement.ids) statements_by_id_.emplace(util::ascii_lower(id), statements_.size());
        statements_.push_back({std::move(statement), path});
    }
    if (!text.empty()) fingerprint_ = util::sha256_hex(text).substr(0, 32);
}

std::string Policy::describe() const {
    std::string out;
    if (!kept_.empty()) {
        out += "severities";
        for (auto severity : kept_) out += " " + scan::to_string(severity);
    }
    if (ignore_unfixed_) out += std::string(out.empty() ? "" : ", ") + "unfixed ignored";
    if (!ignored_statuses_.empty()) {
        out += std::string(out.empty() ? "" : ", ") + "statuses ignored:";
        for (const auto& status : ignored_statuses_) out += " " + status;
    }
    for (const auto& source : sources_) out += (out.empty() ? "" : ", ") + source;
    return out;
}

std::optional<scan::Suppression> Policy::by_ignore_file(const scan::ImageResult& result, const std::string& id,
                                                        const std::vector<std::string>& aliases,
                                                        const scan::Vulnerability* finding,
                                                        const scan::MalwareFinding* malware) const {
    size_t best = entries_.size();
    auto consider = [&](const std::string& name) {
        auto [from, to] = entries_by_id_.equal_range(util::ascii_lower(name));
        for (auto it = from; it != to; ++it) {
            if (it->second >= best) continue;
            const auto& candidate = entries_[it->second];
            if (!candidate.entry.path.empty() &&
                (!malware || !filter::wildcard_match(candidate.entry.path, malware->path)))
                continue;
            if (!candidate.entry.package.empty()) {
                // A package scope matches vulnerabilities only.
                if (!finding) continue;
                if (!filter::wildcard_match(candidate.entry.package, finding->package_name) &&
                    (finding->source_package.empty() ||
                     !filter::wildcard_match(candidate.entry.package, finding->source_package)))
                    continue;
            }
            if (candidate.image &&
                candidate.image->skip_reason({result.registry, result.repository, result.tag, result.digest}))
                continue;
            best = it->second;
        }
    };
    consider(id);
    for (const auto& alias : aliases) consider(alias);
    if (best == entries_.size()) return std::nullopt;
    const auto& entry = entries_[best];
    return scan::Suppression{"ignore-file", entry.entry.reason, "", entry.source, entry.entry.expires};
}

std::optional<scan::Suppression> Policy::by_vex(const scan::ImageResult& result,
                                                const scan::Vulnerability& finding) const {
    std::optional<size_t> last;
    auto consider = [&](const std::string& name) {
        auto [from, to] = statements_by_id_.equal_range(util::ascii_lower(name));
        for (auto it = from; it != to; ++it) {
            if (last && it->second <= *last) continue;
            for (const auto& target : statements_[it->second].statement.targets) {
                if (target.image && !purl_matches_image(*target.image, result)) continue;
                if (target.package && !purl_matches_package(*target.package, finding)) continue;
                last = it->second;
                break;
            }
        }
    };
    consider(finding.id);
    for (const auto& alias : finding.aliases) consider(alias);
    if (!last) return std::nullopt;
    const auto& statement = statements_[*last];
    if (statement.statement.status != "not_affected") return std::nullopt;
    return scan::Suppression{"vex", statement.statement.reason, statement.statement.justification, statement.source,
                             ""};
}

void Policy::apply(scan::ImageResult& result) const {
    for (auto& v : result.vulnerabilities) {
        v.suppressed.reset();
        if (fingerprint_.empty()) continue;
        if (!entries_.empty()) v.suppressed = by_ignore_file(result, v.id, v.aliases, &v, nullptr);
        if (!v.suppressed && !statements_.empty()) v.suppressed = by_vex(result, v);
        if (!v.suppressed && ignore_unfixed_ && v.fixed_version.empty())
            v.suppressed = scan::Suppression{"unfixed", "no fixed version is known", "", "", ""};
        if (!v.suppressed && !ignored_statuses_.empty() && ignored_statuses_.count(scan::status_of(v)))
            v.suppressed = scan::Suppression{"status", "status " + scan::status_of(v) + " ignored", "", "", ""};
        if (!v.suppressed && !kept_.empty() && !kept_.count(v.severity))
            v.suppressed = scan::Suppression{"severity", "severity " + scan::to_string(v.severity) + " not asked for",
                                             "", "", ""};
    }
    for (auto& m : result.misconfigurations) {
        m.suppressed.reset();
        if (fingerprint_.empty()) continue;
        if (!entries_.empty()) m.suppressed = by_ignore_file(result, m.id, {}, nullptr, nullptr);
        if (!m.suppressed && !kept_.empty() && !kept_.count(m.severity))
            m.suppressed = scan::Suppression{"severity", "severity " + scan::to_string(m.severity) + " not asked for",
                                             "", "", ""};
    }
    // Malware has no severity and no VEX: only an ignore entry naming its
    // signature (or the matched file's sha256) suppresses it.
    auto& malware = result.malware;
    for (auto& f : malware.findings) {
        f.suppressed.reset();
        if (!entries_.empty()) f.suppressed = by_ignore_file(result, f.signature, {f.sha256}, nullptr, &f);
    }
    malware.verdict = counted_verdict(malware);
}

scan::ImageResult without_suppressed(scan::ImageResult result) {
    std::erase_if(result.vulnerabilities, [](const auto& v) { return v.suppressed.has_value(); });
    std::erase_if(result.misconfigurations, [](const auto& m) { return m.suppressed.has_value(); });
    std::erase_if(result.malware.findings, [](const auto& f) { return f.suppressed.has_value(); });
    return result;
}

size_t suppressed_count(const scan::ImageResult& result) {
    size_t count = 0;
    for (const auto& v : result.vulnerabilities) count += v.suppressed ? 1 : 0;
    for (const auto& m : result.misconfigurations) count += m.suppressed ? 1 : 0;
    for (const auto& f : result.malware.findings) count += f.suppressed ? 1 : 0;
    return count;
}

std::shared_ptr<const Policy> load_policy(const PolicyOptions& options, std::string today) {
    if (today.empty()) today = today_utc();
    auto kept = parse_severities(options.severities);
    std::vector<IgnoreFile> ignore_files;
    std::string ignore_path = options.ignore_file;
    if (ignore_path.empty() && !options.no_ignore_file) {
        std::error_code error;
        if (std::filesystem::exists(default_ignore_file, error)) ignore_path = default_ignore_file;
    }
    if (!ignore_path.empty())
        ignore_files.push_back(parse_ignore_file(read_bounded_file(ignore_path, max_ignore_file_size), ignore_path));
    std::vector<VexDocument> vex;
    for (const auto& path : options.vex_files) vex.push_back(parse_vex(read_bounded_file(path, max_vex_file_size), path));
    auto statuses = parse_statuses(options.ignore_statuses);
    if (kept.empty() && !options.ignore_unfixed && statuses.empty() && ignore_files.empty() && vex.empty())
        return nullptr;
    return std::make_shared<const Policy>(std::move(kept), options.ignore_unfixed, std::move(ignore_files),
                                          std::move(vex), today, std::move(statuses));
}

}  // namespace regscan::triage
