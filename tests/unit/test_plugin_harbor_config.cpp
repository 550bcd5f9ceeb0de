#include <doctest/doctest.h>

#include "harbor_config.hpp"
#include "regscan/error.hpp"

using namespace regscan::harbor;

namespace {

regscan::sdk::SessionConfig session(const std::string& url, std::map<std::string, std::string> options = {}) {
    regscan::sdk::SessionConfig config;
    config.url = url;
    config.type = "HARBOR";
    config.username = "robot$team+ci";
    config.password = "pw";
    config.options = std::move(options);
    return config;
}

regscan_status status_of_config(const regscan::sdk::SessionConfig& config) {
    try {
        (void)harbor_config(config);
    } catch (const regscan::sdk::Error& e) {
        return e.status();
    }
    return REGSCAN_OK;
}

}  // namespace

TEST_SUITE_BEGIN("harbor");

TEST_CASE("harbor::api_base drops Harbor console paths and /v2") {
    CHECK(api_base("https://registry.example.com/harbor/projects/3/repositories") == "https://registry.example.com");
    CHECK(api_base("https://registry.example.com:8443/") == "https://registry.example.com:8443");
    CHECK(api_base("https://registry.example.com/v2/") == "https://registry.example.com");
    CHECK(api_base("registry.example.com") == "https://registry.example.com");
}

TEST_CASE("harbor::split_projects trims, keeps order, drops repeats and refuses what Harbor cannot name") {
    CHECK(split_projects(" team, tools,,team ") == std::vector<std::string>{"team", "tools"});
    CHECK(split_projects("").empty());
    CHECK(split_projects("my.proj_1-x") == std::vector<std::string>{"my.proj_1-x"});
    for (const char* bad : {"Team", "../etc", "a/b", "-x", "a b", "a%2Fb"})
        CHECK_THROWS_AS(split_projects(bad), regscan::sdk::Error);
}

TEST_CASE("harbor::robot_project reads the project of a project robot account") {
    CHECK(robot_project("robot$team+ci") == "team");
    CHECK(robot_project("robot$my-proj+a+b") == "my-proj");
    CHECK(robot_project("robot$scanner").empty());
    CHECK(robot_project("robot$+x").empty());
    CHECK(robot_project("robot$Team+x").empty());
    CHECK(robot_project("admin").empty());
    CHECK(robot_project("robot_team+ci").empty());
}

TEST_CASE("harbor::harbor_config takes the projects, credentials and a page size of 1 to 100") {
    auto config = harbor_config(session("https://harbor.example.com", {{"harbor-project", "team,tools"}}));
    CHECK(config.base == "https://harbor.example.com");
    CHECK(config.projects == std::vector<std::string>{"team", "tools"});
    CHECK(config.username == "robot$team+ci");
    CHECK(config.password == "pw");
    CHECK(config.page_size == 100);
    CHECK(harbor_config(session("https://h", {{"harbor-page-size", "1"}})).page_size == 1);
    CHECK(harbor_config(session("https://h", {{"harbor-page-size", "100"}})).page_size == 100);
    for (const char* bad : {"0", "101", "-1", "ten", "10x", "99999999999999999999"})
        CHECK(status_of_config(session("https://h", {{"harbor-page-size", bad}})) == REGSCAN_BAD_ARGUMENT);
    CHECK(status_of_config(session("https://h", {{"harbor-project", "Bad"}})) == REGSCAN_BAD_ARGUMENT);
}

TEST_SUITE_END();
