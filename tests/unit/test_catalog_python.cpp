#include <doctest/doctest.h>

#include <filesystem>
#include <set>
#include <sstream>

#include "../fixtures/catalog/support.hpp"
#include "catalog/python_cataloger.hpp"

using namespace regscan::catalog;
using namespace regscan::catalog::testing;

TEST_SUITE_BEGIN("catalog");

TEST_CASE("catalog::python reads Debian's dist-packages exactly as importlib.metadata does") {
    const std::string dir = "/usr/lib/python3/dist-packages";
    // Python's own reader of installed distributions is the oracle.
    std::string listing = run(
        "/usr/bin/python3 -c \"import importlib.metadata as m\n"
        "for d in m.distributions(path=['" + dir + "']): print(d._path, d.metadata['Name'], d.version)\"");
    std::set<std::string> expected;
    std::istringstream in(listing);
    for (std::string line; std::getline(in, line);) expected.insert(line);
    REQUIRE(expected.size() > 10);

    PythonCataloger cataloger;
    std::set<std::string> got;
    analyse_tree(cataloger, dir, [&](const std::string& path, const FileFacts& facts) {
        REQUIRE(facts.packages.size() == 1);
        std::string dist = path;
        for (std::string_view file_name : {"/METADATA", "/PKG-INFO"}) {
            if (dist.ends_with(file_name)) dist.resize(dist.size() - file_name.size());
        }
        got.insert(dist + " " + facts.packages[0].name + " " + facts.packages[0].version);
    });
    CHECK(got == expected);
}

TEST_CASE("catalog::python reads the headers only, name as written") {
    FileFacts facts = analyse(PythonCataloger(), "/usr/local/lib/python3.11/site-packages/Flask_Login-0.6.2.dist-info/METADATA",
                              read_file(fixture_dir + "/python/METADATA"));
    REQUIRE(facts.packages.size() == 1);
    const auto& p = facts.packages[0];
    CHECK(p.type == "python");
    CHECK(p.ecosystem == "PyPI");
    CHECK(p.name == "Flask_Login");
    CHECK(p.version == "0.6.2");
    CHECK(p.purl == "pkg:pypi/flask-login@0.6.2");
    CHECK(p.location == "/usr/local/lib/python3.11/site-packages/Flask_Login-0.6.2.dist-info/METADATA");
}

TEST_CASE("catalog::python wants metadata files directly in site-packages") {
    PythonCataloger cataloger;
    auto wants = [&](const std::string& path) { return cataloger.wants({path, 1, 0100644}); };
    CHECK(wants("/usr/lib/python3.11/site-packages/requests-2.31.0.dist-info/METADATA"));
    CHECK(wants("/usr/lib/python3/dist-packages/six-1.16.0.egg-info/PKG-INFO"));
    CHECK(wants("/usr/lib/python3/dist-packages/six-1.16.0.egg-info"));
    CHECK(wants("/opt/venv/lib/python3.12/site-packages/pip-23.0.dist-info/METADATA"));
    CHECK_FALSE(wants("/usr/lib/python3.11/site-packages/requests-2.31.0.dist-info/RECORD"));
    CHECK_FALSE(wants("/src/requests-2.31.0.dist-info/METADATA"));  // not installed
    CHECK_FALSE(wants("/usr/lib/python3.11/site-packages/pip/_vendor/x-1.0.dist-info/METADATA"));
}

TEST_CASE("catalog::python refuses metadata without a version") {
    FileFacts facts;
    std::string metadata = "Metadata-Version: 2.1\nName: x\n\nVersion: 1.0\n";
    std::string path = "/usr/lib/python3/dist-packages/x.egg-info";
    std::string expected = path + ": no Name or Version header";
    CHECK_THROWS_WITH_AS(PythonCataloger().analyse({path, metadata.size(), 0100644}, metadata, facts),
                         expected.c_str(), std::runtime_error);
}

TEST_SUITE_END();
