#include "vulndb/db_schema.hpp"

#include <algorithm>

#include <nlohmann/json.hpp>

#include "util/sqlite_wal.hpp"

namespace regscan::vulndb {
namespace {

using nlohmann::json;

const char* event_letter(EventKind kind) {
    switch (kind) {
        case EventKind::introduced: return "i";
        case EventKind::fixed: return "f";
        case EventKind::last_affected: return "l";
        case EventKind::limit: return "m";
    }
    return "i";
}

EventKind event_kind(const std::string& letter) {
    if (letter == "f") return EventKind::fixed;
    if (letter == "l") return EventKind::last_affected;
    if (letter == "m") return EventKind::limit;
    return EventKind::introduced;
}

// Distribution advisories list the CVEs they fix as `related` (older OSV
// exports, AlmaLinux today) where newer ones use `upstream`.
bool related_lists_fixed_cves(const std::string& id) {
    static const char* prefixes[] = {"DSA-",  "DLA-",  "DTSA-", "USN-",  "ALSA-", "ALBA-", "ALEA-",
                                     "RLSA-", "RLBA-", "RLEA-", "RHSA-", "RHBA-", "RHEA-"};
    return std::any_of(std::begin(prefixes), std::end(prefixes),
                       [&](const char* prefix) { return id.rfind(prefix, 0) == 0; });
}

}  // namespace

void create_schema(Connection& connection) {
    try {
        util::enter_wal_mode(connection.handle(), connection.path(), std::chrono::minutes(1));
    } catch (const std::runtime_error& e) {
        throw DbError(e.what());
    }
    connection.exec(
        "CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);"
        "CREATE TABLE IF NOT EXISTS records("
        "  id TEXT PRIMARY KEY, modified TEXT NOT NULL, format INTEGER NOT NULL, withdrawn INTEGER NOT NULL,"
        "  summary TEXT NOT NULL, aliases TEXT NOT NULL, cvss_vector TEXT NOT NULL,"
        "  severity_word TEXT NOT NULL, refs TEXT NOT NULL);"
        "CREATE TABLE IF NOT EXISTS affected("
        "  record_id TEXT NOT NULL, ecosystem TEXT NOT NULL, ecosystem_key TEXT NOT NULL,"
        "  name TEXT NOT NULL, name_key TEXT NOT NULL, entry TEXT NOT NULL);"
        "CREATE INDEX IF NOT EXISTS affected_package ON affected(ecosystem_key, name_key);"
        "CREATE INDEX IF NOT EXISTS affected_record ON affected(record_id);"
        "CREATE TABLE IF NOT EXISTS imports(ecosystem TEXT PRIMARY KEY, last_import TEXT NOT NULL);"
        "CREATE TABLE IF NOT EXISTS release_status("
        "  ecosystem TEXT NOT NULL, name_key TEXT NOT NULL, vulnerability TEXT NOT NULL, status TEXT NOT NULL,"
        "  PRIMARY KEY(ecosystem, name_key, vulnerability)) WITHOUT ROWID;");
}

bool has_table(Connection& connection, const char* name) {
    Statement query(connection, "SELECT count(*) FROM sqlite_master WHERE type='table' AND name = ?1");
    query.bind(1, name);
    bool found = query.step() && query.integer(0) > 0;
    query.reset();
    return found;
}

bool has_schema(Connection& connection) {
    Statement query(connection,
                    "SELECT count(*) FROM sqlite_master WHERE type='table' AND name IN ('meta','records','affected')");
    long long tables = query.step() ? query.integer(0) : 0;
    query.reset();
    return tables == 3;
}

std::string encode_affected(const OsvAffected& affected) {
    json ranges = json::array();
    for (const auto& range : affected.ranges) {
        json events = json::array();
        for (const auto& event : range.events) events.push_back({event_letter(event.kind), event.version});
        ranges.push_back({{"t", range.type}, {"e", events}});
    }
    json entry = {{"r", ranges}};
    if (!affected.versions.empty()) entry["v"] = affected.versions;
    std::string vector = preferred_cvss_vector(affected.severity);
    if (!vector.empty()) entry["c"] = vector;
    if (!affected.severity_word.empty()) entry["w"] = affected.severity_word;
    return entry.dump();
}

OsvAffected decode_affected(const std::string& ecosystem, const std::string& name, const std::string& text) {
    json entry = json::parse(text);
    OsvAffected affected;
    affected.ecosystem = ecosystem;
    affected.name = name;
    for (const auto& range : entry.at("r")) {
        OsvRange decoded;
        decoded.type = range.at("t").get<std::string>();
        for (const auto& event : range.at("e"))
            decoded.events.push_back({event_kind(event.at(0).get<std::string>()), event.at(1).get<std::string>()});
        affected.ranges.push_back(std::move(decoded));
    }
    if (entry.contains("v")) affected.versions = entry["v"].get<std::vector<std::string>>();
    if (entry.contains("c")) affected.severity.push_back({"CVSS_V3", entry["c"].get<std::string>()});
    if (entry.contains("w")) affected.severity_word = entry["w"].get<std::string>();
    return affected;
}

std::vector<std::string> record_aliases(const OsvRecord& record) {
    std::vector<std::string> aliases;
    auto add = [&](const std::vector<std::string>& ids) {
        for (const auto& id : ids)
            if (!id.empty() && id != record.id && std::find(aliases.begin(), aliases.end(), id) == aliases.end())
                aliases.push_back(id);
    };
    add(record.aliases);
    add(record.upstream);
    if (related_lists_fixed_cves(record.id)) add(record.related);
    return aliases;
}

std::string preferred_cvss_vector(const std::vector<OsvSeverity>& severity) {
    std::string chosen;
    for (const auto& entry : severity) {
        if (entry.type != "CVSS_V3") continue;
        if (entry.score.rfind("CVSS:3.1/", 0) == 0) return entry.score;
        if (chosen.empty() && entry.score.rfind("CVSS:3.0/", 0) == 0) chosen = entry.score;
    }
    return chosen;
}

std::string read_meta(Connection& connection, const char* key) {
    Statement query(connection, "SELECT value FROM meta WHERE key = ?1");
    query.bind(1, key);
    std::string value = query.step() ? query.text(0) : std::string();
    query.reset();
    return value;
}

}  // namespace regscan::vulndb
