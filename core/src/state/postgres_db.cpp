#include "state/postgres_db.hpp"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <optional>
#include <stdexcept>
#include <thread>

#include <libpq-fe.h>
#include <spdlog/spdlog.h>

#include "log/secrets.hpp"
#include "state/libpq_library.hpp"

namespace regscan::state {
namespace {

// Thrown inside a transaction whose connection is gone, so that the outermost
// transaction() reconnects and runs its body again. Never leaves PostgresDb
// unless the reconnect deadline passes (then it is the error the caller sees).
class ConnectionLost : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// Type OIDs (pg_type.dat) of the parameters and columns regscan maps.
constexpr Oid bool_oid = 16, int8_oid = 20, int2_oid = 21, int4_oid = 23, oid_oid = 26, float4_oid = 700,
              float8_oid = 701, numeric_oid = 1700;

using ResultPtr = std::unique_ptr<PGresult, decltype(&PQclear)>;

bool is_connection_error(const char* sqlstate) {
    if (!sqlstate) return false;
    std::string code(sqlstate);
    // 08: connection exception; 57P01..03: the server is shutting down,
    // crashed or starting.
    return code.rfind("08", 0) == 0 || code == "57P01" || code == "57P02" || code == "57P03";
}

// Serialization failure and deadlock: the transaction may simply run again.
bool is_retryable(const std::string& sqlstate) { return sqlstate == "40001" || sqlstate == "40P01"; }

std::string trimmed(std::string text) {
    while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
    return text;
}

int hex_value(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

std::string percent_decoded(const std::string& text) {
    std::string out;
    for (size_t i = 0; i < text.size(); ++i) {
        if (text[i] == '%' && i + 2 < text.size() + 0 && hex_value(text[i + 1]) >= 0 && hex_value(text[i + 2]) >= 0) {
            out += static_cast<char>(hex_value(text[i + 1]) * 16 + hex_value(text[i + 2]));
            i += 2;
        } else {
            out += text[i];
        }
    }
    return out;
}

// Where the password sits in `url`: [begin, end) of the userinfo's password,
// and of every password= value in the query. Empty when none.
std::vector<std::pair<size_t, size_t>> password_spans(const std::string& url) {
    std::vector<std::pair<size_t, size_t>> spans;
    size_t scheme = url.find("://");
    size_t start = scheme == std::string::npos ? 0 : scheme + 3;
    size_t authority_end = url.find_first_of("/?#", start);
    if (authority_end == std::string::npos) authority_end = url.size();
    size_t at = url.rfind('@', authority_end == 0 ? 0 : authority_end - 1);
    if (at != std::string::npos && at >= start && at < authority_end) {
        size_t colon = url.find(':', start);
        if (colon != std::string::npos && colon < at) spans.emplace_back(colon + 1, at);
    }
    size_t query = url.find('?', start);
    while (query != std::string::npos && query < url.size()) {
        size_t key = query + 1;
        size_t end = url.find('&', key);
        if (end == std::string::npos) end = url.size();
        if (url.compare(key, 9, "password=") == 0) spans.emplace_back(key + 9, end);
        query = end < url.size() ? end : std::string::npos;
    }
    return spans;
}

std::string value_text(const Value& value) {
    if (const auto* s = std::get_if<std::string>(&value)) return *s;
    if (const auto* i = std::get_if<int64_t>(&value)) return std::to_string(*i);
    if (const auto* d = std::get_if<double>(&value)) {
        char buffer[32];
        std::snprintf(buffer, sizeof buffer, "%.17g", *d);
        return buffer;
    }
    return {};
}

Value column_value(const PGresult* result, int row, int column) {
    if (LIBPQ(PQgetisnull)(result, row, column)) return nullptr;
    const char* text = LIBPQ(PQgetvalue)(result, row, column);
    switch (LIBPQ(PQftype)(result, column)) {
        case int8_oid:
        case int4_oid:
        case int2_oid:
        case oid_oid: return static_cast<int64_t>(std::strtoll(text, nullptr, 10));
        case bool_oid: return static_cast<int64_t>(text[0] == 't' ? 1 : 0);
        case float4_oid:
        case float8_oid:
        case numeric_oid: return std::strtod(text, nullptr);
        default: return std::string(text, static_cast<size_t>(LIBPQ(PQgetlength)(result, row, column)));
    }
}

void discard_notice(void*, const char* message) {
    // "relation ... already exists, skipping" and the like: not for the user.
    spdlog::trace("PostgreSQL notice: {}", trimmed(message));
}

}  // namespace

std::string postgres_placeholders(const std::string& sql) {
    std::string out;
    out.reserve(sql.size() + 16);
    int next = 1;
    for (size_t i = 0; i < sql.size(); ++i) {
        char c = sql[i];
        if (c == '\'' || c == '"') {  // a string or quoted identifier: a doubled quote stays inside
            size_t end = i + 1;
            while (end < sql.size()) {
                if (sql[end] == c) {
                    if (end + 1 < sql.size() && sql[end + 1] == c) {
                        end += 2;
                        continue;
                    }
                    break;
                }
                ++end;
            }
            out.append(sql, i, std::min(end, sql.size() - 1) - i + 1);
            i = end;
        } else if (c == '-' && i + 1 < sql.size() && sql[i + 1] == '-') {
            size_t end = sql.find('\n', i);
            if (end == std::string::npos) end = sql.size();
            out.append(sql, i, end - i);
            i = end - 1;
        } else if (c == '?') {
            out += '$' + std::to_string(next++);
        } else {
            out += c;
        }
    }
    return out;
}

std::string mask_database_url(const std::string& url) {
    std::string out = url;
    auto spans = password_spans(url);
    // From the last so earlier offsets stay valid.
    std::sort(spans.begin(), spans.end(), [](const auto& a, const auto& b) { return a.first > b.first; });
    for (const auto& [begin, end] : spans) out.replace(begin, end - begin, "***");
    return out;
}

void register_database_url_secrets(const std::string& url) {
    for (const auto& [begin, end] : password_spans(url)) {
        std::string raw = url.substr(begin, end - begin);
        log::add_secret(raw);
        log::add_secret(percent_decoded(raw));
    }
}

PostgresDb::PostgresDb(std::string url, PostgresOptions options)
    : url_(std::move(url)), masked_url_(mask_database_url(url_)), options_(options) {
    register_database_url_secrets(url_);
    connect_or_throw();
}

PostgresDb::~PostgresDb() {
    if (conn_) LIBPQ(PQfinish)(conn_);
}

std::string PostgresDb::failure(const std::string& what) const {
    return log::redact("PostgreSQL " + masked_url_ + ": " + trimmed(what));
}

void PostgresDb::connect_or_throw() {
    if (conn_) {
        LIBPQ(PQfinish)(conn_);
        conn_ = nullptr;
    }
    // Defaults first: what the URL says overrides them (expand_dbname). TCP
    // keepalives notice a server gone from the network in about a minute
    // (the system's default is hours), so the reconnect can start.
    std::string timeout = std::to_string(options_.connect_timeout.count());
    const char* keywords[] = {"connect_timeout",   "application_name",    "keepalives_idle",
                              "keepalives_interval", "keepalives_count", "dbname", nullptr};
    const char* values[] = {timeout.c_str(), "regscan", "30", "10", "3", url_.c_str(), nullptr};
    conn_ = LIBPQ(PQconnectdbParams)(keywords, values, 1);
    if (!conn_) throw std::runtime_error(failure("out of memory"));
    if (LIBPQ(PQstatus)(conn_) != CONNECTION_OK) {
        std::string error = LIBPQ(PQerrorMessage)(conn_);
        LIBPQ(PQfinish)(conn_);
        conn_ = nullptr;
        throw std::runtime_error(failure(error));
    }
    LIBPQ(PQsetNoticeProcessor)(conn_, discard_notice, nullptr);
}

void PostgresDb::reconnect_until_deadline() {
    auto deadline = std::chrono::steady_clock::now() + options_.reconnect_deadline;
    auto pause = std::chrono::milliseconds(100);
    auto seconds = std::to_string(options_.reconnect_deadline.count() / 1000);
    if (!gave_up_) spdlog::warn("Lost the connection to {}; reconnecting", masked_url_);
    while (true) {
        try {
            connect_or_throw();
            spdlog::info("Reconnected to {}", masked_url_);
            gave_up_ = false;
            return;
        } catch (const std::runtime_error& e) {
            if (gave_up_)
                throw std::runtime_error(e.what() + std::string(" (still unreachable after reconnecting for ") +
                                         seconds + " s before)");
            if (std::chrono::steady_clock::now() + pause > deadline) {
                gave_up_ = true;
                throw std::runtime_error(e.what() + std::string(" (gave up reconnecting after ") + seconds + " s)");
            }
            spdlog::debug("{}; trying again", e.what());
        }
        std::this_thread::sleep_for(pause);  // backoff between attempts, not synchronisation
        pause = std::min(pause * 2, std::chrono::milliseconds(2000));
    }
}

PostgresDb::Outcome PostgresDb::run_once(const std::string& sql, const std::vector<Value>* params,
                                         std::vector<Row>* rows) {
    if (!conn_ || LIBPQ(PQstatus)(conn_) != CONNECTION_OK) return Outcome::connection_lost;
    PGresult* raw = nullptr;
    if (!params) {
        raw = LIBPQ(PQexec)(conn_, sql.c_str());
    } else {
        std::vector<std::string> texts;
        std::vector<const char*> values;
        std::vector<Oid> types;
        texts.reserve(params->size());
        for (const auto& p : *params) {
            texts.push_back(value_text(p));
            bool null = std::holds_alternative<std::nullptr_t>(p);
            values.push_back(null ? nullptr : texts.back().c_str());
            types.push_back(std::holds_alternative<int64_t>(p) ? int8_oid
                            : std::holds_alternative<double>(p) ? float8_oid
                                                                : 0);  // text: let the server infer
        }
        std::string translated = postgres_placeholders(sql);
        raw = LIBPQ(PQexecParams)(conn_, translated.c_str(), static_cast<int>(values.size()), types.data(),
                                  values.data(), nullptr, nullptr, 0);
    }
    ResultPtr result(raw, LIBPQ(PQclear));
    ExecStatusType status = result ? LIBPQ(PQresultStatus)(result.get()) : PGRES_FATAL_ERROR;
    if (status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK) {
        if (rows) {
            int count = LIBPQ(PQntuples)(result.get());
            int columns = LIBPQ(PQnfields)(result.get());
            rows->reserve(static_cast<size_t>(count));
            for (int r = 0; r < count; ++r) {
                Row row;
                row.reserve(static_cast<size_t>(columns));
                for (int c = 0; c < columns; ++c) row.push_back(column_value(result.get(), r, c));
                rows->push_back(std::move(row));
            }
        }
        return Outcome::done;
    }
    const char* sqlstate = result ? LIBPQ(PQresultErrorField)(result.get(), PG_DIAG_SQLSTATE) : nullptr;
    if (LIBPQ(PQstatus)(conn_) != CONNECTION_OK || is_connection_error(sqlstate)) return Outcome::connection_lost;
    last_sqlstate_ = sqlstate ? sqlstate : "";
    std::string message = result ? LIBPQ(PQresultErrorMessage)(result.get()) : LIBPQ(PQerrorMessage)(conn_);
    throw std::runtime_error(failure(message));
}

std::vector<Row> PostgresDb::run(const std::string& sql, const std::vector<Value>* params) {
    std::lock_guard lock(mutex_);
    if (transaction_depth_ > 0 && lost_in_transaction_) throw ConnectionLost(failure("the connection was lost"));
    std::optional<std::chrono::steady_clock::time_point> deadline;
    while (true) {
        std::vector<Row> rows;
        if (run_once(sql, params, &rows) == Outcome::done) return rows;
        if (transaction_depth_ > 0) {
            lost_in_transaction_ = true;
            throw ConnectionLost(failure("the connection was lost"));
        }
        // Outside a transaction the statement runs again on a new connection.
        if (!deadline) deadline = std::chrono::steady_clock::now() + options_.reconnect_deadline;
        else if (std::chrono::steady_clock::now() > *deadline)
            throw std::runtime_error(failure("the connection keeps being lost"));
        reconnect_until_deadline();
    }
}

void PostgresDb::exec(const std::string& sql) { run(sql, nullptr); }

std::vector<Row> PostgresDb::query(const std::string& sql, const std::vector<Value>& params) {
    return run(sql, &params);
}

void PostgresDb::transaction(const std::function<void()>& body) {
    std::lock_guard lock(mutex_);
    if (transaction_depth_ > 0) {  // joins the outer transaction, which commits, rolls back or starts over
        body();
        return;
    }
    const auto deadline = std::chrono::steady_clock::now() + options_.reconnect_deadline;
    while (true) {
        lost_in_transaction_ = false;
        last_sqlstate_.clear();
        run("BEGIN", nullptr);  // outside the transaction yet: reconnects if it must
        transaction_depth_ = 1;
        try {
            body();
            if (lost_in_transaction_) throw ConnectionLost(failure("the connection was lost"));
            run("COMMIT", nullptr);
            transaction_depth_ = 0;
            return;
        } catch (...) {
            transaction_depth_ = 0;
            const bool lost = lost_in_transaction_ || !conn_ || LIBPQ(PQstatus)(conn_) != CONNECTION_OK;
            const bool again = lost || is_retryable(last_sqlstate_);
            lost_in_transaction_ = false;
            if (!lost) {
                ResultPtr rollback(LIBPQ(PQexec)(conn_, "ROLLBACK"), LIBPQ(PQclear));
            }
            if (!again || std::chrono::steady_clock::now() > deadline) throw;
            if (lost) reconnect_until_deadline();
            else spdlog::debug("PostgreSQL {}: transaction conflict ({}), running it again", masked_url_, last_sqlstate_);
        }
    }
}

}  // namespace regscan::state
