#include "state/layer_claims.hpp"

#include "state/work_queue.hpp"

namespace regscan::state {

LayerClaims::LayerClaims(Database& db, std::string owner, std::chrono::milliseconds lease, Clock clock)
    : db_(db), owner_(std::move(owner)), token_(random_token()), lease_(lease), clock_(std::move(clock)) {
    migrate_fleet_tables(db_);
}

int64_t LayerClaims::now() {
    if (clock_) return clock_();
    const char* sql = db_.dialect() == Dialect::postgresql
                          ? "SELECT CAST(EXTRACT(EPOCH FROM clock_timestamp()) * 1000 AS BIGINT)"
                          : "SELECT CAST((julianday('now') - 2440587.5) * 86400000.0 AS INTEGER)";
    return as_int(db_.query(sql).at(0).at(0));
}

bool LayerClaims::try_claim(const std::string& digest, int analysis_version) {
    bool claimed = false;
    db_.transaction([&] {
        const int64_t at = now();
        // Taken when free, expired, or ours already (the token tells this
        // process from another with the same owner name).
        auto rows = db_.query(
            "INSERT INTO layer_claims (digest, analysis_version, owner, token, expires) VALUES (?,?,?,?,?) "
            "ON CONFLICT (digest, analysis_version) DO UPDATE SET owner=excluded.owner, token=excluded.token, "
            "expires=excluded.expires WHERE layer_claims.expires < ? OR layer_claims.token = excluded.token "
            "RETURNING token",
            {digest, int64_t{analysis_version}, owner_, token_, at + lease_.count(), at});
        claimed = !rows.empty();
    });
    if (claimed) {
        std::lock_guard lock(mutex_);
        held_.insert({digest, analysis_version});
    }
    return claimed;
}

void LayerClaims::release(const std::string& digest, int analysis_version) {
    {
        std::lock_guard lock(mutex_);
        held_.erase({digest, analysis_version});
    }
    db_.query("DELETE FROM layer_claims WHERE digest=? AND analysis_version=? AND token=?",
              {digest, int64_t{analysis_version}, token_});
}

void LayerClaims::renew_held() {
    std::set<std::pair<std::string, int>> held;
    {
        std::lock_guard lock(mutex_);
        held = held_;
    }
    if (held.empty()) return;
    const int64_t expires = now() + lease_.count();
    for (const auto& [digest, version] : held)
        db_.query("UPDATE layer_claims SET expires=? WHERE digest=? AND analysis_version=? AND token=?",
                  {expires, digest, int64_t{version}, token_});
}

std::string LayerClaims::holder(const std::string& digest, int analysis_version) {
    auto rows = db_.query("SELECT owner FROM layer_claims WHERE digest=? AND analysis_version=? AND expires >= ?",
                          {digest, int64_t{analysis_version}, now()});
    return rows.empty() ? std::string() : as_text(rows[0][0]);
}

}  // namespace regscan::state
