#include "vulndb/osv_importer.hpp"

#include <nlohmann/json.hpp>

#include "util/crypto.hpp"
#include "util/time.hpp"
#include "vulndb/db_schema.hpp"
#include "vulndb/ecosystem.hpp"
#include "vulndb/osv_record.hpp"

namespace regscan::vulndb {

ImportCounts& ImportCounts::operator+=(const ImportCounts& other) {
    read += other.read;
    imported += other.imported;
    updated += other.updated;
    unchanged += other.unchanged;
    rejected += other.rejected;
    return *this;
}

std::string Rejection::describe() const {
    return origin + ": " + (id.empty() ? "" : id + ": ") + reason;
}

ImportCounts ImportReport::total() const {
    ImportCounts sum;
    for (const auto& [ecosystem, counts] : by_ecosystem) sum += counts;
    return sum;
}

struct OsvImporter::Statements {
    explicit Statements(Connection& c)
        : find(c, "SELECT modified, format FROM records WHERE id = ?1"),
          drop_affected(c, "DELETE FROM affected WHERE record_id = ?1"),
          put_record(c,
                     "INSERT OR REPLACE INTO records(id, modified, format, withdrawn, summary, aliases, cvss_vector,"
                     " severity_word, refs) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)"),
          put_affected(c,
                       "INSERT INTO affected(record_id, ecosystem, ecosystem_key, name, name_key, entry)"
                       " VALUES(?1, ?2, ?3, ?4, ?5, ?6)") {}
    Statement find, drop_affected, put_record, put_affected;
};

OsvImporter::OsvImporter(const std::filesystem::path& database) {
    if (database.has_parent_path()) {
        std::error_code error;
        std::filesystem::create_directories(database.parent_path(), error);
        if (error)
            throw DbError(database.parent_path().string() + ": cannot create the directory: " + error.message());
    }
    connection_ = std::make_unique<Connection>(database, false);
    create_schema(*connection_);
    connection_->exec("BEGIN IMMEDIATE");
    open_ = true;
    statements_ = std::make_unique<Statements>(*connection_);
}

OsvImporter::~OsvImporter() {
    statements_.reset();
    put_status_.reset();
    if (open_) {
        try {
            connection_->exec("ROLLBACK");
        } catch (const DbError&) {  // nothing more to undo
        }
    }
}

void OsvImporter::add(std::string_view json, const std::string& origin) {
    auto parsed = parse_osv_record(json);
    if (auto* error = std::get_if<OsvError>(&parsed)) {
        auto& counts = report_.by_ecosystem["(unreadable)"];
        ++counts.read;
        ++counts.rejected;
        report_.rejections.push_back({origin, error->id, error->reason});
        return;
    }
    const auto& record = std::get<OsvRecord>(parsed);
    std::string label = record.affected.empty() ? "(none)" : std::string(ecosystem_base(record.affected[0].ecosystem));
    auto& counts = report_.by_ecosystem[label];
    ++counts.read;
    for (const auto& affected : record.affected) ecosystems_seen_.insert(affected.ecosystem);

    auto& s = *statements_;
    s.find.bind(1, record.id);
    bool exists = s.find.step();
    if (exists) {
        std::string stored_modified = s.find.text(0);
        long long stored_format = s.find.integer(1);
        s.find.reset();
        if (stored_modified >= record.modified && stored_format == record_format) {
            ++counts.unchanged;
            return;
        }
        s.drop_affected.bind(1, record.id).run();
    }
    nlohmann::json references = record.references;
    nlohmann::json aliases = record_aliases(record);
    s.put_record.bind(1, record.id)
        .bind(2, record.modified)
        .bind(3, static_cast<long long>(record_format))
        .bind(4, static_cast<long long>(record.withdrawn ? 1 : 0))
        .bind(5, record.summary)
        .bind(6, aliases.dump())
        .bind(7, preferred_cvss_vector(record.severity))
        .bind(8, record.severity_word)
        .bind(9, references.dump())
        .run();
    for (const auto& affected : record.affected)
        s.put_affected.bind(1, record.id)
            .bind(2, affected.ecosystem)
            .bind(3, ecosystem_key(affected.ecosystem))
            .bind(4, affected.name)
            .bind(5, package_name_key(affected.ecosystem, affected.name))
            .bind(6, encode_affected(affected))
            .run();
    ++(exists ? counts.updated : counts.imported);
    changed_ = true;
}

void OsvImporter::reject_source(const std::string& origin, const std::string& reason) {
    ++sources_rejected_;
    auto& counts = report_.by_ecosystem["(unreadable)"];
    ++counts.read;
    ++counts.rejected;
    report_.rejections.push_back({origin, "", reason});
}

ImportReport OsvImporter::commit() {
    std::string now = util::now_utc();
    Statement put_meta(*connection_, "INSERT OR REPLACE INTO meta(key, value) VALUES(?1, ?2)");
    put_meta.bind(1, "last_import").bind(2, now).run();
    if (!report_.status_source.empty()) {
        put_meta.bind(1, "status_source").bind(2, report_.status_source).run();
        put_meta.bind(1, "status_import").bind(2, now).run();
    }
    Statement put_import(*connection_, "INSERT OR REPLACE INTO imports(ecosystem, last_import) VALUES(?1, ?2)");
    for (const auto& ecosystem : ecosystems_seen_) put_import.bind(1, ecosystem).bind(2, now).run();
    std::string fingerprint = read_meta(*connection_, "fingerprint");
    if (changed_ || fingerprint.empty()) {
        fingerprint = compute_fingerprint(*connection_);
        put_meta.bind(1, "fingerprint").bind(2, fingerprint).run();
    }
    statements_.reset();
    put_status_.reset();
    connection_->exec("COMMIT");
    open_ = false;
    report_.fingerprint = fingerprint;
    return report_;
}

void OsvImporter::replace_statuses(const std::string& base, const std::string& source) {
    Statement drop(*connection_, "DELETE FROM release_status WHERE ecosystem = ?1 OR ecosystem LIKE ?2 ESCAPE '\\'");
    std::string escaped;
    for (char c : base) {
        if (c == '%' || c == '_' || c == '\\') escaped += '\\';
        escaped += c;
    }
    drop.bind(1, base).bind(2, escaped + ":%").run();
    if (!put_status_)
        put_status_ = std::make_unique<Statement>(
            *connection_, "INSERT OR REPLACE INTO release_status(ecosystem, name_key, vulnerability, status)"
                          " VALUES(?1, ?2, ?3, ?4)");
    report_.status_source = source;
    changed_ = true;
}

void OsvImporter::add_status(const ReleaseStatus& status) {
    put_status_->bind(1, status.ecosystem)
        .bind(2, package_name_key(status.ecosystem, status.package))
        .bind(3, status.vulnerability)
        .bind(4, status.status)
        .run();
    ++report_.statuses;
}

std::string compute_fingerprint(Connection& connection) {
    util::Sha256 digest;
    std::string header = "regscan-osv-format-" + std::to_string(record_format) + "\n";
    digest.update(header.data(), header.size());
    Statement rows(connection, "SELECT id, modified, format, withdrawn FROM records ORDER BY id");
    while (rows.step()) {
        std::string line = rows.text(0) + '\t' + rows.text(1) + '\t' + std::to_string(rows.integer(2)) + '\t' +
                           std::to_string(rows.integer(3)) + '\n';
        digest.update(line.data(), line.size());
    }
    // Appended only when present, so data without statuses keeps the
    // fingerprint it had before they existed (stored results stay reusable).
    Statement statuses(connection,
                       "SELECT ecosystem, name_key, vulnerability, status FROM release_status ORDER BY 1, 2, 3");
    bool first = true;
    while (statuses.step()) {
        if (first) digest.update("statuses\n", 9);
        first = false;
        std::string line = statuses.text(0) + '\t' + statuses.text(1) + '\t' + statuses.text(2) + '\t' +
                           statuses.text(3) + '\n';
        digest.update(line.data(), line.size());
    }
    return "sha256:" + digest.hex_digest();
}

}  // namespace regscan::vulndb
