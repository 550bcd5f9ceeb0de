#include <doctest/doctest.h>

#include <algorithm>
#include <map>
#include <set>

#include "jfrog_api.hpp"
#include "jfrog_listing.hpp"
#include "jfrog_repositories.hpp"
#include "jfrog_session.hpp"
#include "regscan/base64.hpp"
#include "regscan/error.hpp"
#include "regscan/paging.hpp"
#include "regscan/testing/fake_host.hpp"

using namespace regscan::jfrog;
using fake_host::Call;
using nlohmann::json;
using regscan::sdk::HttpResponse;

namespace {

const std::string api = "https://art.corp/artifactory";
const std::string password = "unit-test-password";
const std::string token = "unit-test-access-token";

HttpResponse reply(long status, const json& body, std::vector<regscan::sdk::Header> headers = {}) {
    auto response = fake_host::json_reply(status, body, std::move(headers));
    response.headers.emplace_back("X-JFrog-Version", "Artifactory/7.77.5");
    return response;
}

// An Artifactory with pages of 2 and its paging quirks: the next Link lacks
// the repository path, the tags' `last` is a position.
struct FakeArtifactory {
    fake_host::FakeHost fake;
    std::string accepted = "Basic " + regscan::sdk::base64_encode("reader:" + password);
    json repositories = json::array({{{"key", "docker-local"}, {"type", "LOCAL"}, {"packageType", "Docker"}},
                                     {{"key", "docker-prod"}, {"type", "FEDERATED"}, {"packageType", "docker"}},
                                     {{"key", "docker-remote"}, {"type", "REMOTE"}, {"packageType", "Docker"}},
                                     {{"key", "docker"}, {"type", "VIRTUAL"}, {"packageType", "Docker"}},
                                     {{"key", "npm-local"}, {"type", "LOCAL"}, {"packageType", "Npm"}},
                                     {{"key", "../evil"}, {"type", "LOCAL"}, {"packageType", "Docker"}}});
    std::map<std::string, std::vector<std::string>> images = {
        {"docker-local", {"base/alpine", "team/api", "team/app"}},
        {"docker-prod", {"web/site"}},
        {"docker-remote", {"library/alpine"}},
        {"docker", {"base/alpine", "library/alpine", "team/api", "team/app"}}};
    std::vector<std::string> tags = {"1.0", "1.1", "2.0"};
    std::set<std::string> forbidden;  // keys whose catalog answers 403
    std::string cut_at;               // a catalog whose second page the host refuses at the listing's bounds

    FakeArtifactory() {
        fake.route = [this](const Call& call) { return answer(call); };
    }

    HttpResponse answer(const Call& call) {
        if (call.header("Authorization") != accepted)
            return reply(401, {{"errors", {{{"status", 401}, {"message", "Bad credentials"}}}}},
                         {{"WWW-Authenticate", "Basic realm=\"Artifactory Realm\""}});
        auto route = call.route();
        auto query = call.fields(true);
        if (route == "/artifactory/api/repositories") return reply(200, repositories);
        const std::string prefix = "/artifactory/api/docker/";
        REQUIRE(route.rfind(prefix, 0) == 0);
        auto rest = route.substr(prefix.size());
        auto key = rest.substr(0, rest.find('/'));
        rest = rest.substr(key.size() + 4);  // after "/v2/"
        size_t n = 2;
        CHECK(fake_host::field(query, "n") != "");
        if (forbidden.count(key))
            return reply(403, {{"errors", {{{"code", "DENIED"}, {"message", "no read permission"}}}}});
        if (rest == "_catalog") {
            auto all = images[key];
            auto last = fake_host::field(query, "last");
            if (key == cut_at && !last.empty()) {
                HttpResponse refused;
                refused.error = std::string(regscan::sdk::listing_limit_marker) + "more than 3 requests";
                return refused;
            }
            std::vector<std::string> after;
            for (const auto& image : all)
                if (last.empty() || image > last) after.push_back(image);
            std::vector<std::string> page(after.begin(), after.begin() + std::min(n, after.size()));
            std::vector<regscan::sdk::Header> headers;
            if (after.size() > n) headers.emplace_back("Link", "</v2/_catalog?last=" + page.back() + "&n=2>; rel=\"next\"");
            return reply(200, {{"repositories", page}}, headers);
        }
        auto image = rest.substr(0, rest.size() - std::string("/tags/list").size());
        auto last = fake_host::field(query, "last");
        size_t start = last.empty() ? 0 : std::stoul(last);
        std::vector<std::string> page(tags.begin() + std::min(start, tags.size()),
                                      tags.begin() + std::min(start + n, tags.size()));
        std::vector<regscan::sdk::Header> headers;
        if (start + n < tags.size())
            headers.emplace_back("Link", "</v2/" + image + "/tags/list?last=" + std::to_string(start + n) +
                                             "&n=2>; rel=\"next\"");
        return reply(200, {{"name", image}, {"tags", page}}, headers);
    }
};

JfrogConfig config_for(std::map<std::string, std::string> options = {}, std::string username = "reader",
                       std::string secret = password) {
    regscan::sdk::SessionConfig session;
    session.url = "https://art.corp";
    session.username = std::move(username);
    session.password = std::move(secret);
    session.options = std::move(options);
    return jfrog_config(session);
}

std::vector<std::string> names_of(const std::vector<regscan::sdk::Repository>& repositories) {
    std::vector<std::string> names;
    for (const auto& r : repositories) names.push_back(r.name);
    return names;
}

}  // namespace

TEST_SUITE_BEGIN("jfrog");

TEST_CASE("jfrog::artifactory_next_page takes only `last` from a Link that lost the repository path") {
    FakeArtifactory art;
    ArtifactoryApi client(art.fake.host(), config_for());
    CHECK(list_images(client, "docker-local", 0).names ==
          std::vector<std::string>{"base/alpine", "team/api", "team/app"});
    auto calls = art.fake.calls_to(api + "/api/docker/docker-local/v2/_catalog");
    REQUIRE(calls.size() == 2);
    CHECK(calls[1].url == api + "/api/docker/docker-local/v2/_catalog?n=1000&last=team%2Fapi");
    CHECK(art.fake.calls_to("https://art.corp/v2/").empty());

    CHECK(list_tags(client, "docker-local", "team/app", 0) == std::vector<std::string>{"1.0", "1.1", "2.0"});
    auto tag_calls = art.fake.calls_to(api + "/api/docker/docker-local/v2/team/app/tags/list");
    REQUIRE(tag_calls.size() == 2);
    CHECK(tag_calls[1].url == api + "/api/docker/docker-local/v2/team/app/tags/list?n=1000&last=2");
}

TEST_CASE("jfrog::list_tags stops once it holds more than the core keeps") {
    FakeArtifactory art;
    ArtifactoryApi client(art.fake.host(), config_for());
    CHECK(list_tags(client, "docker-local", "team/app", 1) == std::vector<std::string>{"1.0", "1.1"});
    CHECK(art.fake.calls.size() == 1);
}

TEST_CASE("jfrog::artifactory_next_page stays on the page's URL whatever the Link names") {
    auto next = artifactory_next_page();
    const std::string url = api + "/api/docker/k/v2/_catalog?n=1000";
    json body = json::object();
    auto page_with = [&](std::vector<regscan::sdk::Header> headers) {
        HttpResponse response;
        response.status = 200;
        response.headers = std::move(headers);
        return next(regscan::sdk::Page{url, response, body, 0});
    };
    CHECK(page_with({}).empty());
    CHECK(page_with({{"Link", "</v2/_catalog?n=2>; rel=\"next\""}}).empty());
    CHECK(page_with({{"Link", "<https://elsewhere.example/v2/_catalog?last=a%20b&n=2>; rel=\"next\""}}) ==
          url + "&last=a%20b");
    CHECK(page_with({{"Link", "</v2/_catalog?last=x>; rel=\"prev\""}}).empty());
}

TEST_CASE("jfrog::query_value decodes the parameter it names") {
    CHECK(query_value("/v2/_catalog?last=team%2Fapp&n=2", "last") == "team/app");
    CHECK(query_value("/v2/_catalog?n=2", "last").empty());
    CHECK(query_value("/v2/_catalog", "last").empty());
    CHECK(query_value("/x?lastly=1&last=7", "last") == "7");
}

TEST_CASE("jfrog::parse_repository_list keeps Docker repositories with valid keys") {
    FakeArtifactory art;
    auto listed = parse_repository_list(art.repositories, "u");
    REQUIRE(listed.size() == 4);
    CHECK(listed[0].key == "docker-local");
    CHECK(listed[0].type == "local");
    CHECK(listed[3].type == "virtual");
    CHECK_THROWS_AS(parse_repository_list(json::object(), "u"), regscan::sdk::Error);
}

TEST_CASE("jfrog::JfrogSession walks local and federated repositories and says why others are not") {
    FakeArtifactory art;
    JfrogSession session(art.fake.host(), config_for());
    auto repositories = session.repositories();
    CHECK(names_of(repositories) == std::vector<std::string>{"docker-local/base/alpine", "docker-local/team/api",
                                                             "docker-local/team/app", "docker-prod/web/site"});
    CHECK(repositories[2].pull_base == "https://art.corp");
    CHECK(repositories[2].pull_name == "docker-local/team/app");
    CHECK(repositories[2].plugin_data == json{{"key", "docker-local"}, {"image", "team/app"}});
    CHECK(art.fake.logged("docker-remote (remote): a cache"));
    CHECK(art.fake.logged("docker (virtual): repeats its members"));
    auto tags = session.tags(repositories[2]);
    REQUIRE(tags.size() == 3);
    CHECK(tags[2].tag == "2.0");
    // The credentials are secrets, and never left the API's origin.
    CHECK(art.fake.is_secret(password));
    CHECK(art.fake.is_secret(art.accepted));
    for (const auto& call : art.fake.calls) CHECK(call.url.rfind("https://art.corp/artifactory/", 0) == 0);
    CHECK_FALSE(session.pull_credentials().has_value());
}

TEST_CASE("jfrog::JfrogSession walks the repository the URL or --jfrog-repository names, any type") {
    FakeArtifactory art;
    regscan::sdk::SessionConfig url_form;
    url_form.url = "https://art.corp/docker";
    url_form.username = "reader";
    url_form.password = password;
    JfrogSession by_url(art.fake.host(), jfrog_config(url_form));
    CHECK(names_of(by_url.repositories()) == std::vector<std::string>{"docker/base/alpine", "docker/library/alpine",
                                                                      "docker/team/api", "docker/team/app"});

    JfrogSession by_key(art.fake.host(), config_for({{"jfrog-repository", "docker-remote"}}));
    CHECK(names_of(by_key.repositories()) == std::vector<std::string>{"docker-remote/library/alpine"});

    JfrogSession unknown(art.fake.host(), config_for({{"jfrog-repository", "nope"}}));
    try {
        (void)unknown.repositories();
        FAIL("expected an error");
    } catch (const regscan::sdk::Error& e) {
        CHECK(e.status() == REGSCAN_BAD_ARGUMENT);
        CHECK(std::string(e.what()).find("'nope' is not a Docker repository") != std::string::npos);
    }

    // A first path segment that is no repository key is not a filter.
    url_form.url = "https://art.corp/registry";
    art.fake.logs.clear();
    JfrogSession not_a_key(art.fake.host(), jfrog_config(url_form));
    CHECK(not_a_key.repositories().size() == 4);
    CHECK(art.fake.logged("'registry' in the URL is not a Docker repository key"));
}

TEST_CASE("jfrog::JfrogSession notes a repository it cannot list and goes on") {
    FakeArtifactory art;
    art.forbidden = {"docker-prod"};
    JfrogSession session(art.fake.host(), config_for());
    CHECK(session.repositories().size() == 3);
    // A discovery note: the run summary lists it.
    const auto& warnings = art.fake.notes;
    REQUIRE(warnings.size() == 1);
    CHECK(warnings[0].find("docker-prod (federated) could not be listed") != std::string::npos);
    CHECK(warnings[0].find("HTTP 403") != std::string::npos);

    // When nothing could be listed, the run fails with the first reason.
    art.forbidden = {"docker-prod", "docker-local"};
    JfrogSession none(art.fake.host(), config_for());
    try {
        (void)none.repositories();
        FAIL("expected an error");
    } catch (const regscan::sdk::Error& e) {
        CHECK(e.status() == REGSCAN_AUTH_FAILED);
    }
}

TEST_CASE("jfrog::JfrogSession keeps the images read when the host cuts the listing and lists no further repository") {
    FakeArtifactory art;
    art.cut_at = "docker-local";
    JfrogSession session(art.fake.host(), config_for());
    CHECK(names_of(session.repositories()) ==
          std::vector<std::string>{"docker-local/base/alpine", "docker-local/team/api"});
    CHECK(art.fake.calls_to(api + "/api/docker/docker-local/v2/_catalog").size() == 2);
    // The SDK rule (sdk::listing_cut): the next repository is not even asked.
    CHECK(art.fake.calls_to(api + "/api/docker/docker-prod/").empty());
    CHECK(art.fake.logged("docker-local (local): 2 images read before the listing was cut short"));
    CHECK_FALSE(art.fake.logged("docker-prod"));
    CHECK(art.fake.notes.empty());
}

TEST_CASE("jfrog::JfrogSession names the first repositories it leaves out and counts the rest") {
    FakeArtifactory art;
    for (int i = 0; i < 25; ++i)
        art.repositories.push_back(
            {{"key", "cache-" + std::to_string(i)}, {"type", "REMOTE"}, {"packageType", "Docker"}});
    JfrogSession session(art.fake.host(), config_for());
    CHECK(session.repositories().size() == 4);
    size_t named = 0;
    for (const auto& [level, text] : art.fake.logs) named += text.rfind("Not walking Artifactory repository ", 0) == 0;
    CHECK(named == named_repositories);
    // docker-remote, docker (virtual) and 25 caches left out: 10 named, 17 counted.
    CHECK(art.fake.logged("Not walking 17 more Artifactory repositories of types not walked"));

    JfrogSession unknown(art.fake.host(), config_for({{"jfrog-repository", "nope"}}));
    try {
        (void)unknown.repositories();
        FAIL("expected an error");
    } catch (const regscan::sdk::Error& e) {
        std::string what = e.what();
        CHECK(what.find(", cache-5 and 19 more") != std::string::npos);
        CHECK(what.find("cache-6") == std::string::npos);
    }
}

TEST_CASE("jfrog::JfrogSession sends an access token alone as Bearer, and to the /v2/ flow as a token") {
    FakeArtifactory art;
    art.accepted = "Bearer " + token;
    JfrogSession session(art.fake.host(), config_for({}, "", token));
    CHECK(session.repositories().size() == 4);
    auto credentials = session.pull_credentials();
    REQUIRE(credentials.has_value());
    CHECK(credentials->token == token);
    CHECK(credentials->username.empty());
    CHECK(art.fake.is_secret(token));
    CHECK(art.fake.is_secret("Bearer " + token));
    CHECK(art.fake.all_logs().find(token) == std::string::npos);
}

TEST_CASE("jfrog::JfrogSession names Artifactory's refusal of the credentials") {
    FakeArtifactory art;
    JfrogSession session(art.fake.host(), config_for({}, "reader", "wrong"));
    try {
        (void)session.repositories();
        FAIL("expected an error");
    } catch (const regscan::sdk::Error& e) {
        CHECK(e.status() == REGSCAN_AUTH_FAILED);
        std::string what = e.what();
        CHECK(what.find("api/repositories?packageType=docker: HTTP 401: Bad credentials") != std::string::npos);
        CHECK(what.find("wrong") == std::string::npos);
    }
}

TEST_CASE("jfrog::error_text reads both of Artifactory's error shapes") {
    CHECK(error_text(R"({"errors":[{"status":401,"message":"Bad credentials"}]})") == "Bad credentials");
    CHECK(error_text(R"({"errors":[{"code":"DENIED","message":"no"}]})") == "DENIED: no");
    CHECK(error_text("plain\ntext") == "plain text");
    CHECK(authorization_for("", "") == "");
    CHECK(authorization_for("", "t") == "Bearer t");
    CHECK(authorization_for("u", "p") == "Basic dTpw");
}

TEST_SUITE_END();
