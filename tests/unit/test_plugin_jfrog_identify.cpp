#include <doctest/doctest.h>

#include "jfrog_identify.hpp"
#include "regscan/testing/fake_host.hpp"

using namespace regscan::jfrog;
using fake_host::Call;
using regscan::sdk::HttpResponse;
using regscan::sdk::Probe;

namespace {

Probe probe_of(const std::string& url, long status = 401, std::map<std::string, std::string> headers = {},
               bool may_request = false) {
    Probe probe;
    probe.url = url;
    probe.parsed = regscan::sdk::parse_url(url);
    probe.ping_status = status;
    probe.ping_headers = std::move(headers);
    probe.may_request = may_request;
    return probe;
}

HttpResponse answer(long status, std::string body, std::vector<regscan::sdk::Header> headers = {}) {
    HttpResponse response;
    response.status = status;
    response.body = std::move(body);
    response.headers = std::move(headers);
    return response;
}

}  // namespace

TEST_SUITE_BEGIN("jfrog");

TEST_CASE("jfrog::identify is certain of *.jfrog.io from the URL alone") {
    fake_host::FakeHost fake;
    auto id = identify(fake.host(), probe_of("https://acme.jfrog.io", 0));
    CHECK(id.score == 100);
    CHECK(id.type == "JFROG");
    CHECK(identify(fake.host(), probe_of("https://docker-local.acme.jfrog.io/v2/", 0)).score == 100);
    CHECK(identify(fake.host(), probe_of("https://jfrog.io.example.com", 0)).score == 0);
    CHECK(identify(fake.host(), probe_of("https://notjfrog.io", 0)).score == 0);
    CHECK(fake.calls.empty());
}

TEST_CASE("jfrog::identify takes X-JFrog-Version or X-Artifactory-Id of the ping as proof") {
    fake_host::FakeHost fake;
    CHECK(identify(fake.host(), probe_of("https://art.corp", 401, {{"x-jfrog-version", "Artifactory/7.77.5"}}))
              .score == 90);
    CHECK(identify(fake.host(), probe_of("https://art.corp", 404, {{"x-artifactory-id", "abc"}})).score == 90);
    CHECK(identify(fake.host(), probe_of("https://art.corp", 401, {{"server", "nginx"}})).score == 0);
    CHECK(fake.calls.empty());
}

TEST_CASE("jfrog::identify probes the system ping once, without credentials, only when allowed") {
    fake_host::FakeHost fake;
    fake.route = [](const Call&) { return answer(200, "OK", {{"Content-Type", "text/plain"}}); };
    CHECK(identify(fake.host(), probe_of("https://art.corp/docker", 404)).score == 0);
    CHECK(fake.calls.empty());

    auto id = identify(fake.host(), probe_of("https://art.corp:8443/docker", 404, {}, true));
    CHECK(id.score == 90);
    REQUIRE(fake.calls.size() == 1);
    CHECK(fake.calls[0].method == "GET");
    CHECK(fake.calls[0].url == "https://art.corp:8443/artifactory/api/system/ping");
    CHECK(fake.calls[0].header("Authorization").empty());
    CHECK((fake.calls[0].flags & REGSCAN_HTTP_REGISTRY_AUTH) == 0);
}

TEST_CASE("jfrog::score_of_system_ping tells an Artifactory from other servers") {
    CHECK(score_of_system_ping(answer(200, "OK\n", {{"Content-Type", "text/plain"}})) == 90);
    CHECK(score_of_system_ping(answer(401, "", {{"WWW-Authenticate", "Basic realm=\"Artifactory Realm\""}})) == 90);
    CHECK(score_of_system_ping(answer(403, "{}", {{"X-JFrog-Version", "Artifactory/7.1"}})) == 90);
    CHECK(score_of_system_ping(answer(200, "<html>OK</html>", {{"Content-Type", "text/html"}})) == 0);
    CHECK(score_of_system_ping(answer(200, "OK", {{"Content-Type", "text/html"}})) == 0);
    CHECK(score_of_system_ping(answer(404, "not found")) == 0);
    CHECK(score_of_system_ping(answer(401, "", {{"WWW-Authenticate", "Basic realm=\"Nexus\""}})) == 0);
    CHECK(score_of_system_ping(answer(0, "")) == 0);
}

TEST_SUITE_END();
