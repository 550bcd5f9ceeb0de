// Suppressed findings (triage) are in the JSON report only: the table, the
// CSV files, SARIF and CycloneDX leave them out, the JSON marks them.
#include <doctest/doctest.h>

#include <sstream>

#include "report/cyclonedx_report.hpp"
#include "report/findings_csv.hpp"
#include "report/json_report.hpp"
#include "report/sarif_report.hpp"
#include "report/table_report.hpp"
#include "test_report_fixtures.hpp"

using namespace regscan;
using namespace report_fixtures;

namespace {

// rich_images() with PYSEC-2023-74 and RS-CFG-001 of team/api (amd64) suppressed.
std::vector<ImageResult> triaged_images() {
    auto images = rich_images();
    for (auto& image : images) {
        for (auto& v : image.vulnerabilities)
            if (v.id == "PYSEC-2023-74")
                v.suppressed = scan::Suppression{"vex", "never called", "code_not_reachable", "vex.json", ""};
        for (auto& m : image.misconfigurations)
            if (m.id == "RS-CFG-001") m.suppressed = scan::Suppression{"ignore-file", "root by design", "", ".regscanignore", ""};
    }
    return images;
}

// Every report of `images` into `dir`, the table into `console`.
void write_reports(const std::filesystem::path& dir, const std::vector<ImageResult>& images, std::ostream& console) {
    report::TableReport table(console);
    report::FindingsCsv csv(rich_run(dir));
    report::SarifReport sarif(rich_run(dir));
    report::CycloneDxReport cyclonedx(rich_run(dir));
    report::JsonReport json(rich_run(dir));
    for (sdk::Reporter* reporter : std::initializer_list<sdk::Reporter*>{&table, &csv, &sarif, &cyclonedx, &json}) {
        feed(*reporter, images);
        reporter->finish(rich_summary());
    }
}

}  // namespace

TEST_SUITE_BEGIN("triage");

TEST_CASE("triage::reports the table, CSV, SARIF and CycloneDX leave suppressed findings out") {
    TempDir dir("triage-reports");
    std::ostringstream console;
    write_reports(dir.path, triaged_images(), console);
    CHECK(console.str().find("PYSEC-2023-74") == std::string::npos);
    CHECK(console.str().find("RS-CFG-001") == std::string::npos);
    CHECK(console.str().find("  suppressed: 2 findings") != std::string::npos);
    CHECK(console.str().find("Vulnerabilities: 3 (1 high, 2 medium)") != std::string::npos);
    CHECK(read_text(dir.path / "127-0-0-1-5000-vulnerabilities.csv").find("PYSEC-2023-74") == std::string::npos);
    CHECK(read_text(dir.path / "127-0-0-1-5000-misconfigurations.csv").find("RS-CFG-001") == std::string::npos);
    CHECK(read_text(dir.path / "127-0-0-1-5000-misconfigurations.csv").find("RS-CFG-006") != std::string::npos);
    auto sarif_text = read_text(dir.path / "127-0-0-1-5000-report.sarif");
    CHECK(sarif_text.find("PYSEC-2023-74") == std::string::npos);
    CHECK(sarif_text.find("RS-CFG-001") == std::string::npos);
    CHECK(sarif_text.find("DSA-5532-1") != std::string::npos);
    auto bom = read_text(dir.path / "127-0-0-1-5000-report.cdx.json");
    CHECK(bom.find("PYSEC-2023-74") == std::string::npos);
    CHECK(bom.find("RS-CFG-001") == std::string::npos);
    CHECK(bom.find("GHSA-29mw-wpgm-hmr9") != std::string::npos);

    auto report = read_json(dir.path / "127-0-0-1-5000-report.json");
    size_t marked = 0;
    for (const auto& image : report["images"]) {
        for (const auto& v : image["vulnerabilities"])
            if (v["id"] == "PYSEC-2023-74") {
                CHECK(v["suppressed"] == nlohmann::json{{"by", "vex"}, {"reason", "never called"},
                                                        {"justification", "code_not_reachable"},
                                                        {"source", "vex.json"}});
                ++marked;
            } else {
                CHECK_FALSE(v.contains("suppressed"));
            }
        for (const auto& m : image["misconfigurations"])
            if (m["id"] == "RS-CFG-001") {
                CHECK(m["suppressed"]["reason"] == "root by design");
                ++marked;
            }
    }
    CHECK(marked == 2);
    auto validation = validate_reports(dir.path);
    CHECK_MESSAGE(validation.exit_code == 0, validation.output);
}

TEST_CASE("triage::reports a suppressed malware finding is in the JSON report only, marked") {
    TempDir dir("triage-malware-reports");
    auto images = rich_images();
    auto& image = images.back();  // team/api, amd64: scanned
    image.malware.verdict = scan::MalwareVerdict::found;
    image.malware.reason.clear();
    image.malware.signatures = "sigs-1";
    scan::MalwareFinding counted;
    counted.path = "/opt/eicar.com";
    counted.layer_digest = digest_a;
    counted.engine = "clamav";
    counted.signature = "Counted.Sig.UNOFFICIAL";
    counted.sha256 = std::string(64, 'c');
    auto known = counted;
    known.path = "/usr/bin/nmap";
    known.signature = "Known.Good.UNOFFICIAL";
    known.sha256 = std::string(64, 'd');
    known.suppressed = scan::Suppression{"ignore-file", "we ship nmap", "", ".regscanignore", ""};
    image.malware.findings = {counted, known};
    std::ostringstream console;
    write_reports(dir.path, images, console);
    for (const auto& text : {console.str(), read_text(dir.path / "127-0-0-1-5000-malware.csv"),
                             read_text(dir.path / "127-0-0-1-5000-report.sarif"),
                             read_text(dir.path / "127-0-0-1-5000-report.cdx.json")}) {
        CHECK(text.find("Counted.Sig.UNOFFICIAL") != std::string::npos);
        CHECK(text.find("Known.Good.UNOFFICIAL") == std::string::npos);
    }
    CHECK(console.str().find("malware 1 found") != std::string::npos);
    auto report = read_json(dir.path / "127-0-0-1-5000-report.json");
    nlohmann::json findings = nlohmann::json::array();
    for (const auto& shown : report["images"])
        for (const auto& f : shown["malware"]["findings"]) findings.push_back(f);
    REQUIRE(findings.size() == 2);
    CHECK_FALSE(findings[0].contains("suppressed"));
    CHECK(findings[1]["suppressed"]["reason"] == "we ship nmap");
    auto validation = validate_reports(dir.path);
    CHECK_MESSAGE(validation.exit_code == 0, validation.output);
}

TEST_SUITE_END();
