#include "state/state_store.hpp"

#include "state/migrations.hpp"
#include "state/open_database.hpp"

namespace regscan::state {
namespace {

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
)", ""}};
    return steps;
}

}  // namespace

StateStore::StateStore(const std::string& location) : StateStore(open_database(location)) {}

StateStore::StateStore(std::shared_ptr<Database> db) : db_(std::move(db)) { run_migrations(*db_, "state", state_migrations()); }

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
                            const std::string& json) {
    db_->query("INSERT INTO results VALUES (?,?,?,?,?,?,?,?,?,?) "
               "ON CONFLICT (project, registry, repository, tag, digest, platform) DO UPDATE SET "
               "data_fingerprint=excluded.data_fingerprint, scan_id=excluded.scan_id, status=excluded.status, "
               "result=excluded.result",
              {k.project, k.registry, k.repository, k.tag, digest, platform, fingerprint, scan_id, status, json});
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
                                                        const std::string& fingerprint, int version) {
    auto rows = db_->query(
        "SELECT summaries, entries FROM tag_renderings WHERE project=? AND registry=? AND repository=? AND tag=? "
        "AND digest=? AND data_fingerprint=? AND version=?",
        {k.project, k.registry, k.repository, k.tag, digest, fingerprint, int64_t{version}});
    if (rows.empty()) return std::nullopt;
    return TagRenderings{as_text(rows[0][0]), as_text(rows[0][1])};
}

void StateStore::put_tag_renderings(const ImageKey& k, const std::string& digest, const std::string& fingerprint,
                                    int version, const TagRenderings& renderings) {
    db_->query("INSERT INTO tag_renderings VALUES (?,?,?,?,?,?,?,?,?) "
               "ON CONFLICT (project, registry, repository, tag) DO UPDATE SET digest=excluded.digest, "
               "data_fingerprint=excluded.data_fingerprint, version=excluded.version, "
               "summaries=excluded.summaries, entries=excluded.entries",
              {k.project, k.registry, k.repository, k.tag, digest, fingerprint, int64_t{version},
               renderings.summaries, renderings.entries});
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
    db_->query("INSERT INTO layer_facts VALUES (?,?,?) "
               "ON CONFLICT (digest, analysis_version) DO UPDATE SET facts=excluded.facts",
               {digest, static_cast<int64_t>(version), json});
}

std::optional<std::string> StateStore::layer_malware(const std::string& digest, const std::string& signature_version) {
    auto rows = db_->query("SELECT verdict FROM layer_malware WHERE digest=? AND signature_version=?",
                          {digest, signature_version});
    if (rows.empty()) return std::nullopt;
    return as_text(rows[0][0]);
}

void StateStore::put_layer_malware(const std::string& digest, const std::string& signature_version,
                                   const std::string& json) {
    db_->query("INSERT INTO layer_malware VALUES (?,?,?) "
               "ON CONFLICT (digest, signature_version) DO UPDATE SET verdict=excluded.verdict",
               {digest, signature_version, json});
}

}  // namespace regscan::state
