#include <doctest/doctest.h>

#include "acr_challenge.hpp"
#include "acr_cloud.hpp"

using namespace regscan::acr;

TEST_SUITE_BEGIN("acr");

TEST_CASE("acr::bearer_challenge reads ACR's challenge") {
    auto params = bearer_challenge(
        R"(Bearer realm="https://r.azurecr.io/oauth2/token",service="r.azurecr.io",scope="repository:team/app:metadata_read")");
    REQUIRE(params);
    CHECK(params->at("realm") == "https://r.azurecr.io/oauth2/token");
    CHECK(params->at("service") == "r.azurecr.io");
    CHECK(params->at("scope") == "repository:team/app:metadata_read");
}

TEST_CASE("acr::bearer_challenge skips other schemes and keeps the Bearer one") {
    auto params = bearer_challenge(R"(Basic realm="x", bearer Realm="https://a/t", Service=svc)");
    REQUIRE(params);
    CHECK(params->at("realm") == "https://a/t");
    CHECK(params->at("service") == "svc");
    CHECK_FALSE(bearer_challenge(R"(Basic realm="Registry Realm")"));
    CHECK_FALSE(bearer_challenge(""));
}

TEST_CASE("acr::challenge_tenant takes a tenant param or the authorization_uri path") {
    CHECK(challenge_tenant({{"tenant", "t-1"}}) == "t-1");
    CHECK(challenge_tenant({{"authorization_uri", "https://login.windows.net/72f988bf-86f1/"}}) == "72f988bf-86f1");
    CHECK(challenge_tenant({{"authorization", "https://login.microsoftonline.com/contoso.onmicrosoft.com/oauth2"}}) ==
          "contoso.onmicrosoft.com");
    CHECK(challenge_tenant({{"realm", "https://r.azurecr.io/oauth2/token"}, {"service", "r.azurecr.io"}}).empty());
}

TEST_CASE("acr::is_acr_host recognises login servers of the three clouds only") {
    CHECK(is_acr_host("contoso.azurecr.io"));
    CHECK(is_acr_host("contoso.azurecr.cn"));
    CHECK(is_acr_host("contoso.azurecr.us"));
    CHECK(is_acr_host("contoso.westeurope.data.azurecr.io"));
    CHECK_FALSE(is_acr_host("azurecr.io"));
    CHECK_FALSE(is_acr_host(".azurecr.io"));
    CHECK_FALSE(is_acr_host("contoso.azurecr.io.evil.example"));
    CHECK_FALSE(is_acr_host("contosoazurecr.io"));
    CHECK_FALSE(is_acr_host("registry.example"));
}

TEST_CASE("acr::cloud_for_host picks the cloud's Entra ID host and Resource Manager") {
    CHECK(cloud_for_host("r.azurecr.io").authority_host == "https://login.microsoftonline.com");
    CHECK(cloud_for_host("r.azurecr.io").resource == "https://management.azure.com/");
    CHECK(cloud_for_host("r.azurecr.cn").authority_host == "https://login.chinacloudapi.cn");
    CHECK(cloud_for_host("r.azurecr.cn").resource == "https://management.chinacloudapi.cn/");
    CHECK(cloud_for_host("r.azurecr.us").authority_host == "https://login.microsoftonline.us");
    CHECK(cloud_for_host("r.azurecr.us").resource == "https://management.usgovcloudapi.net/");
    CHECK(cloud_for_host("127.0.0.1").resource == "https://management.azure.com/");
}

TEST_CASE("acr::challenge_names_acr: a Bearer realm on an ACR login server name") {
    using regscan::acr::challenge_names_acr;
    CHECK(challenge_names_acr(R"(Bearer realm="https://r.azurecr.io/oauth2/token",service="r.azurecr.io")"));
    CHECK(challenge_names_acr(R"(Bearer realm="https://r.azurecr.us/oauth2/token")"));
    CHECK_FALSE(challenge_names_acr(R"(Bearer realm="https://r.azurecr.io.attacker.example/oauth2/token")"));
    CHECK_FALSE(challenge_names_acr(R"(Basic realm="https://r.azurecr.io/")"));
    CHECK_FALSE(challenge_names_acr(""));
}

TEST_SUITE_END();
