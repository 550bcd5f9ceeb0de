#include <doctest/doctest.h>

#include <mutex>
#include <sstream>

#include <nlohmann/json.hpp>

#include "app/connector_command.hpp"
#include "serve/http/server.hpp"

using namespace regscan;
using nlohmann::json;

namespace {

// A stand-in for `regscan serve`: the real HTTP server with a handler that
// records each request and answers like the API.
struct FakeApi {
    std::mutex mutex;
    std::vector<serve::httpd::Request> seen;
    int status = 201;
    json answer = {{"name", "prod"}, {"running", {{"id", 12}, {"state", "queued"}}}};
    serve::httpd::Server server{[] {
                                    serve::httpd::ServerOptions o;
                                    o.port = 0;
                                    return o;
                                }(),
                                [this](const serve::httpd::Request& request) {
                                    std::lock_guard lock(mutex);
                                    seen.push_back(request);
                                    serve::httpd::Response response;
                                    response.status = status;
                                    response.set("Content-Type", "application/json");
                                    if (status != 204) response.body = answer.dump();
                                    return response;
                                }};
    FakeApi() { server.start(); }

    std::string url() { return "--server=http://127.0.0.1:" + std::to_string(server.port()); }
};

const std::string token(64, 'c');

}  // namespace

TEST_SUITE_BEGIN("serve_http");

TEST_CASE("app::run_connector_command add sends the connector as the API takes it, password from stdin") {
    FakeApi api;
    std::istringstream in("s3cret-pass\n");
    std::ostringstream out;
    auto code = app::run_connector_command(
        {"add", "--name=prod", "--url=https://harbor.corp:443", "--username=robot$ci", "--password-stdin",
         "--schedule=6h", "--allowList=team/*,ops/*", "--denyList=team/old", "--max-tags-per-repo=5",
         "--option=harbor-page-size=50", "--import-now", api.url()},
        in, out, {{"REGSCAN_SERVE_TOKEN", token}});
    CHECK(code == app::ExitCode::ok);
    REQUIRE(api.seen.size() == 1);
    const auto& request = api.seen[0];
    CHECK(request.method == "POST");
    CHECK(request.path == "/api/v1/connectors");
    CHECK(request.header("authorization") == "Bearer " + token);
    CHECK(request.header("content-type") == "application/json");
    json body = json::parse(request.body);
    CHECK(body["name"] == "prod");
    CHECK(body["url"] == "https://harbor.corp:443");
    CHECK(body["username"] == "robot$ci");
    CHECK(body["password"] == "s3cret-pass");
    CHECK(body["schedule"] == json{{"enabled", true}, {"every", "6h"}});
    CHECK(body["allow"] == json::array({"team/*", "ops/*"}));
    CHECK(body["deny"] == json::array({"team/old"}));
    CHECK(body["max_tags_per_repo"] == 5);
    CHECK(body["options"] == json{{"harbor-page-size", "50"}});
    CHECK(body["import_now"] == true);
    CHECK(out.str() == "connector prod saved; import 12 queued\n");
    CHECK(out.str().find("s3cret") == std::string::npos);
}

TEST_CASE("app::run_connector_command list, import, remove; errors become exit codes") {
    FakeApi api;
    std::istringstream in;
    std::ostringstream out;
    api.status = 200;
    api.answer = {{"connectors",
                   {{{"name", "prod"}, {"type", "HARBOR"}, {"url", "https://h\x1b[31m"},
                     {"schedule", {{"enabled", false}, {"every", "12h"}}},
                     {"last_import", {{"state", "partial"}, {"finished_at", "2026-01-01T00:00:00Z"},
                                      {"images_found", 4}, {"images_new", 4}, {"images_failed", 1}}},
                     {"next_run", nullptr}, {"running", nullptr}}}}};
    CHECK(app::run_connector_command({"list", api.url()}, in, out, {{"REGSCAN_SERVE_TOKEN", token}}) ==
          app::ExitCode::ok);
    CHECK(out.str().find("prod\tHARBOR\thttps://h\\e[31m\toff\tpartial 2026-01-01T00:00:00Z (4 found, 4 new, 1 failed)\t-\n") !=
          std::string::npos);

    api.status = 202;
    api.answer = {{"id", 13}, {"state", "queued"}};
    out.str("");
    CHECK(app::run_connector_command({"import", "a b", api.url()}, in, out, {{"REGSCAN_SERVE_TOKEN", token}}) ==
          app::ExitCode::ok);
    CHECK(api.seen.back().target == "/api/v1/connectors/a%20b/imports");
    CHECK(out.str() == "import 13 of a b: queued\n");

    api.status = 404;
    api.answer = {{"error", "no connector 'x'"}};
    CHECK_THROWS_AS(app::run_connector_command({"remove", "x", api.url()}, in, out, {{"REGSCAN_SERVE_TOKEN", token}}),
                    app::Fatal);
    try {
        app::run_connector_command({"remove", "x", api.url()}, in, out, {{"REGSCAN_SERVE_TOKEN", token}});
    } catch (const app::Fatal& e) {
        CHECK(e.code() == app::ExitCode::bad_arguments);
        CHECK(std::string(e.what()).find("no connector 'x'") != std::string::npos);
    }
    api.status = 401;
    try {
        app::run_connector_command({"list", api.url()}, in, out, {{"REGSCAN_SERVE_TOKEN", token}});
        FAIL("no error");
    } catch (const app::Fatal& e) {
        CHECK(e.code() == app::ExitCode::auth_failed);
    }
    CHECK_THROWS_AS(app::run_connector_command({"import", api.url()}, in, out, {{"REGSCAN_SERVE_TOKEN", token}}),
                    app::Fatal);  // no NAME
    CHECK_THROWS_AS(app::run_connector_command({"list", api.url()}, in, out, {{"HOME", "/nonexistent"}}),
                    app::Fatal);  // no token anywhere
}

TEST_SUITE_END();
