#include "scan/layer_facts.hpp"

#include <algorithm>
#include <stdexcept>

#include "catalog/file_budget.hpp"
#include "limits/limits.hpp"
#include "malware/malware_scanner.hpp"
#include "scan/facts_size.hpp"
#include "scan/file_checks.hpp"
#include "scan/model_json.hpp"

namespace regscan::scan {
namespace {

constexpr std::string_view whiteout_prefix = ".wh.";
constexpr std::string_view opaque_marker = ".wh..wh..opq";

// Counts what the facts keep (scan/facts_size); throws past the layer's bound.
void keep(LayerFacts& facts, uint64_t bytes) {
    facts.kept_bytes += bytes;
    if (facts.kept_bytes > limits::max_layer_kept_bytes)
        throw std::runtime_error("the layer's whiteouts, analysed files and findings take more than " +
                                 std::to_string(limits::max_layer_kept_bytes / limits::MiB) +
                                 " MiB (no real layer does)");
}

// The facts of `path`, emptied: a later entry at a path replaces the
// earlier one, as extraction does, and the earlier one's bytes leave the count.
catalog::FileFacts& fresh_file(LayerFacts& facts, const std::string& path) {
    auto [it, added] = facts.files.try_emplace(path);
    if (!added) {
        facts.kept_bytes -= std::min(facts.kept_bytes, file_facts_bytes(path, it->second));
        it->second = {};
    }
    return it->second;
}

// Drops what an earlier entry at `path` left in `findings`.
void forget_findings(LayerFacts& facts, const std::string& path) {
    auto it = facts.findings.find(path);
    if (it == facts.findings.end()) return;
    facts.kept_bytes -= std::min(facts.kept_bytes, findings_bytes(path, it->second));
    facts.findings.erase(it);
}

}  // namespace

LayerAnalyzer::LayerAnalyzer(const malware::MalwareScanner* malware)
    : catalogers_(catalog::all_catalogers()), malware_(malware) {}

// A link, directory or special file at a path a cataloger reads: it hides
// whatever a lower layer had there, so it is recorded, never skipped.
void LayerAnalyzer::record_replacement(const LayerEntry& entry, const std::string& dir, LayerFacts& facts) const {
    catalog::FileInfo as_file{entry.path, 0, 0644};
    bool wanted = std::any_of(catalogers_.begin(), catalogers_.end(),
                              [&](const auto& cataloger) { return cataloger->wants(as_file); });
    if (!wanted) return;
    catalog::FileFacts file_facts;
    if (entry.type == EntryType::symlink || entry.type == EntryType::hardlink) {
        // A symlink is relative to its directory; a hard link names a path
        // in the archive.
        bool relative = entry.type == EntryType::symlink && !entry.link_target.empty() && entry.link_target[0] != '/';
        file_facts.link = normalise_layer_path(relative ? (dir.empty() ? "/" : dir) + "/" + entry.link_target
                                                        : "/" + entry.link_target);
    } else {
        file_facts.unreadable = true;
        file_facts.notes.push_back(limits::echoed(entry.path) + " is " +
                                   (entry.type == EntryType::directory ? "a directory" : "not a regular file") +
                                   " where a package database or release file is read: what it lists is unknown "
                                   "(incomplete)");
    }
    keep(facts, file_facts_bytes(entry.path, file_facts));
    fresh_file(facts, entry.path) = std::move(file_facts);
}

LayerFacts LayerAnalyzer::analyse(BytePipe& pipe, const std::string& layer_digest,
                                  const std::function<void()>& check) const {
    LayerFacts facts;
    if (malware_) facts.malware.emplace();
    size_t findings_not_listed = 0;
    facts.diff_id = read_layer(pipe, [&](const LayerEntry& entry, const ContentReader& read) {
        if (++facts.entries > limits::max_layer_entries)
            throw std::runtime_error("the layer has more than " + std::to_string(limits::max_layer_entries) +
                                     " entries (no real layer does)");
        auto slash = entry.path.rfind('/');
        std::string dir = entry.path.substr(0, slash);
        std::string_view name = std::string_view(entry.path).substr(slash + 1);
        if (name == opaque_marker) {
            keep(facts, path_bytes(dir));
            facts.opaque_dirs.push_back(dir.empty() ? "/" : dir);
            return;
        }
        if (name.substr(0, whiteout_prefix.size()) == whiteout_prefix) {
            keep(facts, path_bytes(entry.path));
            facts.deleted.push_back(dir + "/" + std::string(name.substr(whiteout_prefix.size())));
            return;
        }
        if (facts.malware) {
            facts.malware->add_path(entry.path, entry.type == EntryType::directory);
            keep(facts, 2 * sizeof(uint64_t));
        }
        if (entry.type != EntryType::file) {
            record_replacement(entry, dir, facts);
            return;
        }

        auto mode_issues = mode_findings(entry.path, entry.mode);
        catalog::FileInfo file{entry.path, entry.size, entry.mode};
        std::vector<const catalog::Cataloger*> interested;
        for (const auto& cataloger : catalogers_)
            if (cataloger->wants(file)) interested.push_back(cataloger.get());
        bool check_secrets = wants_secret_check(entry.path, entry.size);

        const bool analysed = !interested.empty() || check_secrets;
        const bool fits = entry.size <= limits::defaults().max_analysed_file_size;
        // Read once, whole, when the catalogers or the engines want it so.
        std::optional<std::string> content;
        if ((analysed && fits) || (malware_ && malware_->examines_in_memory(entry.size)))
            content = read(catalog::max_file_size);
        if (analysed && !fits) {
            // Recorded as the file at this path, so the fold does not
            // keep a lower layer's readable copy in its place.
            auto& file_facts = fresh_file(facts, entry.path);
            file_facts.unreadable = true;
            file_facts.notes.push_back(limits::echoed(entry.path) + " (" +
                                       std::to_string(entry.size) + " bytes) is larger than " +
                                       std::to_string(limits::defaults().max_analysed_file_size) +
                                       " bytes and was not analysed: what it lists is unknown (incomplete)");
            keep(facts, file_facts_bytes(entry.path, file_facts));
        } else if (analysed) {
            auto& file_facts = fresh_file(facts, entry.path);
            for (const auto* cataloger : interested) {
                try {
                    cataloger->analyse(file, *content, file_facts);
                } catch (const catalog::FileBudgetExceeded&) {
                    throw;  // fails the layer, as its own bound does
                } catch (const std::exception& e) {
                    file_facts.notes.push_back(cataloger->name() + ": " + limits::echoed(entry.path) + ": " +
                                               limits::echoed(e.what()));
                }
            }
            // A package's location is the file's tar name (a pax header may
            // carry 4 MiB of one), a jar's members added: capped once here for
            // every report, the state and serve.
            for (auto& package : file_facts.packages) {
                package.layer_digest = layer_digest;
                package.location = limits::echoed(package.location);
            }
            keep(facts, file_facts_bytes(entry.path, file_facts));
            if (check_secrets)
                for (auto& issue : secret_findings(entry.path, *content)) mode_issues.push_back(std::move(issue));
        }
        if (malware_) {
            const size_t findings = facts.malware->findings.size(), incomplete = facts.malware->incomplete.size();
            malware_->examine(entry, read, content ? &*content : nullptr, *facts.malware);
            keep(facts, malware_bytes(*facts.malware, findings, incomplete));
        }
        forget_findings(facts, entry.path);
        if (mode_issues.empty()) return;
        if (facts.findings.size() >= limits::max_layer_findings) {
            ++findings_not_listed;
            return;
        }
        keep(facts, findings_bytes(entry.path, mode_issues));
        facts.findings[entry.path] = std::move(mode_issues);
    }, check);
    if (findings_not_listed > 0)
        facts.notes.push_back(std::to_string(findings_not_listed) + " more files of layer " + layer_digest +
                              " have findings (setuid, setgid, private keys, credentials) that are not listed: at "
                              "most " + std::to_string(limits::max_layer_findings) + " a layer");
    if (facts.malware) facts.malware->sort_paths();
    return facts;
}

void to_json(nlohmann::json& j, const LayerFacts& facts) {
    nlohmann::json files = nlohmann::json::object();
    for (const auto& [path, f] : facts.files) {
        nlohmann::json entry = {{"packages", f.packages}, {"notes", f.notes}};
        if (f.os) entry["os"] = *f.os;
        if (!f.link.empty()) entry["link"] = f.link;
        if (f.unreadable) entry["unreadable"] = true;
        if (!f.licensed_package.empty())
            entry["licensed"] = {{"type", f.licensed_type}, {"package", f.licensed_package}, {"licenses", f.licenses}};
        files[path] = std::move(entry);
    }
    nlohmann::json findings = nlohmann::json::object();
    for (const auto& [path, list] : facts.findings) findings[path] = list;
    j = {{"version", layer_analysis_version}, {"files", files},          {"findings", findings},
         {"deleted", facts.deleted},          {"opaque_dirs", facts.opaque_dirs}, {"notes", facts.notes},
         {"entries", facts.entries}, {"diff_id", facts.diff_id}};
}

void from_json(const nlohmann::json& j, LayerFacts& facts) {
    for (const auto& [path, entry] : j.at("files").items()) {
        catalog::FileFacts f;
        f.packages = entry.value("packages", std::vector<Package>{});
        f.notes = entry.value("notes", std::vector<std::string>{});
        if (entry.contains("os")) f.os = entry["os"].get<OsRelease>();
        f.link = entry.value("link", "");
        f.unreadable = entry.value("unreadable", false);
        if (auto licensed = entry.find("licensed"); licensed != entry.end() && licensed->is_object()) {
            f.licensed_type = licensed->value("type", "");
            f.licensed_package = licensed->value("package", "");
            f.licenses = licensed->value("licenses", std::vector<std::string>{});
        }
        facts.files[path] = std::move(f);
    }
    for (const auto& [path, list] : j.at("findings").items())
        facts.findings[path] = list.get<std::vector<Misconfiguration>>();
    facts.deleted = j.value("deleted", std::vector<std::string>{});
    facts.opaque_dirs = j.value("opaque_dirs", std::vector<std::string>{});
    facts.notes = j.value("notes", std::vector<std::string>{});
    facts.entries = j.value("entries", uint64_t{0});
    facts.diff_id = j.value("diff_id", "");
}

}  // namespace regscan::scan
