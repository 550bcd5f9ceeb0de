#include <doctest/doctest.h>

#include <algorithm>
#include <filesystem>
#include <set>
#include <sstream>
#include <vector>

#include "../fixtures/catalog/support.hpp"
#include "catalog/npm_cataloger.hpp"

using namespace regscan::catalog;
using namespace regscan::catalog::testing;

namespace {

std::vector<std::string> found(const std::string& fixture) {
    FileFacts facts = analyse(NpmCataloger(), "/srv/app/package-lock.json", read_file(fixture_dir + "/npm/" + fixture));
    std::vector<std::string> lines;
    for (const auto& p : facts.packages) {
        CHECK(p.type == "npm");
        CHECK(p.ecosystem == "npm");
        CHECK(p.location == "/srv/app/package-lock.json");
        lines.push_back(p.name + "@" + p.version + " " + p.purl);
    }
    std::sort(lines.begin(), lines.end());
    return lines;
}

}  // namespace

TEST_SUITE_BEGIN("catalog");

TEST_CASE("catalog::npm reads a lockfileVersion 1 dependency tree") {
    CHECK(found("lockfile-v1.json") == std::vector<std::string>{
                                           "@babel/core@7.12.3 pkg:npm/%40babel/core@7.12.3",
                                           "express@4.17.1 pkg:npm/express@4.17.1",
                                           "qs@6.11.0 pkg:npm/qs@6.11.0",
                                           "qs@6.7.0 pkg:npm/qs@6.7.0",
                                           "string-width@4.2.3 pkg:npm/string-width@4.2.3",
                                       });
}

TEST_CASE("catalog::npm reads lockfileVersion 2 packages and ignores its v1 section") {
    CHECK(found("lockfile-v2.json") == std::vector<std::string>{
                                           "@types/node@20.8.10 pkg:npm/%40types/node@20.8.10",
                                           "lodash@4.17.20 pkg:npm/lodash@4.17.20",
                                           "minimist@0.0.8 pkg:npm/minimist@0.0.8",
                                           "minimist@1.2.5 pkg:npm/minimist@1.2.5",
                                           "string-width@4.2.3 pkg:npm/string-width@4.2.3",
                                       });
}

TEST_CASE("catalog::npm reads lockfileVersion 3 without workspaces or links, once per version") {
    CHECK(found("lockfile-v3.json") == std::vector<std::string>{
                                           "axios@0.21.1 pkg:npm/axios@0.21.1",
                                           "axios@1.6.0 pkg:npm/axios@1.6.0",
                                           "follow-redirects@1.14.7 pkg:npm/follow-redirects@1.14.7",
                                       });
}

TEST_CASE("catalog::npm reads installed packages exactly as `npm ls` lists them") {
    // npm's own tree on this machine; `npm ls --parseable --long` prints
    // "<dir>:<name>@<version>" for every installed package.
    std::string root = run("npm root -g 2>/dev/null");
    root = root.substr(0, root.find('\n')) + "/npm";
    std::string listing = run("cd '" + root + "' && npm ls --all --parseable --long --offline 2>/dev/null || true");
    std::set<std::string> expected;
    std::istringstream in(listing);
    for (std::string line; std::getline(in, line);) {
        size_t colon = line.find(':');
        // The root, npm itself, is installed under node_modules too: it counts.
        if (colon == std::string::npos) continue;
        std::string spec = line.substr(colon + 1);
        if (spec.ends_with("@")) continue;  // a missing optional dependency
        expected.insert(line.substr(0, colon) + "/package.json " + spec);
    }
    REQUIRE(expected.size() > 50);

    NpmCataloger cataloger;
    std::set<std::string> got;
    analyse_tree(cataloger, root, [&](const std::string& path, const FileFacts& facts) {
        for (const auto& p : facts.packages) got.insert(path + " " + p.name + "@" + p.version);
    });
    CHECK(got == expected);
}

TEST_CASE("catalog::npm wants lockfiles and installed package.json files only") {
    NpmCataloger cataloger;
    auto wants = [&](const std::string& path) { return cataloger.wants({path, 1, 0100644}); };
    CHECK(wants("/srv/app/package-lock.json"));
    CHECK(wants("/srv/app/node_modules/lodash/package.json"));
    CHECK(wants("/srv/app/node_modules/@types/node/package.json"));
    CHECK(wants("/srv/app/node_modules/a/node_modules/b/package.json"));
    CHECK_FALSE(wants("/srv/app/package.json"));  // the application itself
    CHECK_FALSE(wants("/srv/app/node_modules/.package-lock.json"));
    CHECK_FALSE(wants("/srv/app/node_modules/lodash/package-lock.json"));
    CHECK_FALSE(wants("/srv/app/node_modules/lodash/fp/package.json"));
    CHECK_FALSE(wants("/srv/app/node_modules/@types/package.json"));
    CHECK_FALSE(wants("/srv/app/node_modules/@types/node/ts4.8/package.json"));
}

TEST_CASE("catalog::npm names the file when a lockfile is not JSON") {
    FileFacts facts;
    std::string broken = "{\"packages\": ";
    CHECK_THROWS_WITH_AS(NpmCataloger().analyse({"/app/package-lock.json", broken.size(), 0100644}, broken, facts),
                         "/app/package-lock.json: not a JSON object", std::runtime_error);
}

TEST_SUITE_END();
