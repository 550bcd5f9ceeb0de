#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>

#include <unistd.h>

#include "serve/api_routes.hpp"
#include "serve/web_assets.hpp"
#include "temp_dir.hpp"

using namespace regscan::serve;
using nlohmann::json;

namespace {

const std::string token(64, 'a');

// Records what the routes asked and answers from a small in-memory model.
class FakeService : public Service {
public:
    std::vector<std::string> calls;
    ImageQuery last_query;
    json running = nullptr;
    std::filesystem::path report_dir;

    json list_connectors() override {
        calls.push_back("list_connectors");
        return {{"connectors", json::array({connector("prod")})}};
    }
    json get_connector(const std::string& name) override {
        calls.push_back("get_connector " + name);
        if (name != "prod" && name != "a/b") throw ServiceError(ServiceError::Kind::not_found, "no connector " + name);
        json c = connector(name);
        c["running"] = running;
        return c;
    }
    json create_connector(const json& body) override {
        calls.push_back("create_connector " + body.value("name", ""));
        if (body.value("name", "") == "taken") throw ServiceError(ServiceError::Kind::conflict, "exists");
        if (!body.contains("url")) throw ServiceError(ServiceError::Kind::bad_request, "url is required");
        json c = connector(body.value("name", ""));
        c["password"] = body.value("password", "");  // a careless service: the routes must drop it
        return c;
    }
    json update_connector(const std::string& name, const json&) override {
        calls.push_back("update_connector " + name);
        return connector(name);
    }
    void remove_connector(const std::string& name) override { calls.push_back("remove_connector " + name); }
    json import_now(const std::string& name) override {
        calls.push_back("import_now " + name);
        return running.is_object() ? running : json{{"id", 7}, {"connector", name}, {"state", "queued"}};
    }
    json list_imports(const std::string& connector, size_t limit) override {
        calls.push_back("list_imports " + connector + " " + std::to_string(limit));
        return {{"imports", json::array()}};
    }
    json get_import(int64_t id) override {
        calls.push_back("get_import " + std::to_string(id));
        if (id != 7) throw ServiceError(ServiceError::Kind::not_found, "no import");
        return {{"id", 7}, {"state", "succeeded"}};
    }
    json cancel_import(int64_t id) override {
        calls.push_back("cancel_import " + std::to_string(id));
        if (id == 9) throw ServiceError(ServiceError::Kind::conflict, "import 9 has already ended (succeeded)");
        if (id != 7) throw ServiceError(ServiceError::Kind::not_found, "no import");
        return {{"id", 7}, {"state", "running"}};
    }
    std::vector<ReportFile> import_reports(int64_t id) override {
        if (id != 7) throw ServiceError(ServiceError::Kind::not_found, "no import");
        return {{"reg-5000-report.json", report_dir / "reg-5000-report.json"},
                {"reg-5000-report.csv", report_dir / "reg-5000-report.csv"}};
    }
    json list_images(const ImageQuery& query) override {
        last_query = query;
        return {{"total", 0}, {"images", json::array()}};
    }
    json get_image(int64_t id) override {
        calls.push_back("get_image " + std::to_string(id));
        return {{"image", {{"id", id}, {"repository", "bad\xff\xfe"}}}};
    }
    json registry_types() override {
        calls.push_back("registry_types");
        return {{"types", json::array({{{"type", "HARBOR"}, {"plugin", "harbor"}, {"description", "Harbor"}}})}};
    }
    std::string metrics_text() override { return "regscan_imports_total 3\n"; }
    void start() override {}
    void stop(std::chrono::seconds) override {}
    // Not `override`: compiles whether or not the interface has it yet.
    size_t run_due_imports() { return 0; }

private:
    static json connector(const std::string& name) {
        return {{"name", name}, {"url", "http://r"}, {"has_password", true}, {"running", nullptr}};
    }
};

struct Fixture {
    FakeService service;
    Access access{token};
    ApiRoutes routes{service, access};
    regscan::test::TempDir scratch{"routes"};
    std::filesystem::path dir = scratch.path;

    Fixture() {
        service.report_dir = dir;
        std::ofstream(dir / "reg-5000-report.json") << "{\"images\":[]}";
        std::ofstream(dir / "reg-5000-report.csv") << "a,b\n";
    }

    httpd::Response call(const std::string& method, const std::string& target, const std::string& body = "",
                         std::vector<std::pair<std::string, std::string>> headers = {{"authorization", "Bearer " + token}}) {
        httpd::Request request;
        request.method = method;
        request.target = target;
        REQUIRE(httpd::parse_target(target, request.path, request.query));
        request.body = body;
        request.headers = std::move(headers);
        if (!body.empty()) request.headers.emplace_back("content-type", "application/json");
        request.headers.emplace_back("host", "127.0.0.1:8686");
        auto response = routes.handle(request);
        routes.decorate(request, response);
        return response;
    }
};

}  // namespace

TEST_SUITE_BEGIN("serve_http");

TEST_CASE("serve::ApiRoutes: every route but health, page files and login answers 401 without a token") {
    Fixture f;
    const std::vector<std::pair<std::string, std::string>> routes = {
        {"GET", "/metrics"},
        {"GET", "/api/v1/connectors"},
        {"POST", "/api/v1/connectors"},
        {"GET", "/api/v1/connectors/prod"},
        {"PUT", "/api/v1/connectors/prod"},
        {"DELETE", "/api/v1/connectors/prod"},
        {"POST", "/api/v1/connectors/prod/imports"},
        {"GET", "/api/v1/imports"},
        {"GET", "/api/v1/imports/7"},
        {"GET", "/api/v1/imports/7/reports"},
        {"GET", "/api/v1/imports/7/reports/reg-5000-report.json"},
        {"POST", "/api/v1/imports/7/cancel"},
        {"GET", "/api/v1/registry-types"},
        {"GET", "/api/v1/images"},
        {"GET", "/api/v1/images/1"},
        {"DELETE", "/api/v1/session"},
        {"GET", "/api/v1/nothing-here"},
        {"GET", "/no-such-file"},
    };
    for (const auto& [method, target] : routes) {
        CAPTURE(method);
        CAPTURE(target);
        auto anonymous = f.call(method, target, "", {});
        CHECK(anonymous.status == 401);
        CHECK(anonymous.header("WWW-Authenticate").find("Bearer") == 0);
        CHECK(f.call(method, target, "", {{"authorization", "Bearer wrong"}}).status == 401);
    }
    CHECK(f.service.calls.empty());  // nothing reached the service
    CHECK(f.call("GET", "/healthz", "", {}).status == 200);
    CHECK(f.call("GET", "/healthz", "", {}).body == "ok");
}

TEST_CASE("serve::ApiRoutes serves the embedded page files with their content types") {
    Fixture f;
    for (const auto& asset : web_assets()) {
        auto response = f.call("GET", std::string(asset.path), "", {});
        CHECK(response.status == 200);
        CHECK(response.header("Content-Type") == asset.content_type);
        CHECK(response.body == asset.body);
        CHECK(response.header("X-Content-Type-Options") == "nosniff");
        CHECK(!response.header("Content-Security-Policy").empty());
    }
    if (find_web_asset("/index.html")) {
        CHECK(f.call("GET", "/", "", {}).header("Content-Type") == "text/html; charset=utf-8");
    }
    CHECK(content_type_for("/app.js") == "text/javascript; charset=utf-8");
    CHECK(content_type_for("/style.css") == "text/css; charset=utf-8");
    CHECK(content_type_for("/x.bin") == "application/octet-stream");
}

TEST_CASE("serve::ApiRoutes: login sets the session cookie; it reads, and changes only with the CSRF header") {
    Fixture f;
    CHECK(f.call("POST", "/api/v1/session", R"({"token":"wrong"})", {}).status == 401);
    CHECK(f.call("POST", "/api/v1/session", "token=" + token, {}).status == 400);  // not JSON
    auto login = f.call("POST", "/api/v1/session", json{{"token", token}}.dump(), {});
    REQUIRE(login.status == 204);
    std::string set_cookie = login.header("Set-Cookie");
    CHECK(set_cookie.find("HttpOnly") != std::string::npos);
    std::string cookie = set_cookie.substr(0, set_cookie.find(';'));
    CHECK(f.call("GET", "/api/v1/connectors", "", {{"cookie", cookie}}).status == 200);
    auto body = json{{"name", "new"}, {"url", "http://r"}}.dump();
    CHECK(f.call("POST", "/api/v1/connectors", body, {{"cookie", cookie}}).status == 403);
    CHECK(f.call("POST", "/api/v1/connectors", body,
                 {{"cookie", cookie}, {"x-regscan-csrf", "1"}, {"origin", "http://evil.example"}})
              .status == 403);
    CHECK(f.call("POST", "/api/v1/connectors", body,
                 {{"cookie", cookie}, {"x-regscan-csrf", "1"}, {"sec-fetch-site", "cross-site"}})
              .status == 403);
    CHECK(f.call("POST", "/api/v1/connectors", body,
                 {{"cookie", cookie}, {"x-regscan-csrf", "1"}, {"origin", "http://127.0.0.1:8686"},
                  {"sec-fetch-site", "same-origin"}})
              .status == 201);
    // A cross-site login form is refused too.
    CHECK(f.call("POST", "/api/v1/session", json{{"token", token}}.dump(), {{"origin", "http://evil.example"}}).status ==
          403);
    auto logout = f.call("DELETE", "/api/v1/session", "", {{"cookie", cookie}, {"x-regscan-csrf", "1"}});
    CHECK(logout.status == 204);
    CHECK(f.call("GET", "/api/v1/connectors", "", {{"cookie", cookie}}).status == 401);
}

TEST_CASE("serve::ApiRoutes: connectors, status codes and ServiceError kinds") {
    Fixture f;
    auto list = f.call("GET", "/api/v1/connectors");
    CHECK(list.status == 200);
    CHECK(list.header("Content-Type") == "application/json");
    CHECK(list.header("Cache-Control") == "no-store");
    CHECK(json::parse(list.body)["connectors"][0]["name"] == "prod");

    auto created = f.call("POST", "/api/v1/connectors", R"({"name":"n","url":"http://r","password":"hunter2-pw"})");
    CHECK(created.status == 201);
    CHECK(created.body.find("hunter2-pw") == std::string::npos);
    CHECK_FALSE(json::parse(created.body).contains("password"));
    CHECK(f.call("POST", "/api/v1/connectors", R"({"name":"taken","url":"u"})").status == 409);
    CHECK(f.call("POST", "/api/v1/connectors", R"({"name":"n"})").status == 400);
    CHECK(f.call("POST", "/api/v1/connectors", "[1,2]").status == 400);
    CHECK(f.call("POST", "/api/v1/connectors", "{broken").status == 400);
    CHECK(f.call("POST", "/api/v1/connectors").status == 400);
    CHECK(f.call("GET", "/api/v1/connectors/nope").status == 404);
    CHECK(json::parse(f.call("GET", "/api/v1/connectors/nope").body)["error"] == "no connector nope");
    CHECK(f.call("GET", "/api/v1/connectors/a%2Fb").status == 200);  // one segment, decoded
    CHECK(f.call("PUT", "/api/v1/connectors/prod", R"({"url":"http://r"})").status == 200);
    CHECK(f.call("DELETE", "/api/v1/connectors/prod").status == 204);
    auto wrong = f.call("PATCH", "/api/v1/connectors/prod");
    CHECK(wrong.status == 405);
    CHECK(wrong.header("Allow").find("PUT") != std::string::npos);
    CHECK(f.call("GET", "/api/v1/connectors/prod/whatever").status == 404);
}

TEST_CASE("serve::ApiRoutes: import now is 202 for a new import, 200 for the one already queued or running") {
    Fixture f;
    auto started = f.call("POST", "/api/v1/connectors/prod/imports");
    CHECK(started.status == 202);
    CHECK(json::parse(started.body)["id"] == 7);
    f.service.running = {{"id", 5}, {"state", "running"}};
    auto same = f.call("POST", "/api/v1/connectors/prod/imports");
    CHECK(same.status == 200);
    CHECK(json::parse(same.body)["id"] == 5);
    CHECK(f.call("GET", "/api/v1/connectors/prod/imports").status == 405);
    CHECK(f.call("POST", "/api/v1/connectors/nope/imports").status == 404);
}

TEST_CASE("serve::ApiRoutes: imports, reports and their download") {
    Fixture f;
    CHECK(f.call("GET", "/api/v1/imports?connector=prod&limit=5").status == 200);
    CHECK(f.service.calls.back() == "list_imports prod 5");
    CHECK(f.call("GET", "/api/v1/imports?limit=0").status == 400);
    CHECK(f.call("GET", "/api/v1/imports?limit=501").status == 400);
    CHECK(f.call("GET", "/api/v1/imports?limit=x").status == 400);
    CHECK(f.call("GET", "/api/v1/imports/7").status == 200);
    CHECK(f.call("GET", "/api/v1/imports/8").status == 404);
    CHECK(f.call("GET", "/api/v1/imports/-1").status == 404);
    CHECK(f.call("GET", "/api/v1/imports/abc").status == 404);
    auto reports = json::parse(f.call("GET", "/api/v1/imports/7/reports").body);
    CHECK(reports["reports"][0] == json{{"name", "reg-5000-report.json"}, {"format", "json"}});
    CHECK(reports["reports"][1]["format"] == "csv");
    auto download = f.call("GET", "/api/v1/imports/7/reports/reg-5000-report.csv");
    CHECK(download.status == 200);
    CHECK(download.body == "a,b\n");
    CHECK(download.header("Content-Disposition") == "attachment; filename=\"reg-5000-report.csv\"");
    CHECK(download.header("Content-Type").find("text/csv") == 0);
    CHECK(f.call("GET", "/api/v1/imports/7/reports/..%2F..%2Fetc%2Fpasswd").status == 404);
    CHECK(f.call("GET", "/api/v1/imports/7/reports/other.json").status == 404);
    auto types = f.call("GET", "/api/v1/registry-types");
    CHECK(types.status == 200);
    CHECK(json::parse(types.body)["types"][0]["type"] == "HARBOR");
    CHECK(f.call("POST", "/api/v1/registry-types").status == 405);
    CHECK(f.call("GET", "/api/v1/registry-types/x").status == 404);
    // Cancel: POST only, 202 with the import as it is now, 409 once ended.
    auto cancelled = f.call("POST", "/api/v1/imports/7/cancel");
    CHECK(cancelled.status == 202);
    CHECK(json::parse(cancelled.body)["state"] == "running");
    CHECK(f.service.calls.back() == "cancel_import 7");
    CHECK(f.call("POST", "/api/v1/imports/9/cancel").status == 409);
    CHECK(f.call("POST", "/api/v1/imports/8/cancel").status == 404);
    CHECK(f.call("POST", "/api/v1/imports/abc/cancel").status == 404);
    CHECK(f.call("GET", "/api/v1/imports/7/cancel").status == 405);
    CHECK(f.call("POST", "/api/v1/imports/7/cancel", "not json").status == 400);
    CHECK(report_format("x-report.cdx.json") == "cyclonedx");
    CHECK(report_format("x-report.sarif") == "sarif");
    CHECK(report_format("x-report.json") == "json");
    CHECK(report_format("x") == "");
}

TEST_CASE("serve::ApiRoutes: images query parameters reach the service; registry bytes render as valid JSON") {
    Fixture f;
    CHECK(f.call("GET", "/api/v1/images?connector=prod&repository=team%2Fapp&severity=high&status=scan_failed&q=a+b"
                 "&sort=critical&order=desc&limit=100&offset=200")
              .status == 200);
    CHECK(f.service.last_query.connector == "prod");
    CHECK(f.service.last_query.repository == "team/app");
    CHECK(f.service.last_query.severity == "high");
    CHECK(f.service.last_query.status == "scan_failed");
    CHECK(f.service.last_query.search == "a b");
    CHECK(f.service.last_query.sort == "critical");
    CHECK(f.service.last_query.order == "desc");
    CHECK(f.service.last_query.limit == 100);
    CHECK(f.service.last_query.offset == 200);
    CHECK(f.call("GET", "/api/v1/images?limit=1000").status == 400);
    auto image = f.call("GET", "/api/v1/images/3");
    CHECK(image.status == 200);
    CHECK_NOTHROW(json::parse(image.body));  // invalid UTF-8 replaced, not thrown
    CHECK(f.call("GET", "/api/v1/images/3/x").status == 404);
}

TEST_CASE("serve::ApiRoutes: /metrics is the service's text plus HTTP answers by status") {
    Fixture f;
    httpd::Request request;
    httpd::Response answered;
    answered.status = 404;
    f.routes.observe(request, answered, std::chrono::microseconds(5));
    auto metrics = f.call("GET", "/metrics");
    CHECK(metrics.status == 200);
    CHECK(metrics.header("Content-Type").find("text/plain; version=0.0.4") == 0);
    CHECK(metrics.body.find("regscan_imports_total 3\n") == 0);
    CHECK(metrics.body.find("regscan_http_responses_total{code=\"404\"} 1") != std::string::npos);
}

TEST_SUITE_END();
