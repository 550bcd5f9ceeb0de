#include <doctest/doctest.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include <unistd.h>

#include "scan/model_json.hpp"
#include "plugin/loaded_plugin.hpp"
#include "serve/import_runner.hpp"
#include "serve/secret_options.hpp"
#include "serve/service.hpp"
#include "state/service_store.hpp"
#include "state/state_store.hpp"
#include "util/time.hpp"
#include "temp_dir.hpp"

using namespace regscan;
using namespace regscan::serve;
using namespace std::chrono_literals;
using nlohmann::json;
using regscan::test::TempDir;

namespace {

const std::string password = "Sup3r-Secret-Connector-Pw";

struct Fixture {
    TempDir dir;
    std::shared_ptr<std::atomic<int64_t>> now = std::make_shared<std::atomic<int64_t>>(
        util::parse_rfc3339("2026-03-01T00:00:00Z")->time_since_epoch().count());
    plugin::PluginSet plugins;
    ServiceOptions options;

    Fixture() {
        options.data_dir = dir.path;
        options.state_path = dir.path / "state.db";
        options.key_file = dir.path / "serve-secret.key";
        options.max_concurrent_imports = 1;
        options.defaults.output_dir = (dir.path / "imports").string();
        options.defaults.http.max_retries = 0;
    }
    std::unique_ptr<Service> make() {
        auto clock = now;
        return make_service(options, plugins,
                            [clock] { return std::chrono::sys_seconds(std::chrono::seconds(clock->load())); });
    }
    void advance(std::chrono::seconds by) { *now += by.count(); }
};

json body(const std::string& name) {
    // A closed loopback port: an import fails fast, without a registry.
    return {{"name", name},
            {"url", "http://127.0.0.1:9"},
            {"username", "robot$ci"},
            {"password", password},
            {"schedule", {{"enabled", true}, {"every", "6h"}}},
            {"allow", {"team/*"}},
            {"options", {{"project", "core"}}}};
}

ServiceError::Kind kind_of(const std::function<void()>& call) {
    try {
        call();
    } catch (const ServiceError& e) {
        return e.kind();
    }
    FAIL("no ServiceError");
    return ServiceError::Kind::bad_request;
}

std::string file_text(const std::filesystem::path& file) {
    std::ifstream in(file, std::ios::binary);
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
}

// Bounded poll of an import until it ends.
json wait_import(Service& service, int64_t id) {
    json import;
    for (int i = 0; i < 600; ++i) {
        import = service.get_import(id);
        auto state = import["state"].get<std::string>();
        if (state != "queued" && state != "running") return import;
        std::this_thread::sleep_for(100ms);
    }
    FAIL("import " << id << " did not end: " << import.dump());
    return import;
}

}  // namespace

TEST_SUITE_BEGIN("serve");

TEST_CASE("serve::Service creates connectors as the contract shows them, never with the password") {
    Fixture f;
    auto service = f.make();
    auto created = service->create_connector(body("prod"));
    CHECK(created["name"] == "prod");
    CHECK(created["url"] == "http://127.0.0.1:9");
    CHECK(created["type"] == "");
    CHECK(created["username"] == "robot$ci");
    CHECK(created["has_password"] == true);
    CHECK(created["schedule"] == json{{"enabled", true}, {"every", "6h"}});
    CHECK(created["allow"] == json{"team/*"});
    CHECK(created["deny"] == json::array());
    CHECK(created["platform"] == "linux/amd64");
    CHECK(created["max_tags_per_repo"] == 0);
    CHECK(created["max_tag_age_days"] == 0);
    CHECK(created["image_timeout"] == "1h");
    CHECK(created["options"] == json{{"project", "core"}});
    CHECK(created["last_import"].is_null());
    CHECK(created["running"].is_null());
    CHECK(created["next_run"] == "2026-03-01T06:00:00Z");
    CHECK_FALSE(created.contains("password"));

    auto defaults = service->create_connector({{"name", "plain"}, {"url", "https://reg.example:443"}});
    CHECK(defaults["schedule"] == json{{"enabled", true}, {"every", "12h"}});
    CHECK(defaults["has_password"] == false);

    auto all = service->list_connectors();
    REQUIRE(all["connectors"].size() == 2);
    CHECK(all["connectors"][0]["name"] == "plain");
    for (const auto& answer : {all, service->get_connector("prod"), created})
        CHECK(answer.dump().find(password) == std::string::npos);
    // Nor in the state file's plain text, nor its write-ahead log.
    service.reset();
    for (const auto& file : std::filesystem::directory_iterator(f.dir.path))
        if (file.is_regular_file()) CHECK_MESSAGE(file_text(file.path()).find(password) == std::string::npos, file.path());
}

TEST_CASE("serve::Service never sends a stored password elsewhere: a new origin, type or options need it again") {
    Fixture f;
    auto service = f.make();
    service->create_connector(body("prod"));
    // Refused, and nothing changed: the stored password would go to whoever runs these.
    for (const auto& edit : {json{{"url", "https://attacker.example"}}, json{{"url", "http://127.0.0.1:10"}},
                             json{{"url", "https://127.0.0.1:9"}}, json{{"type", "QUAY"}},
                             json{{"options", {{"project", "core"}, {"hub-api", "https://attacker.example"}}}},
                             json{{"options", json::object()}}}) {
        CAPTURE(edit.dump());
        try {
            service->update_connector("prod", edit);
            FAIL("accepted");
        } catch (const ServiceError& e) {
            CHECK(e.kind() == ServiceError::Kind::bad_request);
            CHECK(std::string(e.what()).find("give its password (and its secret plugin options) again") !=
                  std::string::npos);
        }
    }
    auto kept = service->list_connectors()["connectors"][0];
    CHECK(kept["url"] == "http://127.0.0.1:9");
    CHECK(kept["options"] == json{{"project", "core"}});
    // The same origin, the same options sent back (the dashboard's toggles): no password asked.
    auto same = body("prod");
    same.erase("password");
    same["schedule"]["enabled"] = false;
    CHECK(service->update_connector("prod", same)["has_password"] == true);
    // With the password given again, or dropped, it may move.
    auto moved = service->update_connector("prod", {{"url", "https://elsewhere.example"}, {"password", password}});
    CHECK(moved["url"] == "https://elsewhere.example");
    CHECK(moved["has_password"] == true);
    auto dropped = service->update_connector("prod", {{"url", "https://third.example"}, {"password", nullptr}});
    CHECK(dropped["has_password"] == false);
    // Without a stored password there is nothing to move.
    CHECK(service->update_connector("prod", {{"url", "https://fourth.example"}})["url"] == "https://fourth.example");
}

TEST_CASE("serve::Service keeps a secret plugin option (quay-token) like the password, sealing one stored in clear") {
    Fixture f;
    f.plugins = plugin::load_plugins({REGSCAN_PLUGIN_DIR});
    const std::string token = "Quay-OAuth-Token-7f3c9e", old_token = "Old-Clear-Token-51d0";
    {
        // A connector an older server saved with the token in clear.
        state::ServiceStore store(f.options.state_path.string());
        state::ConnectorRecord old;
        old.name = "old";
        old.config = {{"url", "https://quay.example"}, {"type", "QUAY"}, {"username", ""},
                      {"schedule", {{"enabled", false}, {"every", "12h"}}},
                      {"options", {{"namespace", "org"}, {"quay-token", old_token}}}};
        old.created = old.updated = "2026-03-01T00:00:00Z";
        store.create_connector(old);
    }
    auto service = f.make();
    service->start();
    auto created = body("quay");
    created["type"] = "QUAY";
    created["options"] = {{"namespace", "org"}, {"quay-token", token}};
    auto answered = service->create_connector(created);
    CHECK(answered["options"] == json{{"namespace", "org"}});
    CHECK(answered["secret_options"] == json::array({"quay-token"}));
    // An edit that leaves it out keeps it; one of the options asks for it again; the import gets it.
    answered = service->update_connector("quay", {{"allow", {"team/*"}}});
    CHECK(answered["secret_options"] == json::array({"quay-token"}));
    CHECK(kind_of([&] {
              service->update_connector("quay", {{"options", {{"namespace", "other"}}}, {"password", password}});
          }) == ServiceError::Kind::bad_request);
    answered = service->update_connector(
        "quay", {{"options", {{"namespace", "other"}, {"quay-token", token}}}, {"password", password}});
    CHECK(answered["secret_options"] == json::array({"quay-token"}));
    auto stored = state::ServiceStore(f.options.state_path.string()).connector("quay");
    REQUIRE(stored);
    auto run = import_run_options(f.options.defaults, *stored, SecretBox::from_key_file(f.options.key_file),
                                  f.dir.path / "out");
    CHECK(run.plugin_options.at("quay-token") == token);
    CHECK(run.plugin_options.at("namespace") == "other");
    CHECK(run.given_plugin_options.count("quay-token") == 1);
    // Neither connector answers it; the state holds it only sealed (the old one was sealed at start;
    // its clear text may linger in SQLite's free pages, so only the new one is looked for in the file).
    CHECK(service->list_connectors().dump().find(token) == std::string::npos);
    CHECK(service->list_connectors().dump().find(old_token) == std::string::npos);
    CHECK(service->get_connector("old")["secret_options"] == json::array({"quay-token"}));
    auto migrated = state::ServiceStore(f.options.state_path.string()).connector("old");
    REQUIRE(migrated);
    CHECK(migrated->config.dump().find(old_token) == std::string::npos);
    CHECK(open_secret_options(migrated->config, SecretBox::from_key_file(f.options.key_file)).at("quay-token") ==
          old_token);
    service->stop(std::chrono::seconds(5));
    service.reset();
    CHECK(file_text(f.options.state_path).find(token) == std::string::npos);
}

TEST_CASE("serve::Service refuses a connector type no plugin offers, naming those there are") {
    Fixture f;  // no plugin loaded
    auto service = f.make();
    CHECK(service->registry_types() == json{{"types", json::array()}});
    auto b = body("typed");
    b["type"] = "HARBOR";
    try {
        service->create_connector(b);
        FAIL("a type without a plugin was accepted");
    } catch (const ServiceError& e) {
        CHECK(e.kind() == ServiceError::Kind::bad_request);
        CHECK(std::string(e.what()).find("\"type\" HARBOR is not a registry type of this server's plugins (none "
                                         "loaded; empty: identify the registry)") != std::string::npos);
    }
    b["type"] = "";
    service->create_connector(b);  // empty: identify
    CHECK(kind_of([&] { service->update_connector("typed", {{"type", "ECR"}}); }) == ServiceError::Kind::bad_request);

    // A stored type whose plugin went away: an edit that sends it back
    // unchanged (the dashboard's toggles send the whole connector) is taken.
    {
        state::ServiceStore store(f.options.state_path);
        auto record = *store.connector("typed");
        record.config["type"] = "GONE";
        store.update_connector(record);
    }
    auto edited = service->update_connector("typed", {{"type", "GONE"}, {"schedule", {{"enabled", false}}}});
    CHECK(edited["schedule"]["enabled"] == false);
    CHECK(edited["type"] == "GONE");
    CHECK(kind_of([&] { service->update_connector("typed", {{"type", "GONER"}}); }) ==
          ServiceError::Kind::bad_request);
}

TEST_CASE("serve::Service refuses malformed connectors with a bad request") {
    Fixture f;
    auto service = f.make();
    using K = ServiceError::Kind;
    auto with = [](const char* key, json value) {
        auto b = body("x");
        b[key] = std::move(value);
        return b;
    };
    for (const auto& bad : {with("name", ""), with("name", "a/b"), with("name", std::string(65, 'a')),
                            with("name", "<img>"), with("name", 5), with("url", "ftp://x"), with("url", "reg:5000"),
                            with("url", "http://a b"), with("url", "https://robot:pw@reg:443/"), with("url", "http://"), with("url", "http://x\n"), with("schedule", "6h"),
                            with("schedule", {{"enabled", true}, {"every", "6x"}}),
                            with("schedule", {{"enabled", true}, {"every", "0m"}}),
                            with("schedule", {{"enabled", "yes"}}), with("allow", "team/*"),
                            with("allow", json::array({1})), with("allow", json(std::vector<std::string>(101, "a"))),
                            with("max_tags_per_repo", -1), with("max_tags_per_repo", "3"),
                            with("max_tag_age_days", 1.5), with("image_timeout", "soon"),
                            with("image_timeout", "0s"), with("options", {{"bad key", "v"}}),
                            with("options", {{"k", 1}}), with("password", 42), with("type", "a b"),
                            with("username", std::string(300, 'u')), with("import_now", "true"), json::array()})
        CHECK_MESSAGE(kind_of([&] { service->create_connector(bad); }) == K::bad_request, bad.dump());
    CHECK(kind_of([&] { service->create_connector({{"url", "http://x"}}); }) == K::bad_request);
    CHECK(kind_of([&] { service->create_connector({{"name", "nourl"}}); }) == K::bad_request);
    service->create_connector(body("prod"));
    CHECK(kind_of([&] { service->create_connector(body("prod")); }) == K::conflict);
    CHECK(kind_of([&] { service->get_connector("nope"); }) == K::not_found);
    CHECK(kind_of([&] { service->get_connector("../etc"); }) == K::not_found);
    CHECK(kind_of([&] { service->remove_connector("nope"); }) == K::not_found);
    CHECK(kind_of([&] { service->get_import(12345); }) == K::not_found);
    CHECK(kind_of([&] { service->get_image(12345); }) == K::not_found);
}

TEST_CASE("serve::Service updates a connector: an absent password is unchanged, a new schedule restarts") {
    Fixture f;
    auto service = f.make();
    service->create_connector(body("prod"));
    f.advance(1h);
    auto updated = service->update_connector("prod", {{"url", "http://127.0.0.1:9/"}, {"allow", json::array()}});
    CHECK(updated["url"] == "http://127.0.0.1:9/");
    CHECK(updated["has_password"] == true);
    CHECK(updated["username"] == "robot$ci");
    CHECK(updated["next_run"] == "2026-03-01T06:00:00Z");  // schedule unchanged
    updated = service->update_connector("prod", {{"schedule", {{"enabled", true}, {"every", "1d"}}}});
    CHECK(updated["next_run"] == "2026-03-02T01:00:00Z");
    updated = service->update_connector("prod", {{"schedule", {{"enabled", false}}}});
    CHECK(updated["next_run"].is_null());
    CHECK(updated["schedule"]["every"] == "1d");
    updated = service->update_connector("prod", {{"password", ""}});
    CHECK(updated["has_password"] == false);
    CHECK(kind_of([&] { service->update_connector("prod", {{"name", "renamed"}}); }) ==
          ServiceError::Kind::bad_request);
    CHECK(kind_of([&] { service->update_connector("nope", json::object()); }) == ServiceError::Kind::not_found);
    service->remove_connector("prod");
    CHECK(service->list_connectors()["connectors"].empty());
}

TEST_CASE("serve::Service schedules on its clock: missed runs collapse to one import") {
    Fixture f;
    auto service = f.make();
    service->create_connector(body("prod"));
    auto off = body("off");
    off["schedule"] = {{"enabled", false}, {"every", "1h"}};
    service->create_connector(off);
    service->start();
    CHECK(service->run_due_imports() == 0);
    f.advance(5h + 59min);
    CHECK(service->run_due_imports() == 0);
    f.advance(3 * 24h);  // the server "was down" for three days
    CHECK(service->run_due_imports() == 1);
    CHECK(service->run_due_imports() == 0);
    auto connector = service->get_connector("prod");
    CHECK(connector["next_run"] == "2026-03-04T11:59:00Z");
    auto imports = service->list_imports("prod", 10)["imports"];
    REQUIRE(imports.size() == 1);
    CHECK(imports[0]["trigger"] == "scheduled");
    CHECK(service->list_imports("off", 10)["imports"].empty());
    // Nothing listens on the connector's port: the import fails, with why.
    auto done = wait_import(*service, imports[0]["id"].get<int64_t>());
    CHECK(done["state"] == "failed");
    CHECK(done["error"].is_string());
    CHECK(done["started_at"].is_string());
    CHECK(done["finished_at"].is_string());
    CHECK(done.dump().find(password) == std::string::npos);
    CHECK(service->get_connector("prod")["last_import"]["id"] == imports[0]["id"]);
    service->stop(30s);
}

TEST_CASE("serve::Service import_now queues a manual import; Save & Import does too") {
    Fixture f;
    auto service = f.make();
    auto b = body("prod");
    b["import_now"] = true;
    CHECK(kind_of([&] { service->create_connector(b); }) == ServiceError::Kind::conflict);  // not started
    service->start();
    b["name"] = "now";
    auto created = service->create_connector(b);
    auto first = service->list_imports("now", 10)["imports"];
    REQUIRE(first.size() == 1);
    CHECK(first[0]["trigger"] == "manual");
    wait_import(*service, first[0]["id"].get<int64_t>());
    auto manual = service->import_now("now");
    CHECK(manual["trigger"] == "manual");
    CHECK(manual["id"] != first[0]["id"]);
    CHECK(manual.contains("progress"));
    wait_import(*service, manual["id"].get<int64_t>());
    CHECK(service->list_imports("", 1)["imports"].size() == 1);
    CHECK(service->list_imports("now", 0)["imports"].size() == 2);
    CHECK(kind_of([&] { service->import_now("nope"); }) == ServiceError::Kind::not_found);
    // Cancelling an ended import is a conflict naming its state; an unknown one is not found.
    CHECK(kind_of([&] { service->cancel_import(manual["id"].get<int64_t>()); }) == ServiceError::Kind::conflict);
    CHECK(kind_of([&] { service->cancel_import(999999); }) == ServiceError::Kind::not_found);
    service->stop(30s);
}

TEST_CASE("serve::Service at start marks imports left running interrupted and runs their connector once") {
    Fixture f;
    int64_t left_running = 0, connector_id = 0;
    {
        auto service = f.make();
        service->create_connector(body("prod"));
    }
    {
        state::ServiceStore store(f.options.state_path);
        connector_id = store.connector("prod")->id;
        left_running = store.create_import(connector_id, "prod", "manual", "2026-03-01T00:00:00Z");
        store.start_import(left_running, "2026-03-01T00:00:01Z");
    }
    auto service = f.make();
    service->start();
    CHECK(service->get_import(left_running)["state"] == "interrupted");
    auto imports = service->list_imports("prod", 10)["imports"];
    REQUIRE(imports.size() == 2);
    CHECK(imports[0]["trigger"] == "startup");
    wait_import(*service, imports[0]["id"].get<int64_t>());
    CHECK(service->list_imports("prod", 10)["imports"].size() == 2);
    service->stop(30s);
}

TEST_CASE("serve::Service lists images from the index and details one from the stored result") {
    Fixture f;
    auto service = f.make();
    service->create_connector(body("prod"));
    state::ServiceStore store(f.options.state_path);
    auto cid = store.connector("prod")->id;
    auto import_id = store.create_import(cid, "prod", "manual", "2026-03-01T00:00:00Z");

    scan::ImageResult result;
    result.registry = "127.0.0.1:5000";
    result.repository = "team/app";
    result.tag = "1.0";
    result.digest = "sha256:" + std::string(64, 'b');
    result.platform = "linux/amd64";
    result.packages.push_back({"deb", "openssl", "3.0.1", "", "", "Debian:12", "pkg:deb/debian/openssl", "/var/lib/dpkg/status",
                               "sha256:layer1"});
    scan::Vulnerability v;
    v.id = "CVE-2026-0001";
    v.severity = scan::Severity::critical;
    v.package_name = "openssl";
    v.package_version = "3.0.1";
    v.fixed_version = "3.0.2";
    result.vulnerabilities.push_back(v);
    {
        state::StateStore cli(f.options.state_path);
        auto scan_id = cli.begin_scan("default", result.registry, "scan", "2026-03-01T00:00:00Z");
        cli.put_result({"default", result.registry, result.repository, result.tag}, result.digest, result.platform,
                       "fp", scan_id, "scanned", nlohmann::json(result).dump(), result.digest);
    }
    state::ImageIndexRow row;
    row.connector_id = cid;
    row.connector = "prod";
    row.project = "default";
    row.registry = result.registry;
    row.repository = result.repository;
    row.tag = result.tag;
    row.platform = result.platform;
    row.digest = result.digest;
    row.last_scanned = "2026-03-01T00:10:00Z";
    row.import_id = import_id;
    row.vulnerabilities.critical = 1;
    auto ids = store.record_tag({row});
    auto timed_out = row;
    timed_out.tag = "slow";
    timed_out.status = "scan_failed";
    timed_out.reason = "ran past the image timeout: image scan timed out";
    timed_out.vulnerabilities = {};
    store.record_tag({timed_out});

    auto page = service->list_images({});
    CHECK(page["total"] == 2);
    REQUIRE(page["images"].size() == 2);
    auto first = page["images"][0];
    CHECK(first["repository"] == "team/app");
    CHECK(first["tag"] == "1.0");
    CHECK(first["connector"] == "prod");
    CHECK(first["vulnerabilities"] ==
          json{{"critical", 1}, {"high", 0}, {"medium", 0}, {"low", 0}, {"unknown", 0}, {"total", 1}});
    CHECK(first["malware"] == json{{"verdict", "not scanned"}, {"found", 0}, {"incomplete", 0}});
    CHECK(first["status"] == "scanned");

    ImageQuery failed;
    failed.status = "scan_failed";
    page = service->list_images(failed);
    REQUIRE(page["total"] == 1);
    CHECK(page["images"][0]["reason"] == "ran past the image timeout: image scan timed out");

    for (auto bad : {ImageQuery{"", "", "", "", "", "nope"}, ImageQuery{"", "", "extreme"},
                     ImageQuery{"", "", "", "done"}}) {
        CHECK(kind_of([&] { service->list_images(bad); }) == ServiceError::Kind::bad_request);
    }
    ImageQuery too_many;
    too_many.limit = 501;
    CHECK(kind_of([&] { service->list_images(too_many); }) == ServiceError::Kind::bad_request);
    ImageQuery desc;
    desc.order = "sideways";
    CHECK(kind_of([&] { service->list_images(desc); }) == ServiceError::Kind::bad_request);

    auto detail = service->get_image(ids[0]);
    CHECK(detail["image"]["id"] == ids[0]);
    REQUIRE(detail["vulnerabilities"].size() == 1);
    CHECK(detail["vulnerabilities"][0]["fixed_version"] == "3.0.2");
    CHECK(detail["vulnerabilities"][0]["package_name"] == "openssl");
    REQUIRE(detail["packages"].size() == 1);
    CHECK(detail["layers"] == json::array({{{"digest", "sha256:layer1"}, {"packages", 1}}}));
    CHECK(detail["misconfigurations"] == json::array());
    CHECK(detail["malware_findings"] == json::array());
    REQUIRE(detail["history"].size() == 1);
    CHECK(detail["history"][0]["import_id"] == import_id);
    CHECK(detail["history"][0]["status"] == "scanned");

    auto metrics = service->metrics_text();
    CHECK(metrics.find("regscan_images_scanned 1\n") != std::string::npos);
    CHECK(metrics.find("regscan_image_failures 1\n") != std::string::npos);
    CHECK(metrics.find("regscan_imports{state=\"queued\"} 1\n") != std::string::npos);
    CHECK(metrics.find("regscan_imports_running 0\n") != std::string::npos);
    CHECK(metrics.find("regscan_import_duration_seconds_count 0\n") != std::string::npos);
}

TEST_CASE("serve::Service lists an import's report files") {
    Fixture f;
    auto service = f.make();
    service->create_connector(body("prod"));
    state::ServiceStore store(f.options.state_path);
    auto id = store.create_import(store.connector("prod")->id, "prod", "manual", "2026-03-01T00:00:00Z");
    CHECK(service->import_reports(id).empty());
    auto dir = f.dir.path / "imports" / std::to_string(id);
    std::filesystem::create_directories(dir);
    std::ofstream(dir / "127.0.0.1-5000.json") << "{}";
    std::ofstream(dir / "127.0.0.1-5000.csv") << "";
    std::filesystem::create_directories(dir / "subdir");
    auto files = service->import_reports(id);
    REQUIRE(files.size() == 2);
    CHECK(files[0].name == "127.0.0.1-5000.csv");
    CHECK(files[1].path == dir / "127.0.0.1-5000.json");
    CHECK(kind_of([&] { service->import_reports(id + 1); }) == ServiceError::Kind::not_found);
}

TEST_SUITE_END();
