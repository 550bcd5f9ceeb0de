#include <doctest/doctest.h>

#include <functional>
#include <map>
#include <set>

#include "harbor_session.hpp"
#include "regscan/error.hpp"
#include "test_plugin_harbor_fake_host.hpp"

using namespace regscan::harbor;
using namespace harbor_test;
using nlohmann::json;

namespace {

// A small Harbor: projects -> repositories -> artifacts, in pages of 2.
struct World {
    std::map<std::string, std::map<std::string, json>> projects;  // project -> repository name -> artifacts
    std::set<std::string> refused;                                // routes answered 403
    bool projects_refused = false;

    HttpResponse operator()(const Call& call) const {
        const std::string route = call.route();
        if (refused.count(route)) return harbor_error(403, "FORBIDDEN", "forbidden");
        const std::string prefix = "/api/v2.0/projects";
        if (route == prefix) {
            if (projects_refused) return harbor_error(403, "FORBIDDEN", "forbidden");
            json items = json::array();
            for (const auto& [name, _] : projects) items.push_back({{"name", name}, {"project_id", 1}});
            return page_of(items, route, page_number(call), 2);
        }
        for (const auto& [project, repositories] : projects) {
            const std::string base = prefix + "/" + project + "/repositories";
            if (route == base) {
                json items = json::array();
                for (const auto& [name, _] : repositories) items.push_back({{"name", project + "/" + name}});
                return page_of(items, route, page_number(call), 2);
            }
            for (const auto& [name, artifacts] : repositories)
                if (route == base + "/" + repository_segment(name) + "/artifacts")
                    return page_of(artifacts, route, page_number(call), 2);
        }
        return harbor_error(404, "NOT_FOUND", "path " + route + " was not found");
    }
};

HarborConfig config_for(const std::string& username, std::vector<std::string> projects = {}) {
    HarborConfig config;
    config.base = "https://harbor.example.com";
    config.username = username;
    config.password = "pw";
    config.page_size = 2;
    config.projects = std::move(projects);
    return config;
}

World small_world() {
    World world;
    world.projects["base"]["alpine"] = json::array({artifact(digest('1'), {"3.19"})});
    world.projects["team"]["app"] = json::array({artifact(digest('2'), {"1.0"}), artifact(digest('3'), {})});
    world.projects["team"]["sub/api"] = json::array({artifact(digest('4'), {"v1"})});
    world.projects["team"]["web"] = json::array();
    world.projects["tools"]["jq"] = json::array({artifact(digest('5'), {"1.7"})});
    return world;
}

std::vector<std::string> names_of(const std::vector<regscan::sdk::Repository>& repositories) {
    std::vector<std::string> names;
    for (const auto& r : repositories) names.push_back(r.name);
    return names;
}

}  // namespace

TEST_SUITE_BEGIN("harbor");

TEST_CASE("harbor::HarborSession lists every project's repositories, each tagged with its project") {
    FakeHost fake;
    World world = small_world();
    fake.route = std::ref(world);
    HarborSession session(fake.host(), config_for("admin"));
    auto repositories = session.repositories();
    CHECK(names_of(repositories) ==
          std::vector<std::string>{"base/alpine", "team/app", "team/sub/api", "team/web", "tools/jq"});
    CHECK(repositories[2].plugin_data == json{{"project", "team"}});
    CHECK(fake.calls_to("GET", "/api/v2.0/projects").size() == 2);
    CHECK(fake.calls_to("GET", "/api/v2.0/projects/team/repositories").size() == 2);
    CHECK(fake.notes.empty());
}

TEST_CASE("harbor::HarborSession::tags reads a slashed repository through %252F") {
    FakeHost fake;
    World world = small_world();
    fake.route = std::ref(world);
    HarborSession session(fake.host(), config_for("admin"));
    regscan::sdk::Repository repository;
    repository.name = "team/sub/api";
    repository.plugin_data = {{"project", "team"}};
    auto tags = session.tags(repository);
    REQUIRE(tags.size() == 1);
    CHECK(tags[0].tag == "v1");
    REQUIRE(fake.calls.size() == 1);
    CHECK(fake.calls[0].route() == "/api/v2.0/projects/team/repositories/sub%252Fapi/artifacts");
    CHECK(query_value(fake.calls[0], "with_tag") == "true");

    repository.name = "team/app";
    repository.plugin_data = nullptr;  // an older core: the project is the first segment
    auto app = session.tags(repository);
    REQUIRE(app.size() == 2);
    CHECK(app[1].tag.empty());
    CHECK(app[1].digest == digest('3'));

    repository.name = "elsewhere/app";
    repository.plugin_data = {{"project", "team"}};
    CHECK_THROWS_AS(session.tags(repository), regscan::sdk::Error);
}

TEST_CASE("harbor::HarborSession walks only --harbor-project and goes on past a refused project") {
    FakeHost fake;
    World world = small_world();
    world.refused.insert("/api/v2.0/projects/team/repositories");
    fake.route = std::ref(world);
    HarborSession session(fake.host(), config_for("robot$scanner", {"team", "tools"}));
    CHECK(names_of(session.repositories()) == std::vector<std::string>{"tools/jq"});
    CHECK(fake.calls_to("GET", "/api/v2.0/projects").empty());
    REQUIRE(fake.notes.size() == 1);
    CHECK(fake.notes[0].find("Harbor project team: its repositories could not be listed") != std::string::npos);
    CHECK(fake.notes[0].find("403") != std::string::npos);

    world.refused.insert("/api/v2.0/projects/tools/repositories");
    try {
        (void)session.repositories();
        FAIL("no error when every project was refused");
    } catch (const regscan::sdk::Error& e) {
        CHECK(e.status() == REGSCAN_AUTH_FAILED);
    }
}

TEST_CASE("harbor::HarborSession lets a project robot that may not list projects walk its own") {
    FakeHost fake;
    World world = small_world();
    world.projects_refused = true;
    fake.route = std::ref(world);
    HarborSession robot(fake.host(), config_for("robot$team+deploy"));
    CHECK(names_of(robot.repositories()) == std::vector<std::string>{"team/app", "team/sub/api", "team/web"});
    CHECK(fake.logged("walking its own project team"));

    HarborSession system_robot(fake.host(), config_for("robot$scanner"));
    try {
        (void)system_robot.repositories();
        FAIL("no error");
    } catch (const regscan::sdk::Error& e) {
        CHECK(e.status() == REGSCAN_AUTH_FAILED);
        CHECK(std::string(e.what()).find("--harbor-project") != std::string::npos);
    }
}

TEST_CASE("harbor::HarborSession notes a listing whose X-Total-Count changed during the walk") {
    FakeHost fake;
    json artifacts = json::array({artifact(digest('a'), {"a"}), artifact(digest('b'), {"b"}),
                                  artifact(digest('c'), {"c"})});
    const std::string route = "/api/v2.0/projects/team/repositories/app/artifacts";
    fake.route = [&](const Call& call) {
        if (page_number(call) == 2) artifacts.insert(artifacts.begin(), artifact(digest('e'), {"n"}));
        return page_of(artifacts, route, page_number(call), 2);
    };
    HarborSession session(fake.host(), config_for("admin"));
    regscan::sdk::Repository repository;
    repository.name = "team/app";
    auto tags = session.tags(repository);
    CHECK(tags.size() == 3);  // b seen twice, kept once; n missed
    REQUIRE(fake.notes.size() == 1);
    CHECK(fake.notes[0].find("team/app's artifact list changed while it was read (X-Total-Count 3 -> 4") !=
          std::string::npos);
}

TEST_CASE("harbor::HarborSession stops listing once past the core's limits") {
    FakeHost fake;
    World world;
    for (int i = 0; i < 9; ++i) world.projects["p"]["r" + std::to_string(i)] = json::array();
    json many = json::array();
    for (int i = 0; i < 9; ++i) many.push_back(artifact(digest(static_cast<char>('0' + i)), {"t" + std::to_string(i)}));
    world.projects["p"]["r0"] = many;
    fake.route = std::ref(world);
    HarborSession session(fake.host(), config_for("admin"), 3, 3);
    CHECK(session.repositories().size() == 4);
    CHECK(fake.calls_to("GET", "/api/v2.0/projects/p/repositories").size() == 2);
    fake.clear();
    regscan::sdk::Repository repository;
    repository.name = "p/r0";
    CHECK(session.tags(repository).size() == 4);
    CHECK(fake.calls.size() == 2);
}

TEST_CASE("harbor::HarborSession ignores a repository listed outside its project") {
    FakeHost fake;
    fake.route = [](const Call& call) {
        if (call.route() == "/api/v2.0/projects/team/repositories")
            return json_reply(200, json::array({{{"name", "other/app"}}, {{"name", "team"}},
                                                {{"name", std::string(300, 'y')}}, {{"name", "team/ok"}}}),
                              {{"X-Total-Count", "4"}});
        return harbor_error(404, "NOT_FOUND", "no");
    };
    HarborSession session(fake.host(), config_for("admin", {"team"}));
    CHECK(names_of(session.repositories()) == std::vector<std::string>{"team/ok"});
    // A long name is shown cut.
    CHECK(fake.logged("Harbor project team listed 3 repositories outside it, ignored: other/app, team, " +
                      std::string(128, 'y') + "..."));
}

TEST_CASE("harbor::HarborSession names a few repositories outside their project and counts the rest, in one line") {
    FakeHost fake;
    json page = json::array();
    for (int i = 0; i < 1000; ++i) page.push_back({{"name", "x" + std::to_string(i)}});
    page.push_back({{"name", std::string(300, 'y')}});
    page.push_back({{"name", "team/ok"}});
    fake.route = [&](const Call&) { return json_reply(200, page, {{"X-Total-Count", "1002"}}); };
    HarborSession session(fake.host(), config_for("admin", {"team"}));
    CHECK(names_of(session.repositories()) == std::vector<std::string>{"team/ok"});
    auto warnings = fake.logged(REGSCAN_LOG_WARN);
    REQUIRE(warnings.size() == 1);
    CHECK(warnings[0] == "Harbor project team listed 1001 repositories outside it, ignored: x0, x1, x2, x3, x4 "
                         "and 996 more");
}

TEST_CASE("harbor::HarborSession goes on past a project whose repository listing fails, whatever the failure") {
    // Not an array, a next page on another origin, a 500 the host gave up retrying.
    const std::vector<HttpResponse> failures{
        json_reply(200, {{"not", "an array"}}),
        json_reply(200, json::array(), {{"Link", "<https://elsewhere.example/x>; rel=\"next\""}}),
        harbor_error(500, "UNKNOWN", "boom"),
    };
    for (const auto& failure : failures) {
        CAPTURE(failure.body);
        FakeHost fake;
        World world = small_world();
        fake.route = [&](const Call& call) {
            if (call.route() == "/api/v2.0/projects/team/repositories") return failure;
            return world(call);
        };
        HarborSession session(fake.host(), config_for("admin"));
        CHECK(names_of(session.repositories()) == std::vector<std::string>{"base/alpine", "tools/jq"});
        REQUIRE(fake.notes.size() == 1);
        CHECK(fake.notes[0].find("Harbor project team: its repositories could not be listed") != std::string::npos);
        CHECK(fake.notes[0].find("the other projects were walked") != std::string::npos);
        CHECK(fake.calls_to("GET", "/api/v2.0/projects/tools/repositories").size() == 1);
    }
}

TEST_CASE("harbor::HarborSession keeps a failed project's repositories read before the failure") {
    // With every project, and with --harbor-project team alone: every project walked failed
    // then, but not before its first page, which is kept all the same.
    const std::vector<std::pair<std::vector<std::string>, std::vector<std::string>>> runs{
        {{}, {"base/alpine", "team/app", "team/sub/api", "tools/jq"}},
        {{"team"}, {"team/app", "team/sub/api"}},
    };
    for (const auto& [projects, listed] : runs) {
        CAPTURE(projects.size());
        FakeHost fake;
        World world = small_world();
        fake.route = [&](const Call& call) {
            if (call.route() == "/api/v2.0/projects/team/repositories" && page_number(call) == 2)
                return harbor_error(500, "UNKNOWN", "boom");
            return world(call);
        };
        HarborSession session(fake.host(), config_for("admin", projects));
        CHECK(names_of(session.repositories()) == listed);
        REQUIRE(fake.notes.size() == 1);
        CHECK(fake.notes[0].find("HTTP 500") != std::string::npos);
        CHECK(fake.notes[0].find("2 read before are kept") != std::string::npos);
    }
}

TEST_CASE("harbor::HarborSession fails the listing when no project's repositories could be listed") {
    FakeHost fake;
    World world = small_world();
    fake.route = [&](const Call& call) {
        if (call.route() == "/api/v2.0/projects") return world(call);
        if (call.route() == "/api/v2.0/projects/base/repositories") return harbor_error(403, "FORBIDDEN", "no");
        return harbor_error(500, "UNKNOWN", "boom");
    };
    HarborSession session(fake.host(), config_for("admin"));
    try {
        (void)session.repositories();
        FAIL("no error when every project failed");
    } catch (const regscan::sdk::Error& e) {
        // Not a refusal: the error is the first failure that was not one.
        CHECK(e.status() == REGSCAN_ERROR);
        CHECK(std::string(e.what()).find("Harbor could not list the repositories of any project") !=
              std::string::npos);
        CHECK(std::string(e.what()).find("team/repositories") != std::string::npos);
        CHECK(std::string(e.what()).find("HTTP 500") != std::string::npos);
    }
    CHECK(fake.notes.size() == 3);
}

TEST_CASE("harbor::HarborSession walks no project Harbor listed by a name it cannot have") {
    FakeHost fake;
    World world = small_world();
    fake.route = [&](const Call& call) {
        if (call.route() == "/api/v2.0/projects")
            return json_reply(200, json::array({{{"name", ".."}}, {{"name", "team"}}, {{"name", "a/b"}},
                                                {{"name", "Upper"}}, {{"name", "-x"}}, {{"name", "a%2f.."}},
                                                {{"name", "ok.."}}}),
                              {{"X-Total-Count", "7"}});
        return world(call);
    };
    HarborSession session(fake.host(), config_for("admin"));
    CHECK(names_of(session.repositories()) == std::vector<std::string>{"team/app", "team/sub/api", "team/web"});
    // "ok.." is a name Harbor could give: asked, and answered 404 like any missing project.
    std::vector<std::string> routes;
    for (const auto& call : fake.calls) routes.push_back(call.route());
    CHECK(routes == std::vector<std::string>{"/api/v2.0/projects", "/api/v2.0/projects/team/repositories",
                                             "/api/v2.0/projects/team/repositories",
                                             "/api/v2.0/projects/ok../repositories"});
    REQUIRE(fake.notes.size() == 2);
    CHECK(fake.notes[0] == "Harbor listed 5 projects by a name Harbor cannot give a project, not walked: .., a/b, "
                           "Upper, -x, a%2f..");
    CHECK(fake.notes[1].find("Harbor project ok..: its repositories could not be listed") != std::string::npos);
}

TEST_SUITE_END();
