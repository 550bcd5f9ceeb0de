#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

#include "log/secrets.hpp"
#include "serve/connector_access.hpp"
#include "serve/secret_options.hpp"
#include "temp_dir.hpp"

using namespace regscan;
using nlohmann::json;
using regscan::test::TempDir;

TEST_SUITE_BEGIN("serve");

TEST_CASE("serve::connector_access opens a connector's password and secret options, and applies them over the "
          "command line's") {
    TempDir dir;
    auto box = serve::SecretBox::from_key_file(dir.path / "key");
    state::ConnectorRecord connector;
    connector.config = {{"url", "https://quay.example"},
                        {"username", "robot"},
                        {"options", {{"namespace", "org"}, {"quay-token", "tok-access-1"}}}};
    serve::seal_secret_options(connector.config, {"quay-token"}, box);
    connector.sealed_password = box.seal("pw-access-1");

    auto access = serve::connector_access(connector, box);
    CHECK(access.credentials.username == "robot");
    CHECK(access.credentials.password == "pw-access-1");
    CHECK(access.plugin_options ==
          std::map<std::string, std::string>{{"namespace", "org"}, {"quay-token", "tok-access-1"}});
    CHECK(log::redact("pw-access-1 tok-access-1") == "*** ***");

    engine::RunOptions run;
    run.credentials.username = "worker";
    run.plugin_options = {{"namespace", "mine"}, {"harbor-page-size", "50"}};
    run.given_plugin_options = {"namespace", "harbor-page-size"};
    access.apply_to(run);
    CHECK(run.credentials.username == "robot");
    CHECK(run.credentials.password == "pw-access-1");
    CHECK(run.plugin_options == std::map<std::string, std::string>{
                                    {"namespace", "org"}, {"quay-token", "tok-access-1"}, {"harbor-page-size", "50"}});
    CHECK(run.given_plugin_options == std::set<std::string>{"namespace", "quay-token"});

    // Equal while nothing changed; a rotated password or an edited option is another access.
    CHECK(serve::connector_access(connector, box) == access);
    auto rotated = connector;
    rotated.sealed_password = box.seal("pw-access-2");
    CHECK_FALSE(serve::connector_access(rotated, box) == access);
    auto edited = connector;
    edited.config["options"]["namespace"] = "other";
    CHECK_FALSE(serve::connector_access(edited, box) == access);
}

TEST_CASE("serve::still_names: the row's origin and type, the type in any case") {
    regscan::state::ConnectorRecord connector;
    connector.config = {{"url", "https://Reg.Example:443/v2/"}, {"type", "harbor"}};
    CHECK(serve::still_names(connector, "https://reg.example", "HARBOR"));
    CHECK_FALSE(serve::still_names(connector, "https://reg.example:8443", "HARBOR"));
    CHECK_FALSE(serve::still_names(connector, "http://reg.example", "HARBOR"));
    CHECK_FALSE(serve::still_names(connector, "https://reg.example", "QUAY"));
    connector.config["type"] = "";
    CHECK(serve::still_names(connector, "https://reg.example", ""));
    CHECK_FALSE(serve::still_names(connector, "https://reg.example", "HARBOR"));
}

TEST_CASE("serve::option_naming_another_host: a URL option on another host than the registry's") {
    using regscan::serve::option_naming_another_host;
    const std::string registry = "https://Registry.Example:5000";
    CHECK_FALSE(option_naming_another_host(registry, {}));
    CHECK_FALSE(option_naming_another_host(registry, {{"namespace", "team"}, {"harbor-project", "a.b"}}));
    CHECK_FALSE(option_naming_another_host(registry, {{"jfrog-api", "https://registry.example/artifactory"}}));
    CHECK_FALSE(option_naming_another_host(registry, {{"hub-registry", "https://docker.registry.example"}}));
    CHECK(option_naming_another_host(registry, {{"namespace", "team"}, {"hub-api", "http://127.0.0.2:8080"}}) ==
          "hub-api");
    CHECK(option_naming_another_host(registry, {{"jfrog-api", "https://registry.example.attacker.test/"}}) ==
          "jfrog-api");
    CHECK(option_naming_another_host("", {{"ecr-endpoint", "https://api.ecr.example"}}) == "ecr-endpoint");
    // A bare host the plugin completes itself (acr_identity adds https://), even the registry's own.
    CHECK(option_naming_another_host(registry, {{"azure-authority-host", "evil.test"}}) == "azure-authority-host");
    CHECK(option_naming_another_host(registry, {{"hub-api", "registry.example"}}) == "hub-api");
    CHECK_FALSE(option_naming_another_host(registry, {{"hub-api", ""}}));
    // Read differently by the plugin (JFrog cuts at '#') and by parse_url (host registry.example).
    CHECK(option_naming_another_host(registry, {{"jfrog-api", "https://evil.test#.registry.example"}}) ==
          "jfrog-api");
    CHECK(option_naming_another_host(registry, {{"namespace", "https://evil.test#.registry.example"}}) ==
          "namespace");
    // Docker's credentials in clear from an https registry; nothing sits under an address.
    CHECK(option_naming_another_host(registry, {{"jfrog-api", "http://registry.example/artifactory"}}) ==
          "jfrog-api");
    CHECK_FALSE(option_naming_another_host("http://127.0.0.1:5000", {{"hub-api", "http://127.0.0.1:8080"}}));
    CHECK(option_naming_another_host("http://127.0.0.1:5000", {{"hub-api", "http://a.127.0.0.1:8080"}}) ==
          "hub-api");
}

TEST_SUITE_END();
