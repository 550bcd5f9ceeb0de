#include "state/service_store.hpp"

#include <chrono>
#include <map>
#include <stdexcept>

#include "state/migrations.hpp"
#include "state/open_database.hpp"
#include "util/time.hpp"

namespace regscan::state {
namespace {

// Each entry moves the serve_ tables from version i to i + 1; never edit one
// that has shipped, append another.
const std::vector<MigrationStep>& serve_migrations() {
    static const std::vector<MigrationStep> steps = {
    {R"(
CREATE TABLE serve_connectors (
  id INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT NOT NULL UNIQUE,
  config TEXT NOT NULL, password TEXT NOT NULL DEFAULT '',
  created TEXT NOT NULL, updated TEXT NOT NULL, next_run TEXT NOT NULL DEFAULT '');
CREATE TABLE serve_imports (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  connector_id INTEGER NOT NULL REFERENCES serve_connectors(id) ON DELETE CASCADE,
  connector TEXT NOT NULL, trigger TEXT NOT NULL, state TEXT NOT NULL,
  queued_at TEXT NOT NULL, started_at TEXT NOT NULL DEFAULT '', finished_at TEXT NOT NULL DEFAULT '',
  registry_type TEXT NOT NULL DEFAULT '',
  images_found INTEGER NOT NULL DEFAULT 0, images_new INTEGER NOT NULL DEFAULT 0,
  images_failed INTEGER NOT NULL DEFAULT 0,
  progress_done INTEGER NOT NULL DEFAULT 0, progress_total INTEGER NOT NULL DEFAULT 0,
  current TEXT NOT NULL DEFAULT '', error TEXT NOT NULL DEFAULT '');
CREATE INDEX serve_imports_by_connector ON serve_imports(connector_id, id);
CREATE INDEX serve_imports_by_state ON serve_imports(state);
CREATE TABLE serve_images (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  connector_id INTEGER NOT NULL REFERENCES serve_connectors(id) ON DELETE CASCADE,
  connector TEXT NOT NULL, project TEXT NOT NULL, registry TEXT NOT NULL,
  repository TEXT NOT NULL, tag TEXT NOT NULL, platform TEXT NOT NULL, digest TEXT NOT NULL,
  last_scanned TEXT NOT NULL, import_id INTEGER NOT NULL,
  critical INTEGER NOT NULL, high INTEGER NOT NULL, medium INTEGER NOT NULL, low INTEGER NOT NULL,
  unknown INTEGER NOT NULL, total INTEGER NOT NULL,
  malware_verdict TEXT NOT NULL, malware_found INTEGER NOT NULL, malware_incomplete INTEGER NOT NULL,
  status TEXT NOT NULL, reason TEXT NOT NULL,
  UNIQUE (connector_id, repository, tag, platform));
CREATE INDEX serve_images_by_repository ON serve_images(repository, tag, platform);
CREATE INDEX serve_images_by_connector ON serve_images(connector, repository, tag);
CREATE INDEX serve_images_by_tag ON serve_images(tag, repository);
CREATE INDEX serve_images_by_last_scanned ON serve_images(last_scanned);
CREATE INDEX serve_images_by_critical ON serve_images(critical);
CREATE INDEX serve_images_by_high ON serve_images(high);
CREATE INDEX serve_images_by_medium ON serve_images(medium);
CREATE INDEX serve_images_by_low ON serve_images(low);
CREATE INDEX serve_images_by_status ON serve_images(status, repository, tag);
CREATE TABLE serve_image_history (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  image_id INTEGER NOT NULL REFERENCES serve_images(id) ON DELETE CASCADE,
  import_id INTEGER NOT NULL, scanned_at TEXT NOT NULL, status TEXT NOT NULL, digest TEXT NOT NULL,
  reason TEXT NOT NULL, critical INTEGER NOT NULL, high INTEGER NOT NULL, medium INTEGER NOT NULL,
  low INTEGER NOT NULL, unknown INTEGER NOT NULL);
CREATE INDEX serve_image_history_by_image ON serve_image_history(image_id, id);
)", ""},
    // Import retention (imports_past, remove_import) finds an import's rows by
    // its id, and keeps what /metrics counts of the imports it removes.
    {R"(
CREATE INDEX serve_images_by_import ON serve_images(import_id);
CREATE INDEX serve_image_history_by_import ON serve_image_history(import_id);
CREATE TABLE serve_import_totals (
  state TEXT PRIMARY KEY, imports INTEGER NOT NULL, timed INTEGER NOT NULL, milliseconds INTEGER NOT NULL);
)", ""},
    };
    return steps;
}

// A file made before schema_migrations kept the serve tables' version in
// serve_schema (left in place, so nothing is lost).
int64_t serve_schema_version(Database& db) {
    if (!db.has_table("serve_schema")) return 0;
    auto rows = db.query("SELECT version FROM serve_schema WHERE id = 1");
    return rows.empty() ? 0 : as_int(rows[0][0]);
}

const char* const connector_columns = "id, name, config, password, created, updated, next_run";

ConnectorRecord connector_from(const Row& r) {
    ConnectorRecord c;
    c.id = as_int(r[0]);
    c.name = as_text(r[1]);
    c.config = nlohmann::json::parse(as_text(r[2]), nullptr, false);
    if (!c.config.is_object()) c.config = nlohmann::json::object();
    c.sealed_password = as_text(r[3]);
    c.created = as_text(r[4]);
    c.updated = as_text(r[5]);
    c.next_run = as_text(r[6]);
    return c;
}

const char* const import_columns =
    "id, connector_id, connector, trigger, state, queued_at, started_at, finished_at, registry_type, images_found, "
    "images_new, images_failed, progress_done, progress_total, current, error";

ImportRecord import_from(const Row& r) {
    ImportRecord i;
    i.id = as_int(r[0]);
    i.connector_id = as_int(r[1]);
    i.connector = as_text(r[2]);
    i.trigger = as_text(r[3]);
    i.state = as_text(r[4]);
    i.queued_at = as_text(r[5]);
    i.started_at = as_text(r[6]);
    i.finished_at = as_text(r[7]);
    i.registry_type = as_text(r[8]);
    i.images_found = as_int(r[9]);
    i.images_new = as_int(r[10]);
    i.images_failed = as_int(r[11]);
    i.progress_done = as_int(r[12]);
    i.progress_total = as_int(r[13]);
    i.current = as_text(r[14]);
    i.error = as_text(r[15]);
    return i;
}

const char* const image_columns =
    "id, connector_id, connector, project, registry, repository, tag, platform, digest, last_scanned, import_id, "
    "critical, high, medium, low, unknown, malware_verdict, malware_found, malware_incomplete, status, reason";

ImageIndexRow image_from(const Row& r) {
    ImageIndexRow i;
    i.id = as_int(r[0]);
    i.connector_id = as_int(r[1]);
    i.connector = as_text(r[2]);
    i.project = as_text(r[3]);
    i.registry = as_text(r[4]);
    i.repository = as_text(r[5]);
    i.tag = as_text(r[6]);
    i.platform = as_text(r[7]);
    i.digest = as_text(r[8]);
    i.last_scanned = as_text(r[9]);
    i.import_id = as_int(r[10]);
    i.vulnerabilities = {as_int(r[11]), as_int(r[12]), as_int(r[13]), as_int(r[14]), as_int(r[15])};
    i.malware_verdict = as_text(r[16]);
    i.malware_found = as_int(r[17]);
    i.malware_incomplete = as_int(r[18]);
    i.status = as_text(r[19]);
    i.reason = as_text(r[20]);
    return i;
}

// LIKE pattern matching `text` anywhere, with its own wildcards escaped.
std::string contains_pattern(const std::string& text) {
    std::string out = "%";
    for (char c : text) {
        if (c == '%' || c == '_' || c == '\\') out += '\\';
        out += c;
    }
    return out + "%";
}

// ORDER BY for a sort key the service validated; unknown keys sort by
// repository. Every order ends with id so pages never overlap.
std::string order_by(const std::string& sort, bool descending) {
    const std::string d = descending ? " DESC" : " ASC";
    std::vector<std::string> keys;
    if (sort == "tag") keys = {"tag", "repository"};
    else if (sort == "last_scanned") keys = {"last_scanned"};
    else if (sort == "critical" || sort == "high" || sort == "medium" || sort == "low") keys = {sort};
    else if (sort == "status") keys = {"status", "repository", "tag"};
    else if (sort == "connector") keys = {"connector", "repository", "tag"};
    else keys = {"repository", "tag", "platform"};
    std::string out = " ORDER BY ";
    for (const auto& k : keys) out += k + d + ", ";
    return out + "id" + d;
}

// An import's duration in whole milliseconds, in SQL (its times are UTC ISO-8601 text).
std::string duration_ms(Database& db, const std::string& table) {
    return db.dialect() == Dialect::postgresql
               ? "CAST(ROUND(EXTRACT(EPOCH FROM (" + table + ".finished_at::timestamptz - " + table +
                     ".started_at::timestamptz)) * 1000) AS BIGINT)"
               : "CAST(ROUND((julianday(" + table + ".finished_at) - julianday(" + table +
                     ".started_at)) * 86400000.0) AS INTEGER)";
}

}  // namespace

void ServiceStore::add_to_totals(const std::vector<Row>& removed) {
    struct Sum {
        int64_t imports = 0, timed = 0, milliseconds = 0;
    };
    std::map<std::string, Sum> by_state;
    for (const auto& r : removed) {
        auto& sum = by_state[as_text(r[0])];
        ++sum.imports;
        const auto started = util::parse_rfc3339(as_text(r[1]));
        const auto finished = util::parse_rfc3339(as_text(r[2]));
        if (!started || !finished) continue;
        ++sum.timed;
        sum.milliseconds += std::chrono::duration_cast<std::chrono::milliseconds>(*finished - *started).count();
    }
    for (const auto& [state, sum] : by_state)
        db_->query("INSERT INTO serve_import_totals (state, imports, timed, milliseconds) VALUES (?,?,?,?) "
                   "ON CONFLICT (state) DO UPDATE SET imports = serve_import_totals.imports + excluded.imports, "
                   "timed = serve_import_totals.timed + excluded.timed, "
                   "milliseconds = serve_import_totals.milliseconds + excluded.milliseconds",
                   {state, sum.imports, sum.timed, sum.milliseconds});
}

ServiceStore::ServiceStore(const std::string& location) : ServiceStore(open_database(location)) {}

ServiceStore::ServiceStore(std::shared_ptr<Database> db) : db_(std::move(db)) {
    if (serve_migrations().size() != static_cast<size_t>(schema_version))
        throw std::logic_error("serve migrations and ServiceStore::schema_version disagree");
    run_migrations(*db_, "serve", serve_migrations(), serve_schema_version);
}

int64_t ServiceStore::create_connector(const ConnectorRecord& c) {
    if (connector(c.name)) throw std::invalid_argument("a connector named " + c.name + " exists");
    auto rows = db_->query(
        "INSERT INTO serve_connectors (name, config, password, created, updated, next_run) VALUES (?,?,?,?,?,?) "
        "RETURNING id",
        {c.name, c.config.dump(), c.sealed_password, c.created, c.updated, c.next_run});
    return as_int(rows.at(0).at(0));
}

void ServiceStore::update_connector(const ConnectorRecord& c) {
    db_->query("UPDATE serve_connectors SET config=?, password=?, updated=?, next_run=? WHERE id=?",
              {c.config.dump(), c.sealed_password, c.updated, c.next_run, c.id});
}

void ServiceStore::update_connector_erasing_old(const ConnectorRecord& c) {
    if (db_->dialect() == Dialect::postgresql) {
        update_connector(c);
        db_->exec("VACUUM FULL serve_connectors");
        return;
    }
    // Zeroed freed pages for this update only, whether it succeeds or throws.
    struct SecureDelete {
        Database& db;
        explicit SecureDelete(Database& d) : db(d) { db.exec("PRAGMA secure_delete=ON"); }
        ~SecureDelete() {
            try {
                db.exec("PRAGMA secure_delete=OFF");
            } catch (...) {
            }
        }
    } secure_delete(*db_);
    update_connector(c);
    // Another process reading the file may keep the checkpoint from finishing;
    // the next one that can completes it.
    db_->query("PRAGMA wal_checkpoint(TRUNCATE)");
}

void ServiceStore::set_next_run(int64_t connector_id, const std::string& next_run) {
    db_->query("UPDATE serve_connectors SET next_run=? WHERE id=?", {next_run, connector_id});
}

void ServiceStore::remove_connector(int64_t connector_id) {
    db_->transaction([&] {
        db_->query("DELETE FROM serve_image_history WHERE image_id IN (SELECT id FROM serve_images WHERE connector_id=?)",
                  {connector_id});
        db_->query("DELETE FROM serve_images WHERE connector_id=?", {connector_id});
        add_to_totals(db_->query("DELETE FROM serve_imports WHERE connector_id=? AND state NOT IN ('queued', "
                                 "'running') RETURNING state, started_at, finished_at",
                                 {connector_id}));
        db_->query("DELETE FROM serve_imports WHERE connector_id=?", {connector_id});
        db_->query("DELETE FROM serve_connectors WHERE id=?", {connector_id});
    });
}

std::optional<ConnectorRecord> ServiceStore::connector(const std::string& name) {
    auto rows = db_->query(std::string("SELECT ") + connector_columns + " FROM serve_connectors WHERE name=?", {name});
    if (rows.empty()) return std::nullopt;
    return connector_from(rows[0]);
}

std::optional<ConnectorRecord> ServiceStore::connector(int64_t id) {
    auto rows = db_->query(std::string("SELECT ") + connector_columns + " FROM serve_connectors WHERE id=?", {id});
    if (rows.empty()) return std::nullopt;
    return connector_from(rows[0]);
}

std::vector<ConnectorRecord> ServiceStore::connectors() {
    std::vector<ConnectorRecord> out;
    for (const auto& r : db_->query(std::string("SELECT ") + connector_columns + " FROM serve_connectors ORDER BY name"))
        out.push_back(connector_from(r));
    return out;
}

int64_t ServiceStore::create_import(int64_t connector_id, const std::string& connector, const std::string& trigger,
                                    const std::string& queued_at) {
    auto rows = db_->query(
        "INSERT INTO serve_imports (connector_id, connector, trigger, state, queued_at) VALUES (?,?,?,'queued',?) "
        "RETURNING id",
        {connector_id, connector, trigger, queued_at});
    return as_int(rows.at(0).at(0));
}

void ServiceStore::start_import(int64_t id, const std::string& started_at) {
    db_->query("UPDATE serve_imports SET state='running', started_at=? WHERE id=?", {started_at, id});
}

void ServiceStore::set_import_discovered(int64_t id, const std::string& registry_type, int64_t total) {
    db_->query("UPDATE serve_imports SET registry_type=CASE WHEN ?='' THEN registry_type ELSE ? END, "
              "progress_total=?, images_found=? WHERE id=?",
              {registry_type, registry_type, total, total, id});
}

void ServiceStore::set_import_registry_type(int64_t id, const std::string& registry_type) {
    db_->query("UPDATE serve_imports SET registry_type=? WHERE id=?", {registry_type, id});
}

void ServiceStore::set_import_progress(int64_t id, int64_t done, const std::string& current) {
    db_->query("UPDATE serve_imports SET progress_done=?, current=? WHERE id=?", {done, current, id});
}

void ServiceStore::finish_import(int64_t id, const std::string& state, const std::string& finished_at, int64_t found,
                                 int64_t is_new, int64_t failed, const std::string& error) {
    db_->query("UPDATE serve_imports SET state=?, finished_at=?, images_found=?, images_new=?, images_failed=?, "
              "current='', error=? WHERE id=?",
              {state, finished_at, found, is_new, failed, error, id});
}

std::optional<ImportRecord> ServiceStore::import(int64_t id) {
    auto rows = db_->query(std::string("SELECT ") + import_columns + " FROM serve_imports WHERE id=?", {id});
    if (rows.empty()) return std::nullopt;
    return import_from(rows[0]);
}

std::vector<ImportRecord> ServiceStore::imports(const std::string& connector, size_t limit) {
    std::vector<ImportRecord> out;
    auto rows = connector.empty()
                    ? db_->query(std::string("SELECT ") + import_columns + " FROM serve_imports ORDER BY id DESC LIMIT ?",
                                {static_cast<int64_t>(limit)})
                    : db_->query(std::string("SELECT ") + import_columns +
                                    " FROM serve_imports WHERE connector=? ORDER BY id DESC LIMIT ?",
                                {connector, static_cast<int64_t>(limit)});
    for (const auto& r : rows) out.push_back(import_from(r));
    return out;
}

std::optional<ImportRecord> ServiceStore::last_import(int64_t connector_id) {
    auto rows = db_->query(std::string("SELECT ") + import_columns +
                              " FROM serve_imports WHERE connector_id=? AND finished_at<>'' ORDER BY id DESC LIMIT 1",
                          {connector_id});
    if (rows.empty()) return std::nullopt;
    return import_from(rows[0]);
}

std::vector<ImportRecord> ServiceStore::imports_in_state(const std::string& state) {
    std::vector<ImportRecord> out;
    for (const auto& r :
         db_->query(std::string("SELECT ") + import_columns + " FROM serve_imports WHERE state=? ORDER BY id", {state}))
        out.push_back(import_from(r));
    return out;
}

std::vector<ImportRecord> ServiceStore::interrupt_running(const std::string& finished_at) {
    std::vector<ImportRecord> out;
    db_->transaction([&] {
        out = imports_in_state("running");
        db_->query("UPDATE serve_imports SET state='interrupted', finished_at=?, current='', "
                  "error='the server stopped during this import' WHERE state='running'",
                  {finished_at});
    });
    return out;
}

std::vector<int64_t> ServiceStore::record_tag(const std::vector<ImageIndexRow>& rows) {
    std::vector<int64_t> ids;
    if (rows.empty()) return ids;
    db_->transaction([&] {
        const auto& first = rows.front();
        if (db_->query("SELECT 1 FROM serve_connectors WHERE id=?", {first.connector_id}).empty()) return;
        std::string keep = "(";
        std::vector<Value> stale_params{first.connector_id, first.repository, first.tag};
        for (size_t i = 0; i < rows.size(); ++i) {
            keep += i ? ",?" : "?";
            stale_params.push_back(rows[i].platform);
        }
        keep += ")";
        db_->query("DELETE FROM serve_image_history WHERE image_id IN (SELECT id FROM serve_images WHERE "
                  "connector_id=? AND repository=? AND tag=? AND platform NOT IN " + keep + ")",
                  stale_params);
        db_->query("DELETE FROM serve_images WHERE connector_id=? AND repository=? AND tag=? AND platform NOT IN " + keep,
                  stale_params);
        for (const auto& r : rows) {
            const auto& v = r.vulnerabilities;
            auto inserted = db_->query(
                "INSERT INTO serve_images (connector_id, connector, project, registry, repository, tag, platform, "
                "digest, last_scanned, import_id, critical, high, medium, low, unknown, total, malware_verdict, "
                "malware_found, malware_incomplete, status, reason) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?) "
                "ON CONFLICT (connector_id, repository, tag, platform) DO UPDATE SET connector=excluded.connector, "
                "project=excluded.project, registry=excluded.registry, digest=excluded.digest, "
                "last_scanned=excluded.last_scanned, import_id=excluded.import_id, critical=excluded.critical, "
                "high=excluded.high, medium=excluded.medium, low=excluded.low, unknown=excluded.unknown, "
                "total=excluded.total, malware_verdict=excluded.malware_verdict, "
                "malware_found=excluded.malware_found, malware_incomplete=excluded.malware_incomplete, "
                "status=excluded.status, reason=excluded.reason RETURNING id",
                {r.connector_id, r.connector, r.project, r.registry, r.repository, r.tag, r.platform, r.digest,
                 r.last_scanned, r.import_id, v.critical, v.high, v.medium, v.low, v.unknown, v.total(),
                 r.malware_verdict, r.malware_found, r.malware_incomplete, r.status, r.reason});
            int64_t id = as_int(inserted.at(0).at(0));
            // One history row per import: a re-run of the same import (a
            // retry after a restart) replaces it rather than adding another.
            db_->query("DELETE FROM serve_image_history WHERE image_id=? AND import_id=?", {id, r.import_id});
            db_->query("INSERT INTO serve_image_history (image_id, import_id, scanned_at, status, digest, reason, "
                      "critical, high, medium, low, unknown) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
                      {id, r.import_id, r.last_scanned, r.status, r.digest, r.reason, v.critical, v.high, v.medium,
                       v.low, v.unknown});
            ids.push_back(id);
        }
    });
    return ids;
}

int64_t ServiceStore::remove_images_not_in(int64_t connector_id, int64_t import_id) {
    int64_t removed = 0;
    db_->transaction([&] {
        db_->query("DELETE FROM serve_image_history WHERE image_id IN (SELECT id FROM serve_images WHERE "
                  "connector_id=? AND import_id<>?)",
                  {connector_id, import_id});
        removed = as_int(db_->query("SELECT COUNT(*) FROM serve_images WHERE connector_id=? AND import_id<>?",
                                   {connector_id, import_id})
                             .at(0)
                             .at(0));
        db_->query("DELETE FROM serve_images WHERE connector_id=? AND import_id<>?", {connector_id, import_id});
    });
    return removed;
}

std::vector<int64_t> ServiceStore::imports_past(int64_t connector_id, size_t keep) {
    std::vector<int64_t> past;
    size_t finished = 0;
    const char* const finished_newest_first =
        "SELECT id, CASE WHEN EXISTS (SELECT 1 FROM serve_images m WHERE m.import_id = i.id) THEN 1 ELSE 0 END "
        "FROM serve_imports i WHERE connector_id=? AND state NOT IN ('queued', 'running') ORDER BY id DESC";
    for (const auto& r : db_->query(finished_newest_first, {connector_id}))
        if (++finished > keep && as_int(r[1]) == 0) past.push_back(as_int(r[0]));
    return past;
}

bool ServiceStore::remove_import(int64_t id) {
    bool removed = false;
    db_->transaction([&] {
        removed = false;
        // The conditions of imports_past in the DELETE itself: of two
        // processes on one state, only one removes it (and counts it).
        auto gone = db_->query("DELETE FROM serve_imports WHERE id=? AND state NOT IN ('queued', 'running') AND NOT "
                               "EXISTS (SELECT 1 FROM serve_images m WHERE m.import_id = serve_imports.id) "
                               "RETURNING state, started_at, finished_at",
                               {id});
        if (gone.empty()) return;
        add_to_totals(gone);
        db_->query("DELETE FROM serve_image_history WHERE import_id=?", {id});
        removed = true;
    });
    return removed;
}

std::optional<ImageIndexRow> ServiceStore::image(int64_t id) {
    auto rows = db_->query(std::string("SELECT ") + image_columns + " FROM serve_images WHERE id=?", {id});
    if (rows.empty()) return std::nullopt;
    return image_from(rows[0]);
}

std::vector<ImageHistoryRow> ServiceStore::image_history(int64_t image_id, size_t limit) {
    std::vector<ImageHistoryRow> out;
    for (const auto& r : db_->query("SELECT import_id, scanned_at, status, digest, reason, critical, high, medium, low, "
                                   "unknown FROM serve_image_history WHERE image_id=? ORDER BY id DESC LIMIT ?",
                                   {image_id, static_cast<int64_t>(limit)})) {
        ImageHistoryRow h;
        h.import_id = as_int(r[0]);
        h.scanned_at = as_text(r[1]);
        h.status = as_text(r[2]);
        h.digest = as_text(r[3]);
        h.reason = as_text(r[4]);
        h.vulnerabilities = {as_int(r[5]), as_int(r[6]), as_int(r[7]), as_int(r[8]), as_int(r[9])};
        out.push_back(std::move(h));
    }
    return out;
}

ImagePage ServiceStore::images(const ImageFilter& f) {
    std::string where = " WHERE 1=1";
    std::vector<Value> params;
    if (!f.connector.empty()) {
        where += " AND connector=?";
        params.emplace_back(f.connector);
    }
    if (!f.repository.empty()) {
        where += " AND repository=?";
        params.emplace_back(f.repository);
    }
    if (f.severity == "critical" || f.severity == "high" || f.severity == "medium" || f.severity == "low")
        where += " AND " + f.severity + ">0";
    if (!f.status.empty()) {
        where += " AND status=?";
        params.emplace_back(f.status);
    }
    if (!f.search.empty()) {
        const std::string like = std::string(" ") + db_->like_ci() + " ? ESCAPE '\\'";
        where += " AND (repository" + like + " OR tag" + like + " OR digest" + like + ")";
        auto pattern = contains_pattern(f.search);
        params.insert(params.end(), {pattern, pattern, pattern});
    }
    ImagePage page;
    // No transaction: a write lock would queue the page behind an import's
    // writes, and a total one image off for a moment is harmless.
    {
        page.total = as_int(db_->query("SELECT COUNT(*) FROM serve_images" + where, params).at(0).at(0));
        auto row_params = params;
        row_params.emplace_back(static_cast<int64_t>(f.limit));
        row_params.emplace_back(static_cast<int64_t>(f.offset));
        for (const auto& r : db_->query(std::string("SELECT ") + image_columns + " FROM serve_images" + where +
                                           order_by(f.sort, f.descending) + " LIMIT ? OFFSET ?",
                                       row_params))
            page.rows.push_back(image_from(r));
    }
    return page;
}

ImportTotals ServiceStore::totals() {
    ImportTotals t;
    // Those recorded now and those removed (retention, a connector's
    // removal), each family read by one statement: one snapshot, so that a
    // removal committing meanwhile is counted once, never twice or not at all.
    std::map<std::string, int64_t> by_state;
    for (const auto& r : db_->query("SELECT state, CAST(SUM(n) AS BIGINT) FROM (SELECT state, COUNT(*) AS n FROM "
                                   "serve_imports GROUP BY state UNION ALL SELECT state, imports AS n FROM "
                                   "serve_import_totals) t GROUP BY state"))
        by_state[as_text(r[0])] += as_int(r[1]);
    t.by_state.assign(by_state.begin(), by_state.end());
    auto d = db_->query("SELECT CAST(COALESCE(SUM(c), 0) AS BIGINT), CAST(COALESCE(SUM(ms), 0) AS BIGINT) FROM "
                        "(SELECT COUNT(*) AS c, SUM(" + duration_ms(*db_, "i") + ") AS ms FROM serve_imports i "
                        "WHERE i.started_at<>'' AND i.finished_at<>'' UNION ALL SELECT timed AS c, milliseconds AS "
                        "ms FROM serve_import_totals) t");
    t.duration_count = as_int(d.at(0).at(0));
    t.duration_seconds_sum = static_cast<double>(as_int(d.at(0).at(1))) / 1000.0;
    for (const auto& r : db_->query("SELECT status, COUNT(*) FROM serve_images GROUP BY status")) {
        if (as_text(r[0]) == "scanned") t.images_scanned += as_int(r[1]);
        else t.image_failures += as_int(r[1]);
    }
    return t;
}

std::optional<std::string> ServiceStore::stored_result(const ImageIndexRow& row) {
    try {
        auto rows = db_->query(
            "SELECT result FROM results WHERE project=? AND registry=? AND repository=? AND tag=? AND digest=? "
            "AND platform=?",
            {row.project, row.registry, row.repository, row.tag.rfind('@', 0) == 0 ? std::string() : row.tag,
             row.digest, row.platform});
        if (rows.empty()) return std::nullopt;
        return as_text(rows[0][0]);
    } catch (const std::exception&) {  // no scan ever made the CLI's tables in this file
        return std::nullopt;
    }
}

}  // namespace regscan::state
