#include <doctest/doctest.h>

#include <sqlite3.h>

#include <algorithm>
#include <chrono>
#include <sstream>
#include <vector>

#include "../fixtures/catalog/support.hpp"
#include "catalog/rpm_cataloger.hpp"
#include "catalog/rpm_header.hpp"
#include "catalog/rpmdb.hpp"

using namespace regscan::catalog;
using namespace regscan::catalog::testing;

namespace {

const std::string rpm_dir = shared_dir + "/reference/package-dbs/rpm/";

std::string temp_dir() {
    std::string dir = run("mktemp -d");
    dir.pop_back();
    return dir;
}

// "name evr arch source-rpm", sorted, for what the cataloger found.
std::vector<std::string> lines_of(const std::vector<regscan::scan::Package>& packages) {
    std::vector<std::string> lines;
    for (const auto& p : packages) {
        std::string arch = p.purl.substr(p.purl.find("arch=") + 5);
        arch = arch.substr(0, arch.find('&'));
        lines.push_back(p.name + " " + p.version + " " + arch + " " + p.source_name + " " + p.source_version);
    }
    std::sort(lines.begin(), lines.end());
    return lines;
}

// The same from the real rpm tool reading `file` (copied as `db_name` into a
// fresh dbpath) with `backend`; the source rpm file name is split the way
// rpm names it: NAME-VERSION-RELEASE.src.rpm.
std::vector<std::string> rpm_query(const std::string& file, const std::string& db_name, const std::string& backend) {
    std::string dbpath = temp_dir();
    run("cp '" + file + "' '" + dbpath + "/" + db_name + "'");
    std::string out = run("rpm --define '_db_backend " + backend + "' --dbpath '" + dbpath +
                          "' -qa --qf '%{NAME} %{EPOCHNUM} %{VERSION}-%{RELEASE} %{ARCH} %{SOURCERPM}\\n' 2>/dev/null");
    run("rm -r '" + dbpath + "'");
    std::vector<std::string> lines;
    std::istringstream in(out);
    for (std::string name, epoch, vr, arch, source; in >> name >> epoch >> vr >> arch >> source;) {
        if (name == "gpg-pubkey") continue;
        std::string evr = (epoch == "0" ? "" : epoch + ":") + vr;
        auto parsed = rpm::parse_source_rpm(source);
        REQUIRE(parsed);
        std::string source_evr = (epoch == "0" ? "" : epoch + ":") + parsed->version;
        lines.push_back(name + " " + evr + " " + arch + " " + parsed->name + " " + source_evr);
    }
    std::sort(lines.begin(), lines.end());
    return lines;
}

// The bytes of an SQLite database made by running `sql`.
std::string sqlite_image(const char* sql) {
    sqlite3* db = nullptr;
    REQUIRE(sqlite3_open(":memory:", &db) == SQLITE_OK);
    REQUIRE(sqlite3_exec(db, sql, nullptr, nullptr, nullptr) == SQLITE_OK);
    sqlite3_int64 size = 0;
    unsigned char* bytes = sqlite3_serialize(db, "main", &size, 0);
    REQUIRE(bytes);
    std::string image(reinterpret_cast<const char*>(bytes), static_cast<size_t>(size));
    sqlite3_free(bytes);
    sqlite3_close(db);
    return image;
}

// A little-endian Berkeley DB hash file of 512-byte pages: the metadata page,
// one hash page whose data items (each after an inline key) are off-page
// references {first page, total length}, then one overflow page per entry of
// `overflow` holding that many bytes.
std::string bdb_image(const std::vector<std::pair<uint32_t, uint32_t>>& items, const std::vector<uint16_t>& overflow) {
    constexpr size_t page = 512;
    std::string db((2 + overflow.size()) * page, '\0');
    auto put16 = [&](size_t at, uint16_t v) { db[at] = char(v & 0xff), db[at + 1] = char(v >> 8); };
    auto put32 = [&](size_t at, uint32_t v) { put16(at, uint16_t(v & 0xffff)), put16(at + 2, uint16_t(v >> 16)); };
    put32(12, 0x061561);
    put32(20, page);
    db[25] = 8;  // hash metadata
    db[page + 25] = 13;  // hash page
    put16(page + 20, static_cast<uint16_t>(2 * items.size()));
    const size_t key_at = page - 4;  // one 4-byte inline key at the end, shared
    db[page + key_at] = 1;
    size_t item_at = key_at;
    for (size_t i = 0; i < items.size(); ++i) {
        item_at -= 12;
        db[page + item_at] = 3;  // off-page
        put32(page + item_at + 4, items[i].first);
        put32(page + item_at + 8, items[i].second);
        put16(page + 26 + 4 * i, static_cast<uint16_t>(key_at));
        put16(page + 26 + 4 * i + 2, static_cast<uint16_t>(item_at));
    }
    for (size_t i = 0; i < overflow.size(); ++i) {
        size_t at = (2 + i) * page;
        db[at + 25] = 7;  // overflow
        put16(at + 22, overflow[i]);
    }
    return db;
}

}  // namespace

TEST_SUITE_BEGIN("catalog");

TEST_CASE("catalog::rpm reads CBL-Mariner's SQLite rpmdb exactly as rpm does") {
    std::string file = rpm_dir + "cbl-mariner-2.0-rpmdb.sqlite";
    FileFacts facts = analyse(RpmCataloger(), "/var/lib/rpm/rpmdb.sqlite", read_file(file));
    std::vector<std::string> expected = rpm_query(file, "rpmdb.sqlite", "sqlite");
    CHECK(expected.size() == 129);
    CHECK(lines_of(facts.packages) == expected);
    CHECK(facts.notes.empty());

    const auto& ssl = package_named(facts.packages, "openssl-libs");
    CHECK(ssl.version == "1.1.1k-7.cm2");
    CHECK(ssl.source_name == "openssl");
    CHECK(ssl.source_version == "1.1.1k-7.cm2");
    CHECK(ssl.type == "rpm");
    CHECK(ssl.location == "/var/lib/rpm/rpmdb.sqlite");
    CHECK(ssl.purl == "pkg:rpm/openssl-libs@1.1.1k-7.cm2?arch=x86_64");
    CHECK(package_named(facts.packages, "glibc").version == "2.34-2.cm2");
}

TEST_CASE("catalog::rpm reads a Berkeley DB rpmdb exactly as rpm's bdb_ro backend does") {
    std::string file = rpm_dir + "libuuid-Packages.bdb";
    FileFacts facts = analyse(RpmCataloger(), "/var/lib/rpm/Packages", read_file(file));
    CHECK(lines_of(facts.packages) == rpm_query(file, "Packages", "bdb_ro"));
    REQUIRE(facts.packages.size() == 1);
    CHECK(facts.packages[0].name == "libuuid");
    CHECK(facts.packages[0].version == "2.32.1-42.el8_8");
    CHECK(facts.packages[0].source_name == "util-linux");
    CHECK(facts.packages[0].source_version == "2.32.1-42.el8_8");
    CHECK(facts.notes == std::vector<std::string>{
                             "/var/lib/rpm/Packages: Berkeley DB rpmdb (the format before rpm 4.16) read with regscan's own reader: 1 packages"});
}

TEST_CASE("catalog::rpm reads SUSE's ndb rpmdb") {
    // Debian's rpm is built without the ndb backend, so no oracle here: the
    // count and glibc's version are what other readers' tests of the same
    // file (go-rpmdb's testdata) expect.
    FileFacts facts =
        analyse(RpmCataloger(), "/usr/lib/sysimage/rpm/Packages.db", read_file(rpm_dir + "sle15-bci-Packages.db"));
    CHECK(facts.packages.size() == 35);
    const auto& glibc = package_named(facts.packages, "glibc");
    CHECK(glibc.version == "2.31-9.3.2");
    CHECK(glibc.purl == "pkg:rpm/glibc@2.31-9.3.2?arch=x86_64");
    const auto& readline = package_named(facts.packages, "libreadline7");
    CHECK(readline.version == "7.0-19.6.1");
    CHECK(readline.source_name == "bash");  // built from bash's source rpm, at bash's version
    CHECK(readline.source_version == "4.4-19.6.1");
    CHECK(package_named(facts.packages, "libstdc++6").purl == "pkg:rpm/libstdc%2B%2B6@11.2.1%2Bgit610-1.3.9?arch=x86_64");
    CHECK(facts.notes == std::vector<std::string>{
                             "/usr/lib/sysimage/rpm/Packages.db: ndb rpmdb (SUSE) read with regscan's own reader: 35 packages"});
}

TEST_CASE("catalog::rpm reads a database the real rpm tool just wrote") {
    std::string dir = temp_dir();
    run("'" + fixture_dir + "/rpm/make-rpmdb.sh' '" + dir + "'");
    std::string file = dir + "/rpmdb.sqlite";
    std::string content = read_file(file);
    CHECK(lines_of(analyse(RpmCataloger(), "/usr/lib/sysimage/rpm/rpmdb.sqlite", content).packages) ==
          rpm_query(file, "rpmdb.sqlite", "sqlite"));
    run("rm -r '" + dir + "'");

    FileFacts facts = analyse(RpmCataloger(), "/var/lib/rpm/rpmdb.sqlite", content);
    REQUIRE(facts.packages.size() == 2);
    const auto& main = package_named(facts.packages, "regscan-fixture");
    CHECK(main.version == "2:1.2.3-4.el9");
    CHECK(main.source_name == "regscan-fixture");
    CHECK(main.source_version == "2:1.2.3-4.el9");
    CHECK(main.purl == "pkg:rpm/regscan-fixture@1.2.3-4.el9?arch=noarch&epoch=2");
    const auto& libs = package_named(facts.packages, "regscan-fixture-libs");
    CHECK(libs.version == "1.2.3-4.el9");  // an explicit Epoch: 0 is no epoch
    CHECK(libs.source_name == "regscan-fixture");
    CHECK(libs.purl == "pkg:rpm/regscan-fixture-libs@1.2.3-4.el9?arch=noarch");
}

TEST_CASE("catalog::rpm wants the three formats in both rpmdb directories") {
    RpmCataloger cataloger;
    for (std::string dir : {"/var/lib/rpm/", "/usr/lib/sysimage/rpm/"}) {
        CHECK(cataloger.wants({dir + "rpmdb.sqlite", 1, 0100644}));
        CHECK(cataloger.wants({dir + "Packages", 1, 0100644}));
        CHECK(cataloger.wants({dir + "Packages.db", 1, 0100644}));
        CHECK_FALSE(cataloger.wants({dir + "rpmdb.sqlite-wal", 1, 0100644}));
        CHECK_FALSE(cataloger.wants({dir + "Name", 1, 0100644}));
    }
    CHECK_FALSE(cataloger.wants({"/opt/var/lib/rpm/rpmdb.sqlite", 1, 0100644}));
}

TEST_CASE("catalog::rpm names the file when the database is not one") {
    FileFacts facts;
    std::string junk(4096, 'x');
    CHECK_THROWS_WITH_AS(RpmCataloger().analyse({"/var/lib/rpm/rpmdb.sqlite", junk.size(), 0100644}, junk, facts),
                         "/var/lib/rpm/rpmdb.sqlite: not an SQLite database", std::runtime_error);
    CHECK_THROWS_WITH_AS(RpmCataloger().analyse({"/var/lib/rpm/Packages", junk.size(), 0100644}, junk, facts),
                         "/var/lib/rpm/Packages: not a Berkeley DB hash database", std::runtime_error);
    CHECK_THROWS_WITH_AS(RpmCataloger().analyse({"/var/lib/rpm/Packages.db", junk.size(), 0100644}, junk, facts),
                         "/var/lib/rpm/Packages.db: not an ndb rpmdb (no RpmP magic)", std::runtime_error);
}

// Found by tests/fuzz/fuzz_catalogers: the image's schema decides what
// "SELECT blob FROM Packages" runs. An endless view hung the scan (its ORDER
// BY sorted rows forever); a computed column allocated 1 GB per row.
TEST_CASE("catalog::rpm refuses an rpmdb.sqlite whose Packages never ends or is computed") {
    const std::string endless = sqlite_image(
        "CREATE VIEW Packages AS WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) "
        "SELECT x AS hnum, x'00' AS blob FROM c;");
    const std::string computed = sqlite_image(
        "CREATE TABLE Packages(hnum INTEGER PRIMARY KEY, b BLOB, "
        "blob BLOB GENERATED ALWAYS AS (zeroblob(1000000000)) VIRTUAL);"
        "INSERT INTO Packages(hnum, b) VALUES (1, x'00'), (2, x'00');");
    auto start = std::chrono::steady_clock::now();
    size_t blobs = 0;
    auto count = [&](std::string_view) { ++blobs; };
    CHECK_THROWS_WITH_AS(rpm::for_each_sqlite_blob(endless, count),
                         doctest::Contains("SQLite instructions: not a table of rpm headers"), std::runtime_error);
    CHECK_THROWS_WITH_AS(rpm::for_each_sqlite_blob(computed, count), doctest::Contains("reading Packages"),
                         std::runtime_error);
    CHECK(blobs == 0);
    CHECK(std::chrono::steady_clock::now() - start < std::chrono::seconds(5));
}

// Found by tests/fuzz/fuzz_catalogers: a 14 KB Packages file whose
// overflow item claims 4 GB made the reader reserve 4 GB. Items sharing one
// chain (or ndb slots one blob, an SQLite view one row) multiplied the work.
TEST_CASE("catalog::rpm reads no more than a Berkeley DB or SQLite rpmdb holds") {
    size_t blobs = 0;
    auto count = [&](std::string_view) { ++blobs; };
    CHECK_THROWS_WITH_AS(rpm::for_each_bdb_blob(bdb_image({{2, 0xf0000000u}}, {100}), count),
                         "rpm header blobs add up to more than the database", std::runtime_error);
    CHECK(blobs == 0);
    std::vector<std::pair<uint32_t, uint32_t>> shared(10, {2, 100});
    CHECK_THROWS_WITH_AS(rpm::for_each_bdb_blob(bdb_image(shared, {100}), count),
                         "Berkeley DB overflow chains loop or share pages", std::runtime_error);
    CHECK(blobs <= 3);
    blobs = 0;
    const std::string repeated = sqlite_image(
        "CREATE TABLE t(b BLOB); INSERT INTO t VALUES (zeroblob(4000));"
        "CREATE VIEW Packages AS WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 1000) "
        "SELECT x AS hnum, b AS blob FROM t, c;");
    CHECK_THROWS_WITH_AS(rpm::for_each_sqlite_blob(repeated, count),
                         "rpm header blobs add up to more than the database", std::runtime_error);
    CHECK(blobs * 4000 <= repeated.size());
}

// 65535 index entries each naming the same megabytes of data took time
// quadratic in the blob (each entry's string was copied).
TEST_CASE("catalog::rpm reads a header blob in linear time") {
    constexpr uint32_t entries = 0xffff, data_size = 16 * 1024 * 1024;
    std::string blob;
    auto be32 = [&](uint32_t v) {
        for (int shift = 24; shift >= 0; shift -= 8) blob += static_cast<char>(v >> shift);
    };
    be32(entries);
    be32(data_size);
    for (uint32_t i = 0; i < entries; ++i) {
        be32(i == 0 ? 1001 : 1000);  // VERSION once, then NAME again and again
        be32(6);
        be32(0);
        be32(1);
    }
    blob.append(data_size, 'a');
    // Now refused at once: no real package's NAME holds megabytes.
    CHECK_THROWS_WITH_AS(rpm::read_header_blob(blob), "rpm header string longer than 4096 bytes", std::runtime_error);
    blob.replace(blob.size() - data_size + 4096, 1, 1, '\0');
    CHECK(rpm::read_header_blob(blob).name.size() == 4096);
}

TEST_CASE("catalog::rpm splits source rpm file names") {
    auto source = rpm::parse_source_rpm("util-linux-2.32.1-42.el8_8.src.rpm");
    REQUIRE(source);
    CHECK(source->name == "util-linux");
    CHECK(source->version == "2.32.1-42.el8_8");
    CHECK_FALSE(rpm::parse_source_rpm("(none)"));
    CHECK_FALSE(rpm::parse_source_rpm("noversion.src.rpm"));
}

TEST_CASE("catalog::rpm refuses a header blob whose index runs past its end") {
    std::string blob("\x00\x00\x00\x02\x00\x00\x00\x10", 8);
    CHECK_THROWS_WITH_AS(rpm::read_header_blob(blob), "rpm header blob truncated", std::runtime_error);
}

TEST_SUITE_END();
