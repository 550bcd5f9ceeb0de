// The ECR JSON 1.1 client: request shape, AWS error shapes, throttling with
// bounded backoff, and renewing expired keys once.
#include <doctest/doctest.h>

#include "ecr_api.hpp"
#include "test_plugin_ecr_fake_host.hpp"

using namespace regscan::ecr;
using ecr_test::aws_error;
using ecr_test::Call;
using ecr_test::json_reply;
using ecr_test::reply;

namespace {

std::shared_ptr<CredentialProvider> keys(const std::string& id = "AKIDTEST") {
    AwsCredentials credentials;
    credentials.keys = {id, "test-secret", ""};
    credentials.source = "test keys";
    return std::make_shared<StaticCredentials>(credentials);
}

struct Fixture {
    ecr_test::FakeHost fake;
    ecr_test::FakeEnvironment env;
    EcrApi api(std::shared_ptr<CredentialProvider> credentials = keys()) {
        return EcrApi(fake.host(), env.environment(), std::move(credentials), endpoint_from("http://127.0.0.1:4510"),
                      "us-east-1");
    }
};

}  // namespace

TEST_SUITE_BEGIN("ecr");

TEST_CASE("ecr::api a call is a signed JSON 1.1 POST") {
    Fixture f;
    f.fake.route = [](const Call&) { return json_reply(200, {{"repositories", nlohmann::json::array()}}); };
    auto answer = f.api().call("DescribeRepositories", {{"maxResults", 1000}}, "registry 123456789012");
    CHECK(answer["repositories"].empty());
    REQUIRE(f.fake.calls.size() == 1);
    const auto& call = f.fake.calls[0];
    CHECK(call.method == "POST");
    CHECK(call.url == "http://127.0.0.1:4510/");
    CHECK(call.header("Host") == "127.0.0.1:4510");
    CHECK(call.header("Content-Type") == "application/x-amz-json-1.1");
    CHECK(call.header("X-Amz-Target") == "AmazonEC2ContainerRegistry_V20150921.DescribeRepositories");
    CHECK(call.header("X-Amz-Date") == "20231114T221320Z");
    CHECK(call.header("Authorization").rfind("AWS4-HMAC-SHA256 Credential=AKIDTEST/20231114/us-east-1/ecr/aws4_request, "
                                             "SignedHeaders=content-type;host;x-amz-date;x-amz-target, Signature=",
                                             0) == 0);
    CHECK(call.json() == nlohmann::json{{"maxResults", 1000}});
}

TEST_CASE("ecr::api error types from the body or x-amzn-ErrorType, message or Message") {
    auto from_body = parse_aws_error(aws_error("com.amazonaws.ecr#RepositoryNotFoundException", "gone"));
    CHECK(from_body.type == "RepositoryNotFoundException");
    CHECK(from_body.message == "gone");
    auto from_header = parse_aws_error(reply(400, R"({"Message":"User: x is not authorized"})",
                                             {{"x-amzn-ErrorType", "AccessDeniedException:http://internal/"}}));
    CHECK(from_header.type == "AccessDeniedException");
    CHECK(from_header.message == "User: x is not authorized");
    CHECK(parse_aws_error(reply(500, "<html>")).type.empty());
}

TEST_CASE("ecr::api errors name the subject, the AWS type and the status") {
    Fixture f;
    f.fake.route = [](const Call&) {
        return aws_error("RepositoryNotFoundException",
                         "The repository with name 'team/app' does not exist in the registry with id '123456789012'");
    };
    try {
        f.api().call("DescribeImages", {{"repositoryName", "team/app"}}, "repository 'team/app'");
        FAIL("must throw");
    } catch (const regscan::sdk::Error& e) {
        CHECK(e.status() == REGSCAN_NOT_FOUND);
        CHECK(std::string(e.what()) ==
              "ECR DescribeImages for repository 'team/app' failed: RepositoryNotFoundException: The repository with "
              "name 'team/app' does not exist in the registry with id '123456789012' (HTTP 400)");
    }

    f.fake.route = [](const Call&) { return aws_error("AccessDeniedException", "not authorized"); };
    try {
        f.api().call("DescribeImages", {{"repositoryName", "secret"}}, "repository 'secret'");
        FAIL("must throw");
    } catch (const regscan::sdk::Error& e) {
        CHECK(e.status() == REGSCAN_AUTH_FAILED);
        CHECK(std::string(e.what()).find("AccessDeniedException: not authorized (HTTP 400) (credentials from test keys)") !=
              std::string::npos);
    }

    f.fake.route = [](const Call&) { return reply(0, ""); };
    CHECK_THROWS_WITH_AS(f.api().call("DescribeRepositories", nlohmann::json::object(), "registry 1"),
                         doctest::Contains("unreachable"), regscan::sdk::Error);
    f.fake.route = [](const Call&) { return reply(200, "not json"); };
    CHECK_THROWS_WITH_AS(f.api().call("DescribeRepositories", nlohmann::json::object(), "registry 1"),
                         doctest::Contains("not a JSON object"), regscan::sdk::Error);
}

TEST_CASE("ecr::api throttling is retried with growing, bounded waits") {
    Fixture f;
    int calls = 0;
    f.fake.route = [&](const Call&) {
        return ++calls <= 2 ? aws_error("ThrottlingException", "Rate exceeded") : json_reply(200, {{"ok", true}});
    };
    CHECK(f.api().call("DescribeImages", {{"repositoryName", "a"}}, "repository 'a'")["ok"] == true);
    CHECK(calls == 3);
    REQUIRE(f.env.sleeps.size() == 2);
    CHECK(f.env.sleeps[0] == EcrApi::base_delay);
    CHECK(f.env.sleeps[1] == 2 * EcrApi::base_delay);
    CHECK(f.fake.logged("ECR DescribeImages for repository 'a' was throttled (ThrottlingException); retry 1 of 5"));
    // Each attempt is signed afresh at its own time.
    CHECK(f.fake.calls[0].header("X-Amz-Date") != f.fake.calls[2].header("X-Amz-Date"));

    Fixture always;
    always.fake.route = [](const Call&) { return aws_error("ThrottlingException", "Rate exceeded"); };
    CHECK_THROWS_WITH_AS(always.api().call("DescribeImages", {{"repositoryName", "a"}}, "repository 'a'"),
                         doctest::Contains("ThrottlingException: Rate exceeded (HTTP 400); still throttled after 6 attempts"),
                         regscan::sdk::Error);
    CHECK(always.fake.calls.size() == EcrApi::max_attempts);
    for (auto delay : always.env.sleeps) CHECK(delay <= EcrApi::max_delay);
}

TEST_CASE("ecr::api expired keys: renewed once from a renewing source, else a clear message") {
    Fixture f;
    int fetched = 0;
    auto renewing = std::make_shared<RefreshingCredentials>(f.env.environment(), "test role", [&] {
        AwsCredentials credentials;
        credentials.keys = {"ASIA" + std::to_string(++fetched), "s", "t"};
        credentials.expiration = f.env.clock + std::chrono::hours(1);
        credentials.source = "test role";
        return credentials;
    });
    f.fake.route = [](const Call& call) {
        return call.header("Authorization").find("Credential=ASIA1/") != std::string::npos
                   ? aws_error("ExpiredTokenException", "The security token included in the request is expired")
                   : json_reply(200, {{"ok", true}});
    };
    CHECK(f.api(renewing).call("DescribeRepositories", nlohmann::json::object(), "registry 1")["ok"] == true);
    CHECK(fetched == 2);

    Fixture fixed;
    fixed.fake.route = [](const Call&) {
        return aws_error("ExpiredTokenException", "The security token included in the request is expired");
    };
    try {
        fixed.api().call("DescribeRepositories", nlohmann::json::object(), "registry 123456789012");
        FAIL("must throw");
    } catch (const regscan::sdk::Error& e) {
        CHECK(e.status() == REGSCAN_AUTH_FAILED);
        CHECK(std::string(e.what()) ==
              "ECR DescribeRepositories for registry 123456789012 failed: ExpiredTokenException: The security token "
              "included in the request is expired (HTTP 400); the AWS credentials from test keys have expired, renew "
              "them");
    }
    CHECK(fixed.fake.calls.size() == 1);
}

TEST_CASE("ecr::api a key renewal the listing's bounds refuse cuts a page, and fails a call") {
    Fixture f;
    int fetched = 0;
    bool bounds_passed = false;
    auto renewing = std::make_shared<RefreshingCredentials>(f.env.environment(), "test role", [&] {
        if (bounds_passed) throw CredentialsCut("STS AssumeRole of r at s: listing limit: more than 3 requests");
        AwsCredentials credentials;
        credentials.keys = {"ASIA" + std::to_string(++fetched), "s", "t"};
        credentials.expiration = f.env.clock + std::chrono::hours(1);
        credentials.source = "test role";
        return credentials;
    });
    auto api = f.api(renewing);
    f.fake.route = [](const Call&) { return json_reply(200, {{"ok", true}}); };
    CHECK(api.page("DescribeImages", nlohmann::json::object(), "repository 'a'") != std::nullopt);
    // The keys are due mid-listing; their renewal is the request the bound refuses.
    f.env.clock += std::chrono::minutes(56);
    bounds_passed = true;
    const auto sent = f.fake.calls.size();
    CHECK(api.page("DescribeImages", nlohmann::json::object(), "repository 'a'") == std::nullopt);
    CHECK_THROWS_AS(api.call("DescribeImages", nlohmann::json::object(), "repository 'a'"), CredentialsCut);
    // Keys that expired early: the renewal the API's answer asks for is refused the same way.
    f.env.clock -= std::chrono::minutes(56);
    bounds_passed = false;
    (void)renewing->get(true);
    bounds_passed = true;
    f.fake.route = [](const Call&) {
        return aws_error("ExpiredTokenException", "The security token included in the request is expired");
    };
    CHECK(api.page("DescribeImages", nlohmann::json::object(), "repository 'a'") == std::nullopt);
    CHECK(f.fake.calls.size() == sent + 1);
}

TEST_SUITE_END();
