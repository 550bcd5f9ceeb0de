// The state in PostgreSQL, over libpq (its reference C client): one
// connection guarded by a mutex, like SqliteDb. A lost connection (a server
// restart, a failover) does not end the run: it reconnects with a bounded
// backoff and runs the statement again, or the whole transaction body when
// the connection was lost inside one.
#pragma once

#include <chrono>
#include <functional>
#include <mutex>
#include <string>
#include <vector>

#include "state/database.hpp"

struct pg_conn;

namespace regscan::state {

struct PostgresOptions {
    // How long to keep reconnecting after the connection is lost before the
    // statement fails.
    std::chrono::milliseconds reconnect_deadline{60000};
    // How long one connection attempt may take (libpq's connect_timeout).
    std::chrono::seconds connect_timeout{10};
};

class PostgresDb final : public Database {
public:
    // `url`: postgresql://[user[:password]@][host][:port][/dbname][?param=...]
    // (also postgres://). The password is registered as a secret at once.
    // Throws std::runtime_error naming the server (password masked) when the
    // first connection fails.
    explicit PostgresDb(std::string url, PostgresOptions options = {});
    ~PostgresDb() override;
    PostgresDb(const PostgresDb&) = delete;
    PostgresDb& operator=(const PostgresDb&) = delete;

    void exec(const std::string& sql) override;
    std::vector<Row> query(const std::string& sql, const std::vector<Value>& params = {}) override;
    void transaction(const std::function<void()>& body) override;
    [[nodiscard]] Dialect dialect() const override { return Dialect::postgresql; }
    [[nodiscard]] std::string describe() const override { return masked_url_; }

private:
    enum class Outcome { done, connection_lost };
    // Runs once on the current connection; throws on an SQL error.
    Outcome run_once(const std::string& sql, const std::vector<Value>* params, std::vector<Row>* rows);
    // Runs outside a transaction, reconnecting and running again when the
    // connection is lost; inside one, throws ConnectionLost for the outer
    // transaction to start over.
    std::vector<Row> run(const std::string& sql, const std::vector<Value>* params);
    void connect_or_throw();
    // Keeps trying until the deadline; after one full wait has failed, the
    // next statements try once and fail at once, until a connection is made:
    // a run of 1000 images must not wait out the deadline 1000 times.
    void reconnect_until_deadline();
    std::string failure(const std::string& what) const;

    std::string url_;
    std::string masked_url_;
    PostgresOptions options_;
    pg_conn* conn_ = nullptr;
    bool gave_up_ = false;  // the last reconnect waited out its deadline in vain
    std::recursive_mutex mutex_;
    int transaction_depth_ = 0;  // guarded by mutex_
    bool lost_in_transaction_ = false;
    std::string last_sqlstate_;  // of the last SQL error, to run a conflicting transaction again
};

// `?` placeholders outside quoted strings, quoted identifiers and comments
// replaced by $1, $2, ...
std::string postgres_placeholders(const std::string& sql);
// Registers the password in `url` (as written and percent-decoded) with the
// redacting log sink.
void register_database_url_secrets(const std::string& url);
// `url` with the password (user:password@ or password=...) replaced by ***.
std::string mask_database_url(const std::string& url);

}  // namespace regscan::state
