#include <doctest/doctest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <thread>

#include <archive.h>
#include <archive_entry.h>

#include "vulndb/osv_importer.hpp"
#include "vulndb/osv_sources.hpp"
#include "vulndb/vuln_database.hpp"

using namespace regscan::vulndb;
using regscan::scan::Package;
using regscan::scan::Severity;
using regscan::scan::Vulnerability;

TEST_SUITE_BEGIN("vulndb");

namespace {

const std::string reference = REGSCAN_SHARED_DIR "/reference/osv/";
const std::string fixtures = REGSCAN_SOURCE_DIR "/tests/fixtures/osv/";

std::filesystem::path fresh_dir(const std::string& name) {
    auto dir = std::filesystem::temp_directory_path() / ("regscan-vulndb-" + name + "-" + std::to_string(::getpid()));
    std::filesystem::remove_all(dir);
    std::filesystem::create_directories(dir);
    return dir;
}

// The reference records plus the fixtures, imported once for all tests.
struct Imported {
    std::filesystem::path path;
    ImportReport first;
    ImportReport second;
};

const Imported& imported() {
    static const Imported db = [] {
        Imported out;
        out.path = fresh_dir("reference") / "osv.db";
        auto import_all = [&] {
            OsvImporter importer(out.path);
            for (const char* dir : {"pypi", "go", "almalinux9"}) import_path(importer, reference + dir);
            import_path(importer, fixtures);
            return importer.commit();
        };
        out.first = import_all();
        out.second = import_all();
        return out;
    }();
    return db;
}

const VulnDatabase& database() {
    static const VulnDatabase db(imported().path);
    return db;
}

Package package(const std::string& ecosystem, const std::string& name, const std::string& version) {
    Package p;
    p.ecosystem = ecosystem;
    p.name = name;
    p.version = version;
    return p;
}

std::vector<std::string> ids(const std::vector<Vulnerability>& found) {
    std::vector<std::string> out;
    for (const auto& v : found) out.push_back(v.id);
    return out;
}

const Vulnerability& by_id(const std::vector<Vulnerability>& found, const std::string& id) {
    auto it = std::find_if(found.begin(), found.end(), [&](const auto& v) { return v.id == id; });
    REQUIRE_MESSAGE(it != found.end(), id << " not matched");
    return *it;
}

bool has(const std::vector<std::string>& list, const std::string& item) {
    return std::find(list.begin(), list.end(), item) != list.end();
}

void write(const std::filesystem::path& path, const std::string& text) {
    std::ofstream(path) << text;
}

std::string lodash_record(const std::string& modified, const std::string& fixed) {
    return R"({"id": "GHSA-test-lodash", "modified": ")" + modified +
           R"(", "affected": [{"package": {"ecosystem": "npm", "name": "lodash"},
               "ranges": [{"type": "SEMVER", "events": [{"introduced": "0"}, {"fixed": ")" + fixed + R"("}]}]}]})";
}

// A zip like OSV's all.zip: one <id>.json entry per record.
void write_zip(const std::filesystem::path& path, const std::vector<std::pair<std::string, std::string>>& entries) {
    archive* zip = archive_write_new();
    archive_write_set_format_zip(zip);
    REQUIRE(archive_write_open_filename(zip, path.c_str()) == ARCHIVE_OK);
    for (const auto& [name, content] : entries) {
        archive_entry* entry = archive_entry_new();
        archive_entry_set_pathname(entry, name.c_str());
        archive_entry_set_filetype(entry, AE_IFREG);
        archive_entry_set_perm(entry, 0644);
        archive_entry_set_size(entry, static_cast<la_int64_t>(content.size()));
        archive_write_header(zip, entry);
        archive_write_data(zip, content.data(), content.size());
        archive_entry_free(entry);
    }
    archive_write_close(zip);
    archive_write_free(zip);
}

}  // namespace

TEST_CASE("vulndb::OsvImporter imports the reference records and counts them per ecosystem") {
    const auto& report = imported().first;
    CHECK(report.rejections.empty());
    CHECK(report.by_ecosystem.at("PyPI").read == 2661 + 1);  // + GHSA-x84v-xcm2-53pg
    CHECK(report.by_ecosystem.at("PyPI").imported == 2662);
    CHECK(report.by_ecosystem.at("Go").imported == 4291);
    CHECK(report.by_ecosystem.at("AlmaLinux").imported == 1783);
    CHECK(report.by_ecosystem.at("Debian").imported == 7);
    CHECK(report.by_ecosystem.at("npm").imported == 1);
    CHECK(report.by_ecosystem.at("Maven").imported == 1);
    CHECK(report.by_ecosystem.at("Alpine").imported == 1);
    CHECK(report.total().rejected == 0);
    CHECK(report.fingerprint.rfind("sha256:", 0) == 0);
}

TEST_CASE("vulndb::OsvImporter is idempotent: a second import changes nothing") {
    const auto& second = imported().second;
    CHECK(second.total().read == imported().first.total().read);
    CHECK(second.total().unchanged == second.total().read);
    CHECK(second.total().imported == 0);
    CHECK(second.total().updated == 0);
    CHECK(second.fingerprint == imported().first.fingerprint);
    CHECK(database().fingerprint() == imported().first.fingerprint);
}

TEST_CASE("vulndb::VulnDatabase matches real PyPI versions and merges a GHSA with its PYSEC") {
    // requests 2.19.1: PYSEC-2018-28 (CVE-2018-18074, fixed 2.20.0), which
    // GHSA-x84v-xcm2-53pg aliases, and PYSEC-2023-74 (CVE-2023-32681, 2.3.0 to 2.31.0).
    auto found = database().match(package("PyPI", "Requests", "2.19.1"));
    CHECK(ids(found) == std::vector<std::string>{"PYSEC-2018-28", "PYSEC-2023-74"});
    const auto& merged = by_id(found, "PYSEC-2018-28");
    CHECK(merged.aliases == std::vector<std::string>{"CVE-2018-18074", "GHSA-x84v-xcm2-53pg"});
    CHECK(merged.fixed_version == "2.20.0");
    // The GHSA record brings the CVSS vector (NVD: 7.5 HIGH for CVE-2018-18074).
    CHECK(merged.cvss_vector == "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N");
    CHECK(merged.cvss_score == 7.5);
    CHECK(merged.severity == Severity::high);
    CHECK(merged.package_name == "Requests");
    CHECK(merged.package_version == "2.19.1");
    CHECK(merged.ecosystem == "PyPI");
    CHECK(by_id(found, "PYSEC-2023-74").fixed_version == "2.31.0");
    // Fixed versions match nothing of the two.
    CHECK(database().match(package("PyPI", "requests", "2.31.0")).empty());
}

TEST_CASE("vulndb::VulnDatabase matches urllib3 with the records' CVSS severities") {
    auto found = database().match(package("PyPI", "urllib3", "1.24.1"));
    CHECK(ids(found) == std::vector<std::string>{"PYSEC-2019-132", "PYSEC-2019-133", "PYSEC-2020-148", "PYSEC-2021-108",
                                                  "PYSEC-2023-192", "PYSEC-2023-207", "PYSEC-2023-212"});
    // PYSEC-2023-192 (CVE-2023-43804): CVSS:3.1/AV:N/AC:L/PR:L/UI:N/S:U/C:H/I:H/A:N = 8.1.
    const auto& cookie = by_id(found, "PYSEC-2023-192");
    CHECK(cookie.cvss_score == 8.1);
    CHECK(cookie.severity == Severity::high);
    CHECK(cookie.fixed_version == "1.26.17");  // the 1.x fix, not the 2.0.6 one
    CHECK(by_id(found, "PYSEC-2019-133").fixed_version == "1.24.2");
    CHECK(by_id(found, "PYSEC-2019-132").severity == Severity::unknown);  // the record rates nothing
}

TEST_CASE("vulndb::VulnDatabase normalises PyPI names by PEP 503") {
    CHECK(ids(database().match(package("PyPI", "PyYAML", "5.1"))) ==
          ids(database().match(package("PyPI", "pyyaml", "5.1"))));
    CHECK(ids(database().match(package("PyPI", "PyYAML", "5.1"))) ==
          std::vector<std::string>{"PYSEC-2020-176", "PYSEC-2020-96", "PYSEC-2021-142"});
}

TEST_CASE("vulndb::VulnDatabase ignores withdrawn records") {
    // PYSEC-2023-141 (pynetbox) is withdrawn and lists 2.0.1 among its versions.
    CHECK(ids(database().match(package("PyPI", "pynetbox", "2.0.1"))).empty());
}

TEST_CASE("vulndb::VulnDatabase matches Go modules by SEMVER ranges") {
    auto found = database().match(package("Go", "github.com/gin-gonic/gin", "v1.5.0"));
    CHECK(ids(found) == std::vector<std::string>{"GO-2020-0001", "GO-2021-0052", "GO-2023-1737"});
    const auto& first = by_id(found, "GO-2020-0001");
    CHECK(first.aliases == std::vector<std::string>{"CVE-2020-36567", "GHSA-6vm3-jj99-7229"});
    CHECK(first.fixed_version == "1.6.0");
    CHECK(first.summary == "Arbitrary log line injection in github.com/gin-gonic/gin");
    CHECK(ids(database().match(package("Go", "github.com/gin-gonic/gin", "v1.9.1"))).empty());
}

TEST_CASE("vulndb::VulnDatabase matches AlmaLinux rpms and rates them from the advisory") {
    auto found = database().match(package("AlmaLinux:9", "openssl", "1:3.5.5-3.el9_8"));
    REQUIRE(ids(found) == std::vector<std::string>{"ALSA-2026:25239"});
    CHECK(found[0].severity == Severity::high);  // "Important: openssl security update"
    CHECK(found[0].fixed_version == "1:3.5.5-4.el9_8");
    CHECK(has(found[0].aliases, "CVE-2026-34180"));  // AlmaLinux lists its CVEs as related
    CHECK(database().match(package("AlmaLinux:8", "openssl", "1:3.5.5-3.el9_8")).empty());
    CHECK(database().match(package("AlmaLinux:9", "openssl", "1:3.5.5-4.el9_8")).empty());
}

TEST_CASE("vulndb::VulnDatabase matches Debian by source package and merges a DSA with its CVE") {
    Package libc6 = package("Debian:12", "libc6", "2.36-9+deb12u1");
    libc6.source_name = "glibc";
    auto found = database().match(libc6);
    // DSA-5514-1 and DEBIAN-CVE-2023-4911 are one finding; DEBIAN-CVE-2019-1010022 is unfixed.
    REQUIRE(ids(found) == std::vector<std::string>{"DEBIAN-CVE-2019-1010022", "DSA-5514-1"});
    const auto& dsa = by_id(found, "DSA-5514-1");
    CHECK(dsa.aliases == std::vector<std::string>{"CVE-2023-4911", "DEBIAN-CVE-2023-4911"});
    CHECK(dsa.fixed_version == "2.36-9+deb12u3");
    CHECK(dsa.package_name == "glibc");
    CHECK(dsa.package_version == "2.36-9+deb12u1");
    CHECK(dsa.cvss_score == 7.8);  // from the DEBIAN-CVE record's vector
    CHECK(dsa.severity == Severity::high);
    const auto& unfixed = by_id(found, "DEBIAN-CVE-2019-1010022");
    CHECK(unfixed.fixed_version == "");
    CHECK(unfixed.severity == Severity::low);  // urgency "unimportant"

    // This machine's glibc has the fix: only the unfixed issue remains.
    libc6.version = "2.36-9+deb12u14";
    CHECK(ids(database().match(libc6)) == std::vector<std::string>{"DEBIAN-CVE-2019-1010022"});
    // The binary name alone does not match source-keyed records.
    CHECK(database().match(package("Debian:12", "libc6", "2.36-9+deb12u1")).empty());
    // Another release's package is not covered by Debian:12 records.
    libc6.ecosystem = "Debian:11";
    CHECK(database().match(libc6).empty());
}

TEST_CASE("vulndb::VulnDatabase uses the source version when the binary's differs") {
    Package tar = package("Debian:12", "tar", "1.34+dfsg-1.2+b1");
    tar.source_name = "tar";
    tar.source_version = "1.34+dfsg-1.2";
    CHECK(ids(database().match(tar)) == std::vector<std::string>{"DEBIAN-CVE-2005-2541", "DEBIAN-CVE-2022-48303"});
    CHECK(by_id(database().match(tar), "DEBIAN-CVE-2022-48303").fixed_version == "1.34+dfsg-1.2+deb12u1");
    tar.source_version = "1.34+dfsg-1.2+deb12u1";
    CHECK(ids(database().match(tar)) == std::vector<std::string>{"DEBIAN-CVE-2005-2541"});
}

TEST_CASE("vulndb::VulnDatabase matches npm, Maven and Alpine fixtures") {
    auto lodash = database().match(package("npm", "lodash", "4.17.11"));
    REQUIRE(ids(lodash) == std::vector<std::string>{"GHSA-jf85-cpcp-j695"});
    CHECK(lodash[0].fixed_version == "4.17.12");
    CHECK(lodash[0].cvss_score == 9.1);
    CHECK(lodash[0].severity == Severity::critical);
    CHECK(database().match(package("npm", "lodash", "4.17.12")).empty());
    CHECK(by_id(database().match(package("npm", "lodash-es", "4.17.13")), "GHSA-jf85-cpcp-j695").fixed_version ==
          "4.17.14");

    const std::string log4j = "org.apache.logging.log4j:log4j-core";
    CHECK(by_id(database().match(package("Maven", log4j, "2.14.1")), "GHSA-jfh8-c2jp-5v3q").fixed_version == "2.15.0");
    CHECK(by_id(database().match(package("Maven", log4j, "2.12.1")), "GHSA-jfh8-c2jp-5v3q").fixed_version == "2.12.2");
    CHECK(by_id(database().match(package("Maven", log4j, "2.0-beta9")), "GHSA-jfh8-c2jp-5v3q").fixed_version ==
          "2.3.1");
    CHECK(database().match(package("Maven", log4j, "2.12.2")).empty());
    CHECK(database().match(package("Maven", log4j, "2.3.1")).empty());
    CHECK(database().match(package("Maven", log4j, "2.15.0")).empty());
    CHECK(database().match(package("Maven", log4j, "2.14.1"))[0].cvss_score == 10.0);

    Package bind = package("Alpine:v3.16", "bind-libs", "9.16.45-r0");
    bind.source_name = "bind";
    CHECK(ids(database().match(bind)) == std::vector<std::string>{"ALPINE-CVE-2023-4408"});
    bind.version = "9.16.48-r0";
    CHECK(database().match(bind).empty());
}

TEST_CASE("vulndb::VulnDatabase matches from several threads at once") {
    const auto expected = ids(database().match(package("PyPI", "urllib3", "1.24.1")));
    std::vector<std::thread> threads;
    std::vector<int> mismatches(4, 0);
    for (int t = 0; t < 4; ++t)
        threads.emplace_back([&, t] {
            for (int i = 0; i < 50; ++i)
                if (ids(database().match(package("PyPI", "urllib3", "1.24.1"))) != expected) ++mismatches[t];
        });
    for (auto& thread : threads) thread.join();
    CHECK(mismatches == std::vector<int>{0, 0, 0, 0});
}

TEST_CASE("vulndb::VulnDatabase reports its status per ecosystem") {
    auto status = database().status();
    CHECK(status.records == 2662 + 4291 + 1783 + 7 + 1 + 1 + 1);
    CHECK(status.withdrawn == 27);
    auto debian = std::find_if(status.ecosystems.begin(), status.ecosystems.end(),
                               [](const auto& e) { return e.ecosystem == "Debian:12"; });
    REQUIRE(debian != status.ecosystems.end());
    CHECK(debian->records == 7);
    CHECK(debian->newest_modified == "2026-11-22T00:00:00.000000000Z");
    CHECK_FALSE(debian->last_import.empty());
    CHECK(status.fingerprint == imported().first.fingerprint);
}

TEST_CASE("vulndb::OsvImporter keeps the newest record by modified time") {
    auto dir = fresh_dir("modified");
    auto db = dir / "osv.db";
    write(dir / "new.json", lodash_record("2024-05-01T00:00:00Z", "4.17.21"));
    write(dir / "old.json", lodash_record("2023-01-01T00:00:00Z", "4.17.12"));
    write(dir / "newer.json", lodash_record("2024-06-01T00:00:00.5Z", "4.17.20"));
    std::string fingerprint;
    {
        OsvImporter importer(db);
        import_path(importer, dir / "new.json");
        auto report = importer.commit();
        CHECK(report.by_ecosystem.at("npm").imported == 1);
        fingerprint = report.fingerprint;
    }
    {
        OsvImporter importer(db);
        import_path(importer, dir / "old.json");
        auto report = importer.commit();
        CHECK(report.by_ecosystem.at("npm").unchanged == 1);
        CHECK(report.fingerprint == fingerprint);
    }
    CHECK(VulnDatabase(db).match(package("npm", "lodash", "4.17.19"))[0].fixed_version == "4.17.21");
    {
        OsvImporter importer(db);
        import_path(importer, dir / "newer.json");
        auto report = importer.commit();
        CHECK(report.by_ecosystem.at("npm").updated == 1);
        CHECK(report.fingerprint != fingerprint);
    }
    CHECK(VulnDatabase(db).match(package("npm", "lodash", "4.17.19"))[0].fixed_version == "4.17.20");
    CHECK(VulnDatabase(db).match(package("npm", "lodash", "4.17.20")).empty());
}

TEST_CASE("vulndb::VulnDatabase keeps answering from the data a run started with") {
    auto dir = fresh_dir("cache");
    write(dir / "v1.json", lodash_record("2024-05-01T00:00:00Z", "4.17.21"));
    write(dir / "v2.json", lodash_record("2024-06-01T00:00:00Z", "4.17.20"));
    {
        OsvImporter importer(dir / "osv.db");
        import_path(importer, dir / "v1.json");
        importer.commit();
    }
    VulnDatabase open(dir / "osv.db");
    CHECK(open.match(package("npm", "lodash", "4.17.19"))[0].fixed_version == "4.17.21");
    {
        OsvImporter importer(dir / "osv.db");
        import_path(importer, dir / "v2.json");
        importer.commit();
    }
    CHECK(open.match(package("npm", "lodash", "4.17.19"))[0].fixed_version == "4.17.21");
    CHECK(VulnDatabase(dir / "osv.db").match(package("npm", "lodash", "4.17.19"))[0].fixed_version == "4.17.20");
}

TEST_CASE("vulndb::OsvImporter rejects a malformed record and imports the rest") {
    auto dir = fresh_dir("rejects");
    write(dir / "a-good.json", lodash_record("2024-05-01T00:00:00Z", "4.17.21"));
    write(dir / "b-broken.json", R"({"id": "GHSA-broken", "modified": "2024-05-01T00:00:00Z",
        "affected": [{"package": {"ecosystem": "npm", "name": "x"}, "ranges": [{"type": "SEMVER", "events": [{"fixed": "1"}]}]}]})");
    write(dir / "c-not-json.json", "<html>503</html>");
    write(dir / "notes.txt", "not a record, not read");
    OsvImporter importer(dir / "osv.db");
    import_path(importer, dir);
    import_path(importer, dir / "missing.json");
    auto report = importer.commit();
    CHECK(report.by_ecosystem.at("npm").imported == 1);
    CHECK(report.total().rejected == 3);
    REQUIRE(report.rejections.size() == 3);
    CHECK(report.rejections[0].describe() ==
          (dir / "b-broken.json").string() + ": GHSA-broken: affected[0].ranges[0].events: no introduced event");
    CHECK(report.rejections[1].origin == (dir / "c-not-json.json").string());
    CHECK(report.rejections[1].reason.rfind("not JSON: ", 0) == 0);
    CHECK(report.rejections[2].describe() == (dir / "missing.json").string() + ": no such file or directory");
}

TEST_CASE("vulndb::import_path reads OSV's all.zip archives entry by entry") {
    auto dir = fresh_dir("zip");
    write_zip(dir / "all.zip", {{"GHSA-test-lodash.json", lodash_record("2024-05-01T00:00:00Z", "4.17.21")},
                                {"README", "not a record"},
                                {"GHSA-bad.json", "{"}});
    write(dir / "broken.zip", "PK this is not a zip");
    OsvImporter importer(dir / "osv.db");
    import_path(importer, dir / "all.zip");
    import_path(importer, dir / "broken.zip");
    auto report = importer.commit();
    CHECK(report.by_ecosystem.at("npm").imported == 1);
    REQUIRE(report.rejections.size() == 2);
    CHECK(report.rejections[0].origin == (dir / "all.zip").string() + "!GHSA-bad.json");
    CHECK(report.rejections[1].origin == (dir / "broken.zip").string());
    CHECK(VulnDatabase(dir / "osv.db").match(package("npm", "lodash", "4.17.19"))[0].id == "GHSA-test-lodash");
}

TEST_CASE("vulndb::VulnDatabase refuses a missing or foreign file with a hint") {
    auto dir = fresh_dir("missing");
    CHECK_THROWS_WITH_AS(VulnDatabase(dir / "none.db"),
                         ((dir / "none.db").string() +
                          ": no vulnerability database: run 'regscan db import PATH...' or 'regscan db update' first")
                             .c_str(),
                         DbError);
    write(dir / "text.db", "not a database at all, just some text that is long enough to be read as a header");
    CHECK_THROWS_WITH_AS(VulnDatabase(dir / "text.db"),
                         ((dir / "text.db").string() +
                          ": not a regscan vulnerability database: run 'regscan db import PATH...' or 'regscan db "
                          "update' first")
                             .c_str(),
                         DbError);
}

TEST_CASE("vulndb::VulnDatabase gives unfixed findings the release status stored for their CVE") {
    auto dir = fresh_dir("statuses");
    auto db = dir / "osv.db";
    std::string before;
    {
        OsvImporter importer(db);
        import_path(importer, fixtures + "debian");
        before = importer.commit().fingerprint;
    }
    Package libc6 = package("Debian:12", "libc6", "2.36-9+deb12u1");
    libc6.source_name = "glibc";
    for (const auto& v : VulnDatabase(db).match(libc6)) CHECK(v.status.empty());

    std::string with_statuses;
    {
        OsvImporter importer(db);
        importer.replace_statuses("Debian", "Debian Security Tracker");
        // DEBIAN-CVE-2019-1010022 is kept under its CVE; DSA-5514-1 has a fix, which wins.
        importer.add_status({"Debian:12", "glibc", "CVE-2019-1010022", "will_not_fix"});
        importer.add_status({"Debian:12", "glibc", "CVE-2023-4911", "fix_deferred"});
        importer.add_status({"Debian:11", "tar", "CVE-2005-2541", "end_of_life"});  // another release
        auto report = importer.commit();
        CHECK(report.statuses == 3);
        CHECK(report.status_source == "Debian Security Tracker");
        with_statuses = report.fingerprint;
    }
    CHECK(with_statuses != before);  // results matched before are stale
    VulnDatabase database(db);
    auto found = database.match(libc6);
    CHECK(by_id(found, "DEBIAN-CVE-2019-1010022").status == "will_not_fix");
    CHECK(regscan::scan::status_of(by_id(found, "DEBIAN-CVE-2019-1010022")) == "will_not_fix");
    CHECK(by_id(found, "DSA-5514-1").status.empty());
    CHECK(regscan::scan::status_of(by_id(found, "DSA-5514-1")) == "fixed");
    Package tar = package("Debian:12", "tar", "1.34+dfsg-1.2");
    tar.source_name = "tar";
    CHECK(by_id(database.match(tar), "DEBIAN-CVE-2005-2541").status.empty());
    auto status = database.status();
    CHECK(status.statuses == 3);
    CHECK(status.status_source == "Debian Security Tracker");
    CHECK(!status.status_import.empty());

    // A new export replaces the Debian statuses as a whole.
    {
        OsvImporter importer(db);
        importer.replace_statuses("Debian", "Debian Security Tracker");
        importer.add_status({"Debian:12", "tar", "CVE-2005-2541", "under_investigation"});
        CHECK(importer.commit().statuses == 1);
    }
    VulnDatabase replaced(db);
    CHECK(replaced.status().statuses == 1);
    CHECK(by_id(replaced.match(libc6), "DEBIAN-CVE-2019-1010022").status.empty());
    CHECK(by_id(replaced.match(tar), "DEBIAN-CVE-2005-2541").status == "under_investigation");

    // An empty export leaves none, and the fingerprint of the data without statuses again.
    {
        OsvImporter importer(db);
        importer.replace_statuses("Debian", "Debian Security Tracker");
        CHECK(importer.commit().fingerprint == before);
    }
}

TEST_CASE("vulndb::VulnDatabase reads a database written before release statuses existed") {
    auto dir = fresh_dir("no-status-table");
    auto db = dir / "osv.db";
    {
        OsvImporter importer(db);
        import_path(importer, fixtures + "debian");
        importer.commit();
    }
    {
        Connection connection(db, false);
        connection.exec("DROP TABLE release_status");
    }
    VulnDatabase database(db);
    Package libc6 = package("Debian:12", "libc6", "2.36-9+deb12u1");
    libc6.source_name = "glibc";
    CHECK(by_id(database.match(libc6), "DEBIAN-CVE-2019-1010022").status.empty());
    CHECK(database.status().statuses == 0);
    CHECK(database.status().status_source.empty());
}

TEST_SUITE_END();
