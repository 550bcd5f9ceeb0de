#include <doctest/doctest.h>

#include "app/suggestion.hpp"

using namespace regscan::app;

TEST_SUITE_BEGIN("app");

TEST_CASE("app::closest_name suggests the nearest name within a typo's distance") {
    std::vector<std::string> flags = {"allowList", "denyList", "max-images", "platform", "format"};
    CHECK(closest_name("allowlist", flags) == "allowList");  // case does not count
    CHECK(closest_name("alowList", flags) == "allowList");
    CHECK(closest_name("platfrom", flags) == "platform");
    CHECK(closest_name("fromat", flags) == "format");
    CHECK(closest_name("severity", flags).empty());  // nothing close
    CHECK(closest_name("format", flags).empty());    // not a typo
    CHECK(did_you_mean("deny-list", flags, "--") == "; did you mean --denyList?");
    CHECK(did_you_mean("xyz", flags, "--").empty());
    CHECK(closest_name(std::string(500, 'a'), flags).empty());
}

TEST_CASE("app::closest_name finds a mistyped command") {
    std::vector<std::string> commands = {"registry", "image", "plugins", "db", "malware", "serve", "connector"};
    CHECK(closest_name("registy", commands) == "registry");
    CHECK(closest_name("imgae", commands) == "image");
    CHECK(closest_name("scan", commands).empty());
}
