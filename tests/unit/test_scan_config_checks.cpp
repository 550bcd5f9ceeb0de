#include <doctest/doctest.h>

#include <algorithm>
#include <string>

#include <nlohmann/json.hpp>

#include "limits/limits.hpp"
#include "scan/config_checks.hpp"

using namespace regscan::scan;

namespace {

bool has(const std::vector<Misconfiguration>& found, const std::string& id, const std::string& location = "") {
    return std::any_of(found.begin(), found.end(), [&](const auto& m) {
        return m.id == id && (location.empty() || m.location == location);
    });
}

std::vector<Misconfiguration> check_env(const std::string& entry) {
    return check_image_config({{"config", {{"User", "app"}, {"Env", {entry}}}}});
}

}  // namespace

TEST_SUITE_BEGIN("scan");

TEST_CASE("scan::check_image_config caps what a finding quotes of a huge User or label name") {
    const std::string huge(1 << 20, 'A');
    auto found = check_image_config(
        {{"config", {{"User", "root:" + huge}, {"Labels", {{"X_TOKEN_" + huge, "label-secret-value-1"}}}}}});
    REQUIRE(found.size() == 3);  // root, no healthcheck, the label
    for (const auto& m : found) {
        INFO(m.id);
        CHECK(m.detail.size() <= regscan::limits::max_echoed_value);
        CHECK(m.location.size() <= regscan::limits::max_echoed_value);
    }
    CHECK(found[0].detail.rfind("USER is root:AAAA", 0) == 0);
    CHECK(found[0].detail.find(" bytes left out)") != std::string::npos);
    CHECK(found[2].location.rfind("config.Labels.X_TOKEN_AAAA", 0) == 0);
    CHECK(found[2].location.size() == regscan::limits::max_echoed_value);
}

TEST_CASE("scan::check_image_config survives 30 KB hostile values and still finds the secret") {
    const std::string long_value(30000, 'a');
    nlohmann::json config = {
        {"config",
         {{"User", "app"},
          {"Env", {"API_TOKEN=" + long_value, "PATH=/usr/bin"}},
          {"Labels", {{"note", long_value}, {"x", "<" + long_value}}}}},
        {"history", {{{"created_by", "ADD --" + long_value}}, {{"created_by", std::string(200000, ' ') + "ADD"}}}}};
    auto found = check_image_config(config);
    CHECK(has(found, "RS-CFG-003", "config.Env.API_TOKEN"));
    CHECK(!has(found, "RS-CFG-004"));
    CHECK(!has(found, "RS-CFG-005"));
}

TEST_CASE("scan::check_image_config tells secrets from placeholders") {
    CHECK(has(check_env("DB_PASSWORD=hunter2"), "RS-CFG-003"));
    for (const char* placeholder : {"DB_PASSWORD=", "DB_PASSWORD=${DB_PASSWORD}", "DB_PASSWORD=$PW", "DB_PASSWORD=changeme",
                                    "DB_PASSWORD=<set me>", "DB_PASSWORD=/run/secrets/pw", "DB_PASSWORD=TRUE",
                                    "DB_PASSWORD_FILE=/x"})
        CHECK_MESSAGE(!has(check_env(placeholder), "RS-CFG-003"), placeholder);
    CHECK(has(check_env("DB_PASSWORD=${A}b"), "RS-CFG-003"));
    CHECK(has(check_env("DB_PASSWORD=<a\nb>"), "RS-CFG-003"));
}

TEST_CASE("scan::check_image_config recognises token formats whatever the variable is called") {
    CHECK(has(check_env("X=AKIAABCDEFGHIJKLMNOP"), "RS-CFG-003"));
    CHECK(!has(check_env("X=AKIAABCDEFGHIJKLMNO"), "RS-CFG-003"));  // 15 characters
    CHECK(has(check_env("X=ghp_" + std::string(36, 'a')), "RS-CFG-003"));
    CHECK(has(check_env("X=glpat-" + std::string(20, 'z')), "RS-CFG-003"));
    CHECK(has(check_env("X=xoxb-1234567890"), "RS-CFG-003"));
    CHECK(has(check_env("X=-----BEGIN RSA PRIVATE KEY-----"), "RS-CFG-003"));
    CHECK(!has(check_env("X=-----BEGIN PUBLIC KEY-----"), "RS-CFG-003"));
}

TEST_CASE("scan::check_image_config finds ADD of a remote URL with or without flags") {
    auto history = [](const std::string& line) {
        return check_image_config({{"config", {{"User", "app"}}}, {"history", {{{"created_by", line}}}}});
    };
    CHECK(has(history("ADD https://x.example/a.tgz /a"), "RS-CFG-005"));
    CHECK(has(history("/bin/sh -c #(nop) add --chown=1:1 --chmod=644 ftp://x/a /a"), "RS-CFG-005"));
    CHECK(!has(history("ADD file:abc in /"), "RS-CFG-005"));
    CHECK(!has(history("READD https://x/a /a"), "RS-CFG-005"));
    CHECK(!has(history("ADD --chown=1:1"), "RS-CFG-005"));
}

TEST_SUITE_END();
