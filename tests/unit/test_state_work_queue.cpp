#include <doctest/doctest.h>

#include <atomic>
#include <filesystem>
#include <memory>
#include <set>
#include <thread>

#include <unistd.h>

#include "state/open_database.hpp"
#include "state/work_queue.hpp"
#include "test_state_postgres_server.hpp"
#include "temp_dir.hpp"

using namespace regscan::state;
using regscan::test::TempDir;

namespace {

// An injected clock: every lease time is read from it, as from the database.
struct FakeClock {
    std::shared_ptr<std::atomic<int64_t>> ms = std::make_shared<std::atomic<int64_t>>(1'000'000);
    WorkQueue::Clock clock() const {
        auto at = ms;
        return [at] { return at->load(); };
    }
    void advance(int64_t by) { *ms += by; }
};

// Every case runs on both backends: a SQLite file and a real PostgreSQL.
struct Backend {
    std::string name;
    std::string location;
    [[nodiscard]] std::shared_ptr<Database> open() const { return open_database(location); }
};

template <class Body>
void on_each_backend(const Body& body) {
    TempDir dir;
    for (const Backend& backend : {Backend{"sqlite", (dir.path / "state.db").string()},
                                   Backend{"postgresql", regscan::test::PostgresServer::shared().fresh_database()}}) {
        CAPTURE(backend.name);
        body(backend);
    }
}

NewWork image(const std::string& repository, const std::string& tag) {
    return {"default", "http://127.0.0.1:5000", "DEFAULT_V2", repository, tag, "", R"({"platform":"linux/amd64"})"};
}

}  // namespace

TEST_SUITE_BEGIN("state");

TEST_CASE("state::WorkQueue claims user requests ahead of scheduled work, then the oldest first") {
    on_each_backend([&](const Backend& backend) {
        auto connection = backend.open();
        Database& db = *connection;
        FakeClock clock;
        WorkQueue queue(db, {}, clock.clock());
        auto scheduled = queue.enqueue({image("a", "1"), image("a", "2")}, priority_scheduled);
        auto user = queue.enqueue({image("b", "1")}, priority_user);
        CHECK(scheduled != user);

        auto first = queue.claim("w1");
        REQUIRE(first);
        CHECK(first->work.repository == "b");
        CHECK(first->batch == user);
        CHECK(first->attempts == 1);
        CHECK(first->state == "claimed");
        CHECK(first->lease_owner == "w1");
        CHECK(first->lease_expires == clock.ms->load() + 60000);
        auto second = queue.claim("w1");
        auto third = queue.claim("w2");
        REQUIRE(second);
        REQUIRE(third);
        CHECK(second->work.tag == "1");
        CHECK(third->work.tag == "2");
        CHECK_FALSE(queue.claim("w3"));
        CHECK(queue.progress(scheduled).claimed == 2);
        CHECK(queue.progress(user).claimed == 1);
    });
}

TEST_CASE("state::WorkQueue never hands one row to two connections claiming at once") {
    on_each_backend([&](const Backend& backend) {
        const size_t rows = 60;
        {
            auto connection = backend.open();
            Database& db = *connection;
            WorkQueue queue(db);
            std::vector<NewWork> work;
            for (size_t i = 0; i < rows; ++i) work.push_back(image("repo", std::to_string(i)));
            queue.enqueue(work, priority_user);
        }
        std::mutex mutex;
        std::vector<int64_t> claimed;
        std::vector<std::thread> threads;
        for (int t = 0; t < 4; ++t)
            threads.emplace_back([&, t] {
                auto connection = backend.open();
                Database& db = *connection;  // a connection of its own, as another process has
                WorkQueue queue(db);
                while (auto item = queue.claim("w" + std::to_string(t))) {
                    std::lock_guard lock(mutex);
                    claimed.push_back(item->id);
                }
            });
        for (auto& thread : threads) thread.join();
        std::set<int64_t> unique(claimed.begin(), claimed.end());
        CHECK(claimed.size() == rows);
        CHECK(unique.size() == rows);
    });
}

TEST_CASE("state::WorkQueue hands an image on when its lease expires, counting the attempt") {
    on_each_backend([&](const Backend& backend) {
        auto connection = backend.open();
        Database& db = *connection;
        FakeClock clock;
        WorkQueue queue(db, {std::chrono::milliseconds(1000), 3}, clock.clock());
        auto batch = queue.enqueue({image("a", "1")}, priority_user);
        auto lost = queue.claim("w1");
        REQUIRE(lost);
        clock.advance(999);
        CHECK_FALSE(queue.claim("w2"));  // the lease still runs
        CHECK(queue.renew(*lost));       // and is renewed from now
        clock.advance(1001);
        auto taken = queue.claim("w2");
        REQUIRE(taken);
        CHECK(taken->id == lost->id);
        CHECK(taken->attempts == 2);
        CHECK(taken->lease_owner == "w2");
        CHECK(taken->lease_token != lost->lease_token);
        // The first owner can neither renew nor complete any more.
        CHECK_FALSE(queue.renew(*lost));
        CHECK_THROWS_AS(queue.complete(*lost), LeaseLost);
        queue.complete(*taken, "fp");
        auto progress = queue.progress(batch);
        CHECK(progress.done == 1);
        CHECK(progress.finished());
        CHECK(queue.fingerprints(batch) == std::vector<std::pair<std::string, size_t>>{{"fp", 1}});
    });
}

TEST_CASE("state::WorkQueue fails an image whose workers are lost max-attempts times, with the reason") {
    on_each_backend([&](const Backend& backend) {
        auto connection = backend.open();
        Database& db = *connection;
        FakeClock clock;
        WorkQueue queue(db, {std::chrono::milliseconds(1000), 3}, clock.clock());
        auto batch = queue.enqueue({image("killer", "1"), image("fine", "1")}, priority_user);
        for (int attempt = 1; attempt <= 3; ++attempt) {
            auto item = queue.claim("w");
            REQUIRE(item);
            CHECK(item->work.repository == "killer");
            CHECK(item->attempts == attempt);
            clock.advance(1001);  // the worker is killed: its lease runs out
        }
        auto next = queue.claim("w");
        REQUIRE(next);
        CHECK(next->work.repository == "fine");
        auto failed = queue.failed(batch);
        REQUIRE(failed.size() == 1);
        CHECK(failed[0].work.repository == "killer");
        CHECK(failed[0].state == "failed");
        CHECK(failed[0].reason == "worker lost while scanning (3 attempts)");
        CHECK(queue.progress(batch).failed == 1);
    });
}

TEST_CASE("state::WorkQueue retries a scan error until max-attempts, then fails with the last error") {
    on_each_backend([&](const Backend& backend) {
        auto connection = backend.open();
        Database& db = *connection;
        FakeClock clock;
        WorkQueue queue(db, {std::chrono::milliseconds(1000), 2}, clock.clock());
        auto batch = queue.enqueue({image("a", "1")}, priority_user);
        auto first = queue.claim("w");
        REQUIRE(first);
        CHECK(queue.fail_attempt(*first, "manifest unknown"));
        CHECK(queue.progress(batch).queued == 1);
        auto second = queue.claim("w");
        REQUIRE(second);
        CHECK(second->attempts == 2);
        CHECK_FALSE(queue.fail_attempt(*first, "stale"));  // not the lease holder any more
        CHECK(queue.fail_attempt(*second, "blob unknown"));
        auto failed = queue.failed(batch);
        REQUIRE(failed.size() == 1);
        CHECK(failed[0].reason == "blob unknown");
        CHECK_FALSE(queue.claim("w"));
    });
}

TEST_CASE("state::WorkQueue fail ends a refused row at once, whatever attempts are left") {
    on_each_backend([&](const Backend& backend) {
        auto connection = backend.open();
        Database& db = *connection;
        FakeClock clock;
        WorkQueue queue(db, {std::chrono::milliseconds(1000), 3}, clock.clock());
        auto batch = queue.enqueue({image("a", "1")}, priority_user);
        auto first = queue.claim("w");
        REQUIRE(first);
        CHECK(first->attempts == 1);
        CHECK(queue.fail(*first, "refused: no grant"));
        CHECK_FALSE(queue.fail(*first, "again"));  // no lease on a failed row
        auto failed = queue.failed(batch);
        REQUIRE(failed.size() == 1);
        CHECK(failed[0].reason == "refused: no grant");
        CHECK(queue.progress(batch).finished());
        CHECK_FALSE(queue.claim("w"));
    });
}

TEST_CASE("state::WorkQueue release gives the image back without counting the attempt") {
    on_each_backend([&](const Backend& backend) {
        auto connection = backend.open();
        Database& db = *connection;
        FakeClock clock;
        WorkQueue queue(db, {std::chrono::milliseconds(1000), 1}, clock.clock());
        queue.enqueue({image("a", "1")}, priority_user);
        auto item = queue.claim("w1");
        REQUIRE(item);
        CHECK(queue.release(*item));
        auto again = queue.claim("w2");
        REQUIRE(again);
        CHECK(again->attempts == 1);  // with max-attempts 1 it would otherwise be failed
        CHECK_FALSE(queue.release(*item));
    });
}

TEST_CASE("state::WorkQueue withdraw takes a batch's unclaimed rows out; claimed ones finish, others stay") {
    on_each_backend([&](const Backend& backend) {
        auto connection = backend.open();
        Database& db = *connection;
        FakeClock clock;
        WorkQueue queue(db, {std::chrono::milliseconds(1000), 3}, clock.clock());
        auto cancelled = queue.enqueue({image("a", "1"), image("a", "2"), image("a", "3")}, priority_user);
        auto other = queue.enqueue({image("b", "1")}, priority_scheduled);
        auto claimed = queue.claim("w1");
        REQUIRE(claimed);
        CHECK(claimed->batch == cancelled);
        CHECK(queue.withdraw(cancelled) == 2);
        CHECK(queue.withdraw(cancelled) == 0);
        auto progress = queue.progress(cancelled);
        CHECK(progress.queued == 0);
        CHECK(progress.claimed == 1);
        queue.complete(*claimed);
        CHECK(queue.progress(cancelled).finished());
        CHECK(queue.progress(other).queued == 1);
        auto next = queue.claim("w1");
        REQUIRE(next);
        CHECK(next->batch == other);
    });
}

TEST_CASE("state::WorkQueue a lost lease rolls back the transaction that writes the image's results") {
    on_each_backend([&](const Backend& backend) {
        auto connection = backend.open();
        Database& db = *connection;
        FakeClock clock;
        WorkQueue queue(db, {std::chrono::milliseconds(1000), 3}, clock.clock());
        db.exec("CREATE TABLE results (owner TEXT)");
        queue.enqueue({image("a", "1")}, priority_user);
        auto stale = queue.claim("w1");
        REQUIRE(stale);
        clock.advance(1001);
        auto owner = queue.claim("w2");
        REQUIRE(owner);
        CHECK_THROWS_AS(db.transaction([&] {
            db.query("INSERT INTO results VALUES ('w1')");
            queue.complete(*stale);
        }),
                        LeaseLost);
        db.transaction([&] {
            db.query("INSERT INTO results VALUES ('w2')");
            queue.complete(*owner);
        });
        auto rows = db.query("SELECT owner FROM results");
        REQUIRE(rows.size() == 1);
        CHECK(as_text(rows[0][0]) == "w2");
    });
}

TEST_CASE("state::WorkQueue counts live workers by their heartbeat on the database clock") {
    on_each_backend([&](const Backend& backend) {
        auto connection = backend.open();
        Database& db = *connection;
        FakeClock clock;
        WorkQueue queue(db, {}, clock.clock());
        CHECK(queue.live_workers(std::chrono::seconds(30)) == 0);
        queue.heartbeat("host:1", "host", 1);
        queue.heartbeat("host:2", "host", 2);
        CHECK(queue.live_workers(std::chrono::seconds(30)) == 2);
        clock.advance(20000);
        queue.heartbeat("host:2", "host", 2);
        clock.advance(20000);
        CHECK(queue.live_workers(std::chrono::seconds(30)) == 1);
        queue.remove_worker("host:2");
        CHECK(queue.live_workers(std::chrono::seconds(30)) == 0);
    });
}

TEST_CASE("state::WorkQueue reads lease times from the database's clock by default") {
    on_each_backend([&](const Backend& backend) {
        auto connection = backend.open();
        Database& db = *connection;
        WorkQueue queue(db);
        auto system_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                             std::chrono::system_clock::now().time_since_epoch())
                             .count();
        CHECK(std::llabs(queue.now() - system_ms) < 5000);
    });
}

TEST_SUITE_END();
