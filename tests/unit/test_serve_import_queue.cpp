#include <doctest/doctest.h>

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <vector>

#include "serve/import_queue.hpp"

using namespace regscan::serve;
using namespace std::chrono_literals;

namespace {

// Runs that block until the test lets them end, and record their order.
struct Gate {
    std::mutex mutex;
    std::condition_variable changed;
    std::vector<int64_t> started;
    std::vector<int64_t> released;
    size_t running = 0, max_running = 0;

    void run(const QueuedImport& q) {
        std::unique_lock lock(mutex);
        started.push_back(q.import_id);
        max_running = std::max(max_running, ++running);
        changed.notify_all();
        changed.wait(lock, [&] { return std::find(released.begin(), released.end(), q.import_id) != released.end(); });
        --running;
        changed.notify_all();
    }
    void release(int64_t id) {
        std::lock_guard lock(mutex);
        released.push_back(id);
        changed.notify_all();
    }
    // Bounded wait for a condition (no sleep as synchronisation).
    bool wait(const std::function<bool()>& ready) {
        std::unique_lock lock(mutex);
        return changed.wait_for(lock, 10s, ready);
    }
};

}  // namespace

TEST_SUITE_BEGIN("serve");

TEST_CASE("serve::ImportQueue answers a connector's queued or running import instead of a second one") {
    Gate gate;
    ImportQueue queue(2, [&](const QueuedImport& q) { gate.run(q); });
    int64_t next_id = 1;
    auto create = [&] { return next_id++; };
    auto first = queue.submit(7, Priority::scheduled, create);
    CHECK(first.created);
    REQUIRE(gate.wait([&] { return gate.started.size() == 1; }));
    auto again = queue.submit(7, Priority::manual, create);
    CHECK_FALSE(again.created);
    CHECK(again.import_id == first.import_id);
    CHECK(queue.active(7) == first.import_id);
    gate.release(first.import_id);
    REQUIRE(queue.wait_until_idle(10s));
    // Once it ended, the connector may run again.
    CHECK_FALSE(queue.active(7));
    auto third = queue.submit(7, Priority::manual, create);
    CHECK(third.created);
    CHECK(third.import_id == 2);
    gate.release(third.import_id);
    queue.stop();
    CHECK(next_id == 3);
}

TEST_CASE("serve::ImportQueue runs manual imports ahead of scheduled ones, within the global limit") {
    Gate gate;
    ImportQueue queue(1, [&](const QueuedImport& q) { gate.run(q); });
    int64_t id = 100;
    auto create = [&] { return ++id; };
    auto blocker = queue.submit(1, Priority::scheduled, create).import_id;  // 101, takes the one worker
    REQUIRE(gate.wait([&] { return gate.started.size() == 1; }));
    auto s1 = queue.submit(2, Priority::scheduled, create).import_id;  // 102
    auto s2 = queue.submit(3, Priority::scheduled, create).import_id;  // 103
    auto m1 = queue.submit(4, Priority::manual, create).import_id;     // 104
    // A manual request for connector 3 lifts its queued scheduled import.
    CHECK(queue.submit(3, Priority::manual, create).import_id == s2);
    CHECK(queue.queued() == 3);
    for (auto release : {blocker, m1, s2, s1}) {
        gate.release(release);
    }
    REQUIRE(gate.wait([&] { return gate.started.size() == 4 && gate.running == 0; }));
    CHECK(gate.started == std::vector<int64_t>{blocker, m1, s2, s1});
    CHECK(gate.max_running == 1);
    queue.stop();
}

TEST_CASE("serve::ImportQueue never runs more than its workers at once") {
    Gate gate;
    ImportQueue queue(2, [&](const QueuedImport& q) { gate.run(q); });
    int64_t id = 0;
    for (int64_t connector = 1; connector <= 5; ++connector)
        queue.submit(connector, Priority::scheduled, [&] { return ++id; });
    REQUIRE(gate.wait([&] { return gate.started.size() == 2; }));
    CHECK(queue.running() == 2);
    CHECK(queue.queued() == 3);
    for (int64_t i = 1; i <= 5; ++i) gate.release(i);
    REQUIRE(gate.wait([&] { return gate.started.size() == 5 && gate.running == 0; }));
    CHECK(gate.max_running == 2);
    queue.stop();
}

TEST_CASE("serve::ImportQueue wait_until_inactive waits for one connector's import, bounded") {
    Gate gate;
    ImportQueue queue(2, [&](const QueuedImport& q) { gate.run(q); });
    int64_t id = 0;
    auto create = [&] { return ++id; };
    CHECK(queue.wait_until_inactive(1, 0ms));  // nothing queued: at once
    queue.submit(1, Priority::manual, create);
    queue.submit(2, Priority::manual, create);
    REQUIRE(gate.wait([&] { return gate.started.size() == 2; }));
    CHECK_FALSE(queue.wait_until_inactive(1, 20ms));  // still running: the bound answers
    gate.release(1);
    CHECK(queue.wait_until_inactive(1, 10s));
    CHECK(queue.active(2));  // the other connector's import runs on
    gate.release(2);
    queue.stop();
}

TEST_CASE("serve::ImportQueue stop lets running imports end and hands back the queued ones") {
    Gate gate;
    ImportQueue queue(1, [&](const QueuedImport& q) { gate.run(q); });
    int64_t id = 0;
    auto create = [&] { return ++id; };
    queue.submit(1, Priority::scheduled, create);
    REQUIRE(gate.wait([&] { return gate.started.size() == 1; }));
    queue.submit(2, Priority::manual, create);
    queue.submit(3, Priority::scheduled, create);
    CHECK(queue.drop_queued(3));
    CHECK_FALSE(queue.drop_queued(3));
    CHECK_FALSE(queue.active(3));
    gate.release(1);
    // stop() may race the worker picking import 2: either it is handed back,
    // or it ran (and was released below) - never both, never lost.
    gate.release(2);
    auto left = queue.stop();
    CHECK(left.size() + (gate.started.size() - 1) == 1);
    CHECK_THROWS_AS(queue.submit(4, Priority::manual, create), std::runtime_error);
}

TEST_SUITE_END();
