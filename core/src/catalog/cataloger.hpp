// A cataloger recognises one kind of package database or metadata file and
// reads packages (or the OS) out of it. The layer walker streams every
// regular file of every layer past wants(); the content of a wanted file is
// read into memory (up to max_file_size) and handed to analyse().
//
// Analysis is per file and per layer, so a layer's facts can be cached by its
// digest; the image is the fold of its layers' facts with whiteouts applied.
// The OSV ecosystem of OS packages ("Debian:12") depends on os-release,
// which may sit in another layer: it is filled in at fold time.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "limits/limits.hpp"
#include "scan/model.hpp"

namespace regscan::catalog {

struct FileInfo {
    std::string path;  // absolute, normalised: "/var/lib/dpkg/status"
    uint64_t size = 0;
    uint32_t mode = 0;  // st_mode bits (permissions, setuid, ...)
    [[nodiscard]] bool executable() const { return (mode & 0111) != 0; }
};

// What one file yields.
struct FileFacts {
    std::vector<scan::Package> packages;
    std::optional<scan::OsRelease> os;
    std::vector<std::string> notes;
    // A wanted path that is a symlink or hard link: its target, absolute and
    // normalised. The fold reads what the target holds in the final image.
    std::string link;
    // A wanted path this layer holds but regscan could not read (a
    // directory, a device, a file over the size limit): it still replaces
    // the lower layers' file, whose packages are no longer the image's.
    bool unreadable = false;
    // A file that declares the licenses of a package another file lists
    // (dpkg's /usr/share/doc/<package>/copyright): `licenses` go to the
    // packages of type `licensed_type` named `licensed_package` at fold time.
    std::string licensed_type;
    std::string licensed_package;
    std::vector<std::string> licenses;
};

class Cataloger {
public:
    virtual ~Cataloger() = default;
    [[nodiscard]] virtual std::string name() const = 0;
    // Cheap: called for every regular file of every layer.
    [[nodiscard]] virtual bool wants(const FileInfo& file) const = 0;
    // Reads what the file holds; throws std::runtime_error naming the file
    // when it is malformed (the engine records a note and goes on).
    virtual void analyse(const FileInfo& file, std::string_view content, FileFacts& facts) const = 0;
};

// Files larger than this are not read (a note says so).
inline constexpr uint64_t max_file_size = limits::analysed_file_size;

// Every cataloger regscan has, in a fixed order.
std::vector<std::unique_ptr<Cataloger>> all_catalogers();

// Fills Package::ecosystem (and purl distro qualifiers) of OS packages from
// the image's os-release once the layers are folded, e.g. deb + debian 12 ->
// "Debian:12", apk + alpine 3.18.4 -> "Alpine:v3.18", rpm + almalinux 9.3 ->
// "AlmaLinux:9", rpm + rocky -> "Rocky Linux:9", rpm + rhel -> "Red Hat".
void assign_os_ecosystem(std::vector<scan::Package>& packages, const std::optional<scan::OsRelease>& os);

// Which os-release of the folded image describes it: the highest wins.
// /etc/os-release (2) over /usr/lib/os-release (1), as os-release(5) reads
// them; 0 for any other path. Both files yield FileFacts::os, so the fold
// must choose by this rather than by path order ("/etc" sorts first).
int os_release_precedence(std::string_view path);

}  // namespace regscan::catalog
