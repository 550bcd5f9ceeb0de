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

namespace {

// The reason docker's credentials are withheld, "" when they may be used.
std::string withheld(const std::string& registry, const std::map<std::string, std::string>& options,
                     const std::string& pull_base = {}) {
    return serve::docker_credentials_withheld(registry, options, pull_base).value_or("");
}

}  // namespace

TEST_CASE("serve::docker_credentials_withheld: options and pull bases on another host or port, http registries") {
    const std::string registry = "https://Registry.Example:5000";
    CHECK(withheld(registry, {}) == "");
    CHECK(withheld(registry, {{"namespace", "team"}, {"harbor-project", "a.b"}}) == "");
    CHECK(withheld(registry, {{"jfrog-api", "https://registry.example:5000/artifactory"}}) == "");
    CHECK(withheld(registry, {{"hub-registry", "https://docker.registry.example"}}) == "");
    CHECK(withheld(registry, {{"hub-api", ""}}) == "");
    const std::string option = "its plugin option ";
    CHECK(withheld(registry, {{"namespace", "team"}, {"hub-api", "http://127.0.0.2:8080"}}).starts_with(
        option + "hub-api names a place they may not go"));
    CHECK(withheld(registry, {{"jfrog-api", "https://registry.example.attacker.test/"}}).starts_with(
        option + "jfrog-api"));
    CHECK(withheld("", {{"ecr-endpoint", "https://api.ecr.example"}}).starts_with(option + "ecr-endpoint"));
    // Another port of the registry's host: docker keys its credentials by host[:port].
    CHECK(withheld(registry, {{"jfrog-api", "https://registry.example/artifactory"}}).starts_with(option));
    CHECK(withheld("https://reg.example", {{"jfrog-api", "https://reg.example:443/artifactory"}}) == "");
    // A bare host the plugin completes itself (acr_identity adds https://), even the registry's own.
    CHECK(withheld(registry, {{"azure-authority-host", "evil.test"}}).starts_with(option + "azure-authority-host"));
    CHECK(withheld(registry, {{"hub-api", "registry.example:5000"}}).starts_with(option + "hub-api"));
    CHECK(withheld(registry, {{"jfrog-repository-port", "docker-local=8443"}}).starts_with(
        option + "jfrog-repository-port"));
    // Read differently by the plugin (JFrog cuts at '#') and by parse_url (host registry.example).
    CHECK(withheld(registry, {{"jfrog-api", "https://evil.test#.registry.example"}}).starts_with(option));
    CHECK(withheld(registry, {{"namespace", "https://evil.test#.registry.example"}}).starts_with(option));
    // In clear from an https registry; nothing sits under an address.
    CHECK(withheld(registry, {{"jfrog-api", "http://registry.example:5000/artifactory"}}).starts_with(option));
    CHECK(withheld("http://127.0.0.1:5000", {{"hub-api", "http://127.0.0.1:5000/api"}}) == "");
    CHECK(withheld("http://127.0.0.1:5000", {{"hub-api", "http://a.127.0.0.1:5000"}}).starts_with(option));
    // An http registry URL only on loopback.
    for (const char* local : {"http://127.0.0.1:5000", "http://localhost:5000", "http://[::1]:5000"})
        CHECK_MESSAGE(withheld(local, {}) == "", std::string(local));
    for (const char* remote : {"http://registry.example", "http://127.evil.example", "http://10.0.0.1:5000"})
        CHECK_MESSAGE(withheld(remote, {}).starts_with("its registry URL is not https"), std::string(remote));
    // A worker's row: its pull base follows the same rule.
    CHECK(withheld(registry, {}, "https://registry.example:5000/repository/docker") == "");
    for (const char* elsewhere : {"https://evil.test", "https://registry.example:8082", "http://registry.example:5000"})
        CHECK_MESSAGE(withheld(registry, {}, elsewhere) == "the image is pulled from another host or port than its "
                                                           "registry's",
                      std::string(elsewhere));
}

TEST_SUITE_END();
