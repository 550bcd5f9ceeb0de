#include <doctest/doctest.h>

#include <set>

#include "report/report_file.hpp"
#include "report/sarif_report.hpp"
#include "test_report_fixtures.hpp"

using namespace regscan;
using namespace report_fixtures;

namespace {

nlohmann::json rich_sarif(const std::filesystem::path& dir) {
    report::SarifReport reporter(rich_run(dir));
    feed(reporter, rich_images());
    auto paths = reporter.finish(rich_summary());
    REQUIRE(paths.size() == 1);
    CHECK(paths[0] == (dir / "127-0-0-1-5000-report.sarif").string());
    return read_json(paths[0]);
}

const nlohmann::json& rule(const nlohmann::json& run, const std::string& id) {
    for (const auto& r : run["tool"]["driver"]["rules"])
        if (r["id"] == id) return r;
    FAIL("no rule " << id);
    throw std::logic_error("unreachable");
}

}  // namespace

TEST_SUITE_BEGIN("report");

TEST_CASE("report::sarif_level maps critical and high to error, medium to warning, the rest to note") {
    CHECK(report::sarif_level(scan::Severity::critical) == "error");
    CHECK(report::sarif_level(scan::Severity::high) == "error");
    CHECK(report::sarif_level(scan::Severity::medium) == "warning");
    CHECK(report::sarif_level(scan::Severity::low) == "note");
    CHECK(report::sarif_level(scan::Severity::unknown) == "note");
}

TEST_CASE("report::sarif_security_severity gives the CVSS score, else a score in the severity's band") {
    CHECK(report::sarif_security_severity(scan::Severity::high, 7.5) == "7.5");
    CHECK(report::sarif_security_severity(scan::Severity::critical, 9.81) == "9.8");
    CHECK(report::sarif_security_severity(scan::Severity::critical, 0) == "9.5");
    CHECK(report::sarif_security_severity(scan::Severity::high, 0) == "8.0");
    CHECK(report::sarif_security_severity(scan::Severity::medium, 0) == "5.5");
    CHECK(report::sarif_security_severity(scan::Severity::low, 0) == "2.0");
    CHECK(report::sarif_security_severity(scan::Severity::unknown, 0) == std::nullopt);
}

TEST_CASE("report::sarif_image_uri escapes the port's colon so the reference is not read as a scheme") {
    scan::ImageResult image;
    image.registry = "127.0.0.1:5000";
    image.repository = "team/api";
    image.tag = "1.4";
    CHECK(report::sarif_image_uri(image) == "127.0.0.1%3A5000/team/api:1.4");
    image.registry = "[::1]:5000";
    image.tag = "";
    image.digest = digest_a;
    CHECK(report::sarif_image_uri(image) == "%5B%3A%3A1%5D%3A5000/team/api@sha256:" + std::string(64, 'a'));
}

TEST_CASE("report::SarifReport has one rule per vulnerability and misconfiguration id") {
    TempDir dir("sarif-rules");
    auto document = rich_sarif(dir.path);
    CHECK(document["version"] == "2.1.0");
    REQUIRE(document["runs"].size() == 1);
    const auto& run = document["runs"][0];
    const auto& driver = run["tool"]["driver"];
    CHECK(driver["name"] == "regscan");
    CHECK(driver["version"] == REGSCAN_VERSION);
    CHECK(driver["informationUri"] == report::tool_information_uri);
    std::vector<std::string> ids;
    for (const auto& r : driver["rules"]) ids.push_back(r["id"]);
    CHECK(ids == std::vector<std::string>{"DSA-5532-1", "GHSA-29mw-wpgm-hmr9", "GO-2023-2115", "PYSEC-2023-74",
                                          "RS-CFG-001", "RS-CFG-002", "RS-CFG-006"});

    const auto& dsa = rule(run, "DSA-5532-1");
    CHECK(dsa["shortDescription"]["text"] == "openssl - security update");
    CHECK(dsa["helpUri"] == "https://osv.dev/vulnerability/DSA-5532-1");
    CHECK(dsa["properties"]["security-severity"] == "7.5");
    CHECK(dsa["defaultConfiguration"]["level"] == "error");
    CHECK(dsa["properties"]["aliases"] == nlohmann::json{"CVE-2023-5363"});
    CHECK(rule(run, "PYSEC-2023-74")["properties"]["security-severity"] == "6.1");
    CHECK(rule(run, "GO-2023-2115")["properties"].contains("security-severity") == false);
    CHECK(rule(run, "GO-2023-2115")["defaultConfiguration"]["level"] == "note");
    const auto& key = rule(run, "RS-CFG-006");
    CHECK(key["shortDescription"]["text"] == "Private key left in the image");
    CHECK(key["properties"]["security-severity"] == "9.5");
    CHECK(key["properties"]["tags"] == nlohmann::json{"security", "misconfiguration"});
    CHECK(key["helpUri"] == std::string(report::tool_information_uri) + "/blob/main/docs/misconfigurations.md#rs-cfg-006");
}

TEST_CASE("report::SarifReport gives one result per finding per image, located at the image and package") {
    TempDir dir("sarif-results");
    auto document = rich_sarif(dir.path);
    const auto& run = document["runs"][0];
    const auto& results = run["results"];
    // alpine: 1 misconfiguration; api amd64: 3 vulnerabilities (lodash twice
    // at two paths is one result) + 2 misconfigurations; api arm64: 2; broken: none.
    REQUIRE(results.size() == 8);
    std::vector<std::string> order;
    for (const auto& r : results) order.push_back(r["ruleId"].get<std::string>() + " " + r["level"].get<std::string>());
    CHECK(order == std::vector<std::string>{"RS-CFG-002 note", "DSA-5532-1 error", "GHSA-29mw-wpgm-hmr9 warning",
                                            "PYSEC-2023-74 warning", "RS-CFG-006 error", "RS-CFG-001 warning",
                                            "GHSA-29mw-wpgm-hmr9 warning", "GO-2023-2115 note"});
    const auto& rules = run["tool"]["driver"]["rules"];
    for (const auto& r : results) CHECK(rules[r["ruleIndex"].get<size_t>()]["id"] == r["ruleId"]);

    const auto& dsa = results[1];
    CHECK(dsa["message"]["text"] ==
          "openssl 3.0.11-1~deb12u1 in 127.0.0.1:5000/team/api:1.4 (linux/amd64) is affected by DSA-5532-1 "
          "(CVE-2023-5363), severity high. Fixed in 3.0.11-1~deb12u2.");
    REQUIRE(dsa["locations"].size() == 1);
    CHECK(dsa["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "127.0.0.1%3A5000/team/api:1.4");
    CHECK(dsa["locations"][0]["logicalLocations"][0] ==
          nlohmann::json{{"name", "openssl@3.0.11-1~deb12u1"},
                         {"fullyQualifiedName", "127.0.0.1:5000/team/api:1.4/openssl@3.0.11-1~deb12u1"},
                         {"kind", "module"}});
    CHECK(dsa["properties"]["fixed_version"] == "3.0.11-1~deb12u2");
    CHECK(dsa["properties"]["digest"] == digest_a);
    CHECK(results[7]["message"]["text"] ==
          "github.com/gofiber/fiber/v2 2.49.0 in 127.0.0.1:5000/team/api:1.4 (linux/arm64) is affected by "
          "GO-2023-2115 (CVE-2023-45128, GHSA-94w9-97p3-p368), severity unknown. Fixed in 2.50.0.");
    CHECK(results[4]["locations"][0]["logicalLocations"][0]["name"] == "/root/.ssh/id_rsa");
    CHECK(results[4]["message"]["text"] ==
          "Private key left in the image in 127.0.0.1:5000/team/api:1.4 (linux/amd64) at /root/.ssh/id_rsa: "
          "=an OpenSSH private key, 2602 bytes.");
    CHECK(results[0]["message"]["text"] ==
          "No HEALTHCHECK in 127.0.0.1:5000/base/alpine:3.18 (linux/amd64) at config.Healthcheck.");

    std::set<std::string> fingerprints;
    for (const auto& r : results) fingerprints.insert(r["partialFingerprints"]["regscan/v1"].get<std::string>());
    CHECK(fingerprints.size() == results.size());
    // The same finding on both platforms of one tag is two alerts.
    CHECK(results[2]["partialFingerprints"] != results[6]["partialFingerprints"]);
}

TEST_CASE("report::SarifReport fingerprints survive a rebuild of the tag") {
    TempDir dir("sarif-rebuild");
    auto before = rich_sarif(dir.path);
    auto images = rich_images();
    for (auto& image : images) image.digest = "sha256:" + std::string(64, '9');
    report::SarifReport reporter(rich_run(dir.path));
    feed(reporter, images);
    auto after = read_json(reporter.finish(rich_summary())[0]);
    CHECK(before["runs"][0]["results"][1]["partialFingerprints"] == after["runs"][0]["results"][1]["partialFingerprints"]);
}

TEST_CASE("report::SarifReport reports failed images and repositories as error notifications of an unsuccessful invocation") {
    TempDir dir("sarif-invocation");
    auto document = rich_sarif(dir.path);
    const auto& invocation = document["runs"][0]["invocations"][0];
    CHECK(invocation["executionSuccessful"] == false);
    CHECK(invocation["startTimeUtc"] == "2024-05-01T10:00:00Z");
    CHECK(invocation["endTimeUtc"] == "2024-05-01T10:05:00Z");
    REQUIRE(invocation["toolExecutionNotifications"].size() == 2);
    CHECK(invocation["toolExecutionNotifications"][0]["level"] == "error");
    CHECK(invocation["toolExecutionNotifications"][0]["message"]["text"] ==
          "scan of 127.0.0.1:5000/team/broken:2 failed: blob sha256:" + std::string(64, 'f') + ": digest mismatch");
    CHECK(invocation["toolExecutionNotifications"][1] ==
          nlohmann::json{{"level", "error"},
                         {"message", {{"text", "listing the tags of team/private failed: HTTP 403 listing tags"}}}});
    CHECK(document["runs"][0]["properties"]["registry"] == "http://127.0.0.1:5000");
    CHECK(document.dump().find("s3cret-pw") == std::string::npos);
}

TEST_CASE("report::sarif_message_text escapes what a SARIF viewer reads as a link or a placeholder") {
    CHECK(report::sarif_message_text("plain text: a/b@1.0 (linux/amd64).") == "plain text: a/b@1.0 (linux/amd64).");
    CHECK(report::sarif_message_text("[click](https://evil.example)") == "\\[click\\](https://evil.example)");
    CHECK(report::sarif_message_text("a\\[b]") == "a\\\\\\[b\\]");
    CHECK(report::sarif_message_text("{0} and {{") == "{{0}} and {{{{");
}

TEST_CASE("report::sarif_message_text for markdown escapes every ASCII punctuation character") {
    using report::SarifText;
    CHECK(report::sarif_message_text("plain words 42", SarifText::markdown) == "plain words 42");
    CHECK(report::sarif_message_text("[x](https://evil.example)", SarifText::markdown) ==
          "\\[x\\]\\(https\\:\\/\\/evil\\.example\\)");
    CHECK(report::sarif_message_text("<img src=x>", SarifText::markdown) == "\\<img src\\=x\\>");
    CHECK(report::sarif_message_text("`a` \\ *b* {0}", SarifText::markdown) == "\\`a\\` \\\\ \\*b\\* \\{0\\}");
    // UTF-8 and control bytes are no punctuation: left as they are.
    CHECK(report::sarif_message_text("caf\xc3\xa9\n", SarifText::markdown) == "caf\xc3\xa9\n");
}

TEST_CASE("report::SarifReport escapes an OSV summary in a rule's help.markdown") {
    TempDir dir("sarif-markdown");
    auto images = rich_images();
    const std::string summary = "See [docs](https://evil.example/x) <script>alert(1)</script> `rm -rf /`";
    for (auto& image : images)
        for (auto& v : image.vulnerabilities)
            if (v.id == "DSA-5532-1") v.summary = summary;
    report::SarifReport reporter(rich_run(dir.path));
    feed(reporter, images);
    auto document = read_json(reporter.finish(rich_summary())[0]);
    const auto& dsa = rule(document["runs"][0], "DSA-5532-1");
    const std::string markdown = dsa["help"]["markdown"];
    CHECK(markdown == "**DSA\\-5532\\-1**: See \\[docs\\]\\(https\\:\\/\\/evil\\.example\\/x\\) "
                      "\\<script\\>alert\\(1\\)\\<\\/script\\> \\`rm \\-rf \\/\\` \\(aliases\\: CVE\\-2023\\-5363\\)"
                      "\n\n[https://osv.dev/vulnerability/DSA-5532-1](https://osv.dev/vulnerability/DSA-5532-1)");
    // The plain text forms keep the summary as it is.
    CHECK(dsa["shortDescription"]["text"] == summary);
}

TEST_CASE("report::SarifReport escapes registry-chosen brackets in every message.text") {
    TempDir dir("sarif-links");
    auto images = rich_images();
    const std::string link = "[click here](https://evil.example/x)";
    for (auto& image : images) {
        image.platform = link + "/amd64";
        for (auto& m : image.misconfigurations) m.detail = "label " + link + " holds a secret";
        for (auto& v : image.vulnerabilities) v.package_name = link;
        if (image.status == scan::ScanStatus::scan_failed) image.error = "HTTP 500: " + link;
    }
    auto summary = rich_summary();
    summary["failed_repositories"][0]["error"] = "HTTP 403: " + link;
    report::SarifReport reporter(rich_run(dir.path));
    feed(reporter, images);
    auto document = read_json(reporter.finish(summary)[0]);
    const auto& run = document["runs"][0];
    std::vector<std::string> texts;
    for (const auto& r : run["results"]) texts.push_back(r["message"]["text"]);
    for (const auto& n : run["invocations"][0]["toolExecutionNotifications"]) texts.push_back(n["message"]["text"]);
    REQUIRE(texts.size() == 9);  // 7 results (one package name now: two merge), 2 notifications
    for (const auto& text : texts) {
        INFO(text);
        CHECK(text.find("\\[click here\\](https://evil.example/x)") != std::string::npos);
        // Every bracket is escaped, none forms a link.
        for (size_t i = 0; i < text.size(); ++i)
            if (text[i] == '[' || text[i] == ']') CHECK((i > 0 && text[i - 1] == '\\'));
    }
}

TEST_CASE("report::SarifReport output is valid against the SARIF 2.1.0 schema") {
    TempDir dir("sarif-schema");
    rich_sarif(dir.path);
    auto validation = validate_reports(dir.path);
    INFO(validation.output);
    CHECK(validation.exit_code == 0);
    CHECK(validation.output.find("127-0-0-1-5000-report.sarif: valid") != std::string::npos);
}

TEST_CASE("report::validate_reports fails on a SARIF log with a bad level or rule index and names the path") {
    TempDir dir("sarif-invalid");
    auto document = rich_sarif(dir.path);
    document["runs"][0]["results"][0]["level"] = "fatal";
    auto path = dir.path / "127-0-0-1-5000-report.sarif";
    std::ofstream(path, std::ios::trunc) << document.dump();
    auto validation = validate_reports(dir.path);
    CHECK(validation.exit_code == 1);
    CHECK(validation.output.find("127-0-0-1-5000-report.sarif: $.runs[0].results[0].level: 'fatal'") !=
          std::string::npos);

    document["runs"][0]["results"][0]["level"] = "note";
    document["runs"][0]["results"][0]["ruleIndex"] = 0;
    std::ofstream(path, std::ios::trunc) << document.dump();
    validation = validate_reports(dir.path);
    CHECK(validation.exit_code == 1);
    CHECK(validation.output.find("$.runs[0].results[0].ruleIndex: 0 is not the index of rule 'RS-CFG-002'") !=
          std::string::npos);
}

TEST_CASE("report::SarifReport invocation is successful when nothing failed, and not once the run was stopped") {
    // The invocation of a run whose only failure is none, or its stop; the document is valid either way.
    auto invocation_of = [](const std::string& name, size_t images_stopped) {
        TempDir dir(name);
        auto images = rich_images();
        images.erase(images.begin());  // the failed image
        auto summary = rich_summary();
        summary["failed_repositories"] = nlohmann::json::array();
        summary["images_stopped"] = images_stopped;
        report::SarifReport reporter(rich_run(dir.path));
        feed(reporter, images);
        auto document = read_json(reporter.finish(summary)[0]);
        auto validation = validate_reports(dir.path);
        INFO(validation.output);
        CHECK(validation.exit_code == 0);
        return std::make_pair(document["runs"][0]["invocations"][0], report::stopped_run_note(summary));
    };
    auto [whole, no_note] = invocation_of("sarif-success", 0);
    CHECK(whole["executionSuccessful"] == true);
    CHECK(whole.contains("toolExecutionNotifications") == false);
    CHECK(no_note.empty());

    // A code-scanning service would close the alerts of the images a stopped run's document lacks.
    auto [stopped, note] = invocation_of("sarif-stopped", 2);
    CHECK(stopped["executionSuccessful"] == false);
    REQUIRE(stopped["toolExecutionNotifications"].size() == 1);
    CHECK(stopped["toolExecutionNotifications"][0]["message"]["text"] == note);
}

TEST_SUITE_END();
