#include <doctest/doctest.h>

#include "hub_config.hpp"
#include "regscan/error.hpp"

using namespace regscan::dockerhub;
using regscan::sdk::SessionConfig;

namespace {

SessionConfig session(std::string url, std::string user = {}, std::string password = {},
                      std::map<std::string, std::string> options = {}) {
    return {std::move(url), "DOCKERHUB", std::move(user), std::move(password), std::move(options)};
}

regscan_status status_of_config(const SessionConfig& config) {
    try {
        (void)hub_config(config);
    } catch (const regscan::sdk::Error& e) {
        return e.status();
    }
    return REGSCAN_OK;
}

}  // namespace

TEST_SUITE_BEGIN("dockerhub");

TEST_CASE("dockerhub::is_docker_hub_host knows the Hub and registry names, nothing else") {
    for (const char* host : {"hub.docker.com", "docker.io", "index.docker.io", "registry-1.docker.io",
                             "registry.hub.docker.com", "HUB.Docker.com"})
        CHECK_MESSAGE(is_docker_hub_host(host), host);
    for (const char* host : {"docker.io.evil.example", "evil-docker.io", "mirror.gcr.io", "auth.docker.io",
                             "127.0.0.1", "", "docker.com"})
        CHECK_FALSE_MESSAGE(is_docker_hub_host(host), host);
}

TEST_CASE("dockerhub::split_namespaces trims, lowercases and drops duplicates in order") {
    CHECK(split_namespaces("") == std::vector<std::string>{});
    CHECK(split_namespaces("acme") == std::vector<std::string>{"acme"});
    CHECK(split_namespaces(" Acme , library,,acme ") == std::vector<std::string>{"acme", "library"});
    CHECK(split_namespaces("my_org,team-1,a.b") == std::vector<std::string>{"my_org", "team-1", "a.b"});
}

TEST_CASE("dockerhub::split_namespaces refuses what cannot be a namespace") {
    for (const char* bad : {"acme/app", "../x", "a b", "-lead", "ns?x=1", "ns%2f", "user@example.com"})
        CHECK_THROWS_AS_MESSAGE(split_namespaces(bad), regscan::sdk::Error, bad);
}

TEST_CASE("dockerhub::namespace_from_url reads the web addresses users copy") {
    CHECK(namespace_from_url("https://hub.docker.com/u/Bitnami") == "bitnami");
    CHECK(namespace_from_url("https://hub.docker.com/orgs/acme/members") == "acme");
    CHECK(namespace_from_url("https://hub.docker.com/r/acme/api/tags?page=2") == "acme");
    CHECK(namespace_from_url("https://hub.docker.com") == "");
    CHECK(namespace_from_url("https://hub.docker.com/_/nginx") == "");
    CHECK(namespace_from_url("https://registry.example/u/acme") == "");
}

TEST_CASE("dockerhub::hub_config defaults to Docker Hub's endpoints and the username's namespace") {
    auto hub = hub_config(session("https://hub.docker.com", "Alice", "dckr_pat_x"));
    CHECK(hub.api == "https://hub.docker.com");
    CHECK(hub.registry == "https://registry-1.docker.io");
    CHECK(hub.namespaces == std::vector<std::string>{"alice"});
    CHECK(hub.username == "Alice");
    CHECK_FALSE(hub.anonymous());
}

TEST_CASE("dockerhub::hub_config prefers --namespace, then the web address, then the username") {
    auto options = hub_config(session("https://hub.docker.com/u/web", "alice", "pw", {{"namespace", "acme,library"}}));
    CHECK(options.namespaces == std::vector<std::string>{"acme", "library"});
    auto url = hub_config(session("https://hub.docker.com/u/web", "alice", "pw"));
    CHECK(url.namespaces == std::vector<std::string>{"web"});
    auto anonymous = hub_config(session("https://docker.io", "", "", {{"namespace", "library"}}));
    CHECK(anonymous.anonymous());
    CHECK(anonymous.namespaces == std::vector<std::string>{"library"});
}

TEST_CASE("dockerhub::hub_config takes endpoint overrides as bases without /v2 or a trailing slash") {
    auto hub = hub_config(session("https://hub.docker.com", "alice", "pw",
                                  {{"hub-api", "http://127.0.0.1:8080/"}, {"hub-registry", "https://r.test:5000/v2/"}}));
    CHECK(hub.api == "http://127.0.0.1:8080");
    CHECK(hub.registry == "https://r.test:5000");
    CHECK(status_of_config(session("https://hub.docker.com", "alice", "pw", {{"hub-api", "ftp://x"}})) == REGSCAN_BAD_ARGUMENT);
    CHECK(status_of_config(session("https://hub.docker.com", "alice", "pw", {{"hub-registry", "registry.test"}})) ==
          REGSCAN_BAD_ARGUMENT);
}

TEST_CASE("dockerhub::hub_config takes a --hub-registry that is not Docker Hub's for a mirror") {
    auto ns = std::map<std::string, std::string>{{"namespace", "acme"}};
    CHECK_FALSE(hub_config(session("https://hub.docker.com", "", "", ns)).pulls_from_mirror);
    for (const char* hub :
         {"https://registry-1.docker.io", "https://Index.Docker.IO:443/", "https://registry.hub.docker.com"}) {
        auto options = ns;
        options["hub-registry"] = hub;
        CHECK_FALSE_MESSAGE(hub_config(session("https://hub.docker.com", "", "", options)).pulls_from_mirror, hub);
    }
    for (const char* mirror :
         {"https://mirror.gcr.io", "http://127.0.0.1:5000", "https://registry-1.docker.io.evil.example"}) {
        auto options = ns;
        options["hub-registry"] = mirror;
        CHECK_MESSAGE(hub_config(session("https://hub.docker.com", "", "", options)).pulls_from_mirror, mirror);
    }
}

TEST_CASE("dockerhub::hub_config reads --pull-limit-timeout in whole seconds") {
    auto with = [](const std::string& value) {
        return session("https://hub.docker.com", "", "", {{"namespace", "acme"}, {"pull-limit-timeout", value}});
    };
    CHECK(hub_config(session("https://hub.docker.com", "", "", {{"namespace", "acme"}})).pull_limit_timeout ==
          default_pull_limit_timeout);
    CHECK(hub_config(with("0")).pull_limit_timeout == std::chrono::seconds(0));
    CHECK(hub_config(with("12")).pull_limit_timeout == std::chrono::seconds(12));
    CHECK(hub_config(with("600")).pull_limit_timeout == max_pull_limit_timeout);
    for (const char* bad : {"601", "-1", "1.5", "5s", " 5", "99999999999999999999"})
        CHECK_MESSAGE(status_of_config(with(bad)) == REGSCAN_BAD_ARGUMENT, bad);
}

TEST_CASE("dockerhub::hub_config without namespace or username says how to name one") {
    try {
        (void)hub_config(session("https://hub.docker.com"));
        FAIL("no error");
    } catch (const regscan::sdk::Error& e) {
        CHECK(e.status() == REGSCAN_BAD_ARGUMENT);
        CHECK(std::string(e.what()).find("--namespace") != std::string::npos);
    }
    // An e-mail login names no namespace either.
    CHECK(status_of_config(session("https://hub.docker.com", "alice@example.com", "pw")) == REGSCAN_BAD_ARGUMENT);
    CHECK(status_of_config(session("https://hub.docker.com", "alice@example.com", "pw", {{"namespace", "alice"}})) ==
          REGSCAN_OK);
}

TEST_SUITE_END();
