// PostgresDb alone: placeholders, URL masking, and what a lost connection
// does, against a real PostgreSQL 15 of the test's own that it restarts.
#include <doctest/doctest.h>

#include <filesystem>
#include <string>

#include "log/secrets.hpp"
#include "state/open_database.hpp"
#include "state/postgres_db.hpp"
#include "test_state_postgres_server.hpp"

using namespace regscan::state;

TEST_SUITE_BEGIN("state");

TEST_CASE("state::postgres_placeholders numbers the ? outside strings, identifiers and comments") {
    CHECK(postgres_placeholders("SELECT ?, '?', 'it''s ?', \"odd?\" FROM t WHERE a = ? -- why?\nAND b = ?") ==
          "SELECT $1, '?', 'it''s ?', \"odd?\" FROM t WHERE a = $2 -- why?\nAND b = $3");
    CHECK(postgres_placeholders("SELECT 1") == "SELECT 1");
    CHECK(postgres_placeholders("SELECT '?") == "SELECT '?");  // unterminated: left as it is
}

TEST_CASE("state::mask_database_url hides the password and nothing else") {
    CHECK(mask_database_url("postgresql://scanner:p%40ss:w0rd@db.example:5432/regscan?sslmode=require") ==
          "postgresql://scanner:***@db.example:5432/regscan?sslmode=require");
    CHECK(mask_database_url("postgres://scanner@db/regscan?password=hunter22&sslmode=disable") ==
          "postgres://scanner@db/regscan?password=***&sslmode=disable");
    CHECK(mask_database_url("postgresql:///regscan?host=/tmp/x&port=5432") ==
          "postgresql:///regscan?host=/tmp/x&port=5432");
    CHECK(mask_database_url("postgresql://u@h/d") == "postgresql://u@h/d");
    CHECK(is_postgres_url("postgresql://h/d"));
    CHECK(is_postgres_url("POSTGRES://h/d"));
    CHECK_FALSE(is_postgres_url("/var/lib/regscan/state.db"));
    CHECK_FALSE(is_postgres_url("postgresql:/relative/file.db"));
    CHECK(printable_location("/x/state.db") == "/x/state.db");
}

TEST_CASE("state::open_database refuses what looks meant for a server instead of making a file of that name") {
    for (const std::string location : {"host=/tmp dbname=regscan", "dbname=regscan password=Secret-123",
                                       "postgresl://u:pw-in-typo@h/d", "mysql://h/d"}) {
        CAPTURE(location);
        try {
            open_database(location);
            FAIL("opened " << location);
        } catch (const std::runtime_error& e) {
            std::string message = e.what();
            CHECK(message.find("not a state location") != std::string::npos);
            CHECK(message.find("Secret-123") == std::string::npos);
            CHECK(message.find("pw-in-typo") == std::string::npos);
        }
        CHECK_FALSE(std::filesystem::exists(location));
    }
}

TEST_CASE("state::PostgresDb refuses a wrong password naming the server, the password masked") {
    auto& server = regscan::test::PostgresServer::shared();
    std::string wrong = server.url();
    wrong.replace(wrong.find(server.password()), server.password().size(), "wrong-Pa55word");
    try {
        PostgresDb db(wrong);
        FAIL("connected with a wrong password");
    } catch (const std::runtime_error& e) {
        std::string message = e.what();
        CHECK(message.find("wrong-Pa55word") == std::string::npos);
        CHECK(message.find("postgresql://regscan:***@127.0.0.1:" + std::to_string(server.port())) !=
              std::string::npos);
        CHECK(message.find("password authentication failed") != std::string::npos);
    }
    // Registered as a secret: a log line holding it is redacted.
    CHECK(regscan::log::redact("oops wrong-Pa55word") == "oops ***");
}

TEST_CASE("state::PostgresDb reconnects after a server restart and runs the statement again") {
    regscan::test::PostgresServer server;
    PostgresDb db(server.url());
    db.exec("CREATE TABLE t (k TEXT PRIMARY KEY)");
    db.query("INSERT INTO t VALUES (?)", {std::string("before")});
    for (const char* mode : {"immediate", "fast"}) {
        server.restart(mode);
        CHECK(db.query("SELECT k FROM t").size() == 1);  // the first statement after the restart
    }
    db.query("INSERT INTO t VALUES (?)", {std::string("after")});
    CHECK(db.query("SELECT k FROM t ORDER BY k").size() == 2);
}

TEST_CASE("state::PostgresDb runs a transaction's whole body again when the connection is lost inside it") {
    regscan::test::PostgresServer server;
    PostgresDb db(server.url());
    db.exec("CREATE TABLE t (run BIGINT, k TEXT)");
    int runs = 0;
    std::vector<Row> seen_inside;
    db.transaction([&] {
        ++runs;
        seen_inside.clear();  // re-runnable: outputs cleared first
        db.query("INSERT INTO t VALUES (?, 'first')", {int64_t{runs}});
        if (runs == 1) server.restart("immediate");
        db.query("INSERT INTO t VALUES (?, 'second')", {int64_t{runs}});
        seen_inside = db.query("SELECT run, k FROM t ORDER BY k");
    });
    CHECK(runs == 2);
    auto rows = db.query("SELECT run, k FROM t ORDER BY k");
    REQUIRE(rows.size() == 2);  // the first run's insert went with its connection
    CHECK(as_int(rows[0][0]) == 2);
    CHECK(as_int(rows[1][0]) == 2);
    CHECK(seen_inside == rows);

    // Lost at COMMIT time (the body itself ran fine): the body runs again too.
    runs = 0;
    db.transaction([&] {
        ++runs;
        db.query("DELETE FROM t");
        if (runs == 1) server.restart("fast");
    });
    CHECK(runs == 2);
    CHECK(db.query("SELECT 1 FROM t").empty());
}

TEST_CASE("state::PostgresDb gives up reconnecting at its deadline, with the URL masked") {
    regscan::test::PostgresServer server;
    PostgresOptions options;
    options.reconnect_deadline = std::chrono::milliseconds(1500);
    options.connect_timeout = std::chrono::seconds(2);
    PostgresDb db(server.url(), options);
    CHECK(db.query("SELECT 1").size() == 1);
    server.stop();
    try {
        db.query("SELECT 1");
        FAIL("a query on a stopped server succeeded");
    } catch (const std::runtime_error& e) {
        std::string message = e.what();
        CHECK(message.find(server.password()) == std::string::npos);
        CHECK(message.find("postgresql://regscan:***@") != std::string::npos);
        CHECK(message.find("gave up reconnecting") != std::string::npos);
    }
    // Having waited out the deadline once, the next statements try once and
    // fail at once (the message says so): no second wait per statement.
    bool body_ran = false;
    try {
        db.transaction([&] { body_ran = true; });  // BEGIN itself cannot run
        FAIL("a transaction on a stopped server ran");
    } catch (const std::runtime_error& e) {
        CHECK(std::string(e.what()).find("still unreachable after reconnecting for 1 s before") != std::string::npos);
    }
    CHECK_FALSE(body_ran);
    server.start();
    CHECK(db.query("SELECT 1").size() == 1);  // and it recovers once the server is back
    // A later loss waits its deadline again.
    server.stop();
    try {
        db.query("SELECT 1");
        FAIL("a query on a stopped server succeeded");
    } catch (const std::runtime_error& e) {
        CHECK(std::string(e.what()).find("gave up reconnecting") != std::string::npos);
    }
    server.start();
    CHECK(db.query("SELECT 1").size() == 1);
}

TEST_SUITE_END();
