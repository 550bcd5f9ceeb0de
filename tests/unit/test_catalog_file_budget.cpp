// What a cataloger may hold while reading one file (catalog/file_budget):
// every cataloger fed a file whose content multiplies in memory stops at the
// bound with FileBudgetExceeded, and long dependency lists stay linear.
#include <doctest/doctest.h>

#include <string>

#include "../fixtures/catalog/support.hpp"
#include "catalog/apk_cataloger.hpp"
#include "catalog/dpkg_cataloger.hpp"
#include "catalog/file_budget.hpp"
#include "catalog/npm_cataloger.hpp"
#include "catalog/python_cataloger.hpp"
#include "catalog/unique_names.hpp"
#include "limits/limits.hpp"
#include "util/memory_estimate.hpp"

using namespace regscan;
using namespace regscan::catalog;
using namespace regscan::catalog::testing;

namespace {

// A directory name long enough that every package's copy of the path
// counts: 20,000 packages of a few bytes each pass the bound.
const std::string deep = "/" + std::string(3000, 'd');

// Why `cataloger` stopped reading `content` at `path` (wanted there or not).
std::string budget_failure(const Cataloger& cataloger, const std::string& path, const std::string& content) {
    try {
        FileFacts facts;
        cataloger.analyse(FileInfo{path, content.size(), 0644}, content, facts);
    } catch (const FileBudgetExceeded& e) {
        return e.what();
    }
    return "no FileBudgetExceeded";
}

}  // namespace

TEST_SUITE_BEGIN("catalog");

TEST_CASE("catalog::FileBudget counts up to the layer's bound and names the file past it") {
    FileInfo file{"/var/lib/dpkg/status", 0, 0644};
    FileBudget budget(file);
    budget.add(limits::max_layer_kept_bytes);
    CHECK_THROWS_WITH_AS(budget.add(1),
                         "/var/lib/dpkg/status: what it holds takes more than 64 MiB in memory once read "
                         "(no real package database does)",
                         FileBudgetExceeded);
    scan::Package small, located;
    located.location = std::string(1000, 'l');
    CHECK(package_bytes(located) == package_bytes(small) + 1000 + 17);
}

TEST_CASE("catalog::UniqueNames keeps each name once, in the order first seen") {
    std::vector<std::string> names{"b"};
    FileInfo file{"/var/lib/dpkg/status", 0, 0644};
    FileBudget budget(file);
    UniqueNames unique(names, budget);
    CHECK(unique.add("a"));
    CHECK_FALSE(unique.add("b"));
    CHECK_FALSE(unique.add("a"));
    CHECK(unique.add("c"));
    CHECK(names == std::vector<std::string>{"b", "a", "c"});
}

TEST_CASE("catalog::UniqueNames counts each new name twice in the file's budget: the list and the set") {
    std::vector<std::string> names;
    FileInfo file{"/var/lib/dpkg/status", 0, 0644};
    FileBudget budget(file);
    UniqueNames unique(names, budget);
    const std::string long_name(1000, 'n');
    const uint64_t one_name = 2 * (sizeof(std::string) + util::heap_bytes(long_name)) + util::map_node_bytes;
    budget.add(limits::max_layer_kept_bytes - one_name);
    CHECK(unique.add(long_name));
    CHECK_FALSE(unique.add(long_name));  // known: not counted again
    CHECK_THROWS_AS(unique.add(long_name + "x"), FileBudgetExceeded);
}

TEST_CASE("catalog: a package database of many small records stops at the file's budget") {
    std::string status, installed, lock = R"({"lockfileVersion":3,"packages":{)";
    for (int i = 0; i < 20000; ++i) {
        const auto n = std::to_string(i);
        status += "Package: p" + n + "\nStatus: install ok installed\nVersion: 1\n\n";
        installed += "P:p" + n + "\nV:1\n\n";
        lock += (i ? "," : "") + std::string("\"node_modules/p") + n + "\":{\"version\":\"1\"}";
    }
    lock += "}}";
    // Each package holds a copy of its file's path.
    CHECK(budget_failure(DpkgCataloger(), deep + "/var/lib/dpkg/status", status).find("takes more than 64 MiB") !=
          std::string::npos);
    CHECK(budget_failure(NpmCataloger(), deep + "/package-lock.json", lock).find("takes more than 64 MiB") !=
          std::string::npos);
    // The same files at their usual paths are read whole.
    CHECK(analyse(DpkgCataloger(), "/var/lib/dpkg/status", status).packages.size() == 20000);
    CHECK(analyse(NpmCataloger(), "/srv/package-lock.json", lock).packages.size() == 20000);
    CHECK(analyse(ApkCataloger(), "/lib/apk/db/installed", installed).packages.size() == 20000);
}

TEST_CASE("catalog: one package's long dependency lists are kept once each, within the budget") {
    std::string depends, requires_dist;
    for (int i = 0; i < 3000; ++i) {
        depends += (i ? ", " : "") + std::string("d") + std::to_string(i % 1000) + " (>= 1)";
        requires_dist += "Requires-Dist: r" + std::to_string(i % 1000) + " (>=1)\n";
    }
    auto dpkg = analyse(DpkgCataloger(), "/var/lib/dpkg/status.d/one",
                        "Package: one\nVersion: 1\nDepends: " + depends + "\n");
    REQUIRE(dpkg.packages.size() == 1);
    CHECK(dpkg.packages[0].depends_on.size() == 1000);
    CHECK(dpkg.packages[0].depends_on.front() == "d0");
    CHECK(dpkg.packages[0].depends_on.back() == "d999");
    auto python = analyse(PythonCataloger(), "/usr/lib/python3/dist-packages/one-1.dist-info/METADATA",
                          "Name: one\nVersion: 1\n" + requires_dist);
    REQUIRE(python.packages.size() == 1);
    CHECK(python.packages[0].depends_on.size() == 1000);
    CHECK(python.packages[0].depends_on[1] == "r1");
    // Names of 60 KB: 1,200 of them pass the bound in the list alone.
    std::string long_names;
    for (int i = 0; i < 1200; ++i) long_names += "Requires-Dist: " + std::string(60000, 'a') + std::to_string(i) + "\n";
    CHECK(budget_failure(PythonCataloger(), "/usr/lib/python3/dist-packages/one-1.dist-info/METADATA",
                         "Name: one\nVersion: 1\n" + long_names)
              .find("takes more than 64 MiB") != std::string::npos);
}

TEST_CASE("catalog: a package field past 4096 bytes stops the file before the package is built") {
    const std::string long_version(5000, '1');
    CHECK_THROWS_WITH_AS(analyse(DpkgCataloger(), "/var/lib/dpkg/status",
                                 "Package: a\nStatus: install ok installed\nVersion: " + long_version + "\n"),
                         "/var/lib/dpkg/status: a package version of 5000 bytes (at most 4096): not read",
                         std::runtime_error);
    CHECK_THROWS_AS(analyse(ApkCataloger(), "/lib/apk/db/installed", "P:" + std::string(4097, 'a') + "\nV:1\n"),
                    std::runtime_error);
    CHECK_THROWS_AS(analyse(NpmCataloger(), "/srv/package-lock.json",
                            R"({"packages":{"node_modules/a":{"version":")" + long_version + R"("}}})"),
                    std::runtime_error);
    CHECK(analyse(DpkgCataloger(), "/var/lib/dpkg/status",
                  "Package: a\nStatus: install ok installed\nVersion: " + std::string(4096, '1') + "\n")
              .packages.size() == 1);
}

TEST_SUITE_END();
