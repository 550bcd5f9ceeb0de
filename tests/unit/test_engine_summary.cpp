// The run's totals and the console summary: what counts, what triage left out.
#include <doctest/doctest.h>

#include <sstream>

#include "engine/summary.hpp"

using namespace regscan;

namespace {

scan::ImageResult with_malware(size_t counted, size_t suppressed) {
    scan::ImageResult r;
    r.malware.reason.clear();
    for (size_t i = 0; i < counted + suppressed; ++i) {
        scan::MalwareFinding f;
        f.signature = "Sig" + std::to_string(i);
        if (i >= counted) f.suppressed = scan::Suppression{"ignore-file", "known good", "", ".regscanignore", ""};
        r.malware.findings.push_back(f);
    }
    r.malware.verdict = counted ? scan::MalwareVerdict::found : scan::MalwareVerdict::clean;
    return r;
}

}  // namespace

TEST_SUITE_BEGIN("engine");

TEST_CASE("engine::Totals counts malware a policy suppressed apart from what was found") {
    engine::Totals totals;
    totals.malware = true;
    totals.count_findings(with_malware(2, 1));
    totals.count_findings(with_malware(0, 2));
    CHECK(totals.malware_found == 2);
    CHECK(totals.malware_images == 1);
    CHECK(totals.suppressed_malware == 3);
    CHECK(totals.suppressed_by.at("ignore-file") == 3);

    std::ostringstream out;
    engine::print_summary(out, totals, {}, true);
    CHECK(out.str().find("Malware                 : 2 found in 1 images (0 incomplete)") != std::string::npos);
    CHECK(out.str().find("Suppressed              : 0 vulnerabilities, 0 misconfigurations, 3 malware "
                         "(by 3 ignore-file)") != std::string::npos);
    auto json = engine::summary_json(totals, "r", "scan", "", "", {});
    CHECK(json["suppressed"]["malware"] == 3);
    CHECK(json["malware"]["found"] == 2);
}

TEST_CASE("engine::Totals leaves the Suppressed line out when triage suppressed nothing") {
    engine::Totals totals;
    totals.malware = true;
    totals.count_findings(with_malware(1, 0));
    std::ostringstream out;
    engine::print_summary(out, totals, {}, true);
    CHECK(out.str().find("Suppressed") == std::string::npos);
    CHECK(out.str().find("1 found in 1 images") != std::string::npos);
}

TEST_CASE("engine::count_totals: the images a stopped run did not scan are skipped, and said so") {
    std::vector<engine::ImageRecord> images(4);
    images[1].skipped = images[2].skipped = images[3].skipped = true;
    engine::PhaseOutcome outcome;
    outcome.stopped = 2;
    auto totals = engine::count_totals(images, outcome, {}, {});
    CHECK(totals.images_skipped == 3);
    CHECK(totals.images_stopped == 2);
    CHECK(totals.images_selected == 1);
    std::ostringstream out;
    engine::print_summary(out, totals, {}, true);
    CHECK(out.str().find("Images skipped          : 3\n"
                         "    Run stopped             : 2 of the skipped images were not scanned (the next run "
                         "scans them)\n") != std::string::npos);
    CHECK(engine::summary_json(totals, "r", "scan", "", "", {})["images_stopped"] == 2);

    outcome.stopped = 0;
    std::ostringstream whole;
    engine::print_summary(whole, engine::count_totals(images, outcome, {}, {}), {}, true);
    CHECK(whole.str().find("Run stopped") == std::string::npos);
    CHECK(whole.str().find("not listed") == std::string::npos);
}

TEST_CASE("engine::count_totals: repositories a stopped run did not list are counted apart from the failed ones") {
    engine::ListingReport listing;
    listing.failures = {{"a", "HTTP 500"}, {"a", "invalid tag"}, {"b", "HTTP 404"}};
    listing.repositories_stopped = 3;
    listing.notes = {"a note"};
    auto totals = engine::count_totals({}, {}, listing, {});
    CHECK(totals.failed_repositories == 2);
    CHECK(totals.repositories_stopped == 3);
    CHECK(totals.discovery_notes == std::vector<std::string>{"a note"});
    std::ostringstream out;
    engine::print_summary(out, totals, {}, false);
    CHECK(out.str().find("Repositories failed     : 2\n"
                         "    Repositories not listed : 3 (the run was stopped; the next run lists them)\n") !=
          std::string::npos);
    auto json = engine::summary_json(totals, "r", "dry-run", "", "", listing.failures);
    CHECK(json["repositories_stopped"] == 3);
    CHECK(json["failed_repositories"].size() == 3);
}

TEST_SUITE_END();
