#include <doctest/doctest.h>

#include <string>

#include "version_vectors.hpp"

using namespace version_vectors;

namespace {

constexpr Order<Scheme::Go> order;
constexpr CheckFile<Scheme::Go> check_file;

}  // namespace

TEST_SUITE_BEGIN("versions");

// No Go toolchain on the build machines: the SemVer vectors (Go modules are
// SemVer with a "v") and the cases of golang.org/x/mod/semver's own tests.
TEST_CASE("versions::go vectors") {
    check_file(tv::read_scalibr(dir + "osv-scalibr/semver-versions.txt"), "semver-versions.txt");
    for (const auto& c : tv::read_tsv(dir + "semver.tsv")) {
        if (c.a.starts_with(" ")) continue;  // node-semver trims; Go does not
        INFO("semver.tsv:" << c.line << ": '" << c.a << "' " << c.op << " '" << c.b << "'");
        CHECK(order(c.a, c.b) == tv::expected_sign(c.op));
    }
}

TEST_CASE("versions::go x/mod ordering") {
    // x/mod/semver's test list, each before the next.
    const char* ordered[] = {"v0.0.0-20191109021931-daa7c04131f5", "v0.1.0-alpha", "v0.1.0-alpha.1",
                             "v0.1.0-alpha.beta", "v0.1.0-beta", "v0.1.0-beta.2", "v0.1.0-beta.11", "v0.1.0-rc.1",
                             "v0.1.0", "v0.1.1", "v1.0.0", "v1.2.0", "v1.2.3-456", "v1.2.3-456.789", "v1.2.3-456-789",
                             "v1.2.3-456a", "v1.2.3-pre", "v1.2.3-pre+meta", "v1.2.3-pre.1", "v1.2.3-zzz", "v1.2.3",
                             "v1.2.4", "v2.0.0+incompatible", "v2.1.0"};
    for (size_t i = 0; i + 1 < std::size(ordered); ++i) {
        INFO(ordered[i] << " vs " << ordered[i + 1]);
        CHECK(order(ordered[i], ordered[i + 1]) <= 0);
        CHECK(versions::is_valid(Scheme::Go, ordered[i]));
    }
    CHECK(order("v1.2.3-pre", "v1.2.3-pre+meta") == 0);
    CHECK(order("v1", "v1.0.0") == 0);  // shorthands
    CHECK(order("v1.2", "v1.2.0") == 0);
    CHECK(order("1.2.3", "v1.2.3") == 0);  // OSV writes Go versions without the "v"
    CHECK(order("v2.0.0+incompatible", "v2.0.0") == 0);
    CHECK(order("v1.0.0-0.20191109021931-daa7c04131f5", "v1.0.0") < 0);  // pseudo-versions are prereleases
    CHECK(order("v10.0.0", "v9.0.0") > 0);
    CHECK(order("v123456789012345678901234567890.0.0", "v123456789012345678901234567889.0.0") > 0);
}

TEST_CASE("versions::go validity") {
    for (const char* bad : {"", "v", "v1.", "v1.2.", "v01.2.3", "v1.02.3", "v1.2.03", "v1.2-pre", "v1.2.3-01",
                            "v1.2.3-", "v1.2.3+", "v1.2.3-pre..1", "V1.2.3", "v1.2.3 ", "vv1.2.3"}) {
        INFO("'" << bad << "'");
        CHECK_FALSE(versions::is_valid(Scheme::Go, bad));
    }
    CHECK(order("vbad", "v0.0.0") < 0);  // refused versions sort first
}

TEST_SUITE_END();
