#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "report/csv_writer.hpp"
#include "report/inventory_csv.hpp"
#include "report/report_name.hpp"

using namespace regscan::report;

TEST_SUITE_BEGIN("report");

TEST_CASE("report::registry_file_stem turns host and port into a file name") {
    CHECK(registry_file_stem("https://test.azurecr.io") == "test-azurecr-io");
    CHECK(registry_file_stem("http://127.0.0.1:5000") == "127-0-0-1-5000");
    CHECK(registry_file_stem("https://reg.example:5443/prefix/") == "reg-example-5443");
    CHECK(registry_file_stem("http://[::1]:5000") == "1-5000");
}

TEST_CASE("report::csv_field quotes per RFC 4180 and defuses formulas") {
    CHECK(csv_field("plain") == "plain");
    CHECK(csv_field("a,b") == "\"a,b\"");
    CHECK(csv_field("say \"x\"") == "\"say \"\"x\"\"\"");
    CHECK(csv_field("=cmd()") == "'=cmd()");
    CHECK(csv_field("") == "");
    // Where ';' is the list separator a spreadsheet splits at each one,
    // quoted or not: no part may start a formula.
    CHECK(csv_field("0:x;=cmd|' /C calc'!A0") == "\"0:x;'=cmd|' /C calc'!A0\"");
    CHECK(csv_field("=a;+b;-c;@d;e") == "\"'=a;'+b;'-c;'@d;e\"");
    CHECK(csv_field("CVE-1;GHSA-2") == "\"CVE-1;GHSA-2\"");
    // Backslashes stay as they are without controls; with one, all is escaped.
    CHECK(csv_field("C:\\x") == "C:\\x");
    CHECK(csv_field("C:\\x\x1b") == "C:\\\\x\\e");
    CHECK(csv_field("evil\xe2\x80\xae" "fdp.exe") == "evil\\u{202e}fdp.exe");
    CHECK(csv_field("bad\xff") == "bad\\xff");
}

TEST_CASE("report::InventoryCsv writes the header and one row per image") {
    auto dir = std::filesystem::temp_directory_path() / "regscan-test-inventory";
    std::filesystem::remove_all(dir);
    InventoryCsv csv({"http://127.0.0.1:5000", "dry-run", dir.string(), ""});
    csv.image({{"reference_repository", "127.0.0.1:5000/a"}, {"tag", "1"}, {"build_time", "2019-01-01T01:29:27Z"},
               {"skipped", false}});
    csv.image({{"reference_repository", "127.0.0.1:5000/b"}, {"tag", "x"}, {"build_time", ""}, {"skipped", true}});
    auto paths = csv.finish({});
    REQUIRE(paths.size() == 1);
    CHECK(std::filesystem::path(paths[0]).filename() == "127-0-0-1-5000-report.csv");
    std::ifstream in(paths[0]);
    std::stringstream text;
    text << in.rdbuf();
    CHECK(text.str() ==
          "repository,tag,build_time,skipped\n127.0.0.1:5000/a,1,2019-01-01T01:29:27Z,false\n127.0.0.1:5000/b,x,,true\n");
    std::filesystem::remove_all(dir);
}

TEST_SUITE_END();
