// LayerCache across processes: two caches on two connections to one state,
// as two workers have, with layer claims.
#include <doctest/doctest.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <future>
#include <memory>
#include <thread>

#include <unistd.h>

#include "scan/facts_size.hpp"
#include "scan/layer_cache.hpp"
#include "state/layer_claims.hpp"
#include "state/state_store.hpp"
#include "temp_dir.hpp"

using namespace regscan;
using regscan::test::TempDir;

namespace {

const std::string layer = "sha256:" + std::string(64, 'b');

// One worker: its own connection, claims and cache. Its claims' clock counts
// the times it is read, so a test can tell the worker is polling.
struct Worker {
    state::StateStore store;
    std::shared_ptr<std::atomic<int64_t>> now;
    std::shared_ptr<std::atomic<int>> clock_reads = std::make_shared<std::atomic<int>>(0);
    state::LayerClaims claims;
    scan::LayerCache cache;
    std::atomic<int> computed{0};

    Worker(const std::filesystem::path& file, const std::string& name, std::shared_ptr<std::atomic<int64_t>> clock)
        : store(file.string()),
          now(std::move(clock)),
          claims(store.db(), name, std::chrono::seconds(30),
                 [n = now, reads = clock_reads] {
                     ++*reads;
                     return n->load();
                 }),
          cache(&store) {
        cache.share_across_processes(&claims, std::chrono::milliseconds(2), std::chrono::minutes(1));
    }

    std::shared_ptr<const scan::LayerFacts> get(const std::function<scan::LayerFacts()>& compute, bool& cached) {
        return cache.get(layer, [&] {
            ++computed;
            return compute();
        }, cached);
    }
};

scan::LayerFacts facts_with(uint64_t entries) {
    scan::LayerFacts facts;
    facts.entries = entries;
    return facts;
}

// Bounded poll: true once `condition` holds, false after ten seconds.
template <class Condition>
bool eventually(Condition condition) {
    auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (!condition()) {
        if (std::chrono::steady_clock::now() > give_up) return false;
        std::this_thread::yield();
    }
    return true;
}

}  // namespace

TEST_SUITE_BEGIN("scan");

TEST_CASE("scan::LayerCache a layer another process is analysing is waited for, not analysed again") {
    TempDir dir;
    auto now = std::make_shared<std::atomic<int64_t>>(1'000'000);
    Worker a(dir.path / "state.db", "a", now), b(dir.path / "state.db", "b", now);
    std::promise<void> a_started, a_may_finish;
    auto a_may_finish_future = a_may_finish.get_future();
    auto a_result = std::async(std::launch::async, [&] {
        bool cached = true;
        auto facts = a.get([&] {
            a_started.set_value();
            a_may_finish_future.wait();
            return facts_with(42);
        }, cached);
        CHECK_FALSE(cached);
        return facts->entries;
    });
    a_started.get_future().wait();
    auto b_result = std::async(std::launch::async, [&] {
        bool cached = false;
        auto facts = b.get([] { return facts_with(7); }, cached);
        CHECK(cached);
        return facts->entries;
    });
    // b asks for the claim again and again: it is waiting on a's analysis.
    CHECK(eventually([&] { return b.clock_reads->load() >= 3; }));
    a_may_finish.set_value();
    CHECK(a_result.get() == 42);
    CHECK(b_result.get() == 42);  // a's facts, from the state
    CHECK(a.computed == 1);
    CHECK(b.computed == 0);
    CHECK(b.claims.holder(layer, scan::layer_analysis_version).empty());  // a gave its claim up
}

TEST_CASE("scan::LayerCache a failed analysis gives the claim up: the waiting process analyses the layer") {
    TempDir dir;
    auto now = std::make_shared<std::atomic<int64_t>>(1'000'000);
    Worker a(dir.path / "state.db", "a", now), b(dir.path / "state.db", "b", now);
    std::promise<void> a_started, a_may_fail;
    auto a_may_fail_future = a_may_fail.get_future();
    auto a_result = std::async(std::launch::async, [&] {
        bool cached = false;
        a.get([&]() -> scan::LayerFacts {
            a_started.set_value();
            a_may_fail_future.wait();
            throw std::runtime_error("blob unknown");
        }, cached);
    });
    a_started.get_future().wait();
    auto b_result = std::async(std::launch::async, [&] {
        bool cached = true;
        auto facts = b.get([] { return facts_with(7); }, cached);
        CHECK_FALSE(cached);
        return facts->entries;
    });
    CHECK(eventually([&] { return b.clock_reads->load() >= 3; }));
    a_may_fail.set_value();
    CHECK_THROWS_WITH(a_result.get(), "blob unknown");
    CHECK(b_result.get() == 7);
    CHECK(b.computed == 1);
}

TEST_CASE("scan::LayerCache takes over the claim of a process lost while analysing") {
    TempDir dir;
    auto now = std::make_shared<std::atomic<int64_t>>(1'000'000);
    Worker lost(dir.path / "state.db", "lost", now), b(dir.path / "state.db", "b", now);
    REQUIRE(lost.claims.try_claim(layer, scan::layer_analysis_version));  // then killed: no renewal
    auto b_result = std::async(std::launch::async, [&] {
        bool cached = true;
        auto facts = b.get([] { return facts_with(9); }, cached);
        CHECK_FALSE(cached);
        return facts->entries;
    });
    CHECK(eventually([&] { return b.clock_reads->load() >= 3; }));
    *now += 30'001;  // the lost process's lease runs out
    CHECK(b_result.get() == 9);
    CHECK(b.computed == 1);
}


TEST_CASE("scan::LayerCache keeps the newest facts within its budget in memory; older ones come from the state") {
    TempDir dir;
    state::StateStore store((dir.path / "state.db").string());
    scan::LayerCache cache(&store, {}, 250);
    int computed = 0;
    auto facts_of = [&](char which) {
        bool cached = false;
        auto got = cache.get("sha256:" + std::string(64, which), [&] {
            ++computed;
            auto facts = facts_with(1);
            facts.kept_bytes = 100;
            return facts;
        }, cached);
        return std::make_pair(got, cached);
    };
    auto first = facts_of('a').first;
    facts_of('b');
    // Held in memory: the same object again.
    CHECK(facts_of('a').first == first);
    facts_of('c');  // 300 bytes past 250: 'a' leaves memory
    auto [again, cached] = facts_of('a');
    CHECK(cached);
    CHECK(again != first);  // read back from the state, not computed
    CHECK(again->entries == 1);
    CHECK(computed == 3);
}

TEST_CASE("scan::LayerCache counts facts read back from the state, their malware verdict with them") {
    TempDir dir;
    state::StateStore store((dir.path / "state.db").string());
    scan::LayerCache cache(&store, "sigs-1", 1);  // holds one layer: the other is read back
    auto facts_of = [&](char which) {
        bool cached = false;
        return cache.get("sha256:" + std::string(64, which), [&] {
            auto facts = facts_with(1);
            facts.deleted = {"etc/" + std::string(300, 'd')};
            facts.malware.emplace();
            facts.malware->findings.push_back({"bin/" + std::string(500, 'm'), "yara", "Evil", "", "", ""});
            facts.malware->add_path("bin/" + std::string(500, 'm'), false);
            facts.malware->sort_paths();
            facts.kept_bytes = scan::layer_facts_bytes(facts);
            return facts;
        }, cached);
    };
    const auto computed = facts_of('a')->kept_bytes;
    facts_of('b');
    auto again = facts_of('a');
    REQUIRE(again->malware);
    CHECK(again->kept_bytes == computed);
    auto without_verdict = *again;
    without_verdict.malware.reset();
    CHECK(again->kept_bytes > scan::layer_facts_bytes(without_verdict) + 500);
}

TEST_CASE("scan::LayerCache without a state computes a layer again once it left memory") {
    scan::LayerCache cache(nullptr, {}, 150);
    int computed = 0;
    for (char which : {'a', 'b', 'a'}) {
        bool cached = false;
        cache.get("sha256:" + std::string(64, which), [&] {
            ++computed;
            auto facts = facts_with(1);
            facts.kept_bytes = 100;
            return facts;
        }, cached);
    }
    CHECK(computed == 3);
}

TEST_SUITE_END();
