#include <doctest/doctest.h>

#include "harbor_identity.hpp"
#include "test_plugin_harbor_fake_host.hpp"

using namespace regscan::harbor;
using harbor_test::json_reply;

namespace {

regscan::sdk::Probe probe_of(const std::string& url, bool may_request, const std::string& challenge = {}) {
    regscan::sdk::Probe probe;
    probe.url = url;
    probe.parsed = regscan::sdk::parse_url(url);
    probe.ping_status = 401;
    if (!challenge.empty()) probe.ping_headers["www-authenticate"] = challenge;
    probe.may_request = may_request;
    return probe;
}

const std::string harbor_challenge =
    R"(Bearer realm="https://registry.example.com/service/token",service="harbor-registry")";
const std::string distribution_challenge = R"(Bearer realm="https://auth.example.com/token",service="registry")";

}  // namespace

TEST_SUITE_BEGIN("harbor");

TEST_CASE("harbor::url_score knows Harbor's console paths, goharbor.io and Harbor-like host names") {
    using regscan::sdk::parse_url;
    CHECK(url_score(parse_url("https://registry.example.com/harbor/projects/3/repositories")) == 100);
    CHECK(url_score(parse_url("https://demo.goharbor.io")) == 100);
    CHECK(url_score(parse_url("https://harbor.example.com")) == 60);
    CHECK(url_score(parse_url("https://harbor-prod.example.com:8443")) == 60);
    CHECK(url_score(parse_url("https://harborview.example.com")) == 0);
    CHECK(url_score(parse_url("https://registry.example.com/v2/")) == 0);
    CHECK(url_score(parse_url("https://example.com/harboring")) == 0);
}

TEST_CASE("harbor::challenge_score recognises Harbor's token service only") {
    CHECK(challenge_score(harbor_challenge) == 90);
    CHECK(challenge_score(R"(Basic realm="x", Bearer realm="https://h/service/token?x=1",service="harbor-registry")") == 90);
    CHECK(challenge_score(distribution_challenge) == 0);
    CHECK(challenge_score(R"(Bearer realm="https://auth.example.com/token",service="harbor-registry")") == 0);
    CHECK(challenge_score(R"(Bearer realm="https://h/service/token",service="registry")") == 0);
    CHECK(challenge_score(R"(Basic realm="harbor-registry")") == 0);
    CHECK(challenge_score("") == 0);
}

TEST_CASE("harbor::is_systeminfo accepts Harbor's anonymous GeneralInfo and nothing else") {
    CHECK(is_systeminfo(json_reply(200, {{"auth_mode", "db_auth"}, {"primary_auth_mode", false}, {"banner_message", ""}})));
    CHECK(is_systeminfo(json_reply(200, {{"auth_mode", "oidc_auth"}, {"harbor_version", "v2.11.0"}})));
    CHECK_FALSE(is_systeminfo(json_reply(200, {{"auth_mode", "db_auth"}})));
    CHECK_FALSE(is_systeminfo(json_reply(200, {{"auth_mode", 1}, {"harbor_version", "v2"}})));
    CHECK_FALSE(is_systeminfo(json_reply(200, nlohmann::json::array())));
    CHECK_FALSE(is_systeminfo(json_reply(404, {{"auth_mode", "db_auth"}, {"harbor_version", "v2"}})));
    auto garbage = json_reply(200, nullptr);
    garbage.body = "<html>";
    CHECK_FALSE(is_systeminfo(garbage));
}

TEST_CASE("harbor::identify decides from the URL and the challenge without a request in pass 1") {
    harbor_test::FakeHost fake;
    auto host = fake.host();
    CHECK(identify(host, probe_of("https://registry.example.com", false, harbor_challenge)).score == 90);
    CHECK(identify(host, probe_of("https://harbor.example.com", false, distribution_challenge)).score == 60);
    auto neutral = identify(host, probe_of("https://registry.example.com", false, distribution_challenge));
    CHECK(neutral.score == 0);
    CHECK(neutral.type == "HARBOR");
    // Told by the URL: no probe even when one is allowed.
    CHECK(identify(host, probe_of("https://harbor.example.com", true)).score == 60);
    CHECK(fake.calls.empty());
}

TEST_CASE("harbor::identify probes GET /api/v2.0/systeminfo once, anonymously, in pass 2") {
    harbor_test::FakeHost fake;
    fake.route = [](const fake_host::Call& call) {
        if (call.route() == "/api/v2.0/systeminfo")
            return json_reply(200, {{"auth_mode", "db_auth"}, {"primary_auth_mode", false}, {"self_registration", false}});
        return json_reply(404, nullptr);
    };
    auto id = identify(fake.host(), probe_of("https://registry.example.com:8443/v2/", true, distribution_challenge));
    CHECK(id.score == 90);
    CHECK(id.type == "HARBOR");
    REQUIRE(fake.calls.size() == 1);
    CHECK(fake.calls[0].method == "GET");
    CHECK(fake.calls[0].url == "https://registry.example.com:8443/api/v2.0/systeminfo");
    CHECK(fake.calls[0].header("Authorization").empty());
    CHECK((fake.calls[0].flags & REGSCAN_HTTP_REGISTRY_AUTH) == 0);
}

TEST_CASE("harbor::identify says no when the probe is not Harbor's answer") {
    harbor_test::FakeHost fake;
    fake.route = [](const fake_host::Call&) { return json_reply(404, {{"errors", nlohmann::json::array()}}); };
    CHECK(identify(fake.host(), probe_of("https://registry.example.com", true)).score == 0);
    CHECK(fake.calls.size() == 1);
}

TEST_SUITE_END();
