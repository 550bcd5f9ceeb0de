#include "state/state_store.hpp"

#include <random>

#include <fmt/format.h>

#include "state/migrations.hpp"
#include "state/open_database.hpp"
#include "util/time.hpp"

namespace regscan::state {
namespace {

std::string take_text(Value&& value) {
    if (auto* text = std::get_if<std::string>(&value)) return std::move(*text);
    return as_text(value);
}

// Version 1 is the tables as regscan made them before schema_migrations
// existed, with IF NOT EXISTS: on such a file it adds what is missing and
// keeps every row.
const std::vector<MigrationStep>& state_migrations() {
    static const std::vector<MigrationStep> steps = {{R"(
CREATE TABLE IF NOT EXISTS images (
  project TEXT NOT NULL, registry TEXT NOT NULL, repository TEXT NOT NULL, tag TEXT NOT NULL,
  digest TEXT NOT NULL, first_seen TEXT NOT NULL, last_seen TEXT NOT NULL,
  PRIMARY KEY (project, registry, repository, tag, digest));
CREATE TABLE IF NOT EXISTS scans (
  id INTEGER PRIMARY KEY AUTOINCREMENT, project TEXT NOT NULL, registry TEXT NOT NULL, mode TEXT NOT NULL,
  started TEXT NOT NULL, finished TEXT, summary TEXT);
CREATE TABLE IF NOT EXISTS results (
  project TEXT NOT NULL, registry TEXT NOT NULL, repository TEXT NOT NULL, tag TEXT NOT NULL,
  digest TEXT NOT NULL, platform TEXT NOT NULL, data_fingerprint TEXT NOT NULL,
  scan_id INTEGER NOT NULL REFERENCES scans(id), status TEXT NOT NULL, result TEXT NOT NULL,
  PRIMARY KEY (project, registry, repository, tag, digest, platform));
CREATE TABLE IF NOT EXISTS tag_results (
  project TEXT NOT NULL, registry TEXT NOT NULL, repository TEXT NOT NULL, tag TEXT NOT NULL,
  digest TEXT NOT NULL, data_fingerprint TEXT NOT NULL, results TEXT NOT NULL,
  PRIMARY KEY (project, registry, repository, tag));
CREATE TABLE IF NOT EXISTS tag_renderings (
  project TEXT NOT NULL, registry TEXT NOT NULL, repository TEXT NOT NULL, tag TEXT NOT NULL,
  digest TEXT NOT NULL, data_fingerprint TEXT NOT NULL, version INTEGER NOT NULL,
  summaries TEXT NOT NULL, entries TEXT NOT NULL,
  PRIMARY KEY (project, registry, repository, tag));
CREATE TABLE IF NOT EXISTS layer_facts (
  digest TEXT NOT NULL, analysis_version INTEGER NOT NULL, facts TEXT NOT NULL,
  PRIMARY KEY (digest, analysis_version));
CREATE TABLE IF NOT EXISTS layer_malware (
  digest TEXT NOT NULL, signature_version TEXT NOT NULL, verdict TEXT NOT NULL,
  PRIMARY KEY (digest, signature_version));
)", ""},
        // 2: where a JSON report holds a tag's rendered entries (a rescan
        // copies them from there instead of reading them back). A table of
        // its own: a column of tag_renderings would sit after the entries
        // (read by walking their overflow pages) and updating it would
        // rewrite them.
        {R"(
CREATE TABLE IF NOT EXISTS tag_report_refs (
  project TEXT NOT NULL, registry TEXT NOT NULL, repository TEXT NOT NULL, tag TEXT NOT NULL,
  report_ref TEXT NOT NULL,
  PRIMARY KEY (project, registry, repository, tag));
)", ""},
        // 3: what 'regscan state prune' ages rows by: the digest of the tag
        // a platform's result was last used under (an index's, whose images
        // row says when a run last saw it), when a layer's analysis or verdict
        // was written, and a run's results by run. Tables of their own: a
        // column after the result, facts or verdict would be read by walking
        // their overflow pages, and rows an older regscan inserts by position
        // keep their width.
        {R"(
CREATE TABLE IF NOT EXISTS result_tag_digests (
  project TEXT NOT NULL, registry TEXT NOT NULL, repository TEXT NOT NULL, tag TEXT NOT NULL,
  digest TEXT NOT NULL, platform TEXT NOT NULL, tag_digest TEXT NOT NULL,
  PRIMARY KEY (project, registry, repository, tag, digest, platform));
CREATE TABLE IF NOT EXISTS layer_facts_written (
  digest TEXT NOT NULL, analysis_version INTEGER NOT NULL, recorded TEXT NOT NULL,
  PRIMARY KEY (digest, analysis_version));
CREATE TABLE IF NOT EXISTS layer_malware_written (
  digest TEXT NOT NULL, signature_version TEXT NOT NULL, recorded TEXT NOT NULL,
  PRIMARY KEY (digest, signature_version));
CREATE INDEX IF NOT EXISTS images_by_last_seen ON images (last_seen);
CREATE INDEX IF NOT EXISTS results_by_scan ON results (scan_id);
)", ""},
        // 4: the layer rows already there were written at some time before:
        // they age from now, instead of counting as the oldest (the first
        // prune would empty the layer cache whatever its bound).
        {R"(
INSERT INTO layer_facts_written SELECT digest, analysis_version, strftime('%Y-%m-%dT%H:%M:%SZ', 'now') FROM layer_facts;
INSERT INTO layer_malware_written SELECT digest, signature_version, strftime('%Y-%m-%dT%H:%M:%SZ', 'now')
  FROM layer_malware;
)",
         R"(
INSERT INTO layer_facts_written
  SELECT digest, analysis_version, to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') FROM layer_facts;
INSERT INTO layer_malware_written
  SELECT digest, signature_version, to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"')
  FROM layer_malware;
)"}};
    return steps;
}

}  // namespace

StateStore::StateStore(const std::string& location) : StateStore(open_database(location)) {}

StateStore::StateStore(std::shared_ptr<Database> db) : db_(std::move(db)) { migrate_state_tables(*db_); }

void migrate_state_tables(Database& db) { run_migrations(db, "state", state_migrations()); }

bool StateStore::seen(const ImageKey& k, const std::string& digest) {
    return !db_->query("SELECT 1 FROM images WHERE project=? AND registry=? AND repository=? AND tag=? AND digest=?",
                      {k.project, k.registry, k.repository, k.tag, digest})
                .empty();
}

void StateStore::record_seen(const ImageKey& k, const std::string& digest, const std::string& now) {
    db_->query(
        "INSERT INTO images VALUES (?,?,?,?,?,?,?) "
        "ON CONFLICT(project, registry, repository, tag, digest) DO UPDATE SET last_seen=excluded.last_seen",
        {k.project, k.registry, k.repository, k.tag, digest, now, now});
}

std::optional<std::string> StateStore::result(const ImageKey& k, const std::string& digest,
                                              const std::string& platform, const std::string& fingerprint) {
    auto rows = db_->query(
        "SELECT result FROM results WHERE project=? AND registry=? AND repository=? AND tag=? AND digest=? "
        "AND platform=? AND data_fingerprint=? AND status='scanned'",
        {k.project, k.registry, k.repository, k.tag, digest, platform, fingerprint});
    if (rows.empty()) return std::nullopt;
    return as_text(rows[0][0]);
}

void StateStore::put_result(const ImageKey& k, const std::string& digest, const std::string& platform,
                            const std::string& fingerprint, int64_t scan_id, const std::string& status,
                            const std::string& json, const std::string& tag_digest) {
    db_->transaction([&] {
        db_->query("INSERT INTO results VALUES (?,?,?,?,?,?,?,?,?,?) "
                   "ON CONFLICT (project, registry, repository, tag, digest, platform) DO UPDATE SET "
                   "data_fingerprint=excluded.data_fingerprint, scan_id=excluded.scan_id, status=excluded.status, "
                   "result=excluded.result",
                   {k.project, k.registry, k.repository, k.tag, digest, platform, fingerprint, scan_id, status, json});
        set_result_tag_digest(k, digest, platform, tag_digest);
    });
}

void StateStore::set_result_tag_digest(const ImageKey& k, const std::string& digest, const std::string& platform,
                                       const std::string& tag_digest) {
    db_->query("INSERT INTO result_tag_digests VALUES (?,?,?,?,?,?,?) "
               "ON CONFLICT (project, registry, repository, tag, digest, platform) DO UPDATE SET "
               "tag_digest=excluded.tag_digest",
               {k.project, k.registry, k.repository, k.tag, digest, platform, tag_digest});
}

std::optional<std::string> StateStore::tag_results(const ImageKey& k, const std::string& digest,
                                                   const std::string& fingerprint) {
    auto rows = db_->query(
        "SELECT results FROM tag_results WHERE project=? AND registry=? AND repository=? AND tag=? AND digest=? "
        "AND data_fingerprint=?",
        {k.project, k.registry, k.repository, k.tag, digest, fingerprint});
    if (rows.empty()) return std::nullopt;
    return as_text(rows[0][0]);
}

std::optional<std::string> StateStore::tag_results_digest(const ImageKey& k, const std::string& fingerprint) {
    auto rows = db_->query(
        "SELECT digest FROM tag_results WHERE project=? AND registry=? AND repository=? AND tag=? "
        "AND data_fingerprint=?",
        {k.project, k.registry, k.repository, k.tag, fingerprint});
    if (rows.empty()) return std::nullopt;
    return as_text(rows[0][0]);
}

std::optional<TagRenderings> StateStore::tag_renderings(const ImageKey& k, const std::string& digest,
                                                        const std::string& fingerprint, int version,
                                                        const std::function<bool(const std::string&)>& needs_entries) {
    // One statement: the row and its reference as one snapshot.
    const std::string from =
        " FROM tag_renderings r LEFT JOIN tag_report_refs x ON x.project=r.project AND x.registry=r.registry "
        "AND x.repository=r.repository AND x.tag=r.tag "
        "WHERE r.project=? AND r.registry=? AND r.repository=? AND r.tag=? AND r.digest=? "
        "AND r.data_fingerprint=? AND r.version=?";
    const std::vector<Value> params{k.project, k.registry, k.repository, k.tag, digest, fingerprint, int64_t{version}};
    if (needs_entries) {
        // Without the entries, SQLite reads none of their overflow pages.
        auto rows = db_->query("SELECT r.summaries, COALESCE(x.report_ref, '')" + from, params);
        if (rows.empty()) return std::nullopt;
        TagRenderings found{take_text(std::move(rows[0][0])), {}, take_text(std::move(rows[0][1]))};
        if (!needs_entries(found.report_ref)) return found;
    }
    auto rows = db_->query("SELECT r.summaries, COALESCE(x.report_ref, ''), r.entries" + from, params);
    if (rows.empty()) return std::nullopt;
    // Moved out of the row, not copied: the entries are hundreds of KiB per image.
    return TagRenderings{take_text(std::move(rows[0][0])), take_text(std::move(rows[0][2])),
                         take_text(std::move(rows[0][1]))};
}

std::string StateStore::put_tag_renderings(const ImageKey& k, const std::string& digest,
                                           const std::string& fingerprint, int version,
                                           const TagRenderings& renderings) {
    // A token unique to this write: a report's reference taken from an
    // earlier write of the row can never be stored over it (put_report_refs).
    static thread_local std::mt19937_64 random{std::random_device{}()};
    const std::string token = fmt::format("new:{:016x}{:016x}", random(), random());
    db_->transaction([&] {
        db_->query("INSERT INTO tag_renderings VALUES (?,?,?,?,?,?,?,?,?) "
                   "ON CONFLICT (project, registry, repository, tag) DO UPDATE SET digest=excluded.digest, "
                   "data_fingerprint=excluded.data_fingerprint, version=excluded.version, "
                   "summaries=excluded.summaries, entries=excluded.entries",
                   {k.project, k.registry, k.repository, k.tag, digest, fingerprint, int64_t{version},
                    renderings.summaries, renderings.entries});
        db_->query("INSERT INTO tag_report_refs VALUES (?,?,?,?,?) "
                   "ON CONFLICT (project, registry, repository, tag) DO UPDATE SET report_ref=excluded.report_ref",
                   {k.project, k.registry, k.repository, k.tag, token});
    });
    return token;
}

void StateStore::put_report_refs(const std::string& project, const std::string& registry,
                                 const std::string& fingerprint, int version,
                                 const std::vector<ReportRefUpdate>& updates) {
    if (updates.empty()) return;
    db_->transaction([&] {
        for (const auto& u : updates)
            // Inserted for a row that has none yet (kept before these
            // references existed); else replaced only over `old_ref`.
            db_->query("INSERT INTO tag_report_refs (project, registry, repository, tag, report_ref) "
                       "SELECT ?,?,?,?,? WHERE EXISTS (SELECT 1 FROM tag_renderings WHERE project=? AND registry=? "
                       "AND repository=? AND tag=? AND digest=? AND data_fingerprint=? AND version=?) "
                       "ON CONFLICT (project, registry, repository, tag) DO UPDATE SET report_ref=excluded.report_ref "
                       "WHERE tag_report_refs.report_ref=?",
                       {project, registry, u.repository, u.tag, u.new_ref, project, registry, u.repository, u.tag,
                        u.digest, fingerprint, int64_t{version}, u.old_ref});
    });
}

void StateStore::put_tag_results(const ImageKey& k, const std::string& digest, const std::string& fingerprint,
                                 const std::string& json) {
    db_->query("INSERT INTO tag_results VALUES (?,?,?,?,?,?,?) "
               "ON CONFLICT (project, registry, repository, tag) DO UPDATE SET digest=excluded.digest, "
               "data_fingerprint=excluded.data_fingerprint, results=excluded.results",
              {k.project, k.registry, k.repository, k.tag, digest, fingerprint, json});
}

int64_t StateStore::begin_scan(const std::string& project, const std::string& registry, const std::string& mode,
                               const std::string& started) {
    auto rows = db_->query("INSERT INTO scans (project, registry, mode, started) VALUES (?,?,?,?) RETURNING id",
                          {project, registry, mode, started});
    return as_int(rows.at(0).at(0));
}

void StateStore::finish_scan(int64_t scan_id, const std::string& finished, const std::string& summary_json) {
    db_->query("UPDATE scans SET finished=?, summary=? WHERE id=?", {finished, summary_json, scan_id});
}

std::optional<std::string> StateStore::layer_facts(const std::string& digest, int version) {
    auto rows = db_->query("SELECT facts FROM layer_facts WHERE digest=? AND analysis_version=?",
                          {digest, static_cast<int64_t>(version)});
    if (rows.empty()) return std::nullopt;
    return as_text(rows[0][0]);
}

void StateStore::put_layer_facts(const std::string& digest, int version, const std::string& json) {
    db_->transaction([&] {
        db_->query("INSERT INTO layer_facts VALUES (?,?,?) "
                   "ON CONFLICT (digest, analysis_version) DO UPDATE SET facts=excluded.facts",
                   {digest, static_cast<int64_t>(version), json});
        db_->query("INSERT INTO layer_facts_written VALUES (?,?,?) "
                   "ON CONFLICT (digest, analysis_version) DO UPDATE SET recorded=excluded.recorded",
                   {digest, static_cast<int64_t>(version), util::now_utc()});
    });
}

std::optional<std::string> StateStore::layer_malware(const std::string& digest, const std::string& signature_version) {
    auto rows = db_->query("SELECT verdict FROM layer_malware WHERE digest=? AND signature_version=?",
                          {digest, signature_version});
    if (rows.empty()) return std::nullopt;
    return as_text(rows[0][0]);
}

void StateStore::put_layer_malware(const std::string& digest, const std::string& signature_version,
                                   const std::string& json) {
    db_->transaction([&] {
        db_->query("INSERT INTO layer_malware VALUES (?,?,?) "
                   "ON CONFLICT (digest, signature_version) DO UPDATE SET verdict=excluded.verdict",
                   {digest, signature_version, json});
        db_->query("INSERT INTO layer_malware_written VALUES (?,?,?) "
                   "ON CONFLICT (digest, signature_version) DO UPDATE SET recorded=excluded.recorded",
                   {digest, signature_version, util::now_utc()});
    });
}

}  // namespace regscan::state
