#include <doctest/doctest.h>

#include "acr_identity.hpp"
#include "acr_settings.hpp"
#include "regscan/error.hpp"

using namespace regscan::acr;
using regscan::sdk::SessionConfig;

TEST_SUITE_BEGIN("acr");

TEST_CASE("acr::read_settings defaults follow the registry's cloud") {
    SessionConfig config{"https://contoso.azurecr.us", "ACR", "", "", {}};
    auto settings = read_settings(config);
    CHECK(settings.mode == AuthMode::automatic);
    CHECK_FALSE(settings.has_credentials());
    CHECK(settings.authority_host == "https://login.microsoftonline.us");
    CHECK(settings.resource == "https://management.usgovcloudapi.net/");
    CHECK(settings.imds_endpoint == "http://169.254.169.254");
    CHECK(settings.tenant.empty());
    CHECK(settings.identity_client_id.empty());
}

TEST_CASE("acr::read_settings takes the plugin's options") {
    SessionConfig config{"https://contoso.azurecr.io", "ACR", "app-id", "secret",
                         {{"acr-auth", "service-principal"},
                          {"acr-tenant", "tenant-1"},
                          {"azure-authority-host", "https://127.0.0.1:8443"},
                          {"acr-audience", "https://containerregistry.azure.net/"},
                          {"azure-imds-endpoint", "http://127.0.0.1:9000"},
                          {"azure-client-id", "mi-1"}}};
    auto settings = read_settings(config);
    CHECK(settings.mode == AuthMode::service_principal);
    CHECK(settings.tenant == "tenant-1");
    CHECK(settings.authority_host == "https://127.0.0.1:8443");
    CHECK(settings.resource == "https://containerregistry.azure.net/");
    CHECK(settings.imds_endpoint == "http://127.0.0.1:9000");
    CHECK(settings.identity_client_id == "mi-1");
}

TEST_CASE("acr::read_settings refuses an unknown mode and a mode without credentials") {
    SessionConfig config{"https://contoso.azurecr.io", "ACR", "", "", {{"acr-auth", "password"}}};
    CHECK_THROWS_WITH_AS(read_settings(config), doctest::Contains("--acr-auth must be auto"), regscan::sdk::Error);
    try {
        (void)read_settings(config);
    } catch (const regscan::sdk::Error& e) {
        CHECK(e.status() == REGSCAN_BAD_ARGUMENT);  // the core exits 2, as for a bad command line
    }
    config.options["acr-auth"] = "service-principal";
    CHECK_THROWS_WITH_AS(read_settings(config), doctest::Contains("needs --username and --password"),
                         regscan::sdk::Error);
    config.options["acr-auth"] = "managed-identity";
    CHECK(read_settings(config).mode == AuthMode::managed_identity);
}

TEST_CASE("acr::read_settings uses docker's identity token when no mode is asked for") {
    SessionConfig config{"https://contoso.azurecr.io", "ACR", "00000000-0000-0000-0000-000000000000", "",
                         {{"docker-identity-token", "refresh-1"}}};
    auto settings = read_settings(config);
    CHECK(settings.mode == AuthMode::identity_token);
    CHECK(settings.identity_token == "refresh-1");
    CHECK(settings.password.empty());
    // An explicit mode wins: the user asked for another sign-in.
    config.options["acr-auth"] = "managed-identity";
    CHECK(read_settings(config).mode == AuthMode::managed_identity);
    config.options["acr-auth"] = "identity-token";  // not a mode one can ask for
    CHECK_THROWS_AS(read_settings(config), regscan::sdk::Error);
}

TEST_CASE("acr::default_scope and imds_token_url") {
    CHECK(default_scope("https://management.azure.com/") == "https://management.azure.com/.default");
    CHECK(default_scope("https://containerregistry.azure.net") == "https://containerregistry.azure.net/.default");
    CHECK(imds_token_url("http://169.254.169.254") == "http://169.254.169.254/metadata/identity/oauth2/token");
    CHECK(imds_token_url("http://127.0.0.1:5000/") == "http://127.0.0.1:5000/metadata/identity/oauth2/token");
    CHECK(imds_token_url("127.0.0.1:5000") == "http://127.0.0.1:5000/metadata/identity/oauth2/token");
    CHECK(imds_token_url("http://h/metadata/identity/oauth2/token?api-version=1") ==
          "http://h/metadata/identity/oauth2/token");
}

TEST_SUITE_END();
