#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <vector>

#include "serve/import_retention.hpp"
#include "state/service_store.hpp"
#include "temp_dir.hpp"
#include "test_state_records.hpp"

using namespace regscan;
using regscan::test::connector;
using regscan::test::TempDir;

namespace {

struct Imports {
    TempDir dir{"retention"};
    state::ServiceStore store{(dir.path / "state.db").string()};
    int64_t connector_id = store.create_connector(connector("prod"));

    std::filesystem::path reports(int64_t id) const { return dir.path / "imports" / std::to_string(id); }
    // A finished import with a report file.
    int64_t finished() {
        auto id = store.create_import(connector_id, "prod", "scheduled", "2026-01-01T00:00:00Z");
        store.finish_import(id, "succeeded", "2026-01-01T00:01:00Z", 0, 0, 0, "");
        std::filesystem::create_directories(reports(id));
        std::ofstream(reports(id) / "report.json") << "{}";
        return id;
    }
};

}  // namespace

TEST_SUITE_BEGIN("serve");

TEST_CASE("serve::ImportRetention removes the imports past the bound with their report directories") {
    Imports imports;
    std::vector<int64_t> ids;
    for (int i = 0; i < 4; ++i) ids.push_back(imports.finished());
    serve::ImportRetention retention(imports.store, 2, [&](int64_t id) { return imports.reports(id); });
    CHECK(retention.apply(imports.connector_id) == 2);
    for (size_t i = 0; i < ids.size(); ++i) {
        const bool kept = i >= 2;
        CHECK(imports.store.import(ids[i]).has_value() == kept);
        CHECK(std::filesystem::exists(imports.reports(ids[i]) / "report.json") == kept);
    }
    CHECK(retention.apply(imports.connector_id) == 0);  // nothing more past it
    // One more import pushes the oldest kept one out.
    auto next = imports.finished();
    CHECK(retention.apply(imports.connector_id) == 1);
    CHECK_FALSE(imports.store.import(ids[2]));
    CHECK(imports.store.import(next));
}

TEST_CASE("serve::ImportRetention keeps everything at 0, and an import whose reports are already gone is removed") {
    Imports imports;
    std::vector<int64_t> ids;
    for (int i = 0; i < 3; ++i) ids.push_back(imports.finished());
    serve::ImportRetention all(imports.store, 0, [&](int64_t id) { return imports.reports(id); });
    CHECK(all.apply(imports.connector_id) == 0);
    CHECK(imports.store.imports("prod", 10).size() == 3);
    // A crash between the directory's removal and the rows' leaves rows alone: the next pass removes them.
    std::filesystem::remove_all(imports.reports(ids[0]));
    serve::ImportRetention one(imports.store, 1, [&](int64_t id) { return imports.reports(id); });
    CHECK(one.apply(imports.connector_id) == 2);
    CHECK(imports.store.imports("prod", 10).size() == 1);
    CHECK(std::filesystem::exists(imports.reports(ids[2])));
}

TEST_CASE("serve::ImportRetention passes run on its own thread; once stopped it takes no more") {
    Imports imports;
    std::vector<int64_t> ids;
    for (int i = 0; i < 3; ++i) ids.push_back(imports.finished());
    serve::ImportRetention retention(imports.store, 1, [&](int64_t id) { return imports.reports(id); });
    retention.request(imports.connector_id);
    retention.request(imports.connector_id);
    retention.wait_idle();
    CHECK(imports.store.imports("prod", 10).size() == 1);
    CHECK_FALSE(std::filesystem::exists(imports.reports(ids[0])));
    CHECK_FALSE(std::filesystem::exists(imports.reports(ids[1])));
    // Once stopped, it removes nothing more.
    retention.stop();
    auto later = imports.finished();
    retention.request(imports.connector_id);
    retention.wait_idle();
    CHECK(imports.store.import(later));
    CHECK(imports.store.import(ids[2]));
}

TEST_SUITE_END();
