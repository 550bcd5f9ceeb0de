#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "vulndb/debian_tracker.hpp"

using namespace regscan::vulndb;

TEST_SUITE_BEGIN("debian_tracker");

namespace {

struct Read {
    TrackerReadSummary summary;
    std::vector<TrackerStatus> statuses;
};

Read read(std::string_view json) {
    Read out;
    out.summary = read_debian_tracker(json, [&](TrackerStatus&& s) { out.statuses.push_back(std::move(s)); });
    return out;
}

std::string error_of(std::string_view json) {
    try {
        read(json);
    } catch (const TrackerError& e) {
        return e.what();
    }
    return "(no error)";
}

// One package, one issue, one release object given as its JSON body.
std::string one_release(std::string_view codename, std::string_view body) {
    return R"({"zlib": {"CVE-2023-45853": {"description": "x", "releases": {")" + std::string(codename) +
           R"(": {)" + std::string(body) + "}}}}}";
}

std::string status_of(std::string_view body) {
    auto r = read(one_release("bookworm", body));
    REQUIRE(r.statuses.size() <= 1);
    return r.statuses.empty() ? "" : r.statuses[0].status;
}

// Written in the tracker's shape (security-tracker.debian.org/tracker/data/json),
// not copied from it: members the reader skips included.
constexpr const char* sample = R"({
  "zlib": {
    "CVE-2023-45853": {
      "description": "MiniZip in zlib through 1.3 has an integer overflow ...",
      "scope": "local",
      "debianbug": 1054290,
      "releases": {
        "bookworm": {"status": "open", "repositories": {"bookworm": "1:1.2.13.dfsg-1"},
                     "urgency": "low", "nodsa": "Minor issue", "nodsa_reason": "ignored"},
        "bullseye": {"status": "open", "repositories": {"bullseye": "1:1.2.11.dfsg-2+deb11u2"},
                     "urgency": "low", "nodsa": "Minor issue", "nodsa_reason": "postponed"},
        "trixie": {"status": "resolved", "repositories": {"trixie": "1:1.3.dfsg-3"},
                   "fixed_version": "1:1.3.dfsg-1", "urgency": "low"},
        "sid": {"status": "resolved", "repositories": {"sid": "1:1.3.dfsg-3"},
                "fixed_version": "1:1.3.dfsg-1", "urgency": "low"}
      }
    },
    "TEMP-0000000-1A2B3C": {
      "description": "zlib issue without a CVE",
      "releases": {
        "buster": {"status": "open", "repositories": {"buster": "1:1.2.11.dfsg-1+deb10u2"},
                   "urgency": "end-of-life"},
        "bookworm": {"status": "undetermined", "repositories": {"bookworm": "1:1.2.13.dfsg-1"},
                     "urgency": "not yet assigned"}
      }
    }
  },
  "openssl": {
    "CVE-2024-0001": {
      "description": "y",
      "releases": {
        "bookworm": {"status": "open", "repositories": {"bookworm": "3.0.11-1~deb12u2"}, "urgency": "medium"},
        "experimental": {"status": "open", "repositories": {}, "urgency": "medium"}
      }
    }
  }
})";

}  // namespace

TEST_CASE("vulndb::read_debian_tracker reads the tracker's shape and counts it") {
    auto r = read(sample);
    REQUIRE(r.statuses.size() == 4);
    CHECK(r.statuses[0].ecosystem == "Debian:12");
    CHECK(r.statuses[0].package == "zlib");
    CHECK(r.statuses[0].vulnerability == "CVE-2023-45853");
    CHECK(r.statuses[0].status == "will_not_fix");
    CHECK(r.statuses[1].ecosystem == "Debian:11");
    CHECK(r.statuses[1].status == "fix_deferred");
    CHECK(r.statuses[2].ecosystem == "Debian:10");
    CHECK(r.statuses[2].vulnerability == "TEMP-0000000-1A2B3C");
    CHECK(r.statuses[2].status == "end_of_life");
    CHECK(r.statuses[3].ecosystem == "Debian:12");
    CHECK(r.statuses[3].status == "under_investigation");
    CHECK(r.summary.packages == 2);
    CHECK(r.summary.issues == 3);
    CHECK(r.summary.releases == 8);
    CHECK(r.summary.statuses == 4);
    CHECK(r.summary.unknown_releases == 2);  // sid, experimental
}

TEST_CASE("vulndb::read_debian_tracker maps each status") {
    CHECK(status_of(R"("status": "open", "urgency": "low", "nodsa_reason": "ignored")") == "will_not_fix");
    CHECK(status_of(R"("status": "open", "urgency": "low", "nodsa_reason": "postponed")") == "fix_deferred");
    CHECK(status_of(R"("status": "open", "urgency": "end-of-life")") == "end_of_life");
    CHECK(status_of(R"("status": "open", "urgency": "end-of-life**")") == "end_of_life");
    CHECK(status_of(R"("status": "open", "urgency": "end-of-life", "nodsa_reason": "")") == "end_of_life");
    CHECK(status_of(R"("status": "undetermined", "urgency": "not yet assigned")") == "under_investigation");
    CHECK(status_of(R"("status": "undetermined", "urgency": "low**", "nodsa_reason": "ignored")") == "will_not_fix");
    // nodsa_reason wins over end-of-life.
    CHECK(status_of(R"("status": "open", "urgency": "end-of-life", "nodsa_reason": "postponed")") == "fix_deferred");
    // Plain open: the default (affected), nothing stored.
    CHECK(status_of(R"("status": "open", "urgency": "low**")") == "");
    CHECK(status_of(R"("status": "open", "urgency": "unimportant", "nodsa_reason": "")") == "");
    CHECK(status_of(R"("status": "open")") == "");
    // Resolved never emits, whatever else it says.
    CHECK(status_of(R"("status": "resolved", "urgency": "end-of-life", "nodsa_reason": "ignored")") == "");
    CHECK(status_of(R"("status": "resolved", "nodsa_reason": "postponed", "fixed_version": "1.0")") == "");
}

TEST_CASE("vulndb::read_debian_tracker does not depend on member order") {
    CHECK(status_of(R"("nodsa_reason": "ignored", "urgency": "low", "status": "open")") == "will_not_fix");
    CHECK(status_of(R"("nodsa_reason": "ignored", "status": "resolved")") == "");
    CHECK(status_of(R"("urgency": "end-of-life", "repositories": {"bookworm": "1"}, "status": "open")") ==
          "end_of_life");
    // "releases" before the other members of an issue, packages in any order.
    auto r = read(R"({"b": {"CVE-1": {"releases": {"trixie": {"urgency": "x", "status": "undetermined"}},
                                      "description": "d", "debianbug": 1}},
                      "a": {"CVE-2": {"releases": {"forky": {"nodsa_reason": "postponed", "status": "open"}}}}})");
    REQUIRE(r.statuses.size() == 2);
    CHECK(r.statuses[0].ecosystem == "Debian:13");
    CHECK(r.statuses[0].package == "b");
    CHECK(r.statuses[0].status == "under_investigation");
    CHECK(r.statuses[1].ecosystem == "Debian:14");
    CHECK(r.statuses[1].package == "a");
    CHECK(r.statuses[1].status == "fix_deferred");
}

TEST_CASE("vulndb::read_debian_tracker skips unknown members and their subtrees") {
    // Unknown members hold values of any type, including containers with
    // members named like the ones read ("status", "releases") and non-string values.
    auto r = read(R"({"pkg": {"CVE-2020-1": {
        "extra": {"releases": {"bookworm": {"status": 7}}, "status": [1, {"a": null}]},
        "notes": [{"status": "open"}, true, 1.5, null],
        "debianbug": 123,
        "releases": {"bookworm": {"status": "open", "nodsa_reason": "ignored",
                                  "repositories": {"bookworm": "1.0", "bookworm-security": "1.1"},
                                  "fixed_version": "2.0", "nodsa": "Minor issue",
                                  "new_member": {"deep": [{"x": 1}]}, "flag": false}},
        "scope": "remote"}}})");
    REQUIRE(r.statuses.size() == 1);
    CHECK(r.statuses[0].status == "will_not_fix");
    CHECK(r.summary.releases == 1);
    // Empty objects are fine.
    auto empty = read("{}");
    CHECK(empty.summary.packages == 0);
    CHECK(empty.statuses.empty());
    auto bare = read(R"({"p": {}, "q": {"CVE-1": {"description": "no releases"}}, "r": {"CVE-2": {"releases": {}}}})");
    CHECK(bare.summary.packages == 3);
    CHECK(bare.summary.issues == 2);
    CHECK(bare.summary.releases == 0);
}

TEST_CASE("vulndb::read_debian_tracker counts sid and unknown codenames without emitting") {
    for (const char* codename : {"sid", "experimental", "bookworm-security", "lenny", "zzz"}) {
        CAPTURE(codename);
        auto r = read(one_release(codename, R"("status": "open", "nodsa_reason": "ignored")"));
        CHECK(r.statuses.empty());
        CHECK(r.summary.unknown_releases == 1);
        CHECK(r.summary.releases == 1);
    }
    CHECK(debian_ecosystem_of_codename("jessie") == "Debian:8");
    CHECK(debian_ecosystem_of_codename("stretch") == "Debian:9");
    CHECK(debian_ecosystem_of_codename("buster") == "Debian:10");
    CHECK(debian_ecosystem_of_codename("bullseye") == "Debian:11");
    CHECK(debian_ecosystem_of_codename("bookworm") == "Debian:12");
    CHECK(debian_ecosystem_of_codename("trixie") == "Debian:13");
    CHECK(debian_ecosystem_of_codename("forky") == "Debian:14");
    CHECK(debian_ecosystem_of_codename("duke") == "Debian:15");
    CHECK_FALSE(debian_ecosystem_of_codename("sid"));
    CHECK_FALSE(debian_ecosystem_of_codename("Bookworm"));
}

TEST_CASE("vulndb::read_debian_tracker refuses what is not the tracker's shape, naming the place") {
    for (const char* doc : {"[]", "1", "\"x\"", "null", "[{\"zlib\": {}}]"})
        CHECK(error_of(doc).find("not the Debian Security Tracker's JSON export") != std::string::npos);
    CHECK(error_of("").find("invalid JSON") != std::string::npos);
    CHECK(error_of(R"({"zlib": {)").find("invalid JSON") != std::string::npos);
    CHECK(error_of(R"({"zlib": {}} trailing)").find("invalid JSON") != std::string::npos);

    auto e = error_of(R"({"zlib": []})");
    CHECK(e.find("package \"zlib\"") != std::string::npos);
    CHECK(e.find("not an object") != std::string::npos);
    CHECK(error_of(R"({"zlib": 1})").find("package \"zlib\"") != std::string::npos);

    e = error_of(R"({"zlib": {"CVE-1": "x"}})");
    CHECK(e.find("package \"zlib\", issue \"CVE-1\"") != std::string::npos);
    e = error_of(R"({"zlib": {"CVE-1": {"releases": []}}})");
    CHECK(e.find("issue \"CVE-1\"") != std::string::npos);
    CHECK(e.find("\"releases\" is an array") != std::string::npos);
    CHECK(error_of(R"({"zlib": {"CVE-1": {"releases": "bookworm"}}})").find("\"releases\" is a string") !=
          std::string::npos);
    e = error_of(R"({"zlib": {"CVE-1": {"releases": {"bookworm": "open"}}}})");
    CHECK(e.find("issue \"CVE-1\"") != std::string::npos);
    CHECK(e.find("not an object") != std::string::npos);

    // Members read must be strings.
    for (const char* body : {R"("status": 1)", R"("status": null)", R"("urgency": ["low"], "status": "open")",
                             R"("status": "open", "nodsa_reason": {"x": 1})", R"("status": "open", "urgency": true)"}) {
        CAPTURE(body);
        e = error_of(one_release("bookworm", body));
        CHECK(e.find("package \"zlib\", issue \"CVE-2023-45853\", release \"bookworm\"") != std::string::npos);
        CHECK(e.find("not a string") != std::string::npos);
    }
    // A release without a status, or with one the tracker does not use.
    e = error_of(one_release("bookworm", R"("urgency": "low")"));
    CHECK(e.find("release \"bookworm\": no \"status\"") != std::string::npos);
    e = error_of(one_release("sid", R"("status": "fixed\u0001")"));
    CHECK(e.find("unknown status \"fixed\x01\"") != std::string::npos);
}

TEST_CASE("vulndb::read_debian_tracker validates names from the input") {
    for (const char* name : {"Zlib", "-zlib", "zl ib", "zlib/..", "zl\\u0000ib", "", "z_lib"}) {
        CAPTURE(name);
        auto e = error_of(std::string(R"({")") + name + R"(": {}})");
        CHECK(e.find("invalid source package name") != std::string::npos);
    }
    CHECK(read(R"({"libc++1.0-x": {}, "0ad": {}, "g++-12": {}})").summary.packages == 3);
    CHECK(error_of(R"({")" + std::string(129, 'a') + R"(": {}})").find("invalid source package name") !=
          std::string::npos);
    CHECK(read(R"({")" + std::string(128, 'a') + R"(": {}})").summary.packages == 1);

    for (const char* id : {"CVE 1", "CVE_1", "", "CVE-1\\n", "<script>"}) {
        CAPTURE(id);
        auto e = error_of(std::string(R"({"zlib": {")") + id + R"(": {}}})");
        CHECK(e.find("package \"zlib\": invalid issue id") != std::string::npos);
    }
    CHECK(error_of(R"({"zlib": {")" + std::string(65, 'A') + R"(": {}}})").find("invalid issue id") !=
          std::string::npos);
    CHECK(error_of(one_release("Bookworm", R"("status": "open")")).find("invalid release name") != std::string::npos);

    // An echoed bad name is bounded and kept as it is: the log sink escapes
    // it, once (e2e test_vulnerability_status reads the log line).
    auto e = error_of(R"({")" + std::string(3000, 'A') + "\\u001b[31m" + R"(": {}})");
    CHECK(e.find('\x1b') == std::string::npos);
    CHECK(e.find(std::string(100, 'A') + "...") != std::string::npos);
    CHECK(e.size() < 300);
    e = error_of(R"({"\u001b[31mred": {}})");
    CHECK(e.find("\"\x1b[31mred\"") != std::string::npos);
}

TEST_CASE("vulndb::read_debian_tracker enforces its bounds") {
    // Depth: 8 nested containers are fine inside a skipped member, 9 are not.
    auto nested = [](size_t levels) {
        // The top object, package, issue and "x" are 4 levels; the rest are arrays.
        std::string doc = R"({"p": {"CVE-1": {"x": )";
        doc += std::string(levels - 3, '[') + std::string(levels - 3, ']');
        return doc + "}}}";
    };
    CHECK_NOTHROW(read(nested(max_tracker_depth)));
    auto e = error_of(nested(max_tracker_depth + 1));
    CHECK(e.find("nested deeper than 8") != std::string::npos);
    CHECK(e.find("issue \"CVE-1\"") != std::string::npos);
    CHECK(error_of(std::string(100000, '[')).find("not the Debian") != std::string::npos);
    CHECK(error_of("{\"p\": " + std::string(100000, '{')).size() < 300);

    // Keys and kept strings: 4 KiB.
    CHECK(error_of(R"({"p": {"CVE-1": {")" + std::string(4097, 'k') + R"(": 1}}})").find("key longer than 4 KiB") !=
          std::string::npos);
    CHECK_NOTHROW(read(R"({"p": {"CVE-1": {"description": ")" + std::string(10000, 'd') + R"("}}})"));
    CHECK(error_of(one_release("bookworm", R"("status": "open", "urgency": ")" + std::string(4097, 'u') + "\""))
              .find("string longer than 4 KiB") != std::string::npos);

    // Releases per issue: 100.
    auto releases = [](size_t count) {
        std::string doc = R"({"p": {"CVE-1": {"releases": {)";
        for (size_t i = 0; i < count; ++i)
            doc += (i ? ", \"r" : "\"r") + std::to_string(i) + R"(": {"status": "open"})";
        return doc + "}}}}";
    };
    CHECK(read(releases(100)).summary.unknown_releases == 100);
    CHECK(error_of(releases(101)).find("more than 100 releases") != std::string::npos);

    // Input size: checked before parsing (a view past the bound, never read).
    std::string small = "{}";
    std::string_view huge(small.data(), max_tracker_size + 1);
    try {
        read_debian_tracker(huge, [](TrackerStatus&&) {});
        FAIL("no error");
    } catch (const TrackerError& error) {
        CHECK(std::string(error.what()).find("512 MiB") != std::string::npos);
    }
}

TEST_CASE("vulndb::read_debian_tracker reads a ~200k-issue document") {
    // Generated in the tracker's shape: 2,000 packages of 100 issues, two
    // releases each; every 10th issue ignored in bookworm.
    std::string doc = "{";
    size_t expected = 0;
    for (size_t p = 0; p < 2000; ++p) {
        doc += (p ? ",\"pkg" : "\"pkg") + std::to_string(p) + "\":{";
        for (size_t i = 0; i < 100; ++i) {
            bool ignored = (p * 100 + i) % 10 == 0;
            expected += ignored;
            doc += (i ? ",\"CVE-2024-" : "\"CVE-2024-") + std::to_string(p * 100 + i) +
                   R"(":{"description":"generated issue","releases":{"bookworm":{"status":"open","repositories":{"bookworm":"1.0-1"},"urgency":"low")" +
                   (ignored ? std::string(R"(,"nodsa":"Minor issue","nodsa_reason":"ignored")") : std::string()) +
                   R"(},"sid":{"status":"resolved","repositories":{"sid":"1.0-2"},"fixed_version":"1.0-2","urgency":"low"}}})";
        }
        doc += "}";
    }
    doc += "}";
    size_t emitted = 0;
    auto summary = read_debian_tracker(doc, [&](TrackerStatus&& s) {
        ++emitted;
        CHECK(s.status == "will_not_fix");
    });
    CHECK(summary.packages == 2000);
    CHECK(summary.issues == 200000);
    CHECK(summary.releases == 400000);
    CHECK(summary.unknown_releases == 200000);
    CHECK(summary.statuses == expected);
    CHECK(emitted == expected);
    CHECK(expected == 20000);
}

TEST_SUITE_END();
