#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>

#include <unistd.h>

#include "log/secrets.hpp"
#include "serve/import_runner.hpp"
#include "triage/input.hpp"
#include "triage/policy.hpp"
#include "util/time.hpp"
#include "temp_dir.hpp"

using namespace regscan;
using namespace regscan::serve;
using nlohmann::json;
using regscan::test::TempDir;

namespace {

state::ConnectorRecord connector() {
    state::ConnectorRecord c;
    c.id = 7;
    c.name = "prod";
    c.config = {{"url", "https://harbor.corp:443"},
                {"type", "HARBOR"},
                {"username", "robot$ci"},
                {"allow", {"team/*"}},
                {"deny", {"team/old*"}},
                {"platform", "linux/arm64"},
                {"max_tags_per_repo", 5},
                {"max_tag_age_days", 30},
                {"image_timeout", "90s"},
                {"options", {{"project", "core"}}}};
    return c;
}

scan::ImageResult result(const std::string& platform, scan::ScanStatus status) {
    scan::ImageResult r;
    r.registry = "reg:5000";
    r.repository = "team/app";
    r.tag = "1.0";
    r.digest = "sha256:" + std::string(64, platform == "linux/amd64" ? 'a' : 'b');
    r.platform = platform;
    r.status = status;
    return r;
}

}  // namespace

TEST_SUITE_BEGIN("serve");

TEST_CASE("serve::import_run_options puts the connector on top of serve's defaults") {
    TempDir dir;
    auto box = SecretBox::from_key_file(dir.path / "key");
    auto c = connector();
    c.sealed_password = box.seal("Runner-Secret-Pw-1");
    engine::RunOptions defaults;
    defaults.concurrency = 3;
    defaults.db_path = "/data/osv.db";
    defaults.formats = {"table", "sarif"};
    defaults.plugin_options = {{"serve_wide", "1"}};
    auto run = import_run_options(defaults, c, box, dir.path / "imports" / "4");
    CHECK(run.url == "https://harbor.corp:443");
    CHECK(run.type == "HARBOR");
    CHECK(run.credentials.username == "robot$ci");
    CHECK(run.credentials.password == "Runner-Secret-Pw-1");
    CHECK(log::redact("pw Runner-Secret-Pw-1") == "pw ***");  // registered with the redacting sink
    CHECK(run.allow == std::vector<std::string>{"team/*"});
    CHECK(run.deny == std::vector<std::string>{"team/old*"});
    CHECK(run.platform == "linux/arm64");
    CHECK(run.max_tags_per_repo == 5);
    CHECK(run.max_tag_age_days == 30);
    CHECK(run.image_timeout == std::chrono::seconds(90));
    CHECK(run.plugin_options.at("project") == "core");
    CHECK(run.plugin_options.at("serve_wide") == "1");
    CHECK(run.given_plugin_options == std::set<std::string>{"project"});
    CHECK(run.formats == std::vector<std::string>{"json", "sarif"});
    CHECK(run.output_dir == (dir.path / "imports" / "4").string());
    CHECK(run.concurrency == 3);
    CHECK(run.db_path == "/data/osv.db");
    CHECK(run.mode == engine::Mode::scan);
    CHECK_FALSE(run.progress);
    CHECK(run.observer == nullptr);

    c.sealed_password.clear();
    c.config = {{"url", "http://reg:5000"}};
    run = import_run_options(defaults, c, box, dir.path);
    CHECK(run.credentials.empty());
    CHECK(run.platform == defaults.platform);
    CHECK(run.image_timeout == defaults.image_timeout);
}

TEST_CASE("serve::import_policy reads the triage files again, expiring entries on the import's day") {
    TempDir dir;
    auto file = dir.path / "ignore";
    auto write = [&](const std::string& text) { std::ofstream(file, std::ios::binary | std::ios::trunc) << text; };
    auto at = [](const char* text) { return *util::parse_rfc3339(text); };
    engine::RunOptions defaults;
    CHECK(import_policy(defaults, at("2026-03-01T00:00:00Z")) == nullptr);  // nothing asked: the defaults' own

    write("PYSEC-2018-28 exp:2026-03-02 # fixed upstream soon\n");
    defaults.triage_options =
        std::make_shared<const triage::PolicyOptions>(triage::PolicyOptions{{}, false, file.string(), {}, {}});
    defaults.triage = triage::load_policy(*defaults.triage_options, "2026-03-01");  // as serve started
    auto last_day = import_policy(defaults, at("2026-03-01T23:59:59Z"));
    REQUIRE(last_day);
    CHECK_FALSE(last_day->suppresses_nothing());
    CHECK(last_day->warnings().empty());
    // The day it expires: left out, with the warning the run logs.
    auto expired = import_policy(defaults, at("2026-03-02T00:00:00Z"));
    REQUIRE(expired);
    CHECK(expired->suppresses_nothing());
    REQUIRE(expired->warnings().size() == 1);
    CHECK(expired->warnings()[0].find("expired on 2026-03-02") != std::string::npos);

    // An edited file takes effect at the next import; a broken one fails it.
    write("PYSEC-2018-28\nGHSA-xxxx-yyyy-zzzz\n");
    auto edited = import_policy(defaults, at("2026-03-05T00:00:00Z"));
    REQUIRE(edited);
    CHECK(edited->fingerprint() != last_day->fingerprint());
    CHECK(edited->describe().find("2 ignore entries") != std::string::npos);
    write("PYSEC-2018-28 exp:tomorrow\n");
    CHECK_THROWS_AS(import_policy(defaults, at("2026-03-05T00:00:00Z")), triage::InputError);
    std::filesystem::remove(file);
    CHECK_THROWS_AS(import_policy(defaults, at("2026-03-05T00:00:00Z")), triage::InputError);
}

TEST_CASE("serve::index_rows: one row per platform, counts by severity, a timeout is scan_failed") {
    auto c = connector();
    engine::ImageRecord image;
    image.repository.name = "team/app";
    image.tag = "1.0";
    image.digest = "sha256:" + std::string(64, 'i');
    const std::string reference = "reg:5000/team/app:1.0";

    auto amd = result("linux/amd64", scan::ScanStatus::reused);
    for (auto severity : {scan::Severity::critical, scan::Severity::critical, scan::Severity::high,
                          scan::Severity::low, scan::Severity::unknown}) {
        scan::Vulnerability v;
        v.severity = severity;
        amd.vulnerabilities.push_back(v);
    }
    amd.malware.verdict = scan::MalwareVerdict::found;
    amd.malware.findings.resize(2);
    auto arm = result("linux/arm64", scan::ScanStatus::scan_failed);
    arm.error = "image scan timed out";
    std::vector<scan::ImageResult> results{amd, arm};

    auto rows = index_rows({image, reference, results, true, true}, c, "default", 11, "2026-03-01T00:00:00Z");
    REQUIRE(rows.size() == 2);
    CHECK(rows[0].connector_id == 7);
    CHECK(rows[0].connector == "prod");
    CHECK(rows[0].project == "default");
    CHECK(rows[0].registry == "reg:5000");
    CHECK(rows[0].platform == "linux/amd64");
    CHECK(rows[0].digest == amd.digest);
    CHECK(rows[0].status == "scanned");
    CHECK(rows[0].vulnerabilities.critical == 2);
    CHECK(rows[0].vulnerabilities.high == 1);
    CHECK(rows[0].vulnerabilities.medium == 0);
    CHECK(rows[0].vulnerabilities.low == 1);
    CHECK(rows[0].vulnerabilities.unknown == 1);
    CHECK(rows[0].malware_verdict == "found");
    CHECK(rows[0].malware_found == 2);
    CHECK(rows[0].import_id == 11);
    CHECK(rows[1].status == "scan_failed");
    CHECK(rows[1].reason.find("image timeout") != std::string::npos);
    CHECK(rows[1].reason.find("image scan timed out") != std::string::npos);

    // A failure that is not a timeout is "failed".
    rows = index_rows({image, reference, results, false, false}, c, "default", 11, "2026-03-01T00:00:00Z");
    CHECK(rows[1].status == "failed");
    CHECK(rows[1].reason == "image scan timed out");
    CHECK(rows[0].malware_verdict == "found");
    // A finding triage suppressed (an ignore entry) is not in the Malware column's count.
    results[0].malware.findings[1].suppressed = scan::Suppression{"ignore-file", "known good", "", "f", ""};
    rows = index_rows({image, reference, results, false, false}, c, "default", 11, "t");
    CHECK(rows[0].malware_found == 1);
    amd.malware = {};
    std::vector<scan::ImageResult> clean{amd};
    rows = index_rows({image, reference, clean, false, false}, c, "default", 11, "t");
    CHECK(rows[0].malware_verdict == "not scanned");

    // An image whose manifest could not be read: one row without a platform.
    image.error = "manifest unknown";
    std::vector<scan::ImageResult> none;
    rows = index_rows({image, reference, none, false, false}, c, "default", 11, "t");
    REQUIRE(rows.size() == 1);
    CHECK(rows[0].platform == "");
    CHECK(rows[0].status == "failed");
    CHECK(rows[0].reason == "manifest unknown");
    CHECK(rows[0].digest == image.digest);

    // Untagged images are rows of their own, named by digest.
    image.tag.clear();
    rows = index_rows({image, reference, none, false, false}, c, "default", 11, "t");
    CHECK(rows[0].tag == "@" + image.digest);
}

TEST_CASE("serve::import_end: cancelled or interrupted only when the cancel or the stop left something out") {
    auto is = [](const serve::ImportEnd& end, const std::string& state, const std::string& error) {
        CHECK(end.state == state);
        CHECK(end.error == error);
    };
    // Nothing asked: as the run went.
    is(serve::import_end(false, false, true, 3, 3, true), "succeeded", "");
    is(serve::import_end(false, false, true, 3, 3, false), "partial", "");
    // A cancel with images left, or during the listing (even one that found nothing yet).
    is(serve::import_end(true, false, true, 1, 3, true), "cancelled", "cancelled on request after 1 of 3 images");
    is(serve::import_end(true, false, false, 0, 0, true), "cancelled", "cancelled on request after 0 of 0 images");
    // A cancel after the last image changes nothing.
    is(serve::import_end(true, false, true, 3, 3, true), "succeeded", "");
    is(serve::import_end(true, false, true, 3, 3, false), "partial", "");
    // The server stopping: the same rule. During the listing it is never taken for a complete import
    // (a succeeded one drops every image it did not list from the index).
    is(serve::import_end(false, true, false, 0, 0, true), "interrupted", "the server stopped during this import");
    is(serve::import_end(false, true, true, 2, 3, true), "interrupted", "the server stopped during this import");
    is(serve::import_end(false, true, true, 3, 3, true), "succeeded", "");
    // Both: the user's cancel names it.
    is(serve::import_end(true, true, true, 2, 3, true), "cancelled", "cancelled on request after 2 of 3 images");
}

TEST_SUITE_END();
