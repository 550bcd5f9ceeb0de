// The ecr plugin's credential chain: command line, environment, shared
// files, EC2 instance metadata (IMDSv2), and STS AssumeRole on top.
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>

#include "ecr_credential_chain.hpp"
#include "ecr_sts.hpp"
#include "regscan/paging.hpp"
#include "test_plugin_ecr_fake_host.hpp"

using namespace regscan::ecr;
using ecr_test::Call;
using ecr_test::reply;

namespace {

constexpr const char* imds = "http://127.0.0.1:1338";

// A scratch HOME with optional ~/.aws files.
struct Home {
    std::filesystem::path dir;
    explicit Home(const std::string& tag) {
        dir = std::filesystem::temp_directory_path() / ("regscan-ecr-home-" + tag + "-" + std::to_string(::getpid()));
        std::filesystem::create_directories(dir / ".aws");
    }
    ~Home() { std::filesystem::remove_all(dir); }
    void write(const std::string& name, const std::string& text) const { std::ofstream(dir / ".aws" / name) << text; }
};

std::string assume_role_answer(const std::string& id, const std::string& expiration) {
    return "<AssumeRoleResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\">\n<AssumeRoleResult>\n"
           "<AssumedRoleUser><Arn>arn:aws:sts::123456789012:assumed-role/reader/regscan</Arn></AssumedRoleUser>\n"
           "<Credentials>\n  <AccessKeyId>" + id + "</AccessKeyId>\n"
           "  <SecretAccessKey>role/secret+key&amp;more</SecretAccessKey>\n"
           "  <SessionToken>role-session-token</SessionToken>\n"
           "  <Expiration>" + expiration + "</Expiration>\n</Credentials>\n</AssumeRoleResult>\n"
           "<ResponseMetadata><RequestId>c6104cbe</RequestId></ResponseMetadata>\n</AssumeRoleResponse>\n";
}

// IMDSv2 answers; `expiration` of the role keys.
std::function<regscan::sdk::HttpResponse(const Call&)> instance_metadata(const std::string& expiration,
                                                                         int* fetches = nullptr) {
    return [expiration, fetches](const Call& call) {
        if (call.method == "PUT" && call.url == std::string(imds) + "/latest/api/token")
            return call.header("X-aws-ec2-metadata-token-ttl-seconds").empty() ? reply(400, "")
                                                                               : reply(200, "imds-session-token");
        if (call.header("X-aws-ec2-metadata-token") != "imds-session-token") return reply(401, "");
        if (call.url == std::string(imds) + "/latest/meta-data/iam/security-credentials/")
            return reply(200, "scanner-role");
        if (call.url == std::string(imds) + "/latest/meta-data/iam/security-credentials/scanner-role") {
            if (fetches) ++*fetches;
            return reply(200, nlohmann::json{{"Code", "Success"},
                                             {"Type", "AWS-HMAC"},
                                             {"AccessKeyId", "ASIAINSTANCE" + std::to_string(fetches ? *fetches : 0)},
                                             {"SecretAccessKey", "instance-secret"},
                                             {"Token", "instance-token"},
                                             {"Expiration", expiration}}
                                  .dump());
        }
        return reply(404, "");
    };
}

}  // namespace

TEST_SUITE_BEGIN("ecr");

TEST_CASE("ecr::credentials command line keys come first") {
    ecr_test::FakeHost fake;
    ecr_test::FakeEnvironment env;
    env.variables = {{"AWS_ACCESS_KEY_ID", "AKIDENV"}, {"AWS_SECRET_ACCESS_KEY", "env-secret"}};
    auto provider = credential_chain(fake.host(), env.environment(), {"AKIDCLI", "cli-secret"});
    auto credentials = provider->get();
    CHECK(credentials.keys.access_key_id == "AKIDCLI");
    CHECK(credentials.keys.secret_access_key == "cli-secret");
    CHECK(credentials.keys.session_token.empty());
    CHECK(credentials.source.find("--username") != std::string::npos);
    CHECK(fake.is_secret("cli-secret"));
    CHECK(fake.calls.empty());
}

TEST_CASE("ecr::credentials half or registry-style command line credentials are refused") {
    ecr_test::FakeHost fake;
    ecr_test::FakeEnvironment env;
    CHECK_THROWS_WITH_AS(credential_chain(fake.host(), env.environment(), {"AKIDCLI", ""}),
                         doctest::Contains("go together"), regscan::sdk::Error);
    try {
        credential_chain(fake.host(), env.environment(), {"AWS", "eyJwYXlsb2FkIjoi"});
        FAIL("AWS as username must be refused");
    } catch (const regscan::sdk::Error& e) {
        CHECK(e.status() == REGSCAN_AUTH_FAILED);
        CHECK(std::string(e.what()).find("get-login-password") != std::string::npos);
        CHECK(std::string(e.what()).find("eyJwYXlsb2FkIjoi") == std::string::npos);
    }
}

TEST_CASE("ecr::credentials environment keys with session token") {
    ecr_test::FakeHost fake;
    ecr_test::FakeEnvironment env;
    env.variables = {{"AWS_ACCESS_KEY_ID", "ASIAENV"},
                     {"AWS_SECRET_ACCESS_KEY", "env-secret"},
                     {"AWS_SESSION_TOKEN", "env-token"}};
    auto credentials = credential_chain(fake.host(), env.environment(), {})->get();
    CHECK(credentials.keys.access_key_id == "ASIAENV");
    CHECK(credentials.keys.session_token == "env-token");
    CHECK(fake.is_secret("env-secret"));
    CHECK(fake.is_secret("env-token"));

    env.variables.erase("AWS_SECRET_ACCESS_KEY");
    CHECK_THROWS_WITH_AS(credential_chain(fake.host(), env.environment(), {}),
                         doctest::Contains("must be set together"), regscan::sdk::Error);
}

TEST_CASE("ecr::credentials shared files and AWS_PROFILE") {
    Home home("files");
    home.write("credentials", "[default]\naws_access_key_id = AKIDDEFAULT\naws_secret_access_key = default-secret\n"
                              "[ci]\naws_access_key_id = AKIDCI\naws_secret_access_key = ci-secret\n"
                              "aws_session_token = ci-token\n");
    home.write("config", "[profile fromconfig]\naws_access_key_id = AKIDCONFIG\n"
                         "aws_secret_access_key = config-secret\n"
                         "[profile sso]\nsso_session = corp\n");
    ecr_test::FakeHost fake;
    ecr_test::FakeEnvironment env;
    env.variables = {{"HOME", home.dir.string()}};

    CHECK(credential_chain(fake.host(), env.environment(), {})->get().keys.access_key_id == "AKIDDEFAULT");

    env.variables["AWS_PROFILE"] = "ci";
    auto ci = credential_chain(fake.host(), env.environment(), {})->get();
    CHECK(ci.keys.access_key_id == "AKIDCI");
    CHECK(ci.keys.session_token == "ci-token");
    CHECK(ci.source.find("profile 'ci'") != std::string::npos);
    CHECK(fake.is_secret("ci-secret"));

    env.variables["AWS_PROFILE"] = "fromconfig";
    CHECK(credential_chain(fake.host(), env.environment(), {})->get().keys.access_key_id == "AKIDCONFIG");

    env.variables["AWS_PROFILE"] = "sso";
    CHECK_THROWS_WITH_AS(credential_chain(fake.host(), env.environment(), {}), doctest::Contains("sso_session"),
                         regscan::sdk::Error);

    env.variables["AWS_PROFILE"] = "missing";
    CHECK_THROWS_WITH_AS(credential_chain(fake.host(), env.environment(), {}),
                         doctest::Contains("profile 'missing' is in neither"), regscan::sdk::Error);

    env.variables["AWS_PROFILE"] = "ci";
    env.variables["AWS_SHARED_CREDENTIALS_FILE"] = (home.dir / "nowhere").string();
    CHECK_THROWS_AS(credential_chain(fake.host(), env.environment(), {}), regscan::sdk::Error);
    CHECK(fake.calls.empty());
}

TEST_CASE("ecr::credentials IMDSv2 instance role, renewed before it expires") {
    ecr_test::FakeHost fake;
    ecr_test::FakeEnvironment env;
    env.variables = {{"HOME", "/nonexistent"}, {"AWS_EC2_METADATA_SERVICE_ENDPOINT", std::string(imds) + "/"}};
    int fetches = 0;
    fake.route = instance_metadata("2023-11-14T23:13:20Z", &fetches);  // the fake clock + 1 h

    auto provider = credential_chain(fake.host(), env.environment(), {});
    auto first = provider->get();
    CHECK(first.keys.access_key_id == "ASIAINSTANCE1");
    CHECK(first.keys.session_token == "instance-token");
    CHECK(first.source == "EC2 instance role scanner-role");
    REQUIRE(fake.calls.size() == 3);
    CHECK(fake.calls[0].method == "PUT");
    CHECK(fake.calls[0].header("X-aws-ec2-metadata-token-ttl-seconds") == "21600");
    CHECK((fake.calls[0].flags & REGSCAN_HTTP_NO_RETRY) != 0);
    CHECK(fake.is_secret("instance-secret"));
    CHECK(fake.is_secret("instance-token"));
    CHECK(fake.is_secret("imds-session-token"));
    CHECK(fake.logged("asking the EC2 instance metadata service at http://127.0.0.1:1338"));

    env.clock += std::chrono::minutes(50);
    CHECK(provider->get().keys.access_key_id == "ASIAINSTANCE1");  // 10 minutes left: still good
    env.clock += std::chrono::minutes(6);
    CHECK(provider->get().keys.access_key_id == "ASIAINSTANCE2");  // within the margin: renewed
    CHECK(provider->get(true).keys.access_key_id == "ASIAINSTANCE3");
}

TEST_CASE("ecr::credentials IMDS failures name what was tried") {
    ecr_test::FakeHost fake;
    ecr_test::FakeEnvironment env;
    env.variables = {{"HOME", "/nonexistent"}, {"AWS_EC2_METADATA_SERVICE_ENDPOINT", imds}};
    fake.route = [](const Call& call) {
        return call.method == "PUT" ? reply(200, "imds-session-token") : reply(404, "");
    };
    auto provider = credential_chain(fake.host(), env.environment(), {});
    try {
        provider->get();
        FAIL("no role must fail");
    } catch (const regscan::sdk::Error& e) {
        CHECK(e.status() == REGSCAN_AUTH_FAILED);
        std::string text = e.what();
        CHECK(text.find("no AWS credentials on the command line") != std::string::npos);
        CHECK(text.find("no IAM role") != std::string::npos);
    }

    fake.route = [](const Call&) { return reply(0, ""); };
    CHECK_THROWS_WITH_AS(credential_chain(fake.host(), env.environment(), {})->get(),
                         doctest::Contains("session token (PUT /latest/api/token) failed"), regscan::sdk::Error);

    env.variables["AWS_EC2_METADATA_DISABLED"] = "true";
    CHECK_THROWS_WITH_AS(credential_chain(fake.host(), env.environment(), {}),
                         doctest::Contains("AWS_EC2_METADATA_DISABLED"), regscan::sdk::Error);
}

TEST_CASE("ecr::credentials STS AssumeRole with the chain's keys") {
    ecr_test::FakeHost fake;
    ecr_test::FakeEnvironment env;
    env.variables = {{"AWS_ACCESS_KEY_ID", "AKIDBASE"}, {"AWS_SECRET_ACCESS_KEY", "base-secret"}};
    fake.route = [](const Call&) { return reply(200, assume_role_answer("ASIAROLE", "2023-11-14T23:13:20.359Z")); };

    CredentialSettings settings;
    settings.role_arn = "arn:aws:iam::123456789012:role/reader";
    settings.external_id = "ext-42";
    settings.sts_endpoint = "http://127.0.0.1:1339/";
    settings.region = "eu-central-1";
    auto credentials = credential_chain(fake.host(), env.environment(), settings)->get();
    CHECK(credentials.keys.access_key_id == "ASIAROLE");
    CHECK(credentials.keys.secret_access_key == "role/secret+key&more");
    CHECK(credentials.keys.session_token == "role-session-token");
    CHECK(credentials.source == "role arn:aws:iam::123456789012:role/reader");
    CHECK(fake.is_secret("role/secret+key&more"));

    REQUIRE(fake.calls.size() == 1);
    const auto& call = fake.calls[0];
    CHECK(call.method == "POST");
    CHECK(call.url == "http://127.0.0.1:1339/");
    CHECK(call.body ==
          "Action=AssumeRole&DurationSeconds=3600&ExternalId=ext-42&RoleArn=arn%3Aaws%3Aiam%3A%3A123456789012%3Arole%2F"
          "reader&RoleSessionName=regscan&Version=2011-06-15");
    CHECK(call.header("Host") == "127.0.0.1:1339");
    CHECK(call.header("Content-Type") == "application/x-www-form-urlencoded; charset=utf-8");
    CHECK(call.header("Authorization").find("Credential=AKIDBASE/20231114/eu-central-1/sts/aws4_request") !=
          std::string::npos);
}

TEST_CASE("ecr::credentials STS refusal names the role and the STS error code") {
    ecr_test::FakeHost fake;
    ecr_test::FakeEnvironment env;
    env.variables = {{"AWS_ACCESS_KEY_ID", "AKIDBASE"}, {"AWS_SECRET_ACCESS_KEY", "base-secret"}};
    fake.route = [](const Call&) {
        return reply(403,
                     "<ErrorResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\"><Error><Type>Sender</Type>"
                     "<Code>AccessDenied</Code><Message>User: arn:aws:iam::111111111111:user/ci is not authorized "
                     "to perform: sts:AssumeRole on resource: arn:aws:iam::123456789012:role/reader</Message>"
                     "</Error><RequestId>1</RequestId></ErrorResponse>");
    };
    CredentialSettings settings;
    settings.role_arn = "arn:aws:iam::123456789012:role/reader";
    settings.sts_endpoint = "http://127.0.0.1:1339/";
    settings.region = "us-east-1";
    try {
        credential_chain(fake.host(), env.environment(), settings)->get();
        FAIL("AccessDenied must fail");
    } catch (const regscan::sdk::Error& e) {
        CHECK(e.status() == REGSCAN_AUTH_FAILED);
        std::string text = e.what();
        CHECK(text.find("STS AssumeRole of arn:aws:iam::123456789012:role/reader") != std::string::npos);
        CHECK(text.find("AccessDenied: User: arn:aws:iam::111111111111:user/ci is not authorized") !=
              std::string::npos);
        CHECK(text.find("base-secret") == std::string::npos);
    }
}

TEST_CASE("ecr::credentials a renewal the listing's bounds refuse is CredentialsCut, STS or any IMDS step") {
    const std::string cut =
        std::string(regscan::sdk::listing_limit_marker) + "more than 4 requests (--max-listing-pages)";
    regscan::sdk::HttpResponse refused_by_bound;
    refused_by_bound.error = cut;
    ecr_test::FakeHost fake;
    ecr_test::FakeEnvironment env;
    env.variables = {{"AWS_ACCESS_KEY_ID", "AKIDBASE"}, {"AWS_SECRET_ACCESS_KEY", "base-secret"}};
    fake.route = [&](const Call&) { return refused_by_bound; };
    CredentialSettings settings;
    settings.role_arn = "arn:aws:iam::123456789012:role/reader";
    settings.sts_endpoint = "http://127.0.0.1:1339/";
    settings.region = "us-east-1";
    const std::string message =
        "STS AssumeRole of arn:aws:iam::123456789012:role/reader at http://127.0.0.1:1339/: " + cut;
    CHECK_THROWS_WITH_AS(credential_chain(fake.host(), env.environment(), settings)->get(), message.c_str(),
                         CredentialsCut);

    ecr_test::FakeEnvironment instance;
    instance.variables = {{"HOME", "/nonexistent"}, {"AWS_EC2_METADATA_SERVICE_ENDPOINT", imds}};
    for (size_t refused = 0; refused < 3; ++refused) {
        ecr_test::FakeHost metadata;
        auto answer = instance_metadata("2023-11-14T23:13:20Z");
        metadata.route = [&](const Call& call) {
            return metadata.calls.size() > refused ? refused_by_bound : answer(call);
        };
        CHECK_THROWS_AS_MESSAGE(credential_chain(metadata.host(), instance.environment(), {})->get(), CredentialsCut,
                                refused);
        CHECK_MESSAGE(metadata.calls.size() == refused + 1, refused);
    }
}

TEST_CASE("ecr::credentials profile with role_arn and source_profile") {
    Home home("role");
    home.write("credentials", "[base]\naws_access_key_id = AKIDSOURCE\naws_secret_access_key = source-secret\n");
    home.write("config", "[profile scanner]\nrole_arn = arn:aws:iam::123456789012:role/reader\n"
                         "source_profile = base\nrole_session_name = nightly\n");
    ecr_test::FakeHost fake;
    ecr_test::FakeEnvironment env;
    env.variables = {{"HOME", home.dir.string()}, {"AWS_PROFILE", "scanner"}};
    fake.route = [](const Call&) { return reply(200, assume_role_answer("ASIAPROFILEROLE", "2023-11-15T00:00:00Z")); };
    CredentialSettings settings;
    settings.sts_endpoint = "https://sts.us-east-1.amazonaws.com/";
    settings.region = "us-east-1";
    auto credentials = credential_chain(fake.host(), env.environment(), settings)->get();
    CHECK(credentials.keys.access_key_id == "ASIAPROFILEROLE");
    REQUIRE(fake.calls.size() == 1);
    CHECK(fake.calls[0].body.find("RoleSessionName=nightly") != std::string::npos);
    CHECK(fake.calls[0].header("Authorization").find("Credential=AKIDSOURCE/") != std::string::npos);
}

TEST_CASE("ecr::credentials XML text with entities") {
    CHECK(xml_text("<a><b> x &lt;&amp;&gt; y </b></a>", "b") == "x <&> y");
    CHECK(xml_text("<a></a>", "b").empty());
}

TEST_SUITE_END();
