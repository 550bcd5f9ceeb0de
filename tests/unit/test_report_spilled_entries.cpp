#include <doctest/doctest.h>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fstream>
#include <sstream>

#include "report/cyclonedx_report.hpp"
#include "report/json_report.hpp"
#include "report/report_file.hpp"
#include "report/spilled_entries.hpp"
#include "test_report_fixtures.hpp"

using namespace regscan;
using namespace report_fixtures;
using nlohmann::json;

TEST_SUITE_BEGIN("report");

namespace {

size_t files_in(const std::filesystem::path& dir) {
    size_t count = 0;
    for ([[maybe_unused]] const auto& entry : std::filesystem::directory_iterator(dir)) ++count;
    return count;
}

}  // namespace

TEST_CASE("report::SpilledEntries writes its entries in key order inside the document, as dump_json would") {
    TempDir dir("spill-order");
    auto report = dir.path / "r.json";
    std::string text;
    {
        report::SpilledEntries entries(report);
        CHECK(files_in(dir.path) == 1);  // the scratch file, beside the report
        entries.add({"r", "b", "1", "linux/amd64", "d"}, json{{"name", "b"}, {"list", {1, 2}}});
        entries.add({"r", "a", "2", "linux/amd64", "d"}, json{{"name", "a2"}});
        entries.add({"r", "a", "1", "linux/arm64", "d"}, json{{"name", "a1-arm"}});
        entries.add({"r", "a", "1", "linux/amd64", "d"}, json{{"name", "a1-amd"}});
        entries.add({"r", "a", "1", "linux/amd64", "d"}, json{{"name", "a1-amd-again"}});
        CHECK(entries.size() == 5);
        std::ostringstream out;
        entries.write_document(out, json{{"tool", "regscan"}, {"zeta", {{"images", json::array()}}}}, "images");
        text = out.str();
    }
    CHECK(files_in(dir.path) == 0);  // removed with the object

    json expected = {{"tool", "regscan"},
                     {"zeta", {{"images", json::array()}}},
                     {"images",
                      {{{"name", "a1-amd"}}, {{"name", "a1-amd-again"}}, {{"name", "a1-arm"}}, {{"name", "a2"}},
                       {{"name", "b"}, {"list", {1, 2}}}}}};
    CHECK(text == report::dump_json(expected));
}

TEST_CASE("report::SpilledEntries copies pieces of another file and says where each entry was written") {
    TempDir dir("spill-pieces");
    auto other = dir.path / "other";
    {
        std::ofstream out(other, std::ios::binary);
        out << "0123456789";
    }
    int fd = ::open(other.c_str(), O_RDONLY | O_CLOEXEC);
    REQUIRE(fd >= 0);
    auto report = dir.path / "r.json";
    report::SpilledEntries entries(report);
    auto b = entries.add_pieces({"b"}, {report::SpilledEntries::Piece(fd, 2, 3), std::string_view("x"),
                                        report::SpilledEntries::Piece(fd, 8, 2)});
    auto a = entries.add_pieces({"a"}, {std::string_view("\"a\""), std::string_view("")});
    CHECK(b == 0);
    CHECK(a == 1);
    std::ostringstream out;
    entries.write_document(out, json{{"k", 1}}, "images");
    entries.write_document_to(report, json{{"k", 1}}, "images");
    ::close(fd);
    const std::string expected = "{\n  \"images\": [\n\"a\",\n234x89\n  ],\n  \"k\": 1\n}\n";
    CHECK(out.str() == expected);
    CHECK(read_text(report) == expected);
    CHECK(entries.written(a) == std::pair<off_t, size_t>{16, 3});
    CHECK(entries.written(b) == std::pair<off_t, size_t>{21, 6});
    struct stat st {};
    REQUIRE(::stat(report.c_str(), &st) == 0);
    CHECK(entries.written_inode() == st.st_ino);
}

TEST_CASE("report::SpilledEntries without entries writes an empty array") {
    TempDir dir("spill-empty");
    report::SpilledEntries entries(dir.path / "r.json");
    std::ostringstream out;
    entries.write_document(out, json{{"summary", {{"images_found", 0}}}}, "images");
    CHECK(json::parse(out.str()) == json{{"summary", {{"images_found", 0}}}, {"images", json::array()}});
}

TEST_CASE("report::SpilledEntries replaces bytes that are not UTF-8, as dump_json does") {
    TempDir dir("spill-bytes");
    report::SpilledEntries entries(dir.path / "r.json");
    entries.add({}, json{{"text", std::string("caf\xe9")}});
    std::ostringstream out;
    entries.write_document(out, json::object(), "images");
    CHECK(out.str().find("caf\xef\xbf\xbd") != std::string::npos);
}

TEST_CASE("report::JsonReport and CycloneDxReport do not depend on the order scans finish in") {
    auto forward = rich_images();
    auto backward = std::vector<scan::ImageResult>(forward.rbegin(), forward.rend());
    auto write = [](auto make, const std::string& name, const std::vector<scan::ImageResult>& images) {
        TempDir dir(name);
        auto reporter = make(rich_run(dir.path));
        feed(reporter, images);
        auto document = read_json(reporter.finish(rich_summary())[0]);
        document.erase("serialNumber");  // CycloneDX: fresh per BOM
        return document;
    };
    auto json_report = [](const sdk::ReportRun& run) { return report::JsonReport(run); };
    auto cyclonedx = [](const sdk::ReportRun& run) { return report::CycloneDxReport(run); };
    CHECK(write(json_report, "order-json-a", forward) == write(json_report, "order-json-b", backward));
    CHECK(write(cyclonedx, "order-cdx-a", forward) == write(cyclonedx, "order-cdx-b", backward));
}

TEST_SUITE_END();
