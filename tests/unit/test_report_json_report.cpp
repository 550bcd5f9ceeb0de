#include <doctest/doctest.h>

#include <sys/stat.h>

#include <fstream>
#include <map>

#include "report/json_report.hpp"
#include "test_report_fixtures.hpp"

using namespace regscan;
using namespace report_fixtures;

TEST_SUITE_BEGIN("report");

TEST_CASE("report::JsonReport writes every image sorted, the run and the summary") {
    TempDir dir("json");
    report::JsonReport reporter(rich_run(dir.path));
    feed(reporter, rich_images());
    auto paths = reporter.finish(rich_summary());
    REQUIRE(paths.size() == 1);
    CHECK(paths[0] == (dir.path / "127-0-0-1-5000-report.json").string());

    auto document = read_json(paths[0]);
    CHECK(document["schema_version"] == 1);
    CHECK(document["tool"]["name"] == "regscan");
    CHECK(document["tool"]["version"] == REGSCAN_VERSION);
    CHECK(document["run"] == nlohmann::json{{"registry", "http://127.0.0.1:5000"},
                                            {"mode", "scan"},
                                            {"started", "2024-05-01T10:00:00Z"}});
    CHECK(document["summary"] == rich_summary());
    REQUIRE(document["images"].size() == 4);
    std::vector<std::string> order;
    for (const auto& image : document["images"])
        order.push_back(image["repository"].get<std::string>() + ":" + image["tag"].get<std::string>() + " " +
                        image["platform"].get<std::string>());
    CHECK(order == std::vector<std::string>{"base/alpine:3.18 linux/amd64", "team/api:1.4 linux/amd64",
                                            "team/api:1.4 linux/arm64", "team/broken:2 linux/amd64"});
    // The images round-trip through the model unchanged.
    auto api = document["images"][1].get<scan::ImageResult>();
    CHECK(nlohmann::json(api) == document["images"][1]);
    CHECK(api.vulnerabilities.size() == 4);
    CHECK(api.packages.size() == 6);
    CHECK(document["images"][3]["status"] == "scan_failed");
    CHECK(document["images"][0]["status"] == "reused");
    CHECK(document["images"][3]["os"].is_null());
}

TEST_CASE("report::JsonReport replaces bytes that are not UTF-8 and never writes the URL's credentials") {
    TempDir dir("json-bytes");
    report::JsonReport reporter(rich_run(dir.path));
    feed(reporter, rich_images());
    auto text = read_text(reporter.finish(rich_summary())[0]);
    CHECK(text.find("caf\xef\xbf\xbd menu") != std::string::npos);
    CHECK(text.find("s3cret-pw") == std::string::npos);
    CHECK(text.find("scanner") == std::string::npos);
}

TEST_CASE("report::JsonReport output is valid against the documented JSON Schema") {
    TempDir dir("json-schema");
    report::JsonReport reporter(rich_run(dir.path));
    feed(reporter, rich_images());
    reporter.finish(rich_summary());
    auto validation = validate_reports(dir.path);
    INFO(validation.output);
    CHECK(validation.exit_code == 0);
    CHECK(validation.output.find("127-0-0-1-5000-report.json: valid") != std::string::npos);
}

TEST_CASE("report::JsonReport with no images still writes a valid report") {
    TempDir dir("json-empty");
    report::JsonReport reporter(rich_run(dir.path));
    auto summary = rich_summary();
    summary["images_found"] = 0;
    reporter.finish(summary);
    auto document = read_json(dir.path / "127-0-0-1-5000-report.json");
    CHECK(document["images"] == nlohmann::json::array());
    auto validation = validate_reports(dir.path);
    INFO(validation.output);
    CHECK(validation.exit_code == 0);
}

TEST_CASE("report::validate_reports fails on a JSON report that breaks the schema and names the path") {
    TempDir dir("json-invalid");
    report::JsonReport reporter(rich_run(dir.path));
    feed(reporter, rich_images());
    auto path = reporter.finish(rich_summary())[0];
    auto document = read_json(path);
    document["images"][1]["vulnerabilities"][0]["severity"] = "severe";
    std::ofstream(path, std::ios::trunc) << document.dump();
    auto validation = validate_reports(dir.path);
    CHECK(validation.exit_code == 1);
    CHECK(validation.output.find("127-0-0-1-5000-report.json: $.images[1].vulnerabilities[0].severity: 'severe'") !=
          std::string::npos);
}

TEST_CASE("report::validate_reports fails on a directory without reports") {
    TempDir dir("json-none");
    auto validation = validate_reports(dir.path);
    CHECK(validation.exit_code == 1);
    CHECK(validation.output.find("no report found") != std::string::npos);
}

namespace {

// One run of the JSON report over rich_images() with stored renderings, as the
// pipeline hands them over: each tag's entries with its row's reference, the
// text given (`with_text`) or left in the previous report.
struct StoredRun {
    std::string bytes;
    std::vector<report::EntriesRef> refs;
    bool any_text_needed = false;
};

StoredRun stored_run(const std::filesystem::path& dir, scan::ScanStatus status, bool with_text,
                     const std::map<std::string, std::string>& refs_by_tag) {
    report::JsonReport reporter(rich_run(dir));
    auto images = rich_images();
    std::map<std::string, size_t> per_tag;
    for (const auto& image : images) ++per_tag[image.repository + ":" + image.tag];
    std::map<std::string, size_t> seen;
    StoredRun run;
    std::vector<std::string> entries;
    for (auto image : images) {
        const std::string tag = image.repository + ":" + image.tag;
        const std::string ref = refs_by_tag.count(tag) ? refs_by_tag.at(tag) : "new:token";
        image.status = scan::ScanStatus::scanned;  // as rendered when the image was scanned
        std::string entry = report::json_entry(image);
        image.status = status;
        bool needs = reporter.needs_entry_text(ref);
        run.any_text_needed = run.any_text_needed || needs;
        reporter.stored_result(image, {with_text ? std::string_view(entry) : std::string_view(), image.packages.size(),
                                       "sha256:tag-" + tag, ref, seen[tag]++, per_tag[tag]});
    }
    reporter.finish(rich_summary());
    run.refs = reporter.entries_refs();
    run.bytes = read_text(reporter.path());
    return run;
}

std::map<std::string, std::string> by_tag(const std::vector<report::EntriesRef>& refs) {
    std::map<std::string, std::string> out;
    for (const auto& ref : refs) out[ref.repository + ":" + ref.tag] = ref.new_ref;
    return out;
}

}  // namespace

TEST_CASE("report::JsonReport copies unchanged entries from its previous file: the bytes a report from the text has") {
    TempDir dir("json-previous");
    TempDir other("json-previous-text");
    auto first = stored_run(dir.path, scan::ScanStatus::scanned, true, {});
    CHECK(first.bytes == stored_run(other.path, scan::ScanStatus::scanned, true, {}).bytes);
    // One reference per tag (team/api:1.4 has two platforms), over the row's token.
    REQUIRE(first.refs.size() == 3);
    for (const auto& ref : first.refs) {
        CHECK(ref.old_ref == "new:token");
        CHECK(ref.tag_digest == "sha256:tag-" + ref.repository + ":" + ref.tag);
        auto parsed = report::parse_entries_ref(ref.new_ref);
        REQUIRE(parsed.has_value());
        CHECK(parsed->entries.size() == (ref.repository == "team/api" ? 2u : 1u));
        for (const auto& e : parsed->entries)
            CHECK(first.bytes.substr(static_cast<size_t>(e.status_at), e.status_length) == "scanned");
    }

    // The rescan: no entry text needed, every entry copied, status replaced.
    auto rescan = stored_run(dir.path, scan::ScanStatus::reused, false, by_tag(first.refs));
    CHECK_FALSE(rescan.any_text_needed);
    auto expected = stored_run(other.path, scan::ScanStatus::reused, true, {});
    CHECK(rescan.bytes == expected.bytes);
    REQUIRE(rescan.refs.size() == 3);
    for (const auto& ref : rescan.refs) {
        auto parsed = report::parse_entries_ref(ref.new_ref);
        REQUIRE(parsed.has_value());
        for (const auto& e : parsed->entries)
            CHECK(rescan.bytes.substr(static_cast<size_t>(e.status_at), e.status_length) == "reused");
    }
    // And again from the copy.
    CHECK(stored_run(dir.path, scan::ScanStatus::reused, false, by_tag(rescan.refs)).bytes == expected.bytes);
}

TEST_CASE("report::JsonReport needs the entries' text when its previous file is not the one referred to") {
    TempDir dir("json-previous-changed");
    auto first = stored_run(dir.path, scan::ScanStatus::scanned, true, {});
    auto refs = by_tag(first.refs);
    auto path = dir.path / "127-0-0-1-5000-report.json";
    {
        report::JsonReport reporter(rich_run(dir.path));
        for (const auto& [tag, ref] : refs) CHECK_FALSE(reporter.needs_entry_text(ref));
        CHECK(reporter.needs_entry_text("new:token"));
        CHECK(reporter.needs_entry_text(""));
        CHECK(reporter.needs_entry_text("json1 garbage"));
    }
    // The same bytes written again (another inode, other times): not the file referred to.
    {
        std::ofstream out(path.string() + ".copy", std::ios::binary);
        out << first.bytes;
    }
    std::filesystem::rename(path.string() + ".copy", path);
    {
        report::JsonReport reporter(rich_run(dir.path));
        for (const auto& [tag, ref] : refs) CHECK(reporter.needs_entry_text(ref));
    }
    std::filesystem::remove(path);
    {
        report::JsonReport reporter(rich_run(dir.path));
        for (const auto& [tag, ref] : refs) CHECK(reporter.needs_entry_text(ref));
    }
    // A FIFO at the path neither blocks the run nor counts as a previous report.
    REQUIRE(::mkfifo(path.c_str(), 0600) == 0);
    report::JsonReport reporter(rich_run(dir.path));
    for (const auto& [tag, ref] : refs) CHECK(reporter.needs_entry_text(ref));
}

TEST_CASE("report::parse_entries_ref reads what format_entries_ref writes and refuses anything else") {
    report::ReportEntriesRef ref{"1:2:3:4.5:6.7", {{10, 100, 50, 7}, {120, 80, 130, 6}}};
    auto text = report::format_entries_ref(ref);
    auto parsed = report::parse_entries_ref(text);
    REQUIRE(parsed.has_value());
    CHECK(parsed->identity == ref.identity);
    REQUIRE(parsed->entries.size() == 2);
    CHECK(parsed->entries[1].offset == 120);
    CHECK(parsed->entries[1].status_length == 6);
    for (const char* bad : {"", "new:0123", "json1", "json1 id 0", "json1 id 2 1:2:1:1", "json1 id 1 1:2:1",
                            "json1 id 1 -1:5:0:1", "json1 id 1 10:5:8:1", "json1 id 1 10:5:12:9", "json2 id 1 1:9:2:1",
                            "json1 id 1 1:9:2:1 ", "json1 id x 1:9:2:1"})
        CHECK_MESSAGE(!report::parse_entries_ref(bad).has_value(), bad);
}

TEST_SUITE_END();
