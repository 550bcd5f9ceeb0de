#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>

#include <sys/stat.h>

#include "app/command_line.hpp"
#include "auth/credential_helper.hpp"
#include "auth/docker_config.hpp"
#include "auth/session_credentials.hpp"
#include "log/secrets.hpp"
#include "regscan/base64.hpp"

using namespace regscan::auth;
namespace fs = std::filesystem;

namespace {

// A fresh directory with a config.json and a bin/ for helpers.
struct DockerHome {
    fs::path root;
    DockerHome() {
        std::random_device random;
        root = fs::temp_directory_path() / ("regscan-docker-config-" + std::to_string(random()));
        fs::create_directories(root / "bin");
    }
    ~DockerHome() {
        std::error_code ignored;
        fs::remove_all(root, ignored);
    }
    void config(const std::string& json) const { std::ofstream(root / "config.json") << json; }
    // A helper script: `body` runs with the server URL read into $url.
    void helper(const std::string& name, const std::string& body) const {
        auto path = root / "bin" / ("docker-credential-" + name);
        std::ofstream(path) << "#!/bin/sh\n[ \"$1\" = get ] || exit 3\nread url\n" << body << "\n";
        ::chmod(path.c_str(), 0755);
    }
    [[nodiscard]] std::map<std::string, std::string> env() const {
        return {{"DOCKER_CONFIG", root.string()}, {"PATH", (root / "bin").string() + ":/usr/bin:/bin"}};
    }
};

}  // namespace

TEST_SUITE_BEGIN("auth");

TEST_CASE("auth::docker_server_key names Docker Hub as docker does, else host:port") {
    CHECK(docker_server_key("https://registry-1.docker.io") == "https://index.docker.io/v1/");
    CHECK(docker_server_key("https://docker.io") == "https://index.docker.io/v1/");
    CHECK(docker_server_key("http://127.0.0.1:5000") == "127.0.0.1:5000");
    CHECK(docker_server_key("https://Reg.Example/v2/") == "reg.example");
    CHECK(docker_key_hostname("https://reg.example:5000/v2/") == "reg.example:5000");
    CHECK(docker_key_hostname("http://reg.example") == "reg.example");
    CHECK(docker_key_hostname("reg.example:443") == "reg.example:443");
    CHECK(docker_key_hostname("https://index.docker.io/v1/") == "index.docker.io");
}

TEST_CASE("auth::docker_config_file prefers DOCKER_CONFIG, else HOME/.docker") {
    CHECK(docker_config_file({{"HOME", "/h"}}) == fs::path("/h/.docker/config.json"));
    CHECK(docker_config_file({{"HOME", "/h"}, {"DOCKER_CONFIG", "/d"}}) == fs::path("/d/config.json"));
    CHECK(docker_config_file({}).empty());
}

TEST_CASE("auth::docker_credentials reads auths entries: auth, username/password, any key spelling") {
    DockerHome home;
    const std::string encoded = regscan::sdk::base64_encode("alice:s3cret-auth-value");
    home.config(R"({"auths": {"https://reg.example:5000/v2/": {"auth": ")" + encoded +
                R"("}, "other.example": {"username": "bob", "password": "pw-of-bob-123"}}})");
    auto found = docker_credentials("https://reg.example:5000", home.env());
    REQUIRE(found);
    CHECK(found->username == "alice");
    CHECK(found->password == "s3cret-auth-value");
    CHECK(found->source == "docker config " + (home.root / "config.json").string() +
                               " (auths: https://reg.example:5000/v2/)");
    // Registered as soon as read: no log line can carry it.
    CHECK(regscan::log::redact("x s3cret-auth-value " + encoded) == "x *** ***");

    auto bob = docker_credentials("http://other.example", home.env());
    REQUIRE(bob);
    CHECK(bob->username == "bob");
    CHECK(bob->password == "pw-of-bob-123");
    CHECK_FALSE(docker_credentials("https://reg.example:5001", home.env()));  // the port is part of the key
    CHECK_FALSE(docker_credentials("https://third.example", home.env()));
}

TEST_CASE("auth::docker_credentials for Docker Hub uses the index key") {
    DockerHome home;
    home.config(R"({"auths": {"https://index.docker.io/v1/": {"auth": ")" +
                regscan::sdk::base64_encode("hubuser:hub-password-1") + R"("}}})");
    auto found = docker_credentials("https://registry-1.docker.io", home.env());
    REQUIRE(found);
    CHECK(found->username == "hubuser");
}

TEST_CASE("auth::docker_credentials asks credHelpers first, then credsStore, then auths") {
    DockerHome home;
    home.helper("per-host", R"(echo "{\"ServerURL\":\"$url\",\"Username\":\"helper-user\",\"Secret\":\"helper-secret-$url\"}")");
    home.helper("store", R"(echo "{\"ServerURL\":\"$url\",\"Username\":\"store-user\",\"Secret\":\"store-secret-1\"}")");
    home.helper("empty", "echo 'credentials not found in native keychain'; exit 1");
    home.config(R"({"credHelpers": {"reg.example:5000": "per-host", "bare.example": "empty"},
                    "credsStore": "store",
                    "auths": {"bare.example": {"username": "file-user", "password": "file-pw-1"}}})");
    auto helper = docker_credentials("https://reg.example:5000", home.env());
    REQUIRE(helper);
    CHECK(helper->username == "helper-user");
    CHECK(helper->password == "helper-secret-reg.example:5000");  // the server URL arrived on stdin
    CHECK(helper->source == "docker config " + (home.root / "config.json").string() + " (credHelpers: per-host)");

    auto store = docker_credentials("https://elsewhere.example", home.env());
    REQUIRE(store);
    CHECK(store->username == "store-user");
    CHECK(store->source.find("(credsStore: store)") != std::string::npos);

    // The helper has none: the auths entry is still used.
    auto fallback = docker_credentials("https://bare.example", home.env());
    REQUIRE(fallback);
    CHECK(fallback->username == "file-user");
}

TEST_CASE("auth::docker_credentials survives broken helpers and files") {
    DockerHome home;
    home.helper("fails", "echo 'keychain locked' >&2; exit 2");
    home.helper("garbage", "echo 'not json'");
    home.config(R"({"credHelpers": {"a.example": "fails", "b.example": "garbage",
                                    "d.example": "missing", "e.example": "../../bin/sh"}})");
    for (const char* host : {"https://a.example", "https://b.example", "https://d.example", "https://e.example"}) {
        CAPTURE(host);
        CHECK_FALSE(docker_credentials(host, home.env()));
    }
    home.config("{not json");
    CHECK_FALSE(docker_credentials("https://a.example", home.env()));
    home.config("[]");
    CHECK_FALSE(docker_credentials("https://a.example", home.env()));
}

TEST_CASE("auth::docker_credentials reads identity tokens from auths entries") {
    DockerHome home;
    // What docker login writes for an OAuth2 registry (ACR): the user with an
    // empty password in `auth`, and the refresh token beside it.
    const std::string acr_user = "00000000-0000-0000-0000-000000000000";
    home.config(R"({"auths": {"acr.example": {"auth": ")" + regscan::sdk::base64_encode(acr_user + ":") +
                R"(", "identitytoken": "idtok-auths-7f3a9c"},
                              "bare.example": {"identitytoken": "idtok-bare-51c2e8"},
                              "both.example": {"auth": ")" + regscan::sdk::base64_encode("u:pw-beside-token") +
                R"(", "identitytoken": "idtok-both-9d04b1"},
                              "empty.example": {"identitytoken": ""}}})");
    auto acr = docker_credentials("https://acr.example", home.env());
    REQUIRE(acr);
    CHECK(acr->identity_token == "idtok-auths-7f3a9c");
    CHECK(acr->username == acr_user);
    CHECK(acr->password.empty());
    CHECK(acr->source == "docker config " + (home.root / "config.json").string() + " (auths: acr.example)");
    // An identity token is never an Authorization value (no Basic "user:").
    CHECK(acr->authorization().empty());
    CHECK_FALSE(acr->empty());
    CHECK_FALSE(acr->token_only());

    auto bare = docker_credentials("https://bare.example", home.env());
    REQUIRE(bare);
    CHECK(bare->identity_token == "idtok-bare-51c2e8");
    CHECK(bare->username.empty());
    // docker uses the identity token when there is one.
    auto both = docker_credentials("https://both.example", home.env());
    REQUIRE(both);
    CHECK(both->identity_token == "idtok-both-9d04b1");
    CHECK(both->password.empty());
    CHECK_FALSE(docker_credentials("https://empty.example", home.env()));

    CHECK(regscan::log::redact("a idtok-auths-7f3a9c b idtok-bare-51c2e8 c idtok-both-9d04b1") == "a *** b *** c ***");
    CHECK(credentials_hint(*acr).find("the identity token from docker config ") == 0);
    CHECK(credentials_hint(*acr).find("(auths: acr.example) was refused") != std::string::npos);
    CHECK(credentials_hint(*acr).find("idtok") == std::string::npos);
}

TEST_CASE("auth::docker_credentials takes a helper's <token> username as an identity token") {
    DockerHome home;
    home.helper("token", R"(echo '{"ServerURL":"x","Username":"<token>","Secret":"refresh-token-123"}')");
    home.config(R"({"credHelpers": {"c.example": "token"}})");
    auto found = docker_credentials("https://c.example", home.env());
    REQUIRE(found);
    CHECK(found->identity_token == "refresh-token-123");
    CHECK(found->username.empty());
    CHECK(found->password.empty());
    CHECK(found->source == "docker config " + (home.root / "config.json").string() + " (credHelpers: token)");
    CHECK(regscan::log::redact("refresh-token-123") == "***");
}

TEST_CASE("auth::identity_token_form is docker's OAuth2 refresh_token grant") {
    CHECK(identity_token_form("t0k+en/=", "my service", "repository:a/b:pull registry:catalog:*") ==
          "grant_type=refresh_token&refresh_token=t0k%2Ben%2F%3D&service=my%20service"
          "&scope=repository%3Aa%2Fb%3Apull%20registry%3Acatalog%3A%2A&client_id=regscan");
    CHECK(identity_token_form("tok", "", "") == "grant_type=refresh_token&refresh_token=tok&client_id=regscan");
    // Stray spaces between scopes do not make empty ones.
    CHECK(identity_token_form("tok", "s", " a  b ") ==
          "grant_type=refresh_token&refresh_token=tok&service=s&scope=a%20b&client_id=regscan");
}

TEST_CASE("auth::session_config hands an identity token to plugins only as its option") {
    Credentials token;
    token.username = "00000000-0000-0000-0000-000000000000";
    token.identity_token = "idtok-session-1";
    auto config = session_config("https://r.example", "ACR", token, {{"acr-tenant", "t"}});
    CHECK(config.username == token.username);
    CHECK(config.password.empty());  // never a Basic password
    CHECK(config.option(identity_token_option) == "idtok-session-1");
    CHECK(config.option("acr-tenant") == "t");
    auto plain = session_config("https://r.example", "V2", Credentials{"u", "p", "", "the command line"}, {});
    CHECK(plain.username == "u");
    CHECK(plain.password == "p");
    CHECK_FALSE(plain.options.count(identity_token_option));
}

TEST_CASE("auth::find_credential_helper looks on PATH only, never in the working directory") {
    DockerHome home;
    home.helper("found", "exit 0");
    const std::string bin = (home.root / "bin").string();
    CHECK(find_credential_helper("found", "/nonexistent:" + bin) == bin + "/docker-credential-found");
    CHECK(find_credential_helper("found", "::/nonexistent") == "");
    CHECK(find_credential_helper("../bin/found", bin) == "");
    CHECK(find_credential_helper("-found", bin) == "");
    CHECK_FALSE(valid_helper_name("a/b"));
    CHECK_FALSE(valid_helper_name("a b"));
    CHECK(valid_helper_name("ecr-login"));
    CHECK(valid_helper_name("desktop.exe"));
}

TEST_CASE("auth::run_credential_helper bounds time and output") {
    DockerHome home;
    home.helper("slow", "sleep 30; echo '{}'");
    home.helper("chatty", "head -c 200000 /dev/zero | tr '\\0' a");
    home.helper("notfound", "echo 'credentials not found in native keychain'; exit 1");
    const auto bin = (home.root / "bin").string() + "/docker-credential-";
    auto start = std::chrono::steady_clock::now();
    auto slow = run_credential_helper(bin + "slow", "x", home.env(), {std::chrono::milliseconds(300), 1024});
    CHECK(slow.status == HelperAnswer::Status::failed);
    CHECK(slow.error.find("no answer within") != std::string::npos);
    CHECK(std::chrono::steady_clock::now() - start < std::chrono::seconds(10));
    auto chatty = run_credential_helper(bin + "chatty", "x", home.env(), {std::chrono::seconds(10), 1024});
    CHECK(chatty.status == HelperAnswer::Status::failed);
    CHECK(chatty.error.find("larger than 1024 bytes") != std::string::npos);
    CHECK(run_credential_helper(bin + "notfound", "x", home.env()).status == HelperAnswer::Status::not_found);
}

TEST_CASE("app::parse_command_line consults docker's config after flags and environment, before the config file") {
    DockerHome home;
    home.config(R"({"auths": {"127.0.0.1:5000": {"username": "docker-user", "password": "docker-pw-1"},
                              "https://index.docker.io/v1/": {"username": "hub-user", "password": "hub-pw-1"}}})");
    auto regscan_config = home.root / "regscan.conf";
    std::ofstream(regscan_config) << "username = file-user\npassword = file-pw\n";
    auto parse = [&](std::vector<std::string> args, std::map<std::string, std::string> extra = {}) {
        auto env = home.env();
        env.insert(extra.begin(), extra.end());
        std::istringstream in;
        return regscan::app::parse_command_line(args, in, env, {}).run.credentials;
    };
    auto docker = parse({"registry", "http://127.0.0.1:5000", "--config", regscan_config.string()});
    CHECK(docker.username == "docker-user");
    CHECK(docker.source.find("docker config ") == 0);
    auto flags = parse({"registry", "http://127.0.0.1:5000", "--username=u", "--password=p"});
    CHECK(flags.username == "u");
    CHECK(flags.source == "the command line");
    auto env = parse({"registry", "http://127.0.0.1:5000"},
                     {{"REGSCAN_REGISTRY_USERNAME", "eu"}, {"REGSCAN_REGISTRY_PASSWORD", "ep"}});
    CHECK(env.username == "eu");
    auto other_host = parse({"registry", "http://127.0.0.1:5001", "--config", regscan_config.string()});
    CHECK(other_host.username == "file-user");
    CHECK(other_host.source == "the config file");
    // `image` looks up the registry its reference names.
    CHECK(parse({"image", "alpine:3.19"}).username == "hub-user");
    CHECK(parse({"image", "http://127.0.0.1:5000/team/app:1.0"}).username == "docker-user");
}

TEST_CASE("auth::docker_credentials_unless_given: docker's only where none were given") {
    DockerHome home;
    home.config(R"({"auths": {"reg.example:5000": {"auth": "cm9ib3Q6czNjcmV0LXB3"}}})");  // robot:s3cret-pw

    Credentials none;
    CHECK(docker_credentials_unless_given(none, "https://reg.example:5000", home.env()));
    CHECK(none.username == "robot");
    CHECK(none.password == "s3cret-pw");
    CHECK(none.source.find("config.json") != std::string::npos);
    CHECK(none.source.find("s3cret") == std::string::npos);
    CHECK(regscan::log::redact("pw=s3cret-pw").find("s3cret-pw") == std::string::npos);  // registered as a secret

    Credentials own;
    own.username = "robot$ci";  // a part given (a stored password beside it or not): kept
    CHECK_FALSE(docker_credentials_unless_given(own, "https://reg.example:5000", home.env()));
    CHECK(own.username == "robot$ci");
    CHECK(own.password.empty());

    Credentials other;
    CHECK_FALSE(docker_credentials_unless_given(other, "https://other.example", home.env()));
    CHECK(other.empty());
}

TEST_SUITE_END();
