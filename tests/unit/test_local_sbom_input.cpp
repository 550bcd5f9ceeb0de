#include <doctest/doctest.h>

#include <fstream>
#include <sstream>

#include "local/sbom_input.hpp"
#include "regscan/error.hpp"
#include "report/table_report.hpp"
#include "test_report_fixtures.hpp"

using namespace regscan;

namespace {

const scan::Package* find(const local::SbomContents& contents, const std::string& name) {
    for (const auto& package : contents.packages)
        if (package.name == name) return &package;
    return nullptr;
}

bool has_note(const local::SbomContents& contents, const std::string& part) {
    for (const auto& note : contents.notes)
        if (note.find(part) != std::string::npos) return true;
    return false;
}

// As regscan's own CycloneDX report writes one image: a container component
// nesting the operating system and the packages.
const char* regscan_cyclonedx = R"({
  "bomFormat": "CycloneDX", "specVersion": "1.5",
  "metadata": {"component": {"type": "platform", "bom-ref": "registry:127.0.0.1:5000", "name": "127.0.0.1:5000"}},
  "components": [{
    "type": "container", "bom-ref": "image:1", "name": "127.0.0.1:5000/team/app", "version": "1.0",
    "purl": "pkg:oci/app@sha256%3Aaaaa?repository_url=127.0.0.1:5000/team/app",
    "components": [
      {"type": "operating-system", "bom-ref": "image:1|os", "name": "debian", "version": "12"},
      {"type": "library", "bom-ref": "p1", "name": "libc6", "version": "2.36-9+deb12u3",
       "purl": "pkg:deb/debian/libc6@2.36-9%2Bdeb12u3?arch=amd64&distro=debian-12&upstream=glibc",
       "licenses": [{"license": {"id": "LGPL-2.1-or-later"}}, {"license": {"name": "GPL-2+"}}]},
      {"type": "library", "bom-ref": "p2", "name": "libssl3", "version": "3.0.11-1~deb12u1",
       "purl": "pkg:deb/debian/libssl3@3.0.11-1~deb12u1?arch=amd64&distro=debian-12&upstream=openssl"},
      {"type": "library", "bom-ref": "p3", "name": "@babel/core", "version": "7.22.0",
       "purl": "pkg:npm/%40babel/core@7.22.0", "licenses": [{"expression": "MIT OR Apache-2.0"}]},
      {"type": "library", "bom-ref": "p4", "name": "Jinja2", "version": "3.1.2", "purl": "pkg:pypi/jinja2@3.1.2"},
      {"type": "library", "bom-ref": "p5", "name": "org.apache.logging.log4j:log4j-core", "version": "2.14.1",
       "purl": "pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1"},
      {"type": "library", "bom-ref": "p6", "name": "golang.org/x/net", "version": "v0.7.0",
       "purl": "pkg:golang/golang.org/x/net@v0.7.0"},
      {"type": "library", "bom-ref": "p7", "name": "stdlib", "version": "1.20.1", "purl": "pkg:golang/stdlib@1.20.1"},
      {"type": "library", "bom-ref": "p8", "name": "libc6", "version": "2.36-9+deb12u3",
       "purl": "pkg:deb/debian/libc6@2.36-9%2Bdeb12u3?arch=amd64&distro=debian-12&upstream=glibc"}
    ]}]
})";

}  // namespace

TEST_SUITE_BEGIN("local");

TEST_CASE("local::parse_sbom reads regscan's CycloneDX: nested components, purls, OS, licenses, duplicates once") {
    auto sbom = local::parse_sbom(regscan_cyclonedx, "bom.json");
    CHECK(sbom.format == "CycloneDX 1.5");
    REQUIRE(sbom.os);
    CHECK(sbom.os->id == "debian");
    CHECK(sbom.os->version_id == "12");
    CHECK(sbom.packages.size() == 7);  // libc6 is listed twice, the image and the OS are no packages
    CHECK(sbom.notes.empty());

    auto* libc = find(sbom, "libc6");
    REQUIRE(libc);
    CHECK(libc->type == "deb");
    CHECK(libc->version == "2.36-9+deb12u3");  // percent-decoded
    CHECK(libc->source_name == "glibc");
    CHECK(libc->source_version == "2.36-9+deb12u3");
    CHECK(libc->ecosystem == "Debian:12");
    CHECK(libc->purl == "pkg:deb/debian/libc6@2.36-9%2Bdeb12u3?arch=amd64&distro=debian-12&upstream=glibc");
    CHECK(libc->licenses == std::vector<std::string>{"LGPL-2.1-or-later", "GPL-2+"});

    auto* babel = find(sbom, "@babel/core");
    REQUIRE(babel);
    CHECK(babel->type == "npm");
    CHECK(babel->ecosystem == "npm");
    CHECK(babel->licenses == std::vector<std::string>{"MIT OR Apache-2.0"});

    auto* jinja = find(sbom, "Jinja2");  // the name as the document kept it, not the purl's normalised one
    REQUIRE(jinja);
    CHECK(jinja->type == "python");
    CHECK(jinja->ecosystem == "PyPI");

    auto* log4j = find(sbom, "org.apache.logging.log4j:log4j-core");
    REQUIRE(log4j);
    CHECK(log4j->type == "java-archive");
    CHECK(log4j->ecosystem == "Maven");

    auto* net = find(sbom, "golang.org/x/net");
    REQUIRE(net);
    CHECK(net->type == "go-module");
    CHECK(net->version == "v0.7.0");
    auto* stdlib = find(sbom, "stdlib");
    REQUIRE(stdlib);
    CHECK(stdlib->type == "go-stdlib");
    CHECK(stdlib->ecosystem == "Go");
}

TEST_CASE("local::parse_sbom reads SPDX 2.3: purl external refs, the OS package, extracted licenses") {
    const char* spdx = R"({
      "spdxVersion": "SPDX-2.3", "SPDXID": "SPDXRef-DOCUMENT", "name": "x",
      "hasExtractedLicensingInfos": [{"licenseId": "LicenseRef-GPL-2-", "extractedText": "GPL-2+", "name": "GPL-2+"}],
      "packages": [
        {"SPDXID": "SPDXRef-image", "name": "team/app", "primaryPackagePurpose": "CONTAINER",
         "externalRefs": [{"referenceCategory": "PACKAGE-MANAGER", "referenceType": "purl",
                           "referenceLocator": "pkg:oci/app@sha256%3Aaaaa"}]},
        {"SPDXID": "SPDXRef-os", "name": "alpine", "versionInfo": "3.18.4", "primaryPackagePurpose": "OPERATING-SYSTEM"},
        {"SPDXID": "SPDXRef-p1", "name": "busybox", "versionInfo": "1.36.1-r2", "licenseDeclared": "GPL-2.0-only",
         "externalRefs": [{"referenceCategory": "SECURITY", "referenceType": "cpe23Type", "referenceLocator": "cpe:2.3:a:x"},
                          {"referenceCategory": "PACKAGE-MANAGER", "referenceType": "purl",
                           "referenceLocator": "pkg:apk/alpine/busybox-binsh@1.36.1-r2?arch=x86_64&upstream=busybox"}]},
        {"SPDXID": "SPDXRef-p2", "name": "zlib", "licenseDeclared": "LicenseRef-GPL-2-",
         "externalRefs": [{"referenceCategory": "PACKAGE-MANAGER", "referenceType": "purl",
                           "referenceLocator": "pkg:apk/alpine/zlib@1.2.13-r1"}]},
        {"SPDXID": "SPDXRef-p3", "name": "left-pad", "licenseDeclared": "NOASSERTION",
         "externalRefs": [{"referenceCategory": "PACKAGE-MANAGER", "referenceType": "purl",
                           "referenceLocator": "pkg:npm/left-pad@1.3.0"}]}
      ]})";
    auto sbom = local::parse_sbom(spdx, "sbom.spdx.json");
    CHECK(sbom.format == "SPDX-2.3");
    REQUIRE(sbom.os);
    CHECK(sbom.os->id == "alpine");
    CHECK(sbom.os->version_id == "3.18.4");
    REQUIRE(sbom.packages.size() == 3);
    auto* busybox = find(sbom, "busybox-binsh");
    REQUIRE(busybox);
    CHECK(busybox->type == "apk");
    CHECK(busybox->source_name == "busybox");
    CHECK(busybox->ecosystem == "Alpine:v3.18");  // no distro qualifier: the document's operating system
    CHECK(busybox->licenses == std::vector<std::string>{"GPL-2.0-only"});
    auto* zlib = find(sbom, "zlib");
    REQUIRE(zlib);
    CHECK(zlib->licenses == std::vector<std::string>{"GPL-2+"});
    auto* pad = find(sbom, "left-pad");
    REQUIRE(pad);
    CHECK(pad->licenses.empty());
    CHECK(pad->ecosystem == "npm");
}

TEST_CASE("local::parse_sbom takes the source package from Trivy's properties and SPDX sourceInfo") {
    const char* trivy = R"({"bomFormat": "CycloneDX", "specVersion": "1.5", "components": [
      {"type": "library", "name": "libc6", "version": "2.36-9+deb12u3",
       "purl": "pkg:deb/debian/libc6@2.36-9%2Bdeb12u3?arch=amd64&distro=debian-12.4",
       "properties": [{"name": "aquasecurity:trivy:SrcName", "value": "glibc"},
                      {"name": "aquasecurity:trivy:SrcVersion", "value": "2.36"},
                      {"name": "aquasecurity:trivy:SrcRelease", "value": "9+deb12u3"},
                      {"name": "aquasecurity:trivy:SrcEpoch", "value": "0"}]},
      {"type": "library", "name": "libssl3", "version": "3.0.11-1~deb12u1",
       "purl": "pkg:deb/debian/libssl3@3.0.11-1~deb12u1?distro=debian-12.4&upstream=openssl",
       "properties": [{"name": "aquasecurity:trivy:SrcName", "value": "not-this"}]}]})";
    auto sbom = local::parse_sbom(trivy, "trivy.json");
    auto* libc = find(sbom, "libc6");
    REQUIRE(libc);
    CHECK(libc->source_name == "glibc");
    CHECK(libc->source_version == "2.36-9+deb12u3");
    CHECK(libc->ecosystem == "Debian:12");
    CHECK(find(sbom, "libssl3")->source_name == "openssl");  // the purl's upstream wins

    const char* spdx = R"({"spdxVersion": "SPDX-2.3", "packages": [
      {"name": "libc6", "versionInfo": "2.36-9+deb12u3", "sourceInfo": "built package from: glibc 2.36-9+deb12u4",
       "externalRefs": [{"referenceType": "purl", "referenceLocator": "pkg:deb/debian/libc6@2.36-9%2Bdeb12u3?distro=debian-12"}]}]})";
    auto from_spdx = local::parse_sbom(spdx, "x.spdx.json");
    REQUIRE(from_spdx.packages.size() == 1);
    CHECK(from_spdx.packages[0].source_name == "glibc");
    CHECK(from_spdx.packages[0].source_version == "2.36-9+deb12u4");
}

TEST_CASE("local::package_from_purl: types, percent-decoding, upstream, epochs") {
    auto rpm = local::package_from_purl(
        "pkg:rpm/almalinux/openssl-libs@3.0.7-24.el9?arch=x86_64&epoch=1&upstream=openssl-3.0.7-24.el9.src.rpm");
    REQUIRE(rpm);
    CHECK(rpm->type == "rpm");
    CHECK(rpm->version == "1:3.0.7-24.el9");
    CHECK(rpm->source_name == "openssl");
    CHECK(rpm->source_version == "1:3.0.7-24.el9");

    auto deb = local::package_from_purl("pkg:deb/debian/libssl3@3.0.11-1~deb12u1?upstream=openssl%403.0.11-1~deb12u2");
    REQUIRE(deb);
    CHECK(deb->source_name == "openssl");
    CHECK(deb->source_version == "3.0.11-1~deb12u2");

    auto gem = local::package_from_purl("pkg:gem/rails@7.0.4");
    REQUIRE(gem);
    CHECK(gem->ecosystem == "RubyGems");
    auto cargo = local::package_from_purl("pkg:cargo/serde@1.0.0");
    REQUIRE(cargo);
    CHECK(cargo->ecosystem == "crates.io");
    auto nuget = local::package_from_purl("pkg:nuget/Newtonsoft.Json@13.0.1");
    REQUIRE(nuget);
    CHECK(nuget->ecosystem == "NuGet");
    CHECK(nuget->name == "Newtonsoft.Json");

    auto syft_stdlib = local::package_from_purl("pkg:golang/stdlib@go1.21.5");
    REQUIRE(syft_stdlib);
    CHECK(syft_stdlib->type == "go-stdlib");
    CHECK(syft_stdlib->version == "1.21.5");
    CHECK(local::package_from_purl("pkg:golang/example.com/go@go1.2")->version == "go1.2");  // a module's is its own

    auto scoped = local::package_from_purl("pkg:npm/%40types/node@20.1.0");
    REQUIRE(scoped);
    CHECK(scoped->name == "@types/node");

    auto other = local::package_from_purl("pkg:generic/openssl@3.0.0");
    REQUIRE(other);
    CHECK(other->type == "generic");
    CHECK(other->ecosystem.empty());

    CHECK_FALSE(local::package_from_purl("openssl@3.0.0"));
    CHECK_FALSE(local::package_from_purl("pkg:npm/bad%zzname@1"));
    CHECK_FALSE(local::package_from_purl("pkg:npm"));
}

TEST_CASE("local::os_from_distro and the OS packages' ecosystems") {
    auto bookworm = local::os_from_distro("debian-bookworm");
    REQUIRE(bookworm);
    CHECK(bookworm->id == "debian");
    CHECK(bookworm->version_codename == "bookworm");
    auto alpine = local::os_from_distro("alpine-3.18.4");
    REQUIRE(alpine);
    CHECK(alpine->version_id == "3.18.4");
    CHECK_FALSE(local::os_from_distro(""));

    const char* mixed = R"({"bomFormat": "CycloneDX", "specVersion": "1.6", "components": [
      {"type": "library", "name": "a", "purl": "pkg:deb/debian/a@1?distro=debian-bookworm"},
      {"type": "library", "name": "b", "purl": "pkg:deb/ubuntu/b@1?distro=ubuntu-22.04"},
      {"type": "library", "name": "c", "purl": "pkg:apk/alpine/c@1-r0?distro=alpine-3.19.1"},
      {"type": "library", "name": "d", "purl": "pkg:rpm/rocky/d@1-1.el9?distro=rocky-9.3"},
      {"type": "library", "name": "e", "purl": "pkg:deb/debian/e@1"},
      {"type": "library", "name": "f", "purl": "pkg:deb/debian/f@1?distro=debian-sid"}
    ]})";
    auto sbom = local::parse_sbom(mixed, "mixed.json");
    REQUIRE(sbom.packages.size() == 6);
    CHECK(find(sbom, "a")->ecosystem == "Debian:12");
    CHECK(find(sbom, "b")->ecosystem == "Ubuntu:22.04:LTS");
    CHECK(find(sbom, "c")->ecosystem == "Alpine:v3.19");
    CHECK(find(sbom, "d")->ecosystem == "Rocky Linux:9");
    CHECK(find(sbom, "e")->ecosystem.empty());  // no qualifier, no OS in the document: not matched, and said
    CHECK(find(sbom, "f")->ecosystem.empty());
    REQUIRE(sbom.os);
    CHECK(sbom.os->id == "debian");  // the first qualifier's
    CHECK(has_note(sbom, "1 SBOM deb packages of no distro qualifier: not matched"));
    CHECK(has_note(sbom, "1 SBOM deb packages of distro debian-sid: not matched"));
}

TEST_CASE("local::parse_sbom says when the document describes several images (a registry's SBOM)") {
    const char* cyclonedx = R"({"bomFormat": "CycloneDX", "specVersion": "1.5", "components": [
      {"type": "container", "name": "a", "purl": "pkg:oci/a@sha256%3Aaa", "components": [
        {"type": "library", "purl": "pkg:npm/x@1"}]},
      {"type": "container", "name": "b", "purl": "pkg:oci/b@sha256%3Abb", "components": [
        {"type": "library", "purl": "pkg:npm/x@1"}, {"type": "library", "purl": "pkg:npm/y@1"}]}]})";
    auto sbom = local::parse_sbom(cyclonedx, "registry.json");
    CHECK(sbom.packages.size() == 2);
    CHECK(has_note(sbom, "the SBOM describes 2 images: their packages are read as one image's"));
    const char* spdx = R"({"spdxVersion": "SPDX-2.3", "packages": [
      {"SPDXID": "SPDXRef-a", "name": "a", "primaryPackagePurpose": "CONTAINER"},
      {"SPDXID": "SPDXRef-b", "name": "b", "primaryPackagePurpose": "CONTAINER"}]})";
    CHECK(has_note(local::parse_sbom(spdx, "r.spdx.json"), "describes 2 images"));
    CHECK(local::parse_sbom(regscan_cyclonedx, "one.json").notes.empty());  // one image: nothing to say
}

TEST_CASE("local::parse_sbom says what it cannot match: no purl, bad purl, unknown types") {
    const char* text = R"({"bomFormat": "CycloneDX", "specVersion": "1.4", "components": [
      {"type": "library", "name": "no-purl", "version": "1"},
      {"type": "file", "name": "/etc/passwd"},
      {"type": "library", "name": "bad", "purl": "pkg:npm/%zz@1"},
      {"type": "library", "name": "gh", "purl": "pkg:github/actions/checkout@v4"},
      {"type": "library", "name": "gh2", "purl": "pkg:github/actions/setup-go@v5"}
    ]})";
    auto sbom = local::parse_sbom(text, "bom.json");
    CHECK(sbom.packages.size() == 2);
    CHECK(sbom.notes.size() == 3);
    CHECK(has_note(sbom, "1 SBOM components have no package URL"));
    CHECK(has_note(sbom, "1 SBOM components have a purl that does not parse"));
    CHECK(has_note(sbom, "2 SBOM packages of purl type github: not matched"));
}

TEST_CASE("local::parse_sbom refuses what is not an SBOM it reads, naming the file and the place") {
    auto refused = [](const std::string& text) {
        try {
            local::parse_sbom(text, "in.json");
        } catch (const sdk::Error& e) {
            return std::string(e.what());
        }
        return std::string("accepted");
    };
    CHECK(refused("{\n\"bomFormat\": \"CycloneDX\",\n\"components\": [ }").rfind("in.json:3: not valid JSON", 0) == 0);
    CHECK(refused("[]") == "in.json: not a JSON object");
    CHECK(refused(R"({"spdxVersion": "SPDX-3.0"})").find("neither a CycloneDX") != std::string::npos);
    CHECK(refused(R"({"bomFormat": "CycloneDX", "components": {}})") == "in.json: components: not an array");
    CHECK(refused(R"({"bomFormat": "CycloneDX", "components": [1]})") == "in.json: components[0]: not an object");
    CHECK(refused(R"({"bomFormat": "CycloneDX", "components": [{"components": [{}, "x"]}]})") ==
          "in.json: components[0].components[1]: not an object");
    CHECK(refused(R"({"spdxVersion": "SPDX-2.3", "packages": [{"externalRefs": 3}]})") ==
          "in.json: packages[0].externalRefs: not an array");
    CHECK(refused("{\"bomFormat\": \"CycloneDX\", \"x\": 1e999999}").rfind("in.json:", 0) == 0);
    CHECK(refused("\n<?xml version=\"1.0\"?><bom xmlns=\"http://cyclonedx.org/schema/bom/1.5\"/>") ==
          "in.json: an XML document: regscan reads CycloneDX and SPDX in their JSON form only");
    CHECK(refused("SPDXVersion: SPDX-2.3\nDataLicense: CC0-1.0\n") ==
          "in.json: an SPDX tag-value document: regscan reads SPDX 2.3 in its JSON form only");
    CHECK(refused("") .rfind("in.json:1: not valid JSON", 0) == 0);
}

TEST_CASE("local::parse_sbom bounds nesting and counts (hostile documents)") {
    // Deep nesting is refused while parsing, before any tree that deep exists.
    std::string deep = "{\"bomFormat\": \"CycloneDX\", \"x\": " + std::string(100000, '[') + std::string(100000, ']') + "}";
    CHECK_THROWS_WITH_AS(local::parse_sbom(deep, "deep.json"), "deep.json:1: nested deeper than 64 levels", sdk::Error);
    // Nested components as deep as allowed are read; the depth bound counts
    // the JSON levels, so 64 levels hold 31 nested components.
    std::string nested = "{\"bomFormat\": \"CycloneDX\", \"components\": [";
    for (int i = 0; i < 30; ++i) nested += "{\"purl\": \"pkg:npm/p" + std::to_string(i) + "@1\", \"components\": [";
    nested += "{\"purl\": \"pkg:npm/last@1\"}";
    for (int i = 0; i < 30; ++i) nested += "]}";
    nested += "]}";
    CHECK(local::parse_sbom(nested, "nested.json").packages.size() == 31);

    std::string many = "{\"bomFormat\": \"CycloneDX\", \"components\": [";
    for (size_t i = 0; i <= local::max_sbom_components; ++i) many += i ? ",{}" : "{}";
    many += "]}";
    CHECK_THROWS_WITH_AS(local::parse_sbom(many, "many.json"),
                         "many.json: components[200000]: more than 200000 components or packages", sdk::Error);

    // A flood of tiny values is refused before the parser builds a tree of
    // them (it would take many times the file's size); commas and brackets
    // inside strings do not count.
    std::string flood = "{\"bomFormat\": \"CycloneDX\", \"x\": [";
    for (size_t i = 0; i < local::max_sbom_values; ++i) flood += "0,";
    flood += "0]}";
    CHECK_THROWS_WITH_AS(local::parse_sbom(flood, "flood.json"), "flood.json:1: more than 4000000 JSON values",
                         sdk::Error);
    std::string quoted = "{\"bomFormat\": \"CycloneDX\", \"x\": \"" + std::string(local::max_sbom_values, ',') +
                         std::string(100, '[') + "\\\"\"}";
    CHECK(local::parse_sbom(quoted, "quoted.json").packages.empty());
}

TEST_CASE("local::read_sbom bounds the file and names it") {
    report_fixtures::TempDir dir("sbom-input");
    CHECK_THROWS_WITH_AS(local::read_sbom(dir.path / "missing.json"),
                         doctest::Contains("missing.json: not a readable file"), sdk::Error);
    CHECK_THROWS_WITH_AS(local::read_sbom(dir.path), doctest::Contains("not a readable file"), sdk::Error);
    auto big = dir.path / "big.json";
    {
        std::ofstream out(big, std::ios::binary);
        out << "{\"bomFormat\": \"CycloneDX\", \"components\": [], \"pad\": \"";
        out << std::string(local::max_sbom_size, ' ') << "\"}";
    }
    CHECK_THROWS_WITH_AS(local::read_sbom(big), doctest::Contains("big.json: larger than 65536 KiB"), sdk::Error);
    auto good = dir.path / "good.json";
    std::ofstream(good, std::ios::binary) << regscan_cyclonedx;
    CHECK(local::read_sbom(good).packages.size() == 7);
}

TEST_CASE("local::parse_sbom keeps control characters in names; the table shows them escaped") {
    const char* text = R"({"bomFormat": "CycloneDX", "specVersion": "1.5", "components": [
      {"type": "library", "purl": "pkg:npm/evil%1B%5B31mred%0A@1.0.0%07"}]})";
    auto sbom = local::parse_sbom(text, "bom.json");
    REQUIRE(sbom.packages.size() == 1);
    CHECK(sbom.packages[0].name == "evil\x1b[31mred\n");
    CHECK(sbom.packages[0].version == "1.0.0\a");

    scan::ImageResult result;
    result.registry = "sbom";
    result.repository = "sbom";
    result.tag = "bom.json";
    result.packages = sbom.packages;
    scan::Vulnerability v;
    v.id = "GHSA-xxxx-xxxx-xxxx";
    v.severity = scan::Severity::high;
    v.package_name = sbom.packages[0].name;
    v.package_version = sbom.packages[0].version;
    v.ecosystem = "npm";
    result.vulnerabilities.push_back(v);
    std::ostringstream console;
    report::TableReport table(console);
    report_fixtures::feed(table, {result});
    table.finish(nlohmann::json::object());
    CHECK(console.str().find("evil\\e[31mred\\n") != std::string::npos);
    CHECK(console.str().find("1.0.0\\x07") != std::string::npos);
    CHECK(console.str().find('\x1b') == std::string::npos);
    CHECK(console.str().find('\a') == std::string::npos);
}

TEST_SUITE_END();
