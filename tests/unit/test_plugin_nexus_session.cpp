#include <doctest/doctest.h>

#include <cctype>
#include <functional>

#include "nexus_identify.hpp"
#include "nexus_session.hpp"
#include "regscan/base64.hpp"
#include "regscan/error.hpp"
#include "regscan/testing/fake_host.hpp"

using namespace regscan::nexus;
using fake_host::Call;
using fake_host::FakeHost;
using nlohmann::json;
using regscan::sdk::HttpResponse;

namespace {

const std::string base = "https://nexus.test";
const std::string password = "nexus-unit-secret";

HttpResponse reply(long status, const json& body = nullptr, std::vector<regscan::sdk::Header> headers = {}) {
    HttpResponse response;
    response.status = status;
    response.body = body.is_null() ? std::string{} : body.dump();
    response.headers = std::move(headers);
    return response;
}

json component(const std::string& name, const std::string& tag) {
    return {{"repository", "docker-hosted"}, {"format", "docker"}, {"name", name}, {"version", tag},
            {"assets", {{{"path", "/v2/" + name + "/manifests/" + tag},
                         {"checksum", {{"sha256", std::string(64, 'c')}}},
                         {"lastModified", "2022-08-29T07:11:42.914+00:00"}}}}};
}

// Nexus with docker-hosted (5 components over 3 pages), docker-extra (refused) and a group.
struct FakeNexus {
    FakeHost fake;
    bool admin = true;
    std::string expected_auth = "Basic " + regscan::sdk::base64_encode("alice:" + password);

    FakeNexus() {
        fake.route = [this](const Call& call) { return answer(call); };
    }

    HttpResponse answer(const Call& call) {
        if (call.header("Authorization") != expected_auth) return reply(401);
        const auto route = call.route();
        const auto query = call.fields(true);
        if (route == "/service/rest/v1/repositories")
            return reply(200, json::array({{{"name", "docker-hosted"}, {"format", "docker"}, {"type", "hosted"}},
                                           {{"name", "docker-extra"}, {"format", "docker"}, {"type", "hosted"}},
                                           {{"name", "docker-group"}, {"format", "docker"}, {"type", "group"}}}));
        if (route == "/service/rest/v1/repositorySettings") {
            if (!admin) return reply(403);
            return reply(200, json::array({{{"name", "docker-hosted"}, {"docker", {{"httpsPort", 8443}}}},
                                           {{"name", "docker-group"},
                                            {"group", {{"memberNames", {"docker-hosted"}}}}}}));
        }
        if (route == "/service/rest/v1/components") {
            auto repository = fake_host::field(query, "repository");
            if (repository == "docker-extra") return reply(403);
            auto token = fake_host::field(query, "continuationToken");
            if (token.empty())
                return reply(200, {{"items", {component("team/app", "1.0"), component("team/app", "2.0")}},
                                   {"continuationToken", "t1"}});
            if (token == "t1")
                return reply(200, {{"items", {component("base/alpine", "3.19"),
                                              component("team/app", "sha256:" + std::string(64, 'd'))}},
                                   {"continuationToken", "t2"}});
            if (token == "t2") return reply(200, {{"items", {component("team/app", "1.1")}}, {"continuationToken", nullptr}});
            return reply(400);
        }
        return reply(404);
    }

    std::unique_ptr<NexusSession> open(const std::string& user = "alice", const std::string& secret = password,
                                       size_t max_repositories = 0, size_t max_tags = 0) {
        NexusConfig config;
        config.base = base;
        config.username = user;
        config.secret = secret;
        auto session = std::make_unique<NexusSession>(fake.host(), config, max_repositories, max_tags);
        session->sign_in();
        return session;
    }
};

regscan::sdk::Probe probe(bool may_request, std::map<std::string, std::string> headers = {}) {
    regscan::sdk::Probe p;
    p.url = base;
    p.parsed = regscan::sdk::parse_url(base);
    p.ping_status = 401;
    p.ping_headers = std::move(headers);
    p.may_request = may_request;
    return p;
}

}  // namespace

TEST_SUITE_BEGIN("nexus");

TEST_CASE("nexus::identify knows Nexus by its Server header without a request") {
    FakeHost fake;
    auto id = identify(fake.host(), probe(false, {{"server", "Nexus/3.94.0-03 (OSS)"}}), "NEXUS");
    CHECK(id.score == 90);
    CHECK(id.type == "NEXUS");
    CHECK(identify(fake.host(), probe(false, {{"server", "nginx"}}), "NEXUS").score == 0);
    CHECK(identify(fake.host(), probe(false, {{"server", "Nexus/2.14"}}), "NEXUS").score == 0);
    CHECK(fake.calls.empty());
}

TEST_CASE("nexus::identify probes /service/rest/v1/status once, unauthenticated, in the second pass") {
    FakeHost fake([](const Call& call) {
        return call.route() == "/service/rest/v1/status" ? reply(200) : reply(404);
    });
    CHECK(identify(fake.host(), probe(true), "NEXUS").score == 90);
    REQUIRE(fake.calls.size() == 1);
    CHECK(fake.calls[0].url == base + "/service/rest/v1/status");
    CHECK(fake.calls[0].header("Authorization").empty());
    CHECK((fake.calls[0].flags & REGSCAN_HTTP_REGISTRY_AUTH) == 0);

    FakeHost web([](const Call&) {
        auto page = reply(200);
        page.body = "<html>welcome</html>";
        page.headers = {{"Content-Type", "text/html"}};
        return page;
    });
    CHECK(identify(web.host(), probe(true), "NEXUS").score == 0);
}

TEST_CASE("nexus::NexusSession follows continuationToken to the end and routes through the connector") {
    FakeNexus nexus;
    auto session = nexus.open();
    auto repositories = session->repositories();
    REQUIRE(repositories.size() == 3);  // base/alpine, team/app, and docker-extra failing
    CHECK(repositories[0].name == "docker-hosted/base/alpine");
    CHECK(repositories[0].pull_base == "https://nexus.test:8443");
    CHECK(repositories[0].pull_name == "base/alpine");
    CHECK(repositories[0].reference == "nexus.test:8443/base/alpine");
    CHECK(repositories[0].plugin_data["nexus_repository"] == "docker-hosted");
    auto tags = session->tags(repositories[1]);
    REQUIRE(tags.size() == 3);  // the digest-versioned index image is not a tag
    CHECK(tags[0].digest == "sha256:" + std::string(64, 'c'));
    CHECK(nexus.fake.calls_to("GET", "/service/rest/v1/components").size() == 4);  // 3 + the refused one
    CHECK(nexus.fake.calls_to("GET", "/v2/_catalog").empty());
    CHECK(nexus.fake.logged("docker-group"));  // skipped, and said why
}

TEST_CASE("nexus::NexusSession stops at a continuationToken that leads back to a page already read") {
    FakeNexus nexus;
    auto looping = nexus.fake.route;
    nexus.fake.route = [&](const Call& call) {
        if (call.route() == "/service/rest/v1/components")
            return reply(200, {{"items", {component("team/app", "1.0")}}, {"continuationToken", "same"}});
        return looping(call);
    };
    auto session = nexus.open();
    auto repositories = session->repositories();
    REQUIRE(repositories.size() == 2);  // team/app in docker-hosted and in docker-extra
    CHECK(session->tags(repositories[0]).size() == 1);
    // Per repository: the first page and the token's page, whose next URL is itself.
    CHECK(nexus.fake.calls_to("GET", "/service/rest/v1/components").size() == 4);
    REQUIRE(nexus.fake.notes.size() == 2);
    CHECK(nexus.fake.notes[0].find("docker-hosted") != std::string::npos);
    CHECK(nexus.fake.notes[0].find("may have been missed") != std::string::npos);
}

TEST_CASE("nexus::NexusSession refuses an unknown --nexus-repository at sign-in") {
    FakeNexus nexus;
    NexusConfig config;
    config.base = base;
    config.username = "alice";
    config.secret = password;
    config.repositories = {"nope"};
    NexusSession session(nexus.fake.host(), config);
    CHECK_THROWS_AS(session.sign_in(), regscan::sdk::Error);
    CHECK(nexus.fake.calls_to("GET", "/service/rest/v1/components").empty());
}

TEST_CASE("nexus::NexusSession reports a refused repository through its tags and goes on") {
    FakeNexus nexus;
    auto session = nexus.open();
    auto repositories = session->repositories();
    REQUIRE(repositories.back().name == "docker-extra");
    try {
        session->tags(repositories.back());
        FAIL("expected the refusal");
    } catch (const regscan::sdk::Error& e) {
        CHECK(e.status() == REGSCAN_AUTH_FAILED);
        CHECK(std::string(e.what()).find("HTTP 403") != std::string::npos);
    }
}

TEST_CASE("nexus::NexusSession pulls path-based when repositorySettings is refused") {
    FakeNexus nexus;
    nexus.admin = false;
    auto session = nexus.open();
    auto repositories = session->repositories();
    CHECK(repositories[0].pull_base == base + "/repository/docker-hosted");
    CHECK(repositories[0].reference.empty());
    CHECK(nexus.fake.logged("path-based"));
}

TEST_CASE("nexus::NexusSession refuses wrong credentials at sign-in and hides the secret") {
    FakeNexus nexus;
    try {
        nexus.open("alice", "wrong-secret");
        FAIL("expected a refusal");
    } catch (const regscan::sdk::Error& e) {
        CHECK(e.status() == REGSCAN_AUTH_FAILED);
        CHECK(std::string(e.what()).find("refused the credentials of 'alice'") != std::string::npos);
        CHECK(std::string(e.what()).find("wrong-secret") == std::string::npos);
    }
    CHECK(nexus.fake.is_secret("wrong-secret"));
    CHECK(nexus.fake.is_secret("Basic " + regscan::sdk::base64_encode("alice:wrong-secret")));
    CHECK(nexus.fake.all_logs().find("wrong-secret") == std::string::npos);
}

// docker-hosted's components: 10 pages of 2 from `item(page, slot)`, then docker-extra as FakeNexus answers.
void serve_pages(FakeNexus& nexus, std::function<json(int, int)> item) {
    auto rest = nexus.fake.route;
    nexus.fake.route = [rest, item](const Call& call) {
        const auto query = call.fields(true);
        if (call.route() != "/service/rest/v1/components" ||
            fake_host::field(query, "repository") != "docker-hosted")
            return rest(call);
        auto token = fake_host::field(query, "continuationToken");
        if (token.size() > 1 || (!token.empty() && !std::isdigit(static_cast<unsigned char>(token[0]))))
            return reply(400);
        int page = token.empty() ? 0 : token[0] - '0';
        json next = page + 1 < 10 ? json(std::to_string(page + 1)) : json(nullptr);
        return reply(200, {{"items", {item(page, 0), item(page, 1)}}, {"continuationToken", next}});
    };
}

TEST_CASE("nexus::NexusSession stops the component walk at one image more than max_repositories") {
    FakeNexus nexus;
    serve_pages(nexus, [](int page, int slot) { return component("img" + std::to_string(page * 2 + slot), "1"); });
    auto session = nexus.open("alice", password, 3);
    auto repositories = session->repositories();
    CHECK(repositories.size() == 4);  // one more than kept: the core reports the rest as cut
    CHECK(nexus.fake.calls_to("GET", "/service/rest/v1/components").size() == 2);  // docker-extra not started
    REQUIRE(nexus.fake.notes.size() == 1);
    CHECK(nexus.fake.notes[0].find("--max-repositories") != std::string::npos);
}

TEST_CASE("nexus::NexusSession cuts one image's tags at one more than max_tags and walks every page") {
    FakeNexus nexus;
    // big fills on page 3 (of 10); late's first tag is on page 5, other has one tag on every page.
    serve_pages(nexus, [](int page, int slot) {
        if (slot) return component("other", std::to_string(page));
        return component(page >= 4 && page < 6 ? "late" : "big", std::to_string(page));
    });
    auto session = nexus.open("alice", password, 0, 2);
    auto repositories = session->repositories();
    REQUIRE(repositories.size() == 4);  // big, late, other, and docker-extra (refused) after them
    CHECK(repositories[0].name == "docker-hosted/big");
    CHECK(repositories[1].name == "docker-hosted/late");
    CHECK(session->tags(repositories[0]).size() == 3);  // one more than kept: the core reports big as cut
    CHECK(session->tags(repositories[1]).size() == 2);
    CHECK(session->tags(repositories[2]).size() == 3);  // other, cut too
    CHECK(nexus.fake.calls_to("GET", "/service/rest/v1/components").size() == 11);  // 10 pages + docker-extra's
    REQUIRE(nexus.fake.notes.size() == 1);
    CHECK(nexus.fake.notes[0] ==
          "Nexus repository docker-hosted: the tags of images big, other were cut at 3 each, one more than the core "
          "keeps (--max-listed-tags), and 12 later tags of them were not taken; the other images keep every tag read");
}

TEST_CASE("nexus::NexusSession counts to max_repositories only the names the core keeps") {
    FakeNexus nexus;
    auto rest = nexus.fake.route;
    nexus.fake.route = [rest](const Call& call) {
        if (call.route() == "/service/rest/v1/repositories")
            return reply(200, json::array({{{"name", "Docker-Upper"}, {"format", "docker"}, {"type", "hosted"}},
                                           {{"name", "docker-hosted"}, {"format", "docker"}, {"type", "hosted"}}}));
        return rest(call);
    };
    auto session = nexus.open("alice", password, 2);
    auto repositories = session->repositories();
    // Docker-Upper (refused by the core, once, without a listing), then all 3 of docker-hosted's images: 2 + 1.
    REQUIRE(repositories.size() == 3);
    CHECK(repositories[0].name == "Docker-Upper");
    CHECK(nexus.fake.calls_to("GET", "/service/rest/v1/components").size() == 3);  // docker-hosted's only
    CHECK(nexus.fake.logged("1 repository (Docker-Upper) named with what is not a lowercase path component"));
}

TEST_CASE("nexus::NexusSession starts no further repository once the host cut the listing") {
    FakeNexus nexus;
    auto rest = nexus.fake.route;
    nexus.fake.route = [rest](const Call& call) {
        if (call.route() == "/service/rest/v1/components" &&
            fake_host::field(call.fields(true), "continuationToken") == "t2") {
            HttpResponse cut;
            cut.error = "listing limit: more than 2 requests (--max-listing-pages)";
            return cut;
        }
        return rest(call);
    };
    nexus.fake.route = [route = nexus.fake.route](const Call& call) {
        // docker-extra answers normally here, so a walk that went on would list it.
        if (fake_host::field(call.fields(true), "repository") == "docker-extra")
            return reply(200, {{"items", {component("extra/x", "1")}}, {"continuationToken", nullptr}});
        return route(call);
    };
    auto session = nexus.open();
    auto repositories = session->repositories();
    REQUIRE(repositories.size() == 2);  // what the two pages read held
    CHECK(session->tags(repositories[1]).size() == 2);
    CHECK(nexus.fake.calls_to("GET", "/service/rest/v1/components").size() == 3);
    CHECK(nexus.fake.logged("read before the listing was cut short"));
    CHECK(nexus.fake.logged("1 repository not listed: docker-extra"));
    CHECK_FALSE(nexus.fake.logged("Nexus repository docker-extra ("));
}

TEST_CASE("nexus::NexusSession ends a listing at an over-long continuationToken, keeping its pages") {
    FakeNexus nexus;
    serve_pages(nexus, [](int page, int slot) { return component("img" + std::to_string(page * 2 + slot), "1"); });
    auto paged = nexus.fake.route;
    nexus.fake.route = [paged](const Call& call) {
        auto response = paged(call);
        auto query = call.fields(true);
        if (fake_host::field(query, "repository") == "docker-hosted" &&
            fake_host::field(query, "continuationToken") == "1") {
            auto body = json::parse(response.body);
            body["continuationToken"] = std::string(4097, '2');
            response.body = body.dump();
        }
        return response;
    };
    auto session = nexus.open();
    auto repositories = session->repositories();
    REQUIRE(repositories.size() == 5);  // the pages read, and docker-extra failing after it
    CHECK(nexus.fake.calls_to("GET", "/service/rest/v1/components").size() == 3);
    REQUIRE(nexus.fake.notes.size() == 1);
    CHECK(nexus.fake.notes[0].find("is 4097 bytes long (at most 4096)") != std::string::npos);
}

TEST_CASE("nexus::NexusSession hands each repository's tags over once and keeps them no longer") {
    FakeNexus nexus;
    auto session = nexus.open();
    auto repositories = session->repositories();
    CHECK(session->tags(repositories[1]).size() == 3);
    CHECK_THROWS_AS(session->tags(repositories[1]), regscan::sdk::Error);
}

TEST_SUITE_END();
