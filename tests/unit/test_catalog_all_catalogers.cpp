#include <doctest/doctest.h>

#include <vector>

#include "catalog/cataloger.hpp"

using namespace regscan::catalog;

namespace {

// Names of the catalogers that want `path` with `mode` and `size`.
std::vector<std::string> wanting(const std::string& path, uint32_t mode = 0100644, uint64_t size = 4096) {
    std::vector<std::string> names;
    for (const auto& cataloger : all_catalogers()) {
        if (cataloger->wants({path, size, mode})) names.push_back(cataloger->name());
    }
    return names;
}

using Names = std::vector<std::string>;

}  // namespace

TEST_SUITE_BEGIN("catalog");

TEST_CASE("catalog::all_catalogers lists every cataloger once, in a fixed order") {
    Names names;
    for (const auto& cataloger : all_catalogers()) names.push_back(cataloger->name());
    CHECK(names == Names{"os-release", "dpkg", "apk", "rpm", "npm", "python", "java-archive", "go-binary"});
}

TEST_CASE("catalog::all_catalogers route each kind of file to one cataloger") {
    CHECK(wanting("/etc/os-release") == Names{"os-release"});
    CHECK(wanting("/var/lib/dpkg/status") == Names{"dpkg"});
    CHECK(wanting("/lib/apk/db/installed") == Names{"apk"});
    CHECK(wanting("/var/lib/rpm/rpmdb.sqlite") == Names{"rpm"});
    CHECK(wanting("/app/package-lock.json") == Names{"npm"});
    CHECK(wanting("/usr/lib/python3/dist-packages/six-1.16.0.egg-info") == Names{"python"});
    CHECK(wanting("/app/app.jar") == Names{"java-archive"});
    CHECK(wanting("/usr/local/bin/app", 0100755, 8'000'000) == Names{"go-binary"});
    CHECK(wanting("/usr/share/doc/readme.txt").empty());
    CHECK(wanting("/etc/passwd").empty());
}

TEST_SUITE_END();
