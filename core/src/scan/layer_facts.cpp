#include "scan/layer_facts.hpp"

#include "scan/file_checks.hpp"
#include "scan/model_json.hpp"

namespace regscan::scan {
namespace {

constexpr std::string_view whiteout_prefix = ".wh.";
constexpr std::string_view opaque_marker = ".wh..wh..opq";

}  // namespace

LayerAnalyzer::LayerAnalyzer() : catalogers_(catalog::all_catalogers()) {}

LayerFacts LayerAnalyzer::analyse(BytePipe& pipe, const std::string& layer_digest) const {
    LayerFacts facts;
    read_layer(pipe, [&](const LayerEntry& entry, const ContentReader& read) {
        ++facts.entries;
        auto slash = entry.path.rfind('/');
        std::string dir = entry.path.substr(0, slash);
        std::string_view name = std::string_view(entry.path).substr(slash + 1);
        if (name == opaque_marker) {
            facts.opaque_dirs.push_back(dir.empty() ? "/" : dir);
            return;
        }
        if (name.substr(0, whiteout_prefix.size()) == whiteout_prefix) {
            facts.deleted.push_back(dir + "/" + std::string(name.substr(whiteout_prefix.size())));
            return;
        }
        if (entry.type != EntryType::file) return;

        auto mode_issues = mode_findings(entry.path, entry.mode);
        catalog::FileInfo file{entry.path, entry.size, entry.mode};
        std::vector<const catalog::Cataloger*> interested;
        for (const auto& cataloger : catalogers_)
            if (cataloger->wants(file)) interested.push_back(cataloger.get());
        bool check_secrets = wants_secret_check(entry.path, entry.size);

        if (!interested.empty() || check_secrets) {
            if (entry.size > catalog::max_file_size) {
                facts.notes.push_back(entry.path + " (" + std::to_string(entry.size) + " bytes) is larger than " +
                                      std::to_string(catalog::max_file_size) + " bytes and was not analysed");
            } else {
                std::string content = read(catalog::max_file_size);
                auto& file_facts = facts.files[entry.path];
                for (const auto* cataloger : interested) {
                    try {
                        cataloger->analyse(file, content, file_facts);
                    } catch (const std::exception& e) {
                        file_facts.notes.push_back(cataloger->name() + ": " + entry.path + ": " + e.what());
                    }
                }
                for (auto& package : file_facts.packages) package.layer_digest = layer_digest;
                if (check_secrets)
                    for (auto& issue : secret_findings(entry.path, content)) mode_issues.push_back(std::move(issue));
            }
        }
        if (!mode_issues.empty()) facts.findings[entry.path] = std::move(mode_issues);
    });
    return facts;
}

void to_json(nlohmann::json& j, const LayerFacts& facts) {
    nlohmann::json files = nlohmann::json::object();
    for (const auto& [path, f] : facts.files) {
        nlohmann::json entry = {{"packages", f.packages}, {"notes", f.notes}};
        if (f.os) entry["os"] = *f.os;
        files[path] = std::move(entry);
    }
    nlohmann::json findings = nlohmann::json::object();
    for (const auto& [path, list] : facts.findings) findings[path] = list;
    j = {{"version", layer_analysis_version}, {"files", files},          {"findings", findings},
         {"deleted", facts.deleted},          {"opaque_dirs", facts.opaque_dirs}, {"notes", facts.notes},
         {"entries", facts.entries}};
}

void from_json(const nlohmann::json& j, LayerFacts& facts) {
    for (const auto& [path, entry] : j.at("files").items()) {
        catalog::FileFacts f;
        f.packages = entry.value("packages", std::vector<Package>{});
        f.notes = entry.value("notes", std::vector<std::string>{});
        if (entry.contains("os")) f.os = entry["os"].get<OsRelease>();
        facts.files[path] = std::move(f);
    }
    for (const auto& [path, list] : j.at("findings").items())
        facts.findings[path] = list.get<std::vector<Misconfiguration>>();
    facts.deleted = j.value("deleted", std::vector<std::string>{});
    facts.opaque_dirs = j.value("opaque_dirs", std::vector<std::string>{});
    facts.notes = j.value("notes", std::vector<std::string>{});
    facts.entries = j.value("entries", uint64_t{0});
}

}  // namespace regscan::scan
