// An ECR session: repositories and images through the API (nextToken pages,
// untagged images, index platforms), registry tokens for /v2/, and open().
#include <doctest/doctest.h>

#include "ecr_open.hpp"
#include "ecr_session.hpp"
#include "test_plugin_ecr_fake_host.hpp"

using namespace regscan::ecr;
using ecr_test::aws_error;
using ecr_test::Call;
using ecr_test::json_reply;
using ecr_test::reply;

namespace {

constexpr const char* registry_url = "https://123456789012.dkr.ecr.us-east-1.amazonaws.com";
constexpr const char* oci_index = "application/vnd.oci.image.index.v1+json";
constexpr const char* oci_manifest = "application/vnd.oci.image.manifest.v1+json";

std::string digest(char c) { return "sha256:" + std::string(64, c); }

struct Fixture {
    ecr_test::FakeHost fake;
    ecr_test::FakeEnvironment env;
    std::unique_ptr<EcrSession> session;

    Fixture() {
        AwsCredentials credentials;
        credentials.keys = {"AKIDTEST", "test-secret", ""};
        credentials.source = "test keys";
        auto api = std::make_unique<EcrApi>(fake.host(), env.environment(),
                                            std::make_shared<StaticCredentials>(credentials),
                                            endpoint_from("http://127.0.0.1:4510"), "us-east-1");
        session = std::make_unique<EcrSession>(fake.host(), env.environment(), std::move(api), "123456789012",
                                               registry_url);
    }
};

std::string target(const Call& call) {
    auto value = call.header("X-Amz-Target");
    return value.substr(value.find('.') + 1);
}

regscan::sdk::AuthRequest auth_request(const std::string& url) {
    regscan::sdk::AuthRequest request;
    request.url = url;
    request.method = "GET";
    request.scope = "repository:team/app:pull";
    request.challenge_scheme = "Basic";
    return request;
}

}  // namespace

TEST_SUITE_BEGIN("ecr");

TEST_CASE("ecr::session repositories over every nextToken page") {
    Fixture f;
    f.fake.route = [](const Call& call) {
        auto input = call.json();
        if (!input.contains("nextToken"))
            return json_reply(200, {{"repositories", {{{"repositoryName", "b/two"}}, {{"repositoryName", "a"}}}},
                                    {"nextToken", "page-2"}});
        return json_reply(200, {{"repositories", {{{"repositoryName", "c"}}}}});
    };
    auto repositories = f.session->repositories();
    REQUIRE(repositories.size() == 3);
    CHECK(repositories[0].name == "b/two");
    CHECK(repositories[2].name == "c");
    CHECK(repositories[0].pull_base.empty());
    REQUIRE(f.fake.calls.size() == 2);
    CHECK(f.fake.calls[0].json() == nlohmann::json{{"maxResults", 1000}, {"registryId", "123456789012"}});
    CHECK(f.fake.calls[1].json() ==
          nlohmann::json{{"maxResults", 1000}, {"registryId", "123456789012"}, {"nextToken", "page-2"}});
}

TEST_CASE("ecr::session a repeated nextToken stops the listing") {
    Fixture f;
    f.fake.route = [](const Call&) { return json_reply(200, {{"repositories", nlohmann::json::array()}, {"nextToken", "same"}}); };
    CHECK_THROWS_WITH_AS(f.session->repositories(), doctest::Contains("repeated a nextToken"), regscan::sdk::Error);
    CHECK(f.fake.calls.size() == 2);
}

TEST_CASE("ecr::session images: one row per tag, untagged kept by digest, push time in UTC") {
    Fixture f;
    f.fake.route = [](const Call& call) {
        CHECK(target(call) == "DescribeImages");
        auto input = call.json();
        CHECK(input["repositoryName"] == "team/app");
        CHECK(input["registryId"] == "123456789012");
        if (!input.contains("nextToken"))
            return json_reply(200, {{"imageDetails",
                                     {{{"imageDigest", digest('a')},
                                       {"imageTags", {"1.0", "latest"}},
                                       {"imagePushedAt", 1546306167.123},
                                       {"imageManifestMediaType", oci_manifest}}}},
                                    {"nextToken", "t2"}});
        return json_reply(200, {{"imageDetails",
                                 {{{"imageDigest", digest('b')}, {"imagePushedAt", 1600000000}},
                                  {{"imageDigest", digest('c')}, {"imageTags", nlohmann::json::array()}}}}});
    };
    auto tags = f.session->tags({"team/app", {}, {}});
    REQUIRE(tags.size() == 4);
    CHECK(tags[0].tag == "1.0");
    CHECK(tags[1].tag == "latest");
    CHECK(tags[1].digest == digest('a'));
    CHECK(tags[1].pushed == "2019-01-01T01:29:27Z");
    CHECK(tags[1].media_type == oci_manifest);
    CHECK(tags[2].tag.empty());
    CHECK(tags[2].digest == digest('b'));
    CHECK(tags[2].pushed == "2020-09-13T12:26:40Z");
    CHECK(tags[3].tag.empty());
    CHECK(tags[3].digest == digest('c'));
    // No index in the repository: nothing but the API was asked.
    CHECK(f.fake.calls.size() == 2);
}

TEST_CASE("ecr::session platform manifests of an index are not untagged images") {
    Fixture f;
    f.fake.route = [](const Call& call) {
        if (call.url == std::string(registry_url) + "/v2/team/app/manifests/" + digest('d')) {
            CHECK((call.flags & REGSCAN_HTTP_REGISTRY_AUTH) != 0);
            CHECK(call.header("Accept").find(oci_index) != std::string::npos);
            return reply(200, nlohmann::json{{"schemaVersion", 2},
                                             {"mediaType", oci_index},
                                             {"manifests", {{{"digest", digest('1')}}, {{"digest", digest('2')}}}}}
                                  .dump());
        }
        return json_reply(200, {{"imageDetails",
                                 {{{"imageDigest", digest('d')}, {"imageTags", {"multi"}}, {"imageManifestMediaType", oci_index}},
                                  {{"imageDigest", digest('1')}, {"imageManifestMediaType", oci_manifest}},
                                  {{"imageDigest", digest('2')}, {"imageManifestMediaType", oci_manifest}},
                                  {{"imageDigest", digest('e')}, {"imageManifestMediaType", oci_manifest}}}}});
    };
    auto tags = f.session->tags({"team/app", {}, {}});
    REQUIRE(tags.size() == 2);
    CHECK(tags[0].tag == "multi");
    CHECK(tags[1].tag.empty());
    CHECK(tags[1].digest == digest('e'));
}

TEST_CASE("ecr::session an unreadable index keeps its platforms listed, with a warning") {
    Fixture f;
    f.fake.route = [](const Call& call) {
        if (call.url.find("/v2/") != std::string::npos) return reply(500, "boom");
        return json_reply(200, {{"imageDetails",
                                 {{{"imageDigest", digest('d')}, {"imageTags", {"multi"}}, {"imageManifestMediaType", oci_index}},
                                  {{"imageDigest", digest('1')}, {"imageManifestMediaType", oci_manifest}}}}});
    };
    CHECK(f.session->tags({"team/app", {}, {}}).size() == 2);
    CHECK(f.fake.logged("Could not read index team/app@" + digest('d')));
}

TEST_CASE("ecr::session a listed value copied into each tag is read bounded; a malformed digest is no digest") {
    Fixture f;
    const std::string huge_type(1 << 20, 'x');
    f.fake.route = [&](const Call& call) {
        CHECK(call.url.find("/v2/") == std::string::npos);  // the malformed index digest is never requested
        return json_reply(200, {{"imageDetails",
                                 {{{"imageDigest", digest('a')},
                                   {"imageTags", {"1", "2", "3"}},
                                   {"imageManifestMediaType", huge_type}},
                                  {{"imageDigest", "sha256:../../v2/other/manifests/" + std::string(64, 'a')},
                                   {"imageTags", {"i"}},
                                   {"imageManifestMediaType", oci_index}},
                                  {{"imageDigest", "sha256:../x"}}}}});
    };
    auto tags = f.session->tags({"team/app", {}, {}});
    REQUIRE(tags.size() == 4);  // the untagged entry without a digest names nothing
    for (int i = 0; i < 3; ++i) {
        CHECK(tags[i].digest == digest('a'));
        CHECK(tags[i].media_type.empty());
    }
    CHECK(tags[3].tag == "i");
    CHECK(tags[3].digest.empty());  // the core asks for the tag
    CHECK(f.fake.calls.size() == 1);
}

TEST_CASE("ecr::session DescribeImages failures name the repository") {
    Fixture f;
    f.fake.route = [](const Call&) {
        return json_reply(400, {{"__type", "AccessDeniedException"},
                                {"Message", "User: arn:aws:iam::123456789012:user/ci is not authorized to perform: "
                                            "ecr:DescribeImages on resource: arn:aws:ecr:us-east-1:123456789012:"
                                            "repository/secret"}});
    };
    try {
        f.session->tags({"secret", {}, {}});
        FAIL("must throw");
    } catch (const regscan::sdk::Error& e) {
        CHECK(e.status() == REGSCAN_AUTH_FAILED);
        CHECK(std::string(e.what()).rfind("ECR DescribeImages for repository 'secret' failed: AccessDeniedException: "
                                          "User: arn:aws:iam::123456789012:user/ci is not authorized",
                                          0) == 0);
    }
}

TEST_CASE("ecr::session registry token: only for the registry host, cached, renewed before expiresAt") {
    Fixture f;
    int issued = 0;
    f.fake.route = [&](const Call& call) {
        CHECK(target(call) == "GetAuthorizationToken");
        CHECK(call.json() == nlohmann::json::object());
        ++issued;
        // base64("AWS:password-N"); valid 12 hours from the fake clock.
        std::string token = issued == 1 ? "QVdTOnBhc3N3b3JkLTE=" : "QVdTOnBhc3N3b3JkLTI=";
        return json_reply(200, {{"authorizationData",
                                 {{{"authorizationToken", token},
                                   {"expiresAt", 1700000000 + 12 * 3600},
                                   {"proxyEndpoint", registry_url}}}}});
    };
    CHECK_FALSE(f.session->authorize(auth_request("https://elsewhere.example/v2/team/app/manifests/1")));
    CHECK_FALSE(f.session->authorize(auth_request("https://123456789012.dkr.ecr.us-east-1.amazonaws.com:444/v2/")));
    CHECK(issued == 0);

    auto url = std::string(registry_url) + "/v2/team/app/manifests/1.0";
    CHECK(f.session->authorize(auth_request(url)) == std::optional<std::string>("Basic QVdTOnBhc3N3b3JkLTE="));
    CHECK(f.fake.is_secret("QVdTOnBhc3N3b3JkLTE="));
    CHECK(f.fake.is_secret("password-1"));
    f.env.clock += std::chrono::hours(11) + std::chrono::minutes(44);
    CHECK(f.session->authorize(auth_request(url)) == std::optional<std::string>("Basic QVdTOnBhc3N3b3JkLTE="));
    CHECK(issued == 1);
    f.env.clock += std::chrono::minutes(2);  // 14 minutes before expiresAt
    CHECK(f.session->authorize(auth_request(url)) == std::optional<std::string>("Basic QVdTOnBhc3N3b3JkLTI="));
    CHECK(issued == 2);
}

TEST_CASE("ecr::session a malformed registry token is refused without echoing it") {
    Fixture f;
    f.fake.route = [](const Call&) {
        return json_reply(200, {{"authorizationData", {{{"authorizationToken", "bm90LWEtcGFpcg=="}}}}});
    };
    try {
        f.session->authorize(auth_request(std::string(registry_url) + "/v2/"));
        FAIL("must throw");
    } catch (const regscan::sdk::Error& e) {
        CHECK(e.status() == REGSCAN_AUTH_FAILED);
        CHECK(std::string(e.what()).find("bm90LWEtcGFpcg") == std::string::npos);
    }
}

TEST_CASE("ecr::open region and account from the host, endpoint from the option") {
    ecr_test::FakeHost fake;
    ecr_test::FakeEnvironment env;
    env.variables = {{"AWS_ACCESS_KEY_ID", "AKIDENV"}, {"AWS_SECRET_ACCESS_KEY", "env-secret"}, {"AWS_REGION", "eu-west-1"}};
    fake.route = [](const Call&) { return json_reply(200, {{"repositories", nlohmann::json::array()}}); };
    regscan::sdk::SessionConfig config;
    config.url = "https://210987654321.dkr.ecr.ap-southeast-2.amazonaws.com";
    config.type = "ECR";
    config.options["ecr-endpoint"] = "http://127.0.0.1:4510";
    open_session(fake.host(), config, env.environment())->repositories();
    REQUIRE(fake.calls.size() == 1);
    CHECK(fake.calls[0].url == "http://127.0.0.1:4510/");
    CHECK(fake.calls[0].json()["registryId"] == "210987654321");
    CHECK(fake.calls[0].header("Authorization").find("/ap-southeast-2/ecr/aws4_request") != std::string::npos);

    config.options.clear();
    env.variables["AWS_ENDPOINT_URL"] = "http://127.0.0.1:4566";
    open_session(fake.host(), config, env.environment())->repositories();
    CHECK(fake.calls.back().url == "http://127.0.0.1:4566/");
    env.variables.erase("AWS_ENDPOINT_URL");
    open_session(fake.host(), config, env.environment())->repositories();
    CHECK(fake.calls.back().url == "https://api.ecr.ap-southeast-2.amazonaws.com/");
    CHECK(fake.calls.back().header("Host") == "api.ecr.ap-southeast-2.amazonaws.com");
}

TEST_CASE("ecr::open another host name: given keys only, region from the environment, the caller's registry") {
    ecr_test::FakeHost fake;
    ecr_test::FakeEnvironment env;
    env.variables = {{"AWS_ACCESS_KEY_ID", "AKIDENV"}, {"AWS_SECRET_ACCESS_KEY", "env-secret"}, {"HOME", "/nonexistent"},
                     {"AWS_REGION", "eu-west-1"}};
    fake.route = [](const Call&) { return json_reply(200, {{"repositories", nlohmann::json::array()}}); };
    regscan::sdk::SessionConfig config;
    config.url = "https://ecr-mirror.internal";
    // The machine's own keys (here the environment's) never go to a name that is not ECR's.
    CHECK_THROWS_WITH_AS(open_session(fake.host(), config, env.environment()),
                         doctest::Contains("is not an ECR host name"), regscan::sdk::Error);
    CHECK(fake.calls.empty());
    env.variables.erase("AWS_REGION");
    config.username = "AKIDGIVEN";
    config.password = "given-secret";
    CHECK_THROWS_WITH_AS(open_session(fake.host(), config, env.environment()), doctest::Contains("AWS_REGION"),
                         regscan::sdk::Error);
    env.variables["AWS_DEFAULT_REGION"] = "cn-north-1";
    open_session(fake.host(), config, env.environment())->repositories();
    CHECK(fake.calls.back().url == "https://api.ecr.cn-north-1.amazonaws.com.cn/");
    CHECK_FALSE(fake.calls.back().json().contains("registryId"));
}

TEST_CASE("ecr::open fails early when no credentials can be found") {
    ecr_test::FakeHost fake;
    ecr_test::FakeEnvironment env;
    env.variables = {{"HOME", "/nonexistent"}, {"AWS_EC2_METADATA_SERVICE_ENDPOINT", "http://127.0.0.1:1"}};
    fake.route = [](const Call&) { return reply(0, ""); };
    regscan::sdk::SessionConfig config;
    config.url = registry_url;
    try {
        open_session(fake.host(), config, env.environment());
        FAIL("must throw");
    } catch (const regscan::sdk::Error& e) {
        CHECK(e.status() == REGSCAN_AUTH_FAILED);
        CHECK(std::string(e.what()).find("no AWS credentials") != std::string::npos);
    }
}

TEST_SUITE_END();
