// One namespace per ordering scheme, behind version_compare.hpp. Each compare()
// returns nullopt when the reference implementation would refuse a or b, so
// the dispatcher applies one policy for refused versions (see
// version_compare.hpp); accepts() says which side was refused.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace regscan::versions {

namespace debian {
bool is_valid(std::string_view version);
bool accepts(std::string_view version);  // dpkg compares it, perhaps with a warning
std::optional<int> compare(std::string_view a, std::string_view b);
}  // namespace debian

namespace rpm {
// Valid: [digits:]version[-release], fields of letters, digits and "._+~^"
// as rpmbuild allows them. rpm itself compares anything but "".
bool is_valid(std::string_view version);
bool accepts(std::string_view version);
std::optional<int> compare(std::string_view a, std::string_view b);
// rpmvercmp() alone: one version, release or epoch field against another.
int compare_field(std::string_view a, std::string_view b);
}  // namespace rpm

namespace apk {
bool is_valid(std::string_view version);
bool accepts(std::string_view version);  // non-empty and starting with a digit
std::optional<int> compare(std::string_view a, std::string_view b);
// apk's fuzzy comparison behind the "~", "<~" and ">~" dependency operators:
// 0 when a continues b component-wise ("3.6.9" against "3.6").
std::optional<int> compare_fuzzy(std::string_view a, std::string_view b);
}  // namespace apk

namespace semver {
// node-semver's `loose` option: leading "=" or "v" with spaces, "1.2.3beta",
// leading zeros. The SemVer scheme is strict.
bool is_valid(std::string_view version, bool loose = false);
std::optional<int> compare(std::string_view a, std::string_view b, bool loose = false);
}  // namespace semver

namespace pep440 {
bool is_valid(std::string_view version);
std::optional<int> compare(std::string_view a, std::string_view b);
// str(packaging.version.Version(v)): "1.0-a1" -> "1.0a1"; nullopt if invalid.
std::optional<std::string> normalize(std::string_view version);
}  // namespace pep440

namespace maven {
bool is_valid(std::string_view version);
bool accepts(std::string_view version);  // anything up to a length limit
std::optional<int> compare(std::string_view a, std::string_view b);
// ComparableVersion.getCanonical(): "1.0-ALPHA-1" -> "1-alpha-1".
std::string canonical(std::string_view version);
}  // namespace maven

namespace go {
bool is_valid(std::string_view version);
std::optional<int> compare(std::string_view a, std::string_view b);
}  // namespace go

namespace generic {
bool is_valid(std::string_view version);
int compare(std::string_view a, std::string_view b);
}  // namespace generic

}  // namespace regscan::versions
