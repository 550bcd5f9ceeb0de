#include "triage/vex.hpp"

#include <map>

#include <nlohmann/json.hpp>

#include "triage/input.hpp"
#include "util/json_shape.hpp"
#include "util/text.hpp"

namespace regscan::triage {
namespace {

using json = nlohmann::json;

constexpr size_t max_depth = 64;
constexpr size_t max_values = 4000000;  // bounds the parsed tree (docs/triage.md)
constexpr size_t max_statements = 200000;
constexpr size_t max_warnings = 20;  // per document; the rest are counted

std::string string_at(const json& object, const char* key) {
    auto it = object.find(key);
    return it != object.end() && it->is_string() ? util::valid_utf8(it->get<std::string>()) : std::string();
}

class Reader {
public:
    Reader(const std::string& path, VexDocument& document) : shown_(path), doc_(document) {}

    [[noreturn]] void fail(const std::string& where, const std::string& why) const {
        throw InputError(shown_ + ": " + where + ": " + why);
    }

    void warn(std::string warning) {
        if (++warnings_ <= max_warnings) doc_.warnings.push_back(std::move(warning));
    }

    void finish() {
        if (warnings_ > max_warnings)
            doc_.warnings.push_back("... and " + std::to_string(warnings_ - max_warnings) + " more like these");
    }

    std::optional<catalog::purl::Purl> purl_or_warn(const std::string& id, const std::string& where) {
        auto purl = catalog::purl::parse(id);
        if (!purl) warn(where + ": '" + id + "' is not a package URL (pkg:...): not matched");
        return purl;
    }

    void add(VexStatement statement) {
        if (doc_.statements.size() == max_statements)
            fail(statement.where, "more than " + std::to_string(max_statements) + " statements");
        if (statement.targets.empty())
            warn(statement.where + ": no product regscan can match: the statement changes nothing");
        doc_.statements.push_back(std::move(statement));
    }

    void openvex(const json& root) {
        auto statements = root.find("statements");
        if (statements == root.end() || !statements->is_array()) fail("statements", "missing or not an array");
        for (size_t i = 0; i < statements->size(); ++i) {
            const json& s = (*statements)[i];
            const std::string where = "statements[" + std::to_string(i) + "]";
            if (!s.is_object()) fail(where, "not an object");
            VexStatement statement;
            statement.where = where;
            const json& vulnerability = s.contains("vulnerability") ? s["vulnerability"] : json();
            if (vulnerability.is_string()) {
                statement.ids.push_back(vulnerability.get<std::string>());
            } else if (vulnerability.is_object()) {
                for (const char* key : {"name", "@id"})
                    if (auto id = string_at(vulnerability, key); !id.empty() && id.find("://") == std::string::npos)
                        statement.ids.push_back(id);
                if (auto aliases = vulnerability.find("aliases"); aliases != vulnerability.end() && aliases->is_array())
                    for (const auto& alias : *aliases)
                        if (alias.is_string()) statement.ids.push_back(alias.get<std::string>());
            }
            if (statement.ids.empty()) fail(where + ".vulnerability", "missing (a name such as CVE-2023-1234)");
            statement.status = string_at(s, "status");
            if (statement.status != "not_affected" && statement.status != "affected" && statement.status != "fixed" &&
                statement.status != "under_investigation")
                fail(where + ".status",
                     "'" + statement.status + "' is not not_affected, affected, fixed or under_investigation");
            statement.justification = string_at(s, "justification");
            statement.timestamp = string_at(s, "timestamp");
            if (statement.timestamp.empty()) statement.timestamp = string_at(root, "timestamp");
            statement.reason = string_at(s, "impact_statement");
            if (statement.reason.empty()) statement.reason = string_at(s, "status_notes");
            auto products = s.find("products");
            if (products != s.end() && !products->is_array()) fail(where + ".products", "not an array");
            if (products != s.end())
                for (size_t p = 0; p < products->size(); ++p) {
                    const json& product = (*products)[p];
                    const std::string at = where + ".products[" + std::to_string(p) + "]";
                    std::string id = product.is_string() ? product.get<std::string>() : string_at(product, "@id");
                    if (id.empty()) {
                        warn(at + ": no @id: not matched");
                        continue;
                    }
                    auto purl = purl_or_warn(id, at);
                    if (!purl) continue;
                    std::vector<catalog::purl::Purl> subcomponents;
                    if (product.is_object())
                        if (auto subs = product.find("subcomponents"); subs != product.end() && subs->is_array())
                            for (size_t c = 0; c < subs->size(); ++c) {
                                const json& sub = (*subs)[c];
                                std::string sub_id = sub.is_string() ? sub.get<std::string>() : string_at(sub, "@id");
                                if (auto sub_purl = purl_or_warn(sub_id, at + ".subcomponents[" + std::to_string(c) + "]"))
                                    subcomponents.push_back(*sub_purl);
                            }
                    if (purl->type == "oci") {
                        if (subcomponents.empty()) statement.targets.push_back({purl, std::nullopt});
                        for (auto& sub : subcomponents) statement.targets.push_back({purl, sub});
                    } else {
                        statement.targets.push_back({std::nullopt, purl});
                    }
                }
            add(std::move(statement));
        }
    }

    // Every component's bom-ref, with its purl and the purl of the image
    // (a container component with a pkg:oci purl) it sits in.
    void index_components(const json& components, const std::optional<catalog::purl::Purl>& image, size_t depth) {
        if (!components.is_array() || depth > max_depth) return;
        for (const auto& component : components) {
            if (!component.is_object()) continue;
            auto purl = catalog::purl::parse(string_at(component, "purl"));
            std::optional<catalog::purl::Purl> inner_image = image;
            if (purl && purl->type == "oci") inner_image = purl;
            if (auto ref = string_at(component, "bom-ref"); !ref.empty()) components_[ref] = {inner_image, purl};
            if (auto nested = component.find("components"); nested != component.end())
                index_components(*nested, inner_image, depth + 1);
        }
    }

    std::optional<VexTarget> target_of(std::string ref, const std::string& where) {
        // A BOM-Link (urn:cdx:serial/version#bom-ref) into another BOM: its
        // fragment is the reference, resolvable here only when it is a purl
        // or a component of this document.
        if (ref.rfind("urn:cdx:", 0) == 0) {
            auto hash = ref.find('#');
            ref = hash == std::string::npos ? "" : ref.substr(hash + 1);
            std::string decoded;
            for (size_t i = 0; i < ref.size(); ++i) {
                if (ref[i] == '%' && i + 2 < ref.size() && std::isxdigit(static_cast<unsigned char>(ref[i + 1])) &&
                    std::isxdigit(static_cast<unsigned char>(ref[i + 2]))) {
                    decoded += static_cast<char>(std::stoi(ref.substr(i + 1, 2), nullptr, 16));
                    i += 2;
                } else {
                    decoded += ref[i];
                }
            }
            ref = decoded;
        }
        if (auto it = components_.find(ref); it != components_.end()) {
            if (it->second.package && it->second.package->type != "oci") return it->second;
            if (it->second.image) return VexTarget{it->second.image, std::nullopt};
        }
        // regscan's own BOM names a package "image:<reference>@<digest>?platform=...|<purl>".
        if (auto bar = ref.rfind('|'); bar != std::string::npos && ref.rfind("image:", 0) == 0)
            ref = ref.substr(bar + 1);
        if (auto purl = catalog::purl::parse(ref)) {
            if (purl->type == "oci") return VexTarget{purl, std::nullopt};
            return VexTarget{std::nullopt, purl};
        }
        warn(where + ": '" + ref +
             "' is neither a package URL nor a component of this document with one: not matched");
        return std::nullopt;
    }

    void cyclonedx(const json& root) {
        if (auto components = root.find("components"); components != root.end())
            index_components(*components, std::nullopt, 0);
        auto vulnerabilities = root.find("vulnerabilities");
        if (vulnerabilities == root.end() || !vulnerabilities->is_array())
            fail("vulnerabilities", "missing or not an array: not a CycloneDX VEX document");
        for (size_t i = 0; i < vulnerabilities->size(); ++i) {
            const json& v = (*vulnerabilities)[i];
            const std::string where = "vulnerabilities[" + std::to_string(i) + "]";
            if (!v.is_object()) fail(where, "not an object");
            VexStatement statement;
            statement.where = where;
            if (auto id = string_at(v, "id"); !id.empty()) statement.ids.push_back(id);
            if (auto references = v.find("references"); references != v.end() && references->is_array())
                for (const auto& reference : *references)
                    if (reference.is_object())
                        if (auto id = string_at(reference, "id"); !id.empty()) statement.ids.push_back(id);
            if (statement.ids.empty()) fail(where + ".id", "missing");
            const json analysis = v.contains("analysis") && v["analysis"].is_object() ? v["analysis"] : json::object();
            static const std::map<std::string, std::string> states = {
                {"not_affected", "not_affected"},  {"false_positive", "not_affected"}, {"resolved", "fixed"},
                {"resolved_with_pedigree", "fixed"}, {"exploitable", "affected"},     {"in_triage", "under_investigation"},
                {"", "under_investigation"}};
            std::string state = string_at(analysis, "state");
            auto mapped = states.find(state);
            if (mapped == states.end())
                fail(where + ".analysis.state", "'" + state +
                                                    "' is not a CycloneDX analysis state (not_affected, "
                                                    "false_positive, resolved, resolved_with_pedigree, exploitable, "
                                                    "in_triage)");
            statement.status = mapped->second;
            statement.justification = string_at(analysis, "justification");
            if (statement.justification.empty() && state == "false_positive") statement.justification = "false_positive";
            statement.reason = string_at(analysis, "detail");
            for (const char* key : {"lastUpdated", "firstIssued"})
                if (statement.timestamp.empty()) statement.timestamp = string_at(analysis, key);
            if (statement.timestamp.empty() && root.contains("metadata") && root["metadata"].is_object())
                statement.timestamp = string_at(root["metadata"], "timestamp");
            auto affects = v.find("affects");
            if (affects != v.end() && affects->is_array())
                for (size_t a = 0; a < affects->size(); ++a) {
                    const json& affected = (*affects)[a];
                    const std::string at = where + ".affects[" + std::to_string(a) + "]";
                    std::string ref = affected.is_object() ? string_at(affected, "ref") : "";
                    if (ref.empty()) {
                        warn(at + ": no ref: not matched");
                        continue;
                    }
                    if (auto target = target_of(ref, at)) statement.targets.push_back(*target);
                }
            add(std::move(statement));
        }
    }

private:
    std::string shown_;
    VexDocument& doc_;
    std::map<std::string, VexTarget> components_;
    size_t warnings_ = 0;
};

}  // namespace

VexDocument parse_vex(std::string_view text, const std::string& path) {
    const std::string shown = path;
    if (auto problem = util::json_shape_problem(text, {max_depth, max_values}))
        throw InputError(shown + ":" + std::to_string(line_of(text, problem->offset)) + ": " + problem->why);
    json root;
    try {
        root = json::parse(text);
    } catch (const json::parse_error& e) {
        throw InputError(shown + ":" + std::to_string(line_of(text, e.byte ? e.byte - 1 : 0)) +
                         ": not valid JSON (" + e.what() + ")");
    } catch (const json::exception& e) {  // a number out of range, ...
        throw InputError(shown + ": not usable JSON (" + e.what() + ")");
    }
    if (!root.is_object()) throw InputError(shown + ": not a JSON object");
    VexDocument document;
    document.path = path;
    Reader reader(path, document);
    std::string context = root.contains("@context") && root["@context"].is_string() ? root["@context"].get<std::string>() : "";
    if (context.rfind("https://openvex.dev/ns", 0) == 0) {
        document.format = "openvex";
        reader.openvex(root);
    } else if (string_at(root, "bomFormat") == "CycloneDX") {
        document.format = "cyclonedx";
        reader.cyclonedx(root);
    } else {
        throw InputError(shown + ": neither OpenVEX (@context https://openvex.dev/ns...) nor CycloneDX (bomFormat "
                                 "CycloneDX)");
    }
    reader.finish();
    return document;
}

}  // namespace regscan::triage
