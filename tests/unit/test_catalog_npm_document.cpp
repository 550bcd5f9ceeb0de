// catalog/npm_document: an npm manifest or lockfile parsed keeping only what
// the npm cataloger reads, counted against the file's budget.
#include <doctest/doctest.h>

#include <string>

#include "catalog/file_budget.hpp"
#include "catalog/npm_document.hpp"

using namespace regscan::catalog;
using nlohmann::json;

namespace {

json parsed(const std::string& text, NpmDocument kind = NpmDocument::lockfile) {
    FileInfo file{"/srv/package-lock.json", text.size(), 0644};
    FileBudget budget(file);
    return parse_npm_document(text, kind, budget);
}

}  // namespace

TEST_SUITE_BEGIN("catalog");

TEST_CASE("catalog::parse_npm_document keeps what a lockfile v2/v3 entry tells the cataloger") {
    auto document = parsed(R"({"name":"app","lockfileVersion":3,"requires":true,"packages":{
        "":{"name":"app","version":"1.0.0","dependencies":{"a":"^1"}},
        "node_modules/a":{"version":"1.2.3","resolved":"https://registry.npmjs.org/a/-/a-1.2.3.tgz",
            "integrity":"sha512-x","license":{"type":"MIT","url":"u"},"dependencies":{"b":"^2"},
            "engines":{"node":">=8"},"link":false,"licenses":[{"type":"ISC","url":"u"},"BSD",[1,2]]}}})");
    CHECK(document == json::parse(R"({"name":"app","packages":{
        "":{"name":"app","version":"1.0.0","dependencies":{"a":null}},
        "node_modules/a":{"version":"1.2.3","license":{"type":"MIT"},"dependencies":{"b":null},"link":false,
            "licenses":[{"type":"ISC"},"BSD",[1,2]]}}})"));
}

TEST_CASE("catalog::parse_npm_document keeps a lockfile's v1 tree only without packages, a manifest's never") {
    const std::string tree = R"("dependencies":{"a":{"version":"1"}})";
    const std::string packages = R"("packages":{"node_modules/a":{"version":"1"}})";
    const std::string v1_first = "{" + tree + "," + packages + "}";
    const std::string v1_last = "{" + packages + "," + tree + "}";
    const auto packages_only = json::parse(R"({"packages":{"node_modules/a":{"version":"1"}}})");
    CHECK(parsed(v1_first) == packages_only);
    CHECK(parsed(v1_last) == packages_only);
    CHECK(parsed(v1_last, NpmDocument::manifest) == json::parse(R"({"dependencies":{"a":{"version":"1"}}})"));
}

TEST_CASE("catalog::parse_npm_document keeps a lockfile v1 tree's versions and nested dependencies") {
    auto document = parsed(R"({"lockfileVersion":1,"dependencies":{
        "a":{"version":"1.0.0","resolved":"r","requires":{"b":"^2"},"dependencies":{
            "b":{"version":"2.0.0","dev":true,"integrity":"i"}}},
        "resolved":{"version":"3.0.0"}}})");
    CHECK(document == json::parse(R"({"dependencies":{
        "a":{"version":"1.0.0","dependencies":{"b":{"version":"2.0.0"}}},
        "resolved":{"version":"3.0.0"}}})"));
}

TEST_CASE("catalog::parse_npm_document drops what no field reads, arrays included") {
    CHECK(parsed(R"({"version":[1,[2,{"a":3}]],"scripts":{"x":[1,2]},"name":{"first":"x"}})") ==
          json::parse(R"({"version":[],"name":{}})"));
    CHECK(parsed("[1,2]") == json::parse("[1,2]"));
    CHECK(parsed("{\"name\":").is_discarded());
    CHECK(parsed("").is_discarded());
}

TEST_CASE("catalog::parse_npm_document refuses 1000 levels of nesting and counts what it keeps") {
    CHECK_THROWS_WITH_AS(parsed(std::string(100000, '[')), "JSON nested deeper than 1000", std::runtime_error);
    // 400,000 members of an object, kept under "packages", dropped under "scripts".
    auto object_of_many = [](const std::string& key) {
        std::string text = "{\"" + key + "\":{";
        for (int i = 0; i < 400000; ++i) text += (i ? ",\"node_modules/package-" : "\"node_modules/package-") +
                                                 std::to_string(i) + "\":{}";
        return text + "}}";
    };
    CHECK_THROWS_AS(parsed(object_of_many("packages")), FileBudgetExceeded);
    CHECK(parsed(object_of_many("scripts")) == json::object());
}

TEST_SUITE_END();
