#include "vulndb/vuln_database.hpp"

#include <map>
#include <optional>

#include <nlohmann/json.hpp>

#include "vulndb/db_schema.hpp"
#include "vulndb/ecosystem.hpp"
#include "vulndb/range_match.hpp"
#include "vulndb/vuln_merge.hpp"

namespace regscan::vulndb {

struct VulnDatabase::Reader {
    explicit Reader(const std::filesystem::path& path)
        : connection(path, true),
          candidates(connection,
                     "SELECT a.record_id, a.ecosystem, a.name, a.entry FROM affected a"
                     " JOIN records r ON r.id = a.record_id"
                     " WHERE a.ecosystem_key = ?1 AND a.name_key = ?2 AND r.withdrawn = 0"),
          record(connection,
                 "SELECT summary, aliases, cvss_vector, severity_word, refs FROM records WHERE id = ?1") {
        if (has_table(connection, "release_status"))
            status.emplace(connection,
                           "SELECT status FROM release_status WHERE ecosystem = ?1 AND name_key = ?2"
                           " AND vulnerability = ?3");
    }
    Connection connection;
    Statement candidates;
    Statement record;
    std::optional<Statement> status;  // absent from databases written before statuses existed
};

// A borrowed reader, handed back to the pool when the call ends.
struct VulnDatabase::Lease {
    const VulnDatabase* owner;
    std::unique_ptr<Reader> reader;
    Lease(const VulnDatabase* o, std::unique_ptr<Reader> r) : owner(o), reader(std::move(r)) {}
    Lease(Lease&&) = default;
    ~Lease() {
        if (reader) owner->give_back(std::move(reader));
    }
    Reader* operator->() const { return reader.get(); }
};

VulnDatabase::VulnDatabase(std::filesystem::path path) : path_(std::move(path)) {
    const std::string hint = ": run 'regscan db import PATH...' or 'regscan db update' first";
    if (!std::filesystem::exists(path_))
        throw DbError(path_.string() + ": no vulnerability database" + hint);
    bool usable = false;
    try {
        Connection probe(path_, true);
        usable = has_schema(probe);
    } catch (const DbError&) {  // not SQLite at all
    }
    if (!usable) throw DbError(path_.string() + ": not a regscan vulnerability database" + hint);
    give_back(std::make_unique<Reader>(path_));
}

VulnDatabase::~VulnDatabase() = default;

VulnDatabase::Lease VulnDatabase::borrow() const {
    {
        std::lock_guard lock(pool_mutex_);
        if (!idle_.empty()) {
            auto reader = std::move(idle_.back());
            idle_.pop_back();
            return Lease(this, std::move(reader));
        }
    }
    return Lease(this, std::make_unique<Reader>(path_));
}

void VulnDatabase::give_back(std::unique_ptr<Reader> reader) const {
    // A call cut short by an exception must not leave a read transaction open.
    reader->candidates.reset();
    reader->record.reset();
    if (reader->status) reader->status->reset();
    std::lock_guard lock(pool_mutex_);
    idle_.push_back(std::move(reader));
}

std::string VulnDatabase::fingerprint() const {
    auto reader = borrow();
    return read_meta(reader->connection, "fingerprint");
}

std::vector<scan::Vulnerability> VulnDatabase::match(const scan::Package& package) const {
    std::string key = package.ecosystem + '\x1f' + package.name + '\x1f' + package.version + '\x1f' +
                      package.source_name + '\x1f' + package.source_version;
    {
        std::lock_guard lock(cache_mutex_);
        if (auto it = results_.find(key); it != results_.end()) return it->second;
    }
    auto found = lookup(package);
    std::lock_guard lock(cache_mutex_);
    if (results_.size() >= result_cache_size) results_.clear();  // crude, but bounded
    results_.emplace(std::move(key), found);
    return found;
}

std::vector<scan::Vulnerability> VulnDatabase::lookup(const scan::Package& package) const {
    if (package.ecosystem.empty()) return {};
    MatchedPackage matched{package.name, package.version, package.ecosystem};
    if (keyed_by_source_package(package.ecosystem) && !package.source_name.empty()) {
        matched.name = package.source_name;
        if (!package.source_version.empty()) matched.version = package.source_version;
    }
    if (matched.name.empty() || matched.version.empty()) return {};

    auto reader = borrow();
    // Per matched record: the lowest fix among its matching entries ("" when
    // none is known), and the severity its entry gives, if any.
    struct EntryExtras {
        std::string fixed, vector, word;
    };
    std::map<std::string, EntryExtras> hits_by_id;
    auto scheme = versions::scheme_for_ecosystem(package.ecosystem).value_or(versions::Scheme::Generic);
    auto& candidates = reader->candidates;
    candidates.bind(1, ecosystem_key(package.ecosystem)).bind(2, package_name_key(package.ecosystem, matched.name));
    while (candidates.step()) {
        std::string record_ecosystem = candidates.text(1);
        if (!ecosystem_covers(record_ecosystem, package.ecosystem)) continue;
        OsvAffected affected = decode_affected(record_ecosystem, candidates.text(2), candidates.text(3));
        AffectedVerdict verdict = evaluate_affected(affected, matched.version);
        if (!verdict.affected) continue;
        auto [it, first] = hits_by_id.try_emplace(candidates.text(0));
        auto& extras = it->second;
        if (first || (!verdict.fixed_version.empty() &&
                      (extras.fixed.empty() || versions::compare(scheme, verdict.fixed_version, extras.fixed) < 0)))
            extras.fixed = verdict.fixed_version;
        if (extras.vector.empty() && !affected.severity.empty()) extras.vector = affected.severity.front().score;
        if (extras.word.empty()) extras.word = affected.severity_word;
    }

    std::vector<RecordHit> hits;
    auto& record = reader->record;
    for (const auto& [id, extras] : hits_by_id) {
        record.bind(1, id);
        if (!record.step()) continue;
        RecordHit hit;
        hit.id = id;
        hit.summary = record.text(0);
        hit.aliases = nlohmann::json::parse(record.text(1)).get<std::vector<std::string>>();
        hit.cvss_vector = extras.vector.empty() ? record.text(2) : extras.vector;
        hit.severity_word = extras.word.empty() ? record.text(3) : extras.word;
        hit.references = nlohmann::json::parse(record.text(4)).get<std::vector<std::string>>();
        hit.fixed_version = extras.fixed;
        record.reset();
        hits.push_back(std::move(hit));
    }
    auto found = merge_hits(hits, matched);
    add_statuses(*reader.reader, package.ecosystem, matched.name, found);
    return found;
}

// A status is kept by the distribution's issue id (a CVE), which a finding
// carries as its id without the "DEBIAN-" of OSV's DEBIAN-CVE records, or as
// an alias of a DSA/DLA. Only unfixed findings take one: a known fix is the
// answer.
void VulnDatabase::add_statuses(Reader& reader, const std::string& ecosystem, const std::string& name,
                                std::vector<scan::Vulnerability>& found) const {
    if (!reader.status) return;
    auto& query = *reader.status;
    const std::string name_key = package_name_key(ecosystem, name);
    for (auto& v : found) {
        if (!v.fixed_version.empty()) continue;
        std::vector<std::string> ids{v.id.starts_with("DEBIAN-") ? v.id.substr(7) : v.id};
        ids.insert(ids.end(), v.aliases.begin(), v.aliases.end());
        for (const auto& id : ids) {
            query.bind(1, ecosystem).bind(2, name_key).bind(3, id);
            bool hit = query.step();
            if (hit) v.status = query.text(0);
            query.reset();
            if (hit) break;
        }
    }
}

DatabaseOverview VulnDatabase::overview() const {
    auto reader = borrow();
    Connection& c = reader->connection;
    DatabaseOverview overview;
    overview.fingerprint = read_meta(c, "fingerprint");
    overview.last_import = read_meta(c, "last_import");
    Statement usable(c, "SELECT count(*), coalesce(max(modified), '') FROM records WHERE withdrawn = 0");
    if (usable.step()) {
        overview.records = static_cast<size_t>(usable.integer(0));
        overview.newest_record = usable.text(1);
        usable.reset();
    }
    Statement ecosystems(c, "SELECT ecosystem FROM imports ORDER BY ecosystem");
    while (ecosystems.step()) overview.ecosystems.push_back(ecosystems.text(0));
    return overview;
}

DatabaseStatus VulnDatabase::status() const {
    auto reader = borrow();
    Connection& c = reader->connection;
    DatabaseStatus status;
    status.path = path_;
    status.fingerprint = read_meta(c, "fingerprint");
    status.last_import = read_meta(c, "last_import");
    Statement totals(c, "SELECT count(*), coalesce(sum(withdrawn), 0) FROM records");
    if (totals.step()) {
        status.records = static_cast<size_t>(totals.integer(0));
        status.withdrawn = static_cast<size_t>(totals.integer(1));
        totals.reset();
    }
    Statement per_ecosystem(c,
                            "SELECT a.ecosystem, count(DISTINCT a.record_id), max(r.modified), i.last_import"
                            " FROM affected a JOIN records r ON r.id = a.record_id"
                            " LEFT JOIN imports i ON i.ecosystem = a.ecosystem"
                            " WHERE r.withdrawn = 0 GROUP BY a.ecosystem ORDER BY a.ecosystem");
    while (per_ecosystem.step())
        status.ecosystems.push_back({per_ecosystem.text(0), static_cast<size_t>(per_ecosystem.integer(1)),
                                     per_ecosystem.text(2), per_ecosystem.text(3)});
    if (has_table(c, "release_status")) {
        Statement statuses(c, "SELECT count(*) FROM release_status");
        if (statuses.step()) status.statuses = static_cast<size_t>(statuses.integer(0));
        statuses.reset();
    }
    status.status_source = read_meta(c, "status_source");
    status.status_import = read_meta(c, "status_import");
    return status;
}

}  // namespace regscan::vulndb
