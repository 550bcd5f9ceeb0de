// assign_os_ecosystem (cataloger.hpp): the OSV ecosystem of OS packages and
// the distro part of their purls, from the image's os-release. Ecosystem
// names follow the OSV schema's list; distributions OSV has no data for
// (Fedora, CentOS, Amazon Linux, ...) keep an empty ecosystem, so nothing is
// matched against another distribution's records.
#include <array>
#include <string>
#include <string_view>

#include "catalog/cataloger.hpp"
#include "catalog/purl.hpp"

namespace regscan::catalog {

namespace {

std::string lower(std::string_view text) {
    std::string out(text);
    for (char& c : out) {
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    }
    return out;
}

bool has_word(std::string_view words, std::string_view word) {
    while (!words.empty()) {
        size_t space = words.find(' ');
        if (words.substr(0, space) == word) return true;
        if (space == std::string_view::npos) break;
        words.remove_prefix(space + 1);
    }
    return false;
}

// The leading "N" or "N.M" of a version, digits only.
std::string leading_numbers(std::string_view version, int parts) {
    std::string out;
    for (int part = 0; part < parts; ++part) {
        size_t n = 0;
        while (n < version.size() && version[n] >= '0' && version[n] <= '9') ++n;
        if (n == 0) break;
        if (part > 0) out += '.';
        out += version.substr(0, n);
        version.remove_prefix(n);
        if (!version.starts_with('.')) break;
        version.remove_prefix(1);
    }
    return out;
}

// Debian testing and sid write no VERSION_ID, only a codename.
std::string debian_release(const scan::OsRelease& os) {
    std::string major = leading_numbers(os.version_id, 1);
    if (!major.empty()) return major;
    static constexpr std::array<std::pair<std::string_view, std::string_view>, 7> codenames{{
        {"jessie", "8"}, {"stretch", "9"}, {"buster", "10"}, {"bullseye", "11"},
        {"bookworm", "12"}, {"trixie", "13"}, {"forky", "14"},
    }};
    for (const auto& [codename, number] : codenames) {
        if (os.version_codename == codename) return std::string(number);
    }
    return {};
}

// Ubuntu's LTS releases are the even years' April ones (PRETTY_NAME says so too).
bool ubuntu_lts(const scan::OsRelease& os, std::string_view release) {
    if (os.pretty_name.find("LTS") != std::string::npos) return true;
    return release.size() == 5 && release.substr(3) == "04" && (release[1] - '0') % 2 == 0;
}

std::string without_prefix(std::string_view text, std::string_view prefix) {
    return std::string(text.starts_with(prefix) ? text.substr(prefix.size()) : text);
}

struct Distro {
    std::string family;     // the package type it installs: "deb", "apk", "rpm"
    std::string ecosystem;  // "" when OSV has none for it
    std::string purl_namespace;
};

Distro distro_of(const scan::OsRelease& os) {
    std::string id = lower(os.id);
    std::string like = lower(os.id_like);
    if (id == "debian") {
        std::string release = debian_release(os);
        return {"deb", release.empty() ? "" : "Debian:" + release, "debian"};
    }
    if (id == "ubuntu") {
        std::string release = leading_numbers(os.version_id, 2);
        if (release.empty()) return {"deb", "", "ubuntu"};
        return {"deb", "Ubuntu:" + release + (ubuntu_lts(os, release) ? ":LTS" : ""), "ubuntu"};
    }
    if (id == "alpine") {
        std::string release = leading_numbers(os.version_id, 2);
        return {"apk", release.empty() ? "" : "Alpine:v" + release, "alpine"};
    }
    if (id == "wolfi") return {"apk", "Wolfi", "wolfi"};
    if (id == "chainguard") return {"apk", "Chainguard", "chainguard"};
    if (id == "almalinux") return {"rpm", "AlmaLinux:" + leading_numbers(os.version_id, 1), "almalinux"};
    if (id == "rocky") return {"rpm", "Rocky Linux:" + leading_numbers(os.version_id, 1), "rocky"};
    if (id == "rhel") return {"rpm", "Red Hat", "redhat"};
    if (id == "photon") return {"rpm", "Photon OS:" + leading_numbers(os.version_id, 2), "photon"};
    if (id == "mageia") return {"rpm", "Mageia:" + leading_numbers(os.version_id, 1), "mageia"};
    if (id.starts_with("opensuse")) return {"rpm", "openSUSE:" + without_prefix(os.pretty_name, "openSUSE "), "opensuse"};
    if (id == "sles" || id == "sled" || id.starts_with("sle-") || id == "sles_sap") {
        return {"rpm", "SUSE:" + without_prefix(os.pretty_name, "SUSE "), "suse"};
    }
    // Derivatives: the family from ID_LIKE, no OSV ecosystem of their own.
    if (has_word(like, "debian") || has_word(like, "ubuntu")) return {"deb", "", id};
    if (has_word(like, "alpine")) return {"apk", "", id};
    if (has_word(like, "rhel") || has_word(like, "fedora") || has_word(like, "centos") || has_word(like, "suse") ||
        id == "fedora" || id == "centos" || id == "amzn" || id == "ol" || id == "mariner" || id == "azurelinux") {
        return {"rpm", "", id};
    }
    return {};
}

std::string distro_qualifier(const scan::OsRelease& os) {
    std::string id = lower(os.id);
    if (!os.version_id.empty()) return id + "-" + os.version_id;
    if (!os.version_codename.empty()) return id + "-" + os.version_codename;
    return id;
}

}  // namespace

void assign_os_ecosystem(std::vector<scan::Package>& packages, const std::optional<scan::OsRelease>& os) {
    if (!os) return;
    Distro distro = distro_of(*os);
    if (distro.family.empty()) return;
    std::string qualifier = distro_qualifier(*os);
    for (scan::Package& package : packages) {
        if (package.type != distro.family) continue;
        package.ecosystem = distro.ecosystem;
        package.purl = purl::with_namespace_and_qualifier(package.purl, distro.purl_namespace, "distro", qualifier);
    }
}

}  // namespace regscan::catalog
