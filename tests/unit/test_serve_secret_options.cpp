#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

#include "log/secrets.hpp"
#include "serve/secret_options.hpp"
#include "temp_dir.hpp"

using namespace regscan::serve;
using nlohmann::json;
using regscan::test::TempDir;

TEST_SUITE_BEGIN("serve");

TEST_CASE("serve::seal_secret_options keeps a secret option like a password: sealed, hidden, kept when absent") {
    TempDir dir;
    auto box = SecretBox::from_key_file(dir.path / "key");
    const std::set<std::string> names{"quay-token"};
    json config = {{"url", "https://quay.example"}, {"options", {{"namespace", "org"}, {"quay-token", "tok-123"}}}};
    seal_secret_options(config, names, box);
    CHECK(config["options"] == json{{"namespace", "org"}});
    REQUIRE(config["sealed_options"].contains("quay-token"));
    CHECK(config.dump().find("tok-123") == std::string::npos);
    CHECK(regscan::log::redact("token tok-123") == "token ***");
    CHECK(open_secret_options(config, box) == std::map<std::string, std::string>{{"quay-token", "tok-123"}});

    // An edit whose options leave it out keeps it; "" drops it.
    config["options"] = {{"namespace", "other"}};
    seal_secret_options(config, names, box);
    CHECK(open_secret_options(config, box).at("quay-token") == "tok-123");
    json answer = config;
    hide_secret_options(answer, names);
    CHECK(answer["options"] == json{{"namespace", "other"}});
    CHECK(answer["secret_options"] == json::array({"quay-token"}));
    CHECK_FALSE(answer.contains("sealed_options"));
    config["options"] = {{"quay-token", ""}};
    seal_secret_options(config, names, box);
    CHECK_FALSE(config.contains("sealed_options"));
    CHECK(open_secret_options(config, box).empty());
}

TEST_CASE("serve::hide_secret_options never answers one an older server stored in clear") {
    json config = {{"options", {{"quay-token", "clear-tok"}, {"namespace", "org"}}}};
    hide_secret_options(config, {"quay-token"});
    CHECK(config["options"] == json{{"namespace", "org"}});
    CHECK(config["secret_options"] == json::array({"quay-token"}));
}

TEST_CASE("serve::gives_secrets_again asks for the password and every stored secret option") {
    TempDir dir;
    auto box = SecretBox::from_key_file(dir.path / "key");
    json config = {{"options", {{"quay-token", "tok"}}}};
    seal_secret_options(config, {"quay-token"}, box);
    CHECK_FALSE(gives_secrets_again(json{{"password", "pw"}}, true, config));
    CHECK_FALSE(gives_secrets_again(json{{"options", {{"quay-token", "tok"}}}}, true, config));
    CHECK(gives_secrets_again(json{{"password", nullptr}, {"options", {{"quay-token", ""}}}}, true, config));
    CHECK(gives_secrets_again(json{{"options", {{"quay-token", "new"}}}}, false, config));
    CHECK(gives_secrets_again(json::object(), false, json::object()));
    CHECK_FALSE(gives_secrets_again(json::object(), true, json::object()));
}

TEST_SUITE_END();
