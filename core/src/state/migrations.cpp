#include "state/migrations.hpp"

#include <algorithm>
#include <stdexcept>

#include "util/time.hpp"

namespace regscan::state {
namespace {

// pg_advisory_xact_lock's key for every migration: "regscan" in ASCII.
constexpr int64_t migration_lock_key = 0x7265677363616e;

const char* const migrations_table =
    "CREATE TABLE IF NOT EXISTS schema_migrations (component TEXT NOT NULL, version INTEGER NOT NULL, "
    "applied TEXT NOT NULL, PRIMARY KEY (component, version))";

int64_t recorded_version(Database& db, const std::string& component) {
    auto rows = db.query("SELECT COALESCE(MAX(version), 0) FROM schema_migrations WHERE component = ?", {component});
    return rows.empty() ? 0 : as_int(rows[0][0]);
}

void record(Database& db, const std::string& component, int64_t version, const std::string& now) {
    db.query("INSERT INTO schema_migrations (component, version, applied) VALUES (?, ?, ?) "
             "ON CONFLICT (component, version) DO NOTHING",
             {component, version, now});
}

}  // namespace

void run_migrations(Database& db, const std::string& component, const std::vector<MigrationStep>& steps,
             const std::function<int64_t(Database&)>& adopt) {
    const auto known = static_cast<int64_t>(steps.size());
    db.transaction([&] {
        db.lock_for_transaction(migration_lock_key);
        db.exec(db.ddl(migrations_table));
        const std::string now = util::now_utc();
        int64_t version = recorded_version(db, component);
        if (version == 0 && adopt) {
            version = adopt(db);
            for (int64_t v = 1; v <= std::min(version, known); ++v) record(db, component, v, now);
        }
        if (version > known)
            throw std::runtime_error(db.describe() + ": its " + component + " tables are at version " +
                                     std::to_string(version) + ", newer than this regscan's " +
                                     std::to_string(known));
        for (int64_t v = version; v < known; ++v) {
            const auto& step = steps[static_cast<size_t>(v)];
            db.exec(db.dialect() == Dialect::postgresql && !step.postgresql.empty() ? step.postgresql
                                                                                     : db.ddl(step.sql));
            record(db, component, v + 1, now);
        }
    });
}

int64_t schema_version(Database& db, const std::string& component) {
    if (!db.has_table("schema_migrations")) return 0;
    return recorded_version(db, component);
}

}  // namespace regscan::state
