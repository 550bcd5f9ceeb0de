#include <doctest/doctest.h>

#include "quay_config.hpp"
#include "regscan/error.hpp"

using namespace regscan::quay;

namespace {

regscan::sdk::SessionConfig session(std::string username, std::string password,
                                    std::map<std::string, std::string> options = {}) {
    regscan::sdk::SessionConfig config;
    config.url = "https://quay.io/";
    config.type = "QUAY";
    config.username = std::move(username);
    config.password = std::move(password);
    config.options = std::move(options);
    return config;
}

}  // namespace

TEST_SUITE_BEGIN("quay");

TEST_CASE("quay::quay_config: the robot's organisation is the default namespace") {
    auto config = quay_config(session("acme+reader", "ROBOTTOKEN"));
    CHECK(config.base == "https://quay.io");
    CHECK(config.namespaces == std::vector<std::string>{"acme"});
    CHECK(config.has_login());
    CHECK_FALSE(config.has_token());
}

TEST_CASE("quay::quay_config: --namespace wins, repeated values arrive comma-joined") {
    auto config = quay_config(session("acme+reader", "T", {{"namespace", "Beta, acme,,beta"}, {"quay-token", "oauth"}}));
    CHECK(config.namespaces == std::vector<std::string>{"beta", "acme"});
    CHECK(config.token == "oauth");
    CHECK(config.password == "T");
}

TEST_CASE("quay::quay_config: a password without a username is the OAuth token") {
    auto config = quay_config(session("", "oauthtoken", {{"namespace", "acme"}}));
    CHECK(config.token == "oauthtoken");
    CHECK(config.password.empty());
    CHECK_FALSE(config.has_login());
}

TEST_CASE("quay::quay_config: no namespace and no username is a bad argument") {
    try {
        (void)quay_config(session("", "", {{"quay-token", "oauth"}}));
        FAIL("expected an error");
    } catch (const regscan::sdk::Error& e) {
        CHECK(e.status() == REGSCAN_BAD_ARGUMENT);
        CHECK(std::string(e.what()).find("--namespace") != std::string::npos);
    }
}

TEST_CASE("quay::split_namespaces refuses names that would reach an API path") {
    for (const char* bad : {"../admin", "a/b", "acme?x=1", "a", "-acme", "ac..me", "ac%2Fme"})
        CHECK_THROWS_AS(split_namespaces(bad), regscan::sdk::Error);
    CHECK(split_namespaces("my-org.team_1") == std::vector<std::string>{"my-org.team_1"});
}

TEST_CASE("quay::quay_config: a web address gives the origin and its namespace") {
    auto config = session("acme+reader", "T");
    config.url = "https://quay.io/organization/Beta?tab=repos";
    auto quay = quay_config(config);
    CHECK(quay.base == "https://quay.io");
    CHECK(quay.namespaces == std::vector<std::string>{"beta"});
    CHECK(namespace_from_url("https://quay.io/repository/acme/api?tab=tags") == "acme");
    CHECK(namespace_from_url("https://quay.io/user/alice/") == "alice");
    CHECK(namespace_from_url("https://quay.io/organization/../x").empty());
    CHECK(namespace_from_url("https://quay.io/").empty());
}

TEST_CASE("quay::robot_namespace") {
    CHECK(robot_namespace("acme+reader") == "acme");
    CHECK(robot_namespace("Acme+reader") == "acme");
    CHECK(robot_namespace("alice").empty());
    CHECK(robot_namespace("+x").empty());
    CHECK(robot_namespace("acme+").empty());
}

TEST_CASE("quay::is_quay_io_host") {
    CHECK(is_quay_io_host("quay.io"));
    CHECK(is_quay_io_host("QUAY.IO"));
    CHECK_FALSE(is_quay_io_host("quay.io.evil.example"));
    CHECK_FALSE(is_quay_io_host("registry.example"));
}

TEST_SUITE_END();
