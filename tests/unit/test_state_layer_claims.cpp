#include <doctest/doctest.h>

#include <atomic>
#include <filesystem>
#include <memory>

#include <unistd.h>

#include "state/layer_claims.hpp"
#include "state/open_database.hpp"
#include "test_state_postgres_server.hpp"
#include "temp_dir.hpp"

using namespace regscan::state;
using regscan::test::TempDir;

namespace {

const std::string layer = "sha256:" + std::string(64, 'a');

}  // namespace

TEST_SUITE_BEGIN("state");

TEST_CASE("state::LayerClaims one process analyses a layer; another takes over when its lease expires") {
    TempDir dir;
    for (const std::string& location :
         {(dir.path / "state.db").string(), regscan::test::PostgresServer::shared().fresh_database()}) {
    CAPTURE(location);
    auto connection_a = open_database(location);
    auto connection_b = open_database(location);  // another worker's connection
    Database& db_a = *connection_a;
    Database& db_b = *connection_b;
    auto now = std::make_shared<std::atomic<int64_t>>(5'000'000);
    auto clock = [now] { return now->load(); };
    LayerClaims a(db_a, "worker-a", std::chrono::milliseconds(1000), clock);
    LayerClaims b(db_b, "worker-b", std::chrono::milliseconds(1000), clock);

    CHECK(a.try_claim(layer, 3));
    CHECK(a.try_claim(layer, 3));  // ours already
    CHECK_FALSE(b.try_claim(layer, 3));
    CHECK(b.holder(layer, 3) == "worker-a");
    CHECK(b.try_claim(layer, 4));  // another analysis version is another claim

    *now += 900;
    a.renew_held();  // a heartbeat keeps it
    *now += 900;
    CHECK_FALSE(b.try_claim(layer, 3));
    *now += 1001;  // worker-a is lost
    CHECK(b.holder(layer, 3).empty());
    CHECK(b.try_claim(layer, 3));
    a.release(layer, 3);  // too late: not a's claim to give up any more
    CHECK(a.holder(layer, 3) == "worker-b");
    CHECK_FALSE(a.try_claim(layer, 3));
    b.release(layer, 3);  // facts stored, or the analysis failed
    CHECK(a.try_claim(layer, 3));
    }
}

TEST_SUITE_END();
